"""Whatever a client sends to $lookup, $subsumes or $translate: an answer or an OperationOutcome, never a 500."""
from __future__ import annotations

import pytest

from .conftest import ICD10, FJ

BODIES = [
    b"{not json",
    b"[]",
    b'{"resourceType": "Parameters", "parameter": "x"}',
    b'{"resourceType": "Parameters", "parameter": [1, 2]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "code", "valueCode": {"a": 1}}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "coding", "valueString": "A00"}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "coding", "valueCoding": {"code": 5}}, {"name": "system", "valueUri": "x"}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "valueString": "x"}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "resource": {"resourceType": "CodeSystem", "url": 5, "concept": "x"}}, {"name": "system", "valueUri": "x"}, {"name": "code", "valueCode": "a"}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "resource": {"resourceType": "CodeSystem", "url": "x", "concept": "x"}}, {"name": "system", "valueUri": "x"}, {"name": "code", "valueCode": "a"}, {"name": "codeA", "valueCode": "a"}, {"name": "codeB", "valueCode": "a"}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "resource": {"resourceType": "CodeSystem", "url": "x", "concept": [1, {"code": 5}, {"code": "a", "designation": "d", "property": [1]}]}}, {"name": "system", "valueUri": "x"}, {"name": "code", "valueCode": "a"}, {"name": "codeA", "valueCode": "a"}, {"name": "codeB", "valueCode": "a"}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "resource": {"resourceType": "ConceptMap", "url": "m", "group": [{"source": "x", "element": [{"code": "a", "target": [{"code": "b", "dependsOn": [1, {"value": {"x": 1}}], "product": "p"}]}], "unmapped": {"mode": "other-map", "url": "m"}}]}}, {"name": "system", "valueUri": "x"}, {"name": "code", "valueCode": "a"}, {"name": "reverse", "valueBoolean": true}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "conceptMap", "resource": {"resourceType": "ConceptMap", "group": [{"source": 5, "target": ["t"], "sourceVersion": 1, "element": [{"code": 7, "target": [{"code": {"x": 1}}]}], "unmapped": {"mode": "fixed", "code": 3}}]}}, {"name": "system", "valueUri": "x"}, {"name": "code", "valueCode": "a"}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "codeableConcept", "valueCodeableConcept": {"coding": "x"}}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "conceptMap", "resource": {"resourceType": "ConceptMap", "group": [1, {"element": "x"}, {"element": [{"target": [1]}]}]}}, {"name": "system", "valueUri": "x"}, {"name": "code", "valueCode": "a"}]}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "property", "valueCoding": {}}]}',
    b'{"resourceType": "ValueSet"}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "date", "valueString": "not-a-date"}, {"name": "system", "valueUri": "' + ICD10.encode() + b'"}, {"name": "code", "valueCode": "A000"}]}',
]
QUERIES = [
    "code=" + "A" * 10000,
    "system=&code=",
    "system=%00&code=%00",
    f"system={ICD10}&code=A000&property=",
    f"system={ICD10}&code=A000&displayLanguage=;;;q=x",
    f"system={ICD10}&code=A000&date=9999-99-99",
    f"system={ICD10}&code=A000&version=*",
    "codeA=a&codeB=b&system=x&codingA=y",
    "reverse=1&system=x&code=y&dependency=z",
]


@pytest.mark.parametrize("op", ["CodeSystem/$lookup", "CodeSystem/$subsumes", "ConceptMap/$translate"])
@pytest.mark.parametrize("body", BODIES)
def test_malformed_post(cs_client, op, body):
    r = cs_client.post("/fhir/" + op, data=body, content_type=FJ)
    assert r.status_code < 500, r.get_data(as_text=True)
    if r.status_code >= 400:
        assert r.get_json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("op", ["CodeSystem/$lookup", "CodeSystem/$subsumes", "ConceptMap/$translate"])
@pytest.mark.parametrize("query", QUERIES)
def test_malformed_get(cs_client, op, query):
    r = cs_client.get(f"/fhir/{op}?{query}")
    assert r.status_code < 500, r.get_data(as_text=True)
    if r.status_code >= 400:
        assert r.get_json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("op", ["CodeSystem/$lookup", "CodeSystem/$validate-code", "ValueSet/$expand",
                                "ValueSet/$validate-code", "CodeSystem/$subsumes"])
@pytest.mark.parametrize("concept", ["x", [1], [{"code": 5}], [{"code": "a", "designation": "d"}],
                                     [{"code": "a", "concept": [{"code": "b", "property": [2]}]}]])
def test_malformed_supplied_code_system_is_a_client_error(cs_client, op, concept):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/bad", "status": "active", "content": "complete",
          "concept": concept}
    vs = {"resourceType": "ValueSet", "url": "http://example.org/bad-vs", "compose": {"include": [{"system": cs["url"]}]}}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": vs["url"] if op.startswith("ValueSet") else cs["url"]},
        {"name": "system", "valueUri": cs["url"]}, {"name": "code", "valueCode": "a"},
        {"name": "codeA", "valueCode": "a"}, {"name": "codeB", "valueCode": "a"},
        {"name": "tx-resource", "resource": cs}, {"name": "tx-resource", "resource": vs}]}
    r = cs_client.post("/fhir/" + op, json=body, content_type=FJ)
    assert r.status_code == 400 and r.get_json()["resourceType"] == "OperationOutcome"
