"""N1: the ICD-10-NO target check of $translate (mappings.icd10_targets) does not call a target missing because a
fragment edition does not list it; a complete edition's silence still says so, and a fragment's grouping is still
a grouping."""
from __future__ import annotations

from mappings.icd10_targets import EXT_TARGET

SNOMED = "http://snomed.info/sct"
ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"


def _translate(client, **q):
    r = client.get("/fhir/ConceptMap/$translate",
                   query_string={"system": SNOMED, "code": "18165001", "targetsystem": ICD10_NO, **q})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _message(body) -> str:
    return " ".join(p["valueString"] for p in body["parameter"] if p["name"] == "message")


def _matches(body) -> dict:
    out = {}
    for m in (p for p in body["parameter"] if p["name"] == "match"):
        coding = next(p["valueCoding"] for p in m["part"] if p["name"] == "concept")
        out[coding["code"]] = m
    return out


def _reason(match) -> str | None:
    for e in match.get("extension", []):
        if e["url"] == EXT_TARGET:
            return next(x["valueCode"] for x in e["extension"] if x["url"] == "reason")
    return None


def test_n1_fragment_in_force_does_not_say_the_map_row_needs_a_new_target(client):
    body = _translate(client, date="2026-06-01")
    msg = _message(body)
    assert "needs a new target" not in msg, msg
    assert "P59.9 is not in the loaded part of ICD-10-NO 2026 (a fragment)" in msg, msg
    by_code = _matches(body)
    assert set(by_code) == {"P599", "R17"}
    assert _reason(by_code["P599"]) == "not-in-fragment"
    # what the fragment does list is evidence: R17 is a grouping there
    assert "R17 is a grouping in ICD-10-NO 2026, not a reportable code; choose one of R17.0, R17.9" in msg
    assert _reason(by_code["R17"]) == "grouping"
    assert body["parameter"][0] == {"name": "result", "valueBoolean": True}


def test_n1_fragment_named_by_target_version_likewise(client):
    msg = _message(_translate(client, **{"target-version": "2026"}))
    assert "needs a new target" not in msg, msg
    assert "P59.9 is not in the loaded part of ICD-10-NO 2026 (a fragment)" in msg, msg


def test_n1_complete_edition_silence_still_names_the_map_row(client):
    # 2025 is complete and does not hold P59.9: that is a finding
    msg = _message(_translate(client, date="2025-06-01"))
    assert "P59.9 is not in ICD-10-NO 2025; the map row needs a new target" in msg, msg
    assert "a fragment" not in msg


def test_n1_complete_edition_that_holds_the_target_says_nothing_of_it(client):
    body = _translate(client)                     # latest: 2027, complete, holds P59.9
    msg = _message(body)
    assert "P59.9" not in msg and "fragment" not in msg, msg
    assert _reason(_matches(body)["P599"]) is None
    assert "R17 is a grouping in ICD-10-NO 2027" in msg
