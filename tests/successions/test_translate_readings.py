"""What an edition `$translate` tells a client besides the match (review s16 re-check N4, N5, N8): a backward
walk's reading in the R4 answer, the empty derived change map answering an unchanged code as the other change maps
do, and a code of next year's edition asked without a version. Data: the cut ICD-10-NO 2019/2026 editions of
tests/data/subdivisions (R17 subdivided), the real NAV ICPC-2 2024/2025 lists (U89.1 new in 2025) and 2026 list
(no changes from 2025)."""
from __future__ import annotations

import os

from fhir_api import create_app
from mappings.translate import TranslateRequest, translate
from terminology import Catalog
from terminology.loader import import_paths

from tests.conftest import DATA, SHARED

from .conftest import ICD10_NO, ICPC2_EDITIONS

ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
ICD10_EDITIONS = [os.path.join(DATA, "subdivisions", f"navikt-ICD10-{y}-cut.json") for y in ("2019", "2026")]
ICPC2_2026 = os.path.join(SHARED, "data", "norway", "navikt-ICPC2.json")
READING = "the equivalence reads old -> new: R179 (ICD-10-NO 2026) is narrower than R17 (ICD-10-NO 2019)"


def _params(r) -> dict:
    assert r.status_code == 200, r.get_json()
    return {p["name"]: p for p in r.get_json()["parameter"]}


def test_a_backward_walk_says_how_to_read_its_equivalence_in_r4(store, db_path):
    import_paths(store, ICD10_EDITIONS)
    client = create_app({"DB": db_path, "DEMO": False}).test_client()
    for ask in ({"target-version": "2019"}, {"targetsystem": ICD10_NO, "reverse": "true"}):
        got = _params(client.get("/fhir/ConceptMap/$translate", query_string={
            "system": ICD10_NO, "code": "R17.9", "version": "2026", **ask}))
        assert got["result"]["valueBoolean"] is True
        # the stored old -> new equivalence stays; the top-level message says which way it reads
        match = {p["name"]: p for p in got["match"]["part"]}
        assert (match["equivalence"]["valueCode"], match["concept"]["valueCoding"]["code"]) == ("narrower", "R17")
        assert READING in got["message"]["valueString"]


def test_a_forward_walk_gets_no_reading(store):
    import_paths(store, ICD10_EDITIONS)
    res = translate(Catalog(store), TranslateRequest(code="R17", system=ICD10_NO, version="2019",
                                                     target_system=ICD10_NO, target_version="2026"))
    assert "reads old -> new" not in (res.message or "")


def test_the_empty_change_map_answers_an_unchanged_code_equal(store, db_path):
    import_paths(store, ICPC2_EDITIONS)
    import_paths(store, [ICPC2_2026], edition="2026")
    client = create_app({"DB": db_path, "DEMO": False}).test_client()
    url = "https://kodebro.no/fhir/ConceptMap/changes-icpc2-"
    for year in ("2025", "2026"):
        got = _params(client.get("/fhir/ConceptMap/$translate", query_string={
            "url": url + year, "system": ICPC2, "code": "K86"}))
        assert got["result"]["valueBoolean"] is True, got
        match = {p["name"]: p for p in got["match"]["part"]}
        assert match["equivalence"]["valueCode"] == "equal"
        assert match["concept"]["valueCoding"]["code"] == "K86"
    # and asked of the map itself
    got = _params(client.get("/fhir/ConceptMap/changes-icpc2-2026/$translate", query_string={
        "system": ICPC2, "code": "K86"}))
    assert got["result"]["valueBoolean"] is True
    assert {p["name"]: p for p in got["match"]["part"]}["equivalence"]["valueCode"] == "equal"
    # a code the edition does not hold is no unchanged code
    got = _params(client.get("/fhir/ConceptMap/$translate", query_string={
        "url": url + "2026", "system": ICPC2, "code": "K869"}))
    assert got["result"]["valueBoolean"] is False and "match" not in got
    assert "K869" in got["message"]["valueString"]


def test_a_code_of_next_years_edition_says_so(store):
    import_paths(store, ICPC2_EDITIONS)
    cat = Catalog(store)
    cat.today = "2024-11-26"
    res = translate(cat, TranslateRequest(code="U891", system=ICPC2, target_system=ICPC2))
    assert res.result is False
    assert "U891 is not in ICPC-2 2024: it is introduced in ICPC-2 2025" in res.message


def test_the_empty_change_map_answers_only_its_own_question(store, db_path):
    """Into another codebook, or reverse=true, the empty map answers as the change maps with changes answer (not
    `equal` K86; review s16 C M1)."""
    import_paths(store, ICPC2_EDITIONS)
    import_paths(store, [ICPC2_2026], edition="2026")
    client = create_app({"DB": db_path, "DEMO": False}).test_client()
    url = "https://kodebro.no/fhir/ConceptMap/changes-icpc2-"
    for extra in ({"targetsystem": "http://hl7.org/fhir/sid/icd-10-no"}, {"reverse": "true"}):
        answers = [_params(client.get("/fhir/ConceptMap/$translate", query_string={
            "url": url + year, "system": ICPC2, "code": "K86", **extra})) for year in ("2025", "2026")]
        assert answers[1]["result"] == answers[0]["result"], (extra, answers)
        assert ("match" in answers[1]) == ("match" in answers[0]), (extra, answers)


def test_a_change_map_vouches_only_for_codes_of_its_edition(store, db_path):
    """A change map answers a code it does not list as unchanged (`unmapped` provided), but not a code its complete
    target edition does not hold: NOPE9 is no unchanged ICPC-2 code (the H3 rule of the edition walk, for url=)."""
    import_paths(store, ICPC2_EDITIONS)
    import_paths(store, [ICPC2_2026], edition="2026")
    client = create_app({"DB": db_path, "DEMO": False}).test_client()
    url = "https://kodebro.no/fhir/ConceptMap/changes-icpc2-2025"
    def ask(code):
        return _params(client.get("/fhir/ConceptMap/$translate", query_string={
            "url": url, "system": ICPC2, "code": code}))
    assert ask("K86")["result"]["valueBoolean"] is True
    got = ask("NOPE9")
    assert got["result"]["valueBoolean"] is False and "match" not in got, got
    assert "NOPE9" in got["message"]["valueString"]
