"""$translate: a map speaks only for the codes of its own source scope, and R5's unmapped mode
`use-source-code` is R4's `provided`. Uses the HL7 translate test resources (tests/conformance/tx-tests)."""
import copy
import json
import os

import pytest

from tests.conftest import ROOT

T = os.path.join(ROOT, "tests", "conformance", "tx-tests", "translate")
SOURCE = "http://hl7.org/fhir/test/CodeSystem/source"
TARGET = "http://hl7.org/fhir/test/CodeSystem/target"
FJ = "application/fhir+json"


def _load(name):
    with open(os.path.join(T, name), encoding="utf-8-sig") as fh:
        return json.load(fh)


SETUP = [_load(n) for n in ("codesystem-source.json", "codesystem-target.json", "ConceptMap-full.json",
                            "valueset-source.json", "valueset-target.json")]


def _translate(client, code, resources=SETUP, **extra):
    params = [{"name": "sourceSystem", "valueUri": SOURCE}, {"name": "sourceCode", "valueCode": code},
              {"name": "targetSystem", "valueUri": TARGET}]
    params += [{"name": k, "valueUri": v} for k, v in extra.items()]
    params += [{"name": "tx-resource", "resource": r} for r in resources]
    r = client.post("/fhir/ConceptMap/$translate", json={"resourceType": "Parameters", "parameter": params},
                    content_type=FJ)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()["parameter"]
    result = next(p["valueBoolean"] for p in body if p["name"] == "result")
    concepts = [part["valueCoding"]["code"] for p in body if p["name"] == "match"
                for part in p["part"] if part["name"] == "concept"]
    return result, concepts


@pytest.mark.parametrize("code, result, concepts", [
    ("code-1", True, ["code1"]),        # mapped, in the map's source scope
    ("code-5", True, ["temp"]),         # in scope, not mapped: the group's unmapped (fixed) answers
    ("code-x", False, []),              # outside the source scope: the map does not speak for it
])
def test_a_map_answers_only_for_its_source_scope(client, code, result, concepts):
    assert _translate(client, code) == (result, concepts)


def test_a_map_whose_scope_the_server_cannot_read_is_taken_on_its_word(client):
    without_vs = [r for r in SETUP if r["resourceType"] != "ValueSet"]
    assert _translate(client, "code-x", without_vs) == (True, ["temp"])


def test_use_source_code_is_provided(client):
    cm = copy.deepcopy(next(r for r in SETUP if r["resourceType"] == "ConceptMap"))
    cm["group"][0]["unmapped"] = {"mode": "use-source-code", "relationship": "equivalent"}
    resources = [r for r in SETUP if r["resourceType"] != "ConceptMap"] + [cm]
    assert _translate(client, "code-5", resources) == (True, ["code-5"])
