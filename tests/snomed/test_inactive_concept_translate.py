"""$translate of an inactive SNOMED CT concept that has no map rows (review s16 M4): the answer names its
historical associations and what the named concept maps to, so a term bank holding older concepts is pointed on.
Data: the hand-made Norwegian release (155574008 inactive, REPLACED BY 75570004, which maps to J12.9)."""
from __future__ import annotations

from mappings.translate import TranslateRequest, translate

from .conftest import HANDMADE, SNOMED, client_at

ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"


def test_inactive_concept_names_its_replacement_and_its_map(no_catalog):
    res = translate(no_catalog, TranslateRequest(code="155574008", system=SNOMED, target_system=ICD10_NO))
    assert res.result is False and not [m for m in res.matches if m.code]
    assert "155574008 is inactive (duplicate); it was replaced by 75570004 |Viral pneumonia|, which maps to J12.9" \
        in res.message


def test_active_concept_without_rows_says_only_that(no_catalog):
    # 75570004's parent, active, has no ICD-10 rows: no history to name
    cs = no_catalog.codesystem(SNOMED)
    code = next(c for c in ("233604007", "138875005") if cs.get(c) is not None and not cs.maps.get("447562003", {})
                .get(cs.pos[c]))
    res = translate(no_catalog, TranslateRequest(code=code, system=SNOMED, target_system=ICD10_NO))
    assert res.result is False and "inactive" not in res.message


def test_over_http(tmp_path):
    client = client_at(tmp_path, HANDMADE)
    r = client.get("/fhir/ConceptMap/$translate",
                   query_string={"system": SNOMED, "code": "155574008", "targetsystem": ICD10_NO})
    assert r.status_code == 200
    msg = next(p["valueString"] for p in r.get_json()["parameter"] if p["name"] == "message")
    assert "replaced by 75570004" in msg and "J12.9" in msg


def test_validate_code_names_the_replacement_beside_the_inactive_warning(tmp_path):
    """$validate-code of the inactive concept: the warning as before, and an information issue naming what to use
    instead (review s16 M4, the $validate-code half); an active concept gets no such note."""
    client = client_at(tmp_path, HANDMADE)
    body = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": SNOMED, "code": "155574008"}).get_json()
    out = {p["name"]: p for p in body["parameter"]}
    assert out["result"]["valueBoolean"] is True and out["inactive"]["valueBoolean"] is True
    texts = [(i["severity"], i["details"]["text"]) for i in out["issues"]["resource"]["issue"]]
    assert ("information", "155574008 is inactive (duplicate); it was replaced by 75570004 |Viral pneumonia|") \
        in texts, texts
    body = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": SNOMED, "code": "75570004"}).get_json()
    assert not any("replaced by" in i["details"]["text"] for p in body["parameter"] if p["name"] == "issues"
                   for i in p["resource"]["issue"])
