"""Where $validate-code issues point: `expression` always; the deprecated `location` only for code problems."""
from __future__ import annotations

ICD = "http://hl7.org/fhir/sid/icd-10-no"


def _issues(client, coding):
    r = client.post("/fhir/CodeSystem/$validate-code", json={
        "resourceType": "Parameters", "parameter": [{"name": "coding", "valueCoding": coding}]})
    assert r.status_code == 200
    out = next(p["resource"] for p in r.get_json()["parameter"] if p["name"] == "issues")
    return {i["details"]["coding"][0]["code"]: i for i in out["issue"]}


def test_wrong_display_points_by_expression_only(demo_client):
    issues = _issues(demo_client, {"system": ICD, "code": "J12", "display": "Not the name of J12"})
    i = issues["invalid-display"]
    assert i["expression"] == ["Coding.display"]
    assert "location" not in i


def test_unknown_code_keeps_location_for_r4_clients(demo_client):
    issues = _issues(demo_client, {"system": ICD, "code": "J99999"})
    i = issues["invalid-code"]
    assert i["expression"] == ["Coding.code"]
    assert i["location"] == ["Coding.code"]
