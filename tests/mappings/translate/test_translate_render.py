"""$translate rendering of map conditions, products and comments: R4 match.product; R5 dependsOn, product
(attribute + value) and message."""
from __future__ import annotations

from tests.codesystem_operations.conftest import post

SRC = "http://example.org/fhir/CodeSystem/src"
TGT = "http://example.org/fhir/CodeSystem/tgt"
CM = {"resourceType": "ConceptMap", "id": "cond", "url": "http://example.org/fhir/ConceptMap/cond", "version": "1",
      "status": "active",
      "group": [{"source": SRC, "target": TGT, "element": [{"code": "a", "target": [{
          "code": "x", "equivalence": "narrower", "comment": "only for adults",
          "dependsOn": [{"property": "http://example.org/fhir/age-group", "system": "http://example.org/ages",
                         "value": "adult", "display": "Adult"}],
          "product": [{"property": "http://example.org/fhir/laterality", "system": "http://example.org/side",
                       "value": "L"}]}]}]}]}


def _match(body):
    (m,) = [p for p in body["parameter"] if p["name"] == "match"]
    return m["part"]


def test_r4_match_has_product_but_no_r5_parts(cs_client):
    r = post(cs_client, "/fhir/ConceptMap/$translate", {"name": "conceptMap", "resource": CM},
             {"name": "system", "valueUri": SRC}, {"name": "code", "valueCode": "a"})
    parts = _match(r.get_json())
    names = [p["name"] for p in parts]
    assert "dependsOn" not in names and "message" not in names
    (product,) = [p for p in parts if p["name"] == "product"]
    assert product["part"] == [{"name": "element", "valueUri": "http://example.org/fhir/laterality"},
                               {"name": "concept", "valueCoding": {"system": "http://example.org/side", "code": "L"}}]


def test_r5_match_has_depends_on_product_and_message(cs_client):
    r = post(cs_client, "/fhir/ConceptMap/$translate", {"name": "conceptMap", "resource": CM},
             {"name": "sourceSystem", "valueUri": SRC}, {"name": "sourceCode", "valueCode": "a"})
    parts = _match(r.get_json())
    by = {}
    for p in parts:
        by.setdefault(p["name"], []).append(p)
    assert by["relationship"][0]["valueCode"] == "source-is-broader-than-target"
    assert by["dependsOn"][0]["part"] == [
        {"name": "attribute", "valueUri": "http://example.org/fhir/age-group"},
        {"name": "value", "valueCoding": {"system": "http://example.org/ages", "code": "adult", "display": "Adult"}}]
    assert by["product"][0]["part"][0] == {"name": "attribute", "valueUri": "http://example.org/fhir/laterality"}
    assert by["message"][0]["valueString"] == "only for adults"
