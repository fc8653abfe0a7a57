"""Review s15 F4: SNOMED CT → ICD-10-NO $translate checks each target against the ICD-10-NO edition, as the
ICPC-2 → ICD-10 map does (mappings.icd10_targets): WHO groupings NPR does not take are named with the codes
to choose. Hand-made Norwegian SNOMED CT release + NAV's ICD-10 list (2026) + a small complete 2027 slice."""
from __future__ import annotations

import os

import pytest

from mappings.icd10_targets import EXT_TARGET
from mappings.translate import TranslateRequest, translate
from tests.conftest import DATA

from .target_notes import target_note as _note

SNOMED = "http://snomed.info/sct"
ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"
HANDMADE = os.path.join(DATA, "snomed", "handmade-no")
NAV_ICD10 = os.path.join(DATA, "norway", "navikt-ICD10-2026.json")
SMALL_2027 = os.path.join(DATA, "icd10no_slices", "icd10no-2027-small.json")
ICPC2_MAP = os.path.join(DATA, "norway", "ehelse-ICPC2_til_ICD-10_CSV_1_1_2019.txt")
ICPC2 = "http://hl7.org/fhir/sid/icpc-2"


def _db(tmp_path_factory, name, *paths):
    from terminology import import_paths, open_store
    db = str(tmp_path_factory.mktemp(name) / "kb.db")
    store = open_store(db)
    import_paths(store, [HANDMADE], fmt="rf2")
    for p in paths:
        import_paths(store, [p])
    store.close()
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return _db(tmp_path_factory, "s15maps", NAV_ICD10)


@pytest.fixture(scope="module")
def client(db):
    from fhir_api import create_app
    return create_app({"DB": db, "DEMO": False}).test_client()


@pytest.fixture(scope="module")
def two_editions(tmp_path_factory):
    from terminology import Catalog, open_store
    # in 2027: a request without a date is judged by the edition in force today (review s16 H1), here 2027
    return Catalog(open_store(_db(tmp_path_factory, "s15maps2", NAV_ICD10, ICPC2_MAP, SMALL_2027)),
                   today="2027-06-01")


def _param(body, name):
    return [p for p in body["parameter"] if p["name"] == name]


def test_snomed_to_icd10no_grouping_r17_is_named_with_r17_0_and_r17_9(client):
    r = client.get("/fhir/ConceptMap/$translate", query_string={
        "system": SNOMED, "code": "18165001", "targetsystem": ICD10_NO})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    (message,) = _param(body, "message")
    assert "R17 is a grouping in ICD-10-NO 2026, not a reportable code; choose one of R17.0, R17.9" \
        in message["valueString"]
    assert "need patient context" in message["valueString"]       # the map's own note stays
    by_code = {}
    for m in _param(body, "match"):
        coding = next(p["valueCoding"] for p in m["part"] if p["name"] == "concept")
        by_code[coding["code"]] = m
    assert set(by_code) == {"P599", "R17"}                          # kept, never dropped
    note = _note(by_code["R17"]["extension"])
    assert note["reason"][0]["valueCode"] == "grouping"
    assert note["edition"][0]["valueString"] == "2026"
    assert [c["valueCoding"]["code"] for c in note["choose"]] == ["R170", "R179"]
    assert not [e for e in by_code["P599"].get("extension", []) if e["url"] == EXT_TARGET]   # reportable
    assert _param(body, "result")[0]["valueBoolean"] is True


def test_named_snomed_map_url_is_checked_too(client):
    r = client.get("/fhir/ConceptMap/$translate", query_string={
        "url": SNOMED + "?fhir_cm=447562003", "system": SNOMED, "code": "18165001"})
    assert "choose one of R17.0, R17.9" in _param(r.get_json(), "message")[0]["valueString"]


def test_target_version_names_the_edition_judged(two_editions):
    res = translate(two_editions, TranslateRequest(code="18165001", system=SNOMED, target_system=ICD10_NO,
                                                   target_version="2026"))
    assert "R17 is a grouping in ICD-10-NO 2026" in res.message
    res = translate(two_editions, TranslateRequest(code="18165001", system=SNOMED, target_system=ICD10_NO))
    assert "R17 is not in ICD-10-NO 2027; the map row needs a new target" in res.message


def test_date_picks_the_edition_in_force_for_the_target_check(two_editions):
    # the request's `date` (F6): the edition in force then, not the latest loaded
    req = TranslateRequest(code="18165001", system=SNOMED, target_system=ICD10_NO, date="2026-06-01")
    res = translate(two_editions, req)
    assert "R17 is a grouping in ICD-10-NO 2026" in res.message
    assert "ICD-10-NO 2027" not in res.message


def test_icpc2_target_check_takes_the_date_too(two_editions):
    # the same check (one function) serves the ICPC-2 map: D13 → R17 judged by the edition in force then
    res = translate(two_editions, TranslateRequest(code="D13", system=ICPC2, target_system=ICD10_NO,
                                                   date="2026-06-01"))
    assert "R17 is a grouping in ICD-10-NO 2026, not a reportable code; choose one of R17.0, R17.9" in res.message
    res = translate(two_editions, TranslateRequest(code="D13", system=ICPC2, target_system=ICD10_NO))
    assert "R17 is not in ICD-10-NO 2027" in res.message


def test_snomed_to_snomed_without_versions_is_not_made_an_edition_question(db):
    # F9's default target edition is for the yearly codebooks only: an active concept asked SNOMED CT -> SNOMED CT is
    # answered by the historical associations (it has none), not by an edition walk
    from terminology import Catalog, open_store
    res = translate(Catalog(open_store(db)), TranslateRequest(code="75570004", system=SNOMED, target_system=SNOMED))
    assert res.result is False and "75570004 is active" in res.message
    assert not any(m.extensions for m in res.matches)


def test_date_over_http_picks_the_edition_and_a_bad_date_is_a_400(tmp_path_factory):
    from fhir_api import create_app
    db = _db(tmp_path_factory, "s15maps3", NAV_ICD10, ICPC2_MAP, SMALL_2027)
    # in 2027: without a date the edition in force today (review s16 H1), 2027, judges
    http = create_app({"DB": db, "DEMO": False, "TODAY": "2027-06-01"}).test_client()
    q = {"system": ICPC2, "code": "D13", "targetsystem": ICD10_NO}
    dated = http.get("/fhir/ConceptMap/$translate", query_string={**q, "date": "2026-06-01"}).get_json()
    (msg,) = _param(dated, "message")
    assert "R17 is a grouping in ICD-10-NO 2026" in msg["valueString"]
    latest = http.get("/fhir/ConceptMap/$translate", query_string=q).get_json()
    (msg,) = _param(latest, "message")
    assert "ICD-10-NO 2027" in msg["valueString"]
    bad = http.get("/fhir/ConceptMap/$translate", query_string={**q, "date": "juni 2026"})
    assert bad.status_code == 400 and "is not a FHIR date" in bad.get_json()["issue"][0]["details"]["text"]
