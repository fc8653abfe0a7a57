"""Edition answers of the Norwegian yearly codebooks, on the demo content (review s13 A4, B2).

Facts: seed 003 (NCMP change document 2021: OAEA00 "settes aktiv igjen" from 2021, ZWUU40 retired from 2021),
norway-identifiers.md (NKPK: a code is valid there if valid in any of NCMP, NCSP, NCRP).
"""
import os

import pytest

from terminology import import_paths, open_store
from terminology.demo import DEMO_DIR
from tests.conftest import DATA

from .answers import issue_texts as _texts, params as _params

NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"
NKPK = "urn:oid:2.16.578.1.12.4.1.1.7275"
ICD10NO_OID = "urn:oid:2.16.578.1.12.4.1.1.7110"
ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"
REPORTABLE = "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from fhir_api import create_app
    app = create_app({"DB": str(tmp_path_factory.mktemp("s14") / "demo.db"), "DEMO": True})
    return app.test_client()


def _get(client, path, **q):
    r = client.get(f"/fhir/{path}", query_string=q)
    return r.status_code, r.get_json()


# --- A4: NKPK for every year a procedure codebook is loaded ----------------------------------------------

def test_a4_lookup_nkpk_2021_finds_code_reactivated_in_ncmp_2021(demo):
    status, body = _get(demo, "CodeSystem/$lookup", system=NKPK, code="OAEA00", date="2021-06-01")
    assert status == 200, body
    p = _params(body)
    assert p["version"] == "2021"
    assert p["display"] == "Utarbeiding av ny (re)habiliteringsplan"


def test_a4_validate_nkpk_2021_active_and_retired(demo):
    status, body = _get(demo, "CodeSystem/$validate-code", url=NKPK, code="OAEA00", date="2021-06-01")
    assert status == 200 and _params(body)["result"] is True and _params(body)["version"] == "2021"
    assert not any("fragment" in t for t in _texts(body)), _texts(body)
    status, body = _get(demo, "CodeSystem/$validate-code", url=NKPK, code="ZWUU40", date="2021-06-01")
    assert _params(body)["result"] is False          # retired in NCMP 2021 (seed 003)
    status, body = _get(demo, "CodeSystem/$validate-code", url=NKPK, code="OAEA00", date="2020-06-01")
    assert _params(body)["result"] is False and _params(body)["version"] == "2020"   # out of use in 2020


def test_a4_derived_editions_say_what_they_are_built_from(demo):
    status, body = _get(demo, "CodeSystem", url=NKPK)
    assert status == 200
    by_version = {e["resource"]["version"]: e["resource"] for e in body.get("entry", [])}
    assert {"2016", "2017", "2019", "2020", "2021"} <= set(by_version), sorted(by_version)
    desc = by_version["2021"]["description"]
    assert "NCMP 2021" in desc and "NCSP 2017" in desc and "NCRP 2017" in desc, desc
    # NKPK 2017 came from the 2017 procedure table: kept as the file gave it
    assert "built by Kodebro" not in by_version["2017"]["description"]
    # NCMP 2019 comes as a FHIR CodeSystem (nested concepts): both it and NKPK 2019 hold its codes
    for system in (NCMP, NKPK):
        status, body = _get(demo, "CodeSystem/$lookup", system=system, code="OAEA00", date="2019-06-01")
        assert status == 200 and _params(body)["version"] == "2019", body


def test_a4_codebook_property_names_source(demo):
    status, body = _get(demo, "CodeSystem/$lookup", system=NKPK, code="OAEA00", version="2021", property="codebook")
    props = [p for p in body["parameter"] if p["name"] == "property"]
    assert any(pp.get("valueCode") == "NCMP" for p in props for pp in p["part"]), props


def test_a4_reimport_refreshes_and_file_nkpk_kept(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    try:
        src = os.path.join(DEMO_DIR, "ncmp-2020-slice.csv")
        rep = import_paths(store, [src])
        assert any("NKPK 2020" in n for n in rep.notes), rep.notes
        nkpk = {h.version: h for h in store.headers("CodeSystem") if h.url == NKPK}
        assert set(nkpk) == {"2020"}
        assert store.codes(nkpk["2020"].pk) == store.codes(
            next(h.pk for h in store.headers("CodeSystem") if h.url == NCMP and h.version == "2020"))
        # NCMP 2020 again, with the 2021 slice's rows (as a corrected file would be): NKPK 2020 follows it
        fixed = tmp_path / "ncmp-2020-fixed.csv"
        rows = open(os.path.join(DEMO_DIR, "ncmp-2021-slice.csv"), encoding="utf-8").read()
        fixed.write_text(rows.replace("01.01.2021", ""), encoding="utf-8")
        import_paths(store, [str(fixed)], edition="2020")
        nkpk = {h.version: h for h in store.headers("CodeSystem") if h.url == NKPK}
        assert "JAGD55" in store.codes(nkpk["2020"].pk)
        # a procedure table with several codebooks brings its own NKPK: not replaced by a derived one
        import_paths(store, [os.path.join(DEMO_DIR, "prosedyrekoder-2017-slice.csv")])
        nkpk = {h.version: h for h in store.headers("CodeSystem") if h.url == NKPK}
        assert "built by Kodebro" not in store.body(nkpk["2017"].pk)["description"]
        # NKPK 2020 now holds NCSP/NCRP 2017 as well
        assert "NCSP 2017" in store.body(nkpk["2020"].pk)["description"]
    finally:
        store.close()


# --- B2: a date before the one loaded edition ------------------------------------------------------------

def test_b2_valueset_validate_single_edition_date_before(demo):
    status, body = _get(demo, "ValueSet/$validate-code", url=REPORTABLE, system=ICD10NO_OID, code="J12.8",
                        date="2019-06-01")
    assert status == 200
    assert _params(body)["result"] is False, body
    assert any("2019-06-01" in t and "2026" in t for t in _texts(body)), _texts(body)


def test_b2_valueset_validate_in_edition_year_still_true(demo):
    status, body = _get(demo, "ValueSet/$validate-code", url=REPORTABLE, system=ICD10NO_OID, code="J12.8",
                        date="2026-03-01")
    assert _params(body)["result"] is True, body


def test_b2_codesystem_validate_and_lookup_single_edition(demo):
    status, body = _get(demo, "CodeSystem/$validate-code", url=ICD10NO, code="J12.8", date="2019-06-01")
    assert _params(body)["result"] is False
    assert any("2019-06-01" in t and "2026" in t for t in _texts(body)), _texts(body)
    status, body = _get(demo, "CodeSystem/$lookup", system=ICD10NO, code="J12.8", date="2019-06-01")
    assert status == 422   # a code system (version) not held: 422
    assert "2026" in body["issue"][0]["details"]["text"]
    status, body = _get(demo, "CodeSystem/$lookup", system=ICD10NO, code="J12.8", date="2026-06-01")
    assert status == 200


# --- $expand with a date no loaded edition answers for: refused, as $lookup ------------------------------

FYSIO = "https://kodebro.no/fhir/ValueSet/fysioterapi-prosedyrer"


def test_expand_date_before_every_edition_refused(demo):
    status, body = _get(demo, "ValueSet/$expand", url=FYSIO, date="2015-06-01")
    assert status == 422, body      # $expand answers a definition it lacks 422, as the reference server does
    assert "2015-06-01" in body["issue"][0]["details"]["text"]
    status, body = _get(demo, "ValueSet/$expand", url=REPORTABLE, date="2019-06-01")
    assert status == 422, body
    assert "2026" in body["issue"][0]["details"]["text"]


def test_expand_date_in_an_edition_answers_from_it(demo):
    status, body = _get(demo, "ValueSet/$expand", url=FYSIO, date="2020-06-01")
    assert status == 200
    used = [p["valueUri"] for p in body["expansion"]["parameter"] if p["name"] == "used-codesystem"]
    assert used == [NCMP + "|2020"]
    status, body = _get(demo, "ValueSet/$expand", url=REPORTABLE, date="2027-06-01")
    assert status == 200                             # the latest edition stays in force until a newer is loaded


# --- B1: per-codebook "codes in use" value sets -----------------------------------------------------------

NCMP_ACTIVE = "https://kodebro.no/fhir/ValueSet/ncmp-aktive"


def test_b1_retired_code_not_in_active_valueset(demo):
    status, body = _get(demo, "ValueSet/$validate-code", url=NCMP_ACTIVE, system=NCMP, code="ZWUU40")
    assert status == 200
    assert _params(body)["result"] is False and _params(body)["version"] == "2021"
    status, body = _get(demo, "ValueSet/$validate-code", url=NCMP_ACTIVE, system=NCMP, code="ZWUU40",
                        date="2020-06-01")
    assert _params(body)["result"] is True and _params(body)["version"] == "2020"   # in use in 2020


def test_b1_reactivated_code_follows_the_edition(demo):
    for date, expected in (("2019-06-01", True), ("2020-06-01", False), ("2021-06-01", True)):
        status, body = _get(demo, "ValueSet/$validate-code", url=NCMP_ACTIVE, system=NCMP, code="OAEA00", date=date)
        assert _params(body)["result"] is expected, (date, _texts(body))


def test_b1_every_procedure_codebook_has_one(demo):
    for slug, system, retired in (("ncrp", "urn:oid:2.16.578.1.12.4.1.1.7270", "SAA0AE"),
                                  ("nkpk", NKPK, "ZWUU40")):
        status, body = _get(demo, "ValueSet/$validate-code", url=f"https://kodebro.no/fhir/ValueSet/{slug}-aktive",
                            system=system, code=retired)
        assert _params(body)["result"] is False, (slug, _texts(body))
    status, body = _get(demo, "ValueSet", url="https://kodebro.no/fhir/ValueSet/ncsp-aktive")
    assert body.get("total") == 1


# --- review s14 F5: the single-edition rule is the yearly codebooks' only ---------------------------------

SNOMED_DUMMY = os.path.join(DATA, "snomed", "snowstorm-dummy", "RF2Release")


def test_f5_one_snomed_release_answers_a_date_before_it(tmp_path):
    # a SNOMED CT release date (20180731) is when it was published, not from when its concepts hold
    db = str(tmp_path / "k.db")
    store = open_store(db)
    try:
        import_paths(store, [SNOMED_DUMMY])
    finally:
        store.close()
    from fhir_api import create_app
    c = create_app({"DB": db, "DEMO": False}).test_client()
    sct = "http://snomed.info/sct"
    status, body = _get(c, "ValueSet/$expand", url=sct + "?fhir_vs", count=1, date="2018-01-01")
    assert status == 200, body
    code = body["expansion"]["contains"][0]["code"]
    status, body = _get(c, "CodeSystem/$validate-code", url=sct, code=code, date="2018-01-01")
    assert _params(body)["result"] is True, body


def test_f5_uploaded_four_digit_version_answers_earlier_date(demo):
    url = "http://example.org/cs/f5-mine"
    cs = {"resourceType": "CodeSystem", "url": url, "version": "2020", "status": "active",
          "content": "complete", "concept": [{"code": "A", "display": "A"}]}
    assert demo.post("/fhir/CodeSystem", json=cs).status_code == 201
    status, body = _get(demo, "CodeSystem/$validate-code", url=url, code="A", date="2019-05-01")
    assert _params(body)["result"] is True, body
    status, body = _get(demo, "CodeSystem/$lookup", system=url, code="A", date="2019")
    assert status == 200, body


# --- review s14 F7: a value set importing a dated one is judged as that one ------------------------------

def test_f7_import_of_ncmp_aktive_refused_for_date_before_every_edition(demo):
    vs = {"resourceType": "ValueSet", "status": "active",
          "compose": {"include": [{"valueSet": [NCMP_ACTIVE]}]}}
    r = demo.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}, {"name": "date", "valueDateTime": "2010-01-01"}]})
    assert r.status_code == 422, r.get_json()     # $expand: 422 for a definition it lacks (the reference's status)
    assert "2010-01-01" in r.get_json()["issue"][0]["details"]["text"]
    r = demo.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}, {"name": "date", "valueDateTime": "2021-06-01"}]})
    assert r.status_code == 200, r.get_json()
    used = [p["valueUri"] for p in r.get_json()["expansion"]["parameter"] if p["name"] == "used-codesystem"]
    assert NCMP + "|2021" in used
