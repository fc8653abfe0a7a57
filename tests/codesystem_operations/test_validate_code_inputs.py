"""CodeSystem/$validate-code takes its code system from the url, or else from the coding it validates."""
FJ = "application/fhir+json"
CS = {"resourceType": "CodeSystem", "url": "http://example.org/cs", "version": "1", "status": "active",
      "content": "complete", "concept": [{"code": "a", "display": "A"}]}


def _validate(client, *params):
    r = client.post("/fhir/CodeSystem/$validate-code", json={"resourceType": "Parameters", "parameter": [
        *params, {"name": "tx-resource", "resource": CS}]}, content_type=FJ)
    assert r.status_code == 200, r.get_json()
    return {p["name"]: next(v for k, v in p.items() if k != "name") for p in r.get_json()["parameter"]}



def test_codeable_concept_without_url(client):
    out = _validate(client, {"name": "codeableConcept", "valueCodeableConcept": {
        "coding": [{"system": CS["url"], "code": "a"}]}})
    assert out["result"] is True and out["system"] == CS["url"] and out["version"] == "1"
