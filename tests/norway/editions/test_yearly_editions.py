"""Yearly editions and code forms of the Norwegian codebooks, on the demo content.

Facts from the seeds in /work/shared/seeds: 003 (NCMP changes 2021: JAGD55/RXGD55 replace særkoder A0093/A0094
"fra 1. januar 2021"), 001 (NCRP 2017: SAA0AP new), and the ICD-10-NO code form rules (norway-identifiers.md).
"""
NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"
NCRP = "urn:oid:2.16.578.1.12.4.1.1.7270"
SK = "https://kodebro.no/fhir/CodeSystem/saerkoder"
ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"
FYSIO = "https://kodebro.no/fhir/ValueSet/fysioterapi-prosedyrer"


def _params(body: dict) -> dict:
    return {p["name"]: p for p in body.get("parameter", [])}


def _value(p: dict):
    return next(v for k, v in p.items() if k.startswith("value"))


def _issues(body: dict) -> list[dict]:
    p = _params(body).get("issues")
    return p["resource"]["issue"] if p else []


def _validate(client, path="CodeSystem", **q):
    r = client.get(f"/fhir/{path}/$validate-code", query_string=q)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _result(body) -> bool:
    return _value(_params(body)["result"])


def _texts(body) -> list[str]:
    return [i.get("details", {}).get("text", "") for i in _issues(body)]


# --- A7: dotted ICD-10-NO code with the national letter upper-cased -------------------------------------

def test_a7_dotted_upper_national_letter_found(demo_client):
    body = _validate(demo_client, url=ICD10NO, code="I21.0A")
    p = _params(body)
    assert _result(body) is True
    assert _value(p["code"]) == "I210a"
    assert not any("Unknown code" in t for t in _texts(body))
    assert any("I210a" in t for t in _texts(body)), _texts(body)     # the canonical form is named


def test_a7_lookup_dotted_upper_national_letter(demo_client):
    r = demo_client.get("/fhir/CodeSystem/$lookup", query_string={"system": ICD10NO, "code": "I21.0A"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert _value(_params(r.get_json())["code"]) == "I210a"


# --- A2: særkoder replaced from 2021 --------------------------------------------------------------------

def test_a2_replaced_saerkode_invalid_after_2020(demo_client):
    for code in ("A0093", "A0094"):
        body = _validate(demo_client, url=SK, code=code, date="2021-03-01")
        assert _result(body) is False, code
        assert any("valid to 2020-12-31" in t for t in _texts(body)), _texts(body)


def test_a2_saerkode_still_valid_in_2020(demo_client):
    body = _validate(demo_client, url=SK, code="A0093", date="2020-06-01")
    assert _result(body) is True


# --- A3: a date before every loaded edition -------------------------------------------------------------

def test_a3_codesystem_date_before_all_editions(demo_client):
    body = _validate(demo_client, url=NCMP, code="OBAB00", date="2015-06-01")
    assert _result(body) is False
    texts = _texts(body)
    assert any("no edition of" in t and "2015-06-01" in t and "2021" in t for t in texts), texts


def test_a3_valueset_date_before_all_editions(demo_client):
    body = _validate(demo_client, path="ValueSet", url=FYSIO, system=NCMP, code="OBAB00", date="2015-06-01")
    assert _result(body) is False
    assert any("no edition of" in t and "2015-06-01" in t for t in _texts(body)), _texts(body)


def test_a3_lookup_says_the_same(demo_client):
    r = demo_client.get("/fhir/CodeSystem/$lookup", query_string={"system": NCMP, "code": "OBAB00",
                                                                  "date": "2015-06-01"})
    assert r.status_code == 422   # a code system (version) not held: 422
    assert "no edition of" in r.get_data(as_text=True)


def test_a3_date_in_an_edition_still_valid(demo_client):
    body = _validate(demo_client, url=NCMP, code="OBAB00", date="2021-06-01")
    assert _result(body) is True


# --- A5: code introduced in a later edition --------------------------------------------------------------

def test_a5_new_2021_code_not_valid_in_2020_by_date(demo_client):
    body = _validate(demo_client, url=NCMP, code="JAGD55", date="2020-12-31")
    assert _result(body) is False
    texts = _texts(body)
    assert any("introduced in NCMP 2021" in t and "2021-01-01" in t for t in texts), texts


def test_a5_new_2021_code_not_valid_in_2020_by_version(demo_client):
    body = _validate(demo_client, url=NCMP, code="JAGD55", version="2020")
    assert _result(body) is False
    assert any("JAGD55 is not in NCMP 2020" in t for t in _texts(body)), _texts(body)


def test_a5_new_2017_ncrp_code_not_valid_in_2016(demo_client):
    body = _validate(demo_client, url=NCRP, code="SAA0AP", date="2016-06-01")
    assert _result(body) is False
    assert any("introduced in" in t and "2017" in t for t in _texts(body)), _texts(body)


def test_a5_new_code_valid_in_its_own_year(demo_client):
    assert _result(_validate(demo_client, url=NCMP, code="JAGD55", date="2021-01-01")) is True
    assert _result(_validate(demo_client, url=NCRP, code="SAA0AP", date="2017-06-01")) is True


# --- C1: WHO groupings in ICD-10-NO are English, not nb ------------------------------------------------

def _designations(client, code):
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": ICD10NO, "code": code})
    assert r.status_code == 200, r.get_data(as_text=True)
    out = []
    for p in r.get_json()["parameter"]:
        if p["name"] == "designation":
            parts = {q["name"]: q for q in p["part"]}
            out.append((_value(parts["language"]) if "language" in parts else None,
                        _value(parts["use"])["code"] if "use" in parts else None, _value(parts["value"])))
    return out


def test_c1_who_grouping_not_labelled_nb(demo_client):
    for code in ("D37.0", "Z03", "J12", "U07"):
        des = _designations(demo_client, code)
        assert not any(lang == "nb" and use == "preferredForLanguage" for lang, use, _v in des), (code, des)
        assert any(lang == "en" for lang, _u, _v in des), (code, des)     # the English text stays, as English


def test_c1_norwegian_concept_keeps_nb(demo_client):
    des = _designations(demo_client, "J12.8")
    assert any(lang == "nb" and use == "preferredForLanguage" for lang, use, _v in des), des


# --- code systems whose versions are no dates keep the fragment rule and their date answers -------------------

def _hl7_versions():
    def cs(version, date, codes):
        return {"resourceType": "CodeSystem", "url": "http://example.org/cs/dated", "version": version, "date": date,
                "status": "active", "content": "fragment", "concept": [{"code": c} for c in codes]}
    return [cs("1.0", "2020-01-01", ["a"]), cs("2.0", "2022-01-01", ["a", "b"])]


def test_versions_that_are_no_dates_keep_the_fragment_rule(client):
    """A resource `date` says when the resource was written, not from when its codes hold: a code of version 2.0
    absent from the fragment 1.0 may still be valid there (the fragment rule), and a date before both versions
    picks no 'edition' to refuse."""
    from tests.support.tx_requests import out, post
    url = "http://example.org/cs/dated"
    status, b = post(client, "CodeSystem/$validate-code", [("url", url), ("version", "1.0"), ("code", "b")],
                     _hl7_versions())
    assert status == 200 and out(b)["result"] is True, b
    status, b = post(client, "CodeSystem/$validate-code", [("url", url), ("code", "a"), ("date", "2019-01-01")],
                     _hl7_versions())
    assert status == 200 and out(b)["result"] is True, b
    status, b = post(client, "CodeSystem/$lookup", [("system", url), ("code", "a"), ("date", "2019-01-01")],
                     _hl7_versions())
    assert status == 200, b
