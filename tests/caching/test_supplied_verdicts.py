"""The shape check of resources a request brings is remembered by a digest of the body's canonical JSON
(fhir_api/supplied.py), so a client sending the same tx-resource with every request pays for the check once.
Only sound bodies are remembered (problem texts quote the client's values); a malformed body is checked, and
refused with the same words, every time, and bodies Python calls equal but JSON does not (`true` / `1`,
`1` / `1.0`) are judged each on its own."""
from __future__ import annotations

import copy

import pytest

from fhir_api import supplied

CS = {"resourceType": "CodeSystem", "url": "http://x/cs", "version": "1", "status": "active",
      "content": "complete", "caseSensitive": True, "concept": [{"code": "a", "display": "A"}]}


@pytest.fixture
def calls(monkeypatch) -> list:
    """The urls of the bodies the shape check runs on (the real check, counted)."""
    seen = []
    real = supplied.validation_errors

    def counting(resource, **kw):
        seen.append(resource.get("url"))
        return real(resource, **kw)

    monkeypatch.setattr(supplied, "validation_errors", counting)
    return seen


def _lookup(client, cs):
    return client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": "http://x/cs"}, {"name": "code", "valueCode": "a"},
        {"name": "tx-resource", "resource": cs}]})


def test_a_malformed_body_is_refused_every_time_alike(client):
    bad = copy.deepcopy(CS)
    bad["concept"][0]["display"] = ["not", "a", "string"]
    answers = [_lookup(client, bad) for _ in range(3)]
    assert [r.status_code for r in answers] == [400, 400, 400]
    texts = {r.get_json()["issue"][0]["details"]["text"] for r in answers}
    assert len(texts) == 1 and "concept[0].display" in texts.pop()


def test_python_equal_bodies_are_judged_apart(client):
    # True == 1 == 1.0 in Python; in JSON they are a boolean and two numbers, and the check names which
    words = []
    for value in (1, True, 1.0, 1):
        r = _lookup(client, dict(CS, version=value))
        assert r.status_code == 400, r.get_json()
        words.append(str(r.get_json()))
    assert "not 1 (a number)" in words[0] and "not true (a boolean)" in words[1]
    assert "not 1.0 (a number)" in words[2] and words[3] == words[0]
    assert _lookup(client, CS).status_code == 200


def test_the_check_runs_once_per_body(client, calls):
    body = dict(CS, url="http://x/counted", version="7")
    for _ in range(3):
        r = client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Parameters", "parameter": [
            {"name": "system", "valueUri": "http://x/counted"}, {"name": "code", "valueCode": "a"},
            {"name": "tx-resource", "resource": copy.deepcopy(body)}]})
        assert r.status_code == 200, r.get_json()
    assert calls == ["http://x/counted"]
    changed = dict(body, concept=[{"code": "a", "display": "Another"}])
    assert _lookup(client, dict(changed, url="http://x/cs")).status_code == 200
    assert len(calls) == 2


def test_malformed_bodies_are_not_remembered(client, calls):
    bad = dict(CS, url="http://x/bad-kept", status=["not", "a", "code"])
    for _ in range(3):
        r = client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Parameters", "parameter": [
            {"name": "system", "valueUri": "http://x/bad-kept"}, {"name": "code", "valueCode": "a"},
            {"name": "tx-resource", "resource": copy.deepcopy(bad)}]})
        assert r.status_code == 400
    assert calls == ["http://x/bad-kept"] * 3


def test_a_body_nested_past_what_json_writes_is_a_400(client):
    inner = '{"code":"leaf"}'
    for i in range(490):
        inner = '{"code":"c%d","concept":[%s]}' % (i, inner)
    body = ('{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"http://ex.org/deep?fhir_vs"},'
            '{"name":"tx-resource","resource":{"resourceType":"CodeSystem","url":"http://ex.org/deep",'
            '"status":"active","content":"complete","concept":[%s]}}]}' % inner)
    r = client.post("/fhir/ValueSet/$expand", data=body, content_type="application/fhir+json")
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
    assert r.get_json()["resourceType"] == "OperationOutcome"
