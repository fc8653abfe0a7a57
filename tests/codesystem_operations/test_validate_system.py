"""CodeSystem/$validate-code checks codes of the code system named by url (R4: "the system must match")."""
from __future__ import annotations

from .conftest import ICD10, ICPC2, params, post

OID = "urn:oid:2.16.578.1.12.4.1.1.7110"


def _validate(client, *parameters):
    r = post(client, "/fhir/CodeSystem/$validate-code", {"name": "url", "valueUri": ICD10}, *parameters)
    assert r.status_code == 200
    return params(r.get_json())


def test_a_coding_of_another_system_is_not_valid_here(cs_client):
    out = _validate(cs_client, {"name": "coding", "valueCoding": {"system": ICPC2, "code": "K90"}})
    assert out["result"] == [False]
    # judged in its own code system (K90 is an ICPC-2 code), as the reference servers judge it: not in the value
    # set of the code system validated against
    assert out["message"][0] == f"The provided code '{ICPC2}#K90' was not found in the value set '{ICD10}/vs|2026'"
    [issue] = out["issues"][0]["issue"]
    assert issue["severity"] == "error" and issue["expression"] == ["Coding.code"]
    out = _validate(cs_client, {"name": "system", "valueUri": ICPC2}, {"name": "code", "valueCode": "K90"})
    assert out["result"] == [False]


def test_the_same_system_by_its_oid_is_the_same_system(cs_client):
    out = _validate(cs_client, {"name": "coding", "valueCoding": {"system": OID, "code": "J12.8"}})
    assert out["result"] == [True]


def test_a_codeable_concept_is_valid_when_one_coding_is_of_this_system(cs_client):
    both = {"coding": [{"system": ICPC2, "code": "K90"}, {"system": ICD10, "code": "I64"}]}
    assert _validate(cs_client, {"name": "codeableConcept", "valueCodeableConcept": both})["result"] == [True]
    other = {"coding": [{"system": ICPC2, "code": "K90"}]}
    out = _validate(cs_client, {"name": "codeableConcept", "valueCodeableConcept": other})
    # judged in its own code system, K90 is a code of ICPC-2: no valid coding of this one (the reference wording)
    assert out["result"] == [False] and "No valid coding was found for the value set" in out["message"][0]
