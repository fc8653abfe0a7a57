"""Every error the API returns is an OperationOutcome, whatever the client sent."""
import pytest

FJ = "application/fhir+json"

NASTY = [
    ("get", "/fhir/CodeSystem/%00", {}),
    ("get", "/fhir/ValueSet/" + "x" * 5000, {}),
    ("post", "/fhir/ValueSet", {"data": b"\xff\xfe\x00", "content_type": FJ}),
    ("post", "/fhir/ValueSet", {"data": "[1,2,3]", "content_type": FJ}),
    ("post", "/fhir/ValueSet", {"data": "null", "content_type": FJ}),
    ("post", "/fhir/ValueSet", {"json": {"resourceType": "ValueSet", "status": ["x"]}, "content_type": FJ}),
    ("post", "/fhir/ValueSet", {"json": {"resourceType": "ValueSet", "status": "active", "compose": "nope"},
                                "content_type": FJ}),
    ("put", "/fhir/ConceptMap/a", {"data": "", "content_type": FJ}),
    ("post", "/fhir", {"json": {"resourceType": "Bundle", "type": "batch", "entry": [{"request": {}}]},
                       "content_type": FJ}),
    ("post", "/fhir", {"data": "{}", "content_type": FJ}),
    ("patch", "/fhir/ValueSet/a", {}),
    ("get", "/fhir/NoSuchType", {}),
    ("get", "/fhir/ValueSet?_offset=-1", {}),
]


@pytest.mark.parametrize("method,url,kwargs", NASTY)
def test_errors_are_outcomes_never_500(client, method, url, kwargs):
    r = getattr(client, method)(url, **kwargs)
    body = r.get_json(silent=True)
    if r.status_code >= 400:
        assert r.status_code < 500, r.get_data(as_text=True)
        assert body and body["resourceType"] == "OperationOutcome"
        assert body["issue"][0]["details"]["text"].strip()
    else:
        # a batch answers 200 with the failure inside the entry
        assert body["resourceType"] == "Bundle"
        assert body["entry"][0]["resource"]["resourceType"] == "OperationOutcome"
