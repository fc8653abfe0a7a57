"""$batch-validate-code walks a value set's import graph once for all the checks sharing the batch's resources,
and still sees, per check, what makes the answer differ: a cycle a check's own resources close, a value set
version rule picking another version, a store change between batches."""
import json

from terminology.operations import compose_checks
from tests.support.tx_requests import FJ

S = "http://ex.org/cs/batch-walk"
CS = {"resourceType": "CodeSystem", "url": S, "version": "1", "status": "active", "content": "complete",
      "concept": [{"code": "A", "display": "Alpha"}, {"code": "B", "display": "Beta"}]}
TOP = "http://ex.org/vs/batch-top"
LEAF = "http://ex.org/vs/batch-leaf"


def _vs(url, include, version="1"):
    return {"resourceType": "ValueSet", "url": url, "version": version, "status": "active",
            "compose": {"include": include}}


TOP_VS = _vs(TOP, [{"valueSet": [LEAF]}])
LEAF_1 = _vs(LEAF, [{"system": S}])
LEAF_2 = _vs(LEAF, [{"system": S}, {"valueSet": [TOP]}], version="2")     # closes a cycle through TOP


def _batch(client, checks, shared):
    body = {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": TOP}] +
            [{"name": "tx-resource", "resource": r} for r in shared] +
            [{"name": "validation", "resource": {"resourceType": "Parameters", "parameter": c}} for c in checks]}
    r = client.post("/fhir/ValueSet/$batch-validate-code", data=json.dumps(body), content_type=FJ)
    assert r.status_code == 200, r.get_json()
    return [p["resource"] for p in r.get_json()["parameter"]]


def _code(c):
    return [{"name": "system", "valueUri": S}, {"name": "code", "valueCode": c}]


def _true(answer):
    return answer["resourceType"] == "Parameters" and answer["parameter"][0] == {"name": "result",
                                                                                 "valueBoolean": True}


def _circular(answer):
    return answer["resourceType"] == "OperationOutcome" and "circularity" in answer["issue"][0]["details"]["text"]


def test_one_walk_for_the_checks_of_a_batch(client):
    before = compose_checks.WALKS[0]
    answers = _batch(client, [_code("A"), _code("B"), _code("Z"), _code("A")], [CS, TOP_VS, LEAF_1])
    assert [_true(a) for a in answers] == [True, True, False, True]
    assert compose_checks.WALKS[0] - before == 1


def test_a_cycle_is_seen_by_every_check(client):
    answers = _batch(client, [_code("A"), _code("B")], [CS, TOP_VS, LEAF_1, LEAF_2])
    assert all(_circular(a) for a in answers), answers


def test_a_version_rule_picking_another_version_is_seen(client):
    force_1 = [{"name": "force-valueset-version", "valueUri": LEAF + "|1"}]
    answers = _batch(client, [_code("A"), force_1 + _code("A"), _code("A")], [CS, TOP_VS, LEAF_1, LEAF_2])
    assert [_circular(a) for a in answers] == [True, False, True], answers
    assert _true(answers[1]), answers[1]


def test_a_check_bringing_a_cycle_of_its_own_sees_it(client):
    own = [{"name": "tx-resource", "resource": LEAF_2}]
    answers = _batch(client, [_code("A"), own + _code("A"), _code("A")], [CS, TOP_VS, LEAF_1])
    assert [_true(a) for a in answers] == [True, False, True]
    assert _circular(answers[1]), answers[1]


def test_a_store_change_between_batches_is_seen(client):
    # the leaf is stored; the top comes with each batch
    r = client.put(f"/fhir/ValueSet/leaf", data=json.dumps({**LEAF_1, "id": "leaf"}), content_type=FJ)
    assert r.status_code in (200, 201), r.get_json()
    assert client.put("/fhir/CodeSystem/cs", data=json.dumps({**CS, "id": "cs"}), content_type=FJ).status_code \
        in (200, 201)
    assert all(_true(a) for a in _batch(client, [_code("A"), _code("B")], [TOP_VS]))
    r = client.put(f"/fhir/ValueSet/leaf", data=json.dumps({**LEAF_2, "version": "1", "id": "leaf"}),
                   content_type=FJ)
    assert r.status_code in (200, 201), r.get_json()
    assert all(_circular(a) for a in _batch(client, [_code("A"), _code("B")], [TOP_VS]))
