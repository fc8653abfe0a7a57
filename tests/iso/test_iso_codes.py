"""ISO 3166-1 (urn:iso:std:iso:3166) and ISO 4217 (urn:iso:std:iso:4217) come with the HL7 terminology a new store
gets, built from the data of the installed pycountry package (the Debian iso-codes lists and their nb_NO and nn
translations; terminology/iso_codes.py): FHIR R4 core's jurisdiction, currencies and iso3166-1-* value sets and
THO's v3-Country ones include them, and Norwegian records carry nationality and country of residence in them."""
from __future__ import annotations

import shutil

import pytest

COUNTRIES = "urn:iso:std:iso:3166"
CURRENCIES = "urn:iso:std:iso:4217"


@pytest.fixture(scope="module")
def client(hl7_db, tmp_path_factory):
    from fhir_api import create_app
    db = str(tmp_path_factory.mktemp("iso") / "k.db")
    shutil.copy(hl7_db, db)
    return create_app({"DB": db, "DEMO": False, "HL7": False}).test_client()


def _value(params: dict, name: str):
    for p in params.get("parameter", []):
        if p["name"] == name:
            return next(v for k, v in p.items() if k.startswith("value") or k == "resource")
    return None


@pytest.mark.parametrize("code", ["NO", "NOR", "578"])
def test_lookup_of_norway_by_each_kind_of_code_in_norwegian(client, code):
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": COUNTRIES, "code": code,
                                                             "displayLanguage": "nb"})
    assert r.status_code == 200, r.json
    assert _value(r.json, "display") == "Norge"
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": COUNTRIES, "code": code,
                                                             "displayLanguage": "nn"})
    assert _value(r.json, "display") == "Noreg"
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": COUNTRIES, "code": code})
    assert _value(r.json, "display") == "Norway"


def test_the_version_is_the_year_of_the_data(client):
    from terminology.iso_codes import pycountry_version, release_date
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": COUNTRIES, "code": "SE"})
    assert _value(r.json, "version") == release_date(pycountry_version())[:4]
    assert release_date("26.2.16") == "2026-02-16" and release_date("1.2") is None


def test_a_code_iso_does_not_assign_is_not_valid(client):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": COUNTRIES, "code": "XX"})
    assert r.status_code == 200
    assert _value(r.json, "result") is False
    assert "Unknown code 'XX'" in _value(r.json, "message")


def test_country_codes_compare_without_case(client):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": COUNTRIES, "code": "no"})
    assert _value(r.json, "result") is True
    assert _value(r.json, "normalized-code") == "NO"


def test_the_official_name_is_a_valid_display(client):
    """FHIR's iso3166-1-2 value set (and tx.fhir.org) give US as 'United States of America', pycountry's name is
    'United States'."""
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": COUNTRIES, "code": "US",
                                                                   "display": "United States of America"})
    assert _value(r.json, "result") is True and _value(r.json, "issues") is None
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": COUNTRIES, "code": "US",
                                                                   "display": "Amerika"})
    assert _value(r.json, "result") is False and _value(r.json, "issues") is not None
    assert "'United States of America' (en)" in _value(r.json, "message")


def test_core_currencies_expands_and_takes_nok(client):
    import pycountry
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": "http://hl7.org/fhir/ValueSet/currencies",
                                                           "count": "5"})
    assert r.status_code == 200, r.json
    assert r.json["expansion"]["total"] == len(pycountry.currencies) > 150
    r = client.get("/fhir/ValueSet/$validate-code", query_string={
        "url": "http://hl7.org/fhir/ValueSet/currencies", "system": CURRENCIES, "code": "NOK",
        "displayLanguage": "nb"})
    assert _value(r.json, "result") is True
    assert _value(r.json, "display") == "Norske kroner"


def test_a_numeric_currency_code_is_not_a_currency(client):
    """Money.currency takes the three letters; 578 is Norway's number and its krone's."""
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": CURRENCIES, "code": "578"})
    assert _value(r.json, "result") is False
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": CURRENCIES, "code": "nok"})
    assert _value(r.json, "result") is False            # case-sensitive, as the reference servers match it


def test_core_jurisdiction_takes_norway(client):
    r = client.get("/fhir/ValueSet/$validate-code", query_string={
        "url": "http://hl7.org/fhir/ValueSet/jurisdiction", "system": COUNTRIES, "code": "NO"})
    assert _value(r.json, "result") is True and _value(r.json, "display") == "Norway"


def test_core_jurisdiction_expansion_now_misses_only_the_other_systems(client):
    """jurisdiction also includes ISO 3166-2 subdivisions and UN M49 regions, which no package and not pycountry
    (M49) ship: its expansion is refused naming one of those, no longer ISO 3166-1."""
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": "http://hl7.org/fhir/ValueSet/jurisdiction",
                                                           "count": "5"})
    assert r.status_code == 422
    text = r.json["issue"][0]["details"]["text"]
    assert "could not be found" in text and f"'{COUNTRIES}'" not in text


@pytest.mark.parametrize("url, code, total, display", [
    # core: the 249 codes enumerated with English displays; the Bokmål name asked for still wins
    ("http://hl7.org/fhir/ValueSet/iso3166-1-2", "NO", 249, "Norge"),
    ("http://hl7.org/fhir/ValueSet/iso3166-1-3", "NOR", 249, "Norge"),     # core: regex [A-Z]{3}
    ("http://hl7.org/fhir/ValueSet/iso3166-1-N", "578", 249, "Norge"),     # core: regex [0-9]{3}
    ("http://terminology.hl7.org/ValueSet/v3-Country2", "NO", 249, "Norge"),   # THO: regex [A-Z]{2}
])
def test_the_value_sets_of_one_kind_of_country_code(client, url, code, total, display):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": url, "count": "1000", "displayLanguage": "nb"})
    assert r.status_code == 200, r.json
    expansion = r.json["expansion"]
    assert expansion["total"] == total
    shown = {c["code"]: c.get("display") for c in expansion["contains"]}
    assert len({len(c) for c in shown}) == 1
    assert shown[code] == display
    r = client.get("/fhir/ValueSet/$validate-code", query_string={"url": url, "system": COUNTRIES, "code": code})
    assert _value(r.json, "result") is True


def test_they_come_with_the_hl7_items_tagged_and_valid():
    from terminology.hl7 import hl7_items
    from terminology.identifiers import is_hl7
    from terminology.loader import check
    iso = [item for item in hl7_items() if (item.resource or {}).get("url") in (COUNTRIES, CURRENCIES)]
    assert [item.resource["url"] for item in iso] == [COUNTRIES, CURRENCIES]
    assert all(is_hl7(item.resource) for item in iso)
    good, rejected, _notes = check(iso, None)
    assert len(good) == 2 and rejected == []


def test_every_country_has_three_codes_and_norwegian_names():
    import pycountry
    from terminology.iso_codes import country_codesystem, currency_codesystem
    cs = country_codesystem()
    codes = {c["code"]: c for c in cs["concept"]}
    assert len(codes) == cs["count"] == 3 * len(pycountry.countries)
    assert cs["caseSensitive"] is False and cs["content"] == "complete"
    nb = {d["value"] for d in codes["578"]["designation"] if d["language"] == "nb"}
    assert nb == {"Norge"}
    currencies = currency_codesystem()
    assert "version" not in currencies and currencies["caseSensitive"] is True
    assert all(len(c["code"]) == 3 and c["code"].isalpha() for c in currencies["concept"])
