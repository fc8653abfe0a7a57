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


_CS = {"resourceType": "CodeSystem", "url": "http://example.org/cs", "status": "active", "content": "complete",
       "concept": [{"code": "a", "display": "A"}]}


def _params(*parts):
    return {"resourceType": "Parameters", "parameter": list(parts)}


MALFORMED_OPERATIONS = [
    ("CodeSystem/$lookup", _params({"name": "coding", "valueCoding": {"system": "http://example.org/cs",
                                                                      "code": ["a"]}})),
    ("CodeSystem/$lookup", _params({"name": "coding", "valueCoding": {"system": 5, "code": "a"}})),
    ("CodeSystem/$subsumes", _params({"name": "codingA", "valueCoding": {"system": "http://example.org/cs",
                                                                         "code": "a", "version": ["1"]}},
                                     {"name": "codingB", "valueCoding": {"system": "http://example.org/cs",
                                                                         "code": "a"}})),
    ("ConceptMap/$translate", _params({"name": "codeableConcept", "valueCodeableConcept": {"coding": [5]}})),
    ("ConceptMap/$translate", _params({"name": "conceptMap", "resource": {"resourceType": "ConceptMap",
                                                                          "url": "http://cm", "group": 5}},
                                      {"name": "system", "valueUri": "http://s"}, {"name": "code", "valueCode": "a"})),
    ("ValueSet/$expand", _params({"name": "valueSet", "resource": {"resourceType": "ValueSet", "status": "active",
                                                                   "compose": {"include": ["x"]}}})),
    ("ValueSet/$expand", _params({"name": "tx-resource", "resource": {**_CS, "version": 3}},
                                 {"name": "url", "valueUri": "http://example.org/cs?fhir_vs"})),
    ("ValueSet/$validate-code", _params({"name": "tx-resource", "resource": {**_CS, "concept": [{"code": ["a"]}]}},
                                        {"name": "url", "valueUri": "http://example.org/cs?fhir_vs"},
                                        {"name": "code", "valueCode": "a"})),
    ("CodeSystem/$validate-code", {"resourceType": "Parameters", "parameter": 5}),
]


@pytest.mark.parametrize("op,body", MALFORMED_OPERATIONS)
def test_malformed_operation_input_is_a_400(client, op, body):
    r = client.post("/fhir/" + op, json=body, content_type=FJ)
    assert r.status_code == 400, r.get_data(as_text=True)[:500]
    assert r.get_json()["resourceType"] == "OperationOutcome"


def test_batch_entry_with_a_broken_url_fails_alone(client):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": "http://[::1/fhir/metadata"}},
        {"request": {"method": "GET", "url": "metadata"}}]}
    r = client.post("/fhir", json=bundle, content_type=FJ).get_json()
    assert [e["response"]["status"][:3] for e in r["entry"]] == ["400", "200"]


@pytest.mark.parametrize("url, tx_code", [
    ("/fhir/ValueSet/$expand?url=urn:ietf:bcp:47?fhir_vs&count=-1", "invalid-data"),
    ("/fhir/ValueSet/nonexistent/$expand", "not-found"),
    ("/fhir/ValueSet/$expand?url=http://example.org/no-such-vs", "not-found"),
])
def test_errors_carry_a_tx_issue_type(client, url, tx_code):
    """Terminology clients read details.coding (tx-issue-type), not the text, to tell why a call failed."""
    r = client.get(url)
    assert 400 <= r.status_code < 500
    coding = r.get_json()["issue"][0]["details"]["coding"]
    assert coding == [{"system": "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type", "code": tx_code}]


@pytest.mark.parametrize("path, param", [
    ("CodeSystem/$validate-code", {"name": "coding", "valueCoding": {"system": "http://example.org/cs"}}),
    ("ValueSet/$validate-code", {"name": "codeableConcept",
                                 "valueCodeableConcept": {"coding": [{"system": "http://example.org/cs"}]}}),
    ("ConceptMap/$translate", {"name": "sourceCoding", "valueCoding": {"system": "http://example.org/cs"}}),
])
def test_a_coding_without_a_code_is_refused_not_validated_as_none(client, path, param):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/cs", "status": "active", "content": "complete",
          "concept": [{"code": "a", "display": "A"}]}
    r = client.post(f"/fhir/{path}", json={"resourceType": "Parameters", "parameter": [
        param, {"name": "url", "valueUri": "http://example.org/cs?fhir_vs"},
        {"name": "tx-resource", "resource": cs}]}, content_type=FJ)
    assert r.status_code == 400
    text = r.get_json()["issue"][0]["details"]["text"]
    assert "code" in text and "None" not in text
