"""ConceptMap invariant cmd-1: a target without a code must be unmatched or disjoint; else $translate answered
result=true with a match that holds no concept (review s12, F9). Also a target whose R4 equivalence and R5
relationship disagree. (An element without a code stays allowed: R4 makes element.code optional, and the spec's
own example ConceptMap-103 has one.)"""
import json

import pytest

from tests.support.tx_requests import FJ, post
from tests.support.resources import cs

S, T, M = "http://ex.org/cs/src", "http://ex.org/cs/tgt", "http://ex.org/cm/codeless"


def _cm(element):
    return {"resourceType": "ConceptMap", "url": M, "status": "active",
            "group": [{"source": S, "target": T, "element": [element]}]}


def _translate(client, element):
    return post(client, "ConceptMap/$translate", [("url", M), ("system", S), ("code", "a")],
                [cs(S, None, [{"code": "a"}]), _cm(element)])


def test_a_codeless_mapping_target_is_refused(client):
    status, body = _translate(client, {"code": "a", "target": [{"equivalence": "equivalent"}]})
    assert status == 400, body
    assert ("group[0].element[0].target[0] has no code, so its equivalence must be unmatched or disjoint (cmd-1)"
            in body["issue"][0]["details"]["text"])


@pytest.mark.parametrize("target", [{"equivalence": "unmatched"}, {"equivalence": "disjoint"},
                                    {"relationship": "not-related-to"}])
def test_a_codeless_unmatched_target_still_answers(client, target):
    status, body = _translate(client, {"code": "a", "target": [target]})
    assert status == 200, body
    assert body["parameter"][0] == {"name": "result", "valueBoolean": False}


def test_a_stored_codeless_mapping_target_is_a_422(client):
    cm = {**_cm({"code": "a", "target": [{"equivalence": "wider"}]}), "id": "codeless"}
    r = client.put("/fhir/ConceptMap/codeless", data=json.dumps(cm), content_type=FJ)
    assert r.status_code == 422, r.get_json()
    assert "has no code, so its equivalence must be unmatched or disjoint (cmd-1)" in json.dumps(r.get_json())


def test_equivalence_and_relationship_that_disagree_are_refused(client):
    status, body = _translate(client, {"code": "a", "target": [{"code": "x", "equivalence": "disjoint",
                                                                "relationship": "equivalent"}]})
    assert status == 400, body
    assert "has equivalence 'disjoint' and relationship 'equivalent', which disagree" in \
        body["issue"][0]["details"]["text"]


def test_equivalence_and_relationship_that_agree_answer(client):
    status, body = _translate(client, {"code": "a", "target": [{"code": "x", "equivalence": "wider",
                                                                "relationship": "source-is-narrower-than-target"}]})
    assert status == 200, body
