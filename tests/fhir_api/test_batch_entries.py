"""Probe 8, batches: a batch Bundle answers each entry on its own, in order (R4 http.html#transaction:
'one entry for each entry in the request, in the same order, with the outcome of processing the entry'),
and ValueSet/$batch-validate-code answers each check on its own."""
import json

from tests.support.tx_requests import FJ, SIMPLE, SIMPLE_ALL, body, out, param, simple_cs
from tests.support.tx_files import tx_file


def _setup():
    return [simple_cs(), tx_file("simple/valueset-all.json")]


def _validate_entry(code, url=SIMPLE_ALL):
    b = body([("url", url), ("system", SIMPLE), ("code", code)], _setup())
    return {"request": {"method": "POST", "url": "ValueSet/$validate-code"}, "resource": b}


def _batch(client, entries):
    r = client.post("/fhir", data=json.dumps({"resourceType": "Bundle", "type": "batch", "entry": entries}),
                    content_type=FJ)
    assert r.status_code == 200
    b = r.get_json()
    assert b["resourceType"] == "Bundle" and b["type"] == "batch-response"
    assert len(b["entry"]) == len(entries)
    return b["entry"]


def test_each_entry_is_answered_in_order(client):
    got = _batch(client, [_validate_entry("code1"), _validate_entry("code1x"), _validate_entry("code3")])
    assert [e["response"]["status"][:3] for e in got] == ["200", "200", "200"]
    assert [out(e["resource"])["result"] for e in got] == [True, False, True]


def test_a_bad_entry_fails_alone(client):
    entries = [_validate_entry("code1"),
               _validate_entry("code1", url="http://ex.org/vs/none"),
               {"request": {"method": "GET", "url": "ValueSet/$nonsense"}},
               {"request": {"method": "GET"}},
               _validate_entry("code2a")]
    got = _batch(client, entries)
    status = [e["response"]["status"][:3] for e in got]
    assert status[0] == "200" and status[4] == "200"
    assert status[1] == "422" and status[2][0] == "4" and status[3] == "400"
    for e in got[1:4]:
        assert e["response"]["outcome"]["resourceType"] == "OperationOutcome"
        assert e["response"]["outcome"]["issue"][0]["severity"] == "error"


def test_entries_of_a_batch_can_expand_and_look_up(client):
    expand = {"request": {"method": "POST", "url": "ValueSet/$expand"},
              "resource": body([("url", SIMPLE_ALL), ("count", 0)], _setup())}
    lookup = {"request": {"method": "POST", "url": "CodeSystem/$lookup"},
              "resource": body([("system", SIMPLE), ("code", "code2")], _setup())}
    got = _batch(client, [expand, lookup])
    assert got[0]["resource"]["expansion"]["total"] == 7
    assert out(got[1]["resource"])["display"] == "Display 2"


def test_batch_validate_code_answers_each_check(client):
    def check(*ps):
        return {"name": "validation", "resource": {"resourceType": "Parameters",
                                                    "parameter": [param(n, v) for n, v in ps]}}
    req = {"resourceType": "Parameters", "parameter": [
        param("url", SIMPLE_ALL),
        check(("system", SIMPLE), ("code", "code1")),
        check(("system", SIMPLE), ("code", "zzz")),
        check(("url", "http://ex.org/vs/none"), ("system", SIMPLE), ("code", "code1")),
        {"name": "validation", "valueString": "not a check"},
        check(("coding", {"system": SIMPLE, "code": "code2a", "display": "Wrong"})),
    ] + [{"name": "tx-resource", "resource": r} for r in _setup()]}
    r = client.post("/fhir/ValueSet/$batch-validate-code", data=json.dumps(req), content_type=FJ)
    assert r.status_code == 200
    got = [p["resource"] for p in r.get_json()["parameter"] if p["name"] == "validation"]
    assert len(got) == 5
    assert out(got[0])["result"] is True and out(got[1])["result"] is False
    assert got[2]["resourceType"] == "OperationOutcome" and got[3]["resourceType"] == "OperationOutcome"
    assert out(got[4])["result"] is False and out(got[4])["display"] == "Display 2a"


def test_a_transaction_is_refused_as_a_whole(client):
    r = client.post("/fhir", data=json.dumps({"resourceType": "Bundle", "type": "transaction",
                                              "entry": [_validate_entry("code1")]}), content_type=FJ)
    assert r.status_code == 400 and r.get_json()["resourceType"] == "OperationOutcome"


def test_codesystem_batch_validate_with_resources_per_check(client):
    other = {"resourceType": "CodeSystem", "url": "http://ex.org/cs/y", "version": "1", "status": "active",
             "content": "complete", "concept": [{"code": "a", "display": "A of Y"}]}

    def check(params, res):
        return {"name": "validation", "resource": {"resourceType": "Parameters", "parameter":
                [param(n, v) for n, v in params] + [{"name": "tx-resource", "resource": r} for r in res]}}
    req = {"resourceType": "Parameters", "parameter": [
        check([("url", SIMPLE), ("code", "code1")], [simple_cs()]),
        check([("url", other["url"]), ("code", "a")], [other]),
        check([("url", other["url"]), ("code", "zz")], [other])]}
    r = client.post("/fhir/CodeSystem/$batch-validate-code", data=json.dumps(req), content_type=FJ)
    assert r.status_code == 200
    got = [out(p["resource"]) for p in r.get_json()["parameter"] if p["name"] == "validation"]
    assert [(g["result"], g["system"]) for g in got] == [(True, SIMPLE), (True, other["url"]),
                                                         (False, other["url"])]


def test_response_outcome_carries_no_diagnostics(client):
    """The HL7 runner cleans a failed entry's `resource` but compares its `response.outcome` as sent
    (TxTester batch); FHIRsmith's entry issues carry no diagnostics, so the hint Kodebro adds for a person is
    left in the resource only."""
    bad = {"request": {"method": "POST", "url": "ValueSet/$expand"},
           "resource": body([("url", SIMPLE_ALL), ("count", -1)], _setup())}
    [e] = _batch(client, [bad])
    assert e["response"]["status"] == "400"
    assert e["resource"]["issue"][0].get("diagnostics")        # the hint a person reads
    outcome = e["response"]["outcome"]
    assert outcome["issue"][0]["details"] == e["resource"]["issue"][0]["details"]
    assert all("diagnostics" not in i for i in outcome["issue"]), outcome
