"""$translate probed again: `reverse` with `source`/`target` and `dependency`, groups without source/target,
value sets of stored maps kept per store revision, and the one logical-id rule.

R4 `reverse`: "return all the codes that might be mapped to this code. This parameter reverses the meaning of
the source and target parameters". Kodebro reads that as tx.fhir.org (FHIRsmith) does: with reverse=true R4
`target` is the value set of the code given and R4 `source` the one the answers are sought in (the code given
is on the map's target side). The R5 names sourceScope/targetScope keep their meaning.
"""
from __future__ import annotations

import pytest

from mappings.conceptmap import stored_maps
from mappings.scope import logical_id
from tests.support.tx_files import stored_client

TR = "/fhir/ConceptMap/$translate"
FJ = "application/fhir+json"
S = "http://example.org/fhir/CodeSystem/s"
T = "http://example.org/fhir/CodeSystem/t"
VB = "http://example.org/fhir/ValueSet/"
MAP = "http://example.org/fhir/ConceptMap/probe6"
P = "http://example.org/fhir/property/context"


def _cs(url, codes):
    return {"resourceType": "CodeSystem", "url": url, "status": "active", "content": "complete",
            "concept": [{"code": c} for c in codes]}


def _vs(name, system, codes=None):
    inc = {"system": system}
    if codes is not None:
        inc["concept"] = [{"code": c} for c in codes]
    return {"resourceType": "ValueSet", "url": VB + name, "status": "active", "compose": {"include": [inc]}}


def _map(groups, **extra):
    return {"resourceType": "ConceptMap", "url": MAP, "version": "1", "status": "active", "group": groups, **extra}


SYSTEMS = [_cs(S, ["a", "b", "c"]), _cs(T, ["x", "y"])]
SCOPED = _map([{"source": S, "target": T, "element": [
    {"code": "a", "target": [{"code": "x", "equivalence": "wider"}]},
    {"code": "b", "target": [{"code": "x", "equivalence": "equivalent"}]}]}],
    sourceUri=VB + "vs-s", targetUri=VB + "vs-t")
SCOPES = [_vs("vs-s", S, ["a", "b"]), _vs("vs-t", T, ["x"]), _vs("only-a", S, ["a"])]


def _post(client, *params, resources=()):
    body = {"resourceType": "Parameters",
            "parameter": [*params, *[{"name": "tx-resource", "resource": r} for r in resources]]}
    r = client.post(TR, json=body, content_type=FJ)
    return r.status_code, r.get_json()


def _p(body, name):
    return [p for p in body.get("parameter", []) if p["name"] == name]


def _codes(body):
    return sorted(q["valueCoding"]["code"] for m in _p(body, "match") for q in m["part"] if q["name"] == "concept")


def _result(body):
    return _p(body, "result")[0]["valueBoolean"]


def _message(body) -> str:
    if body.get("resourceType") == "OperationOutcome":
        return " ".join(i.get("diagnostics", "") + (i.get("details") or {}).get("text", "") for i in body["issue"])
    return " ".join(p["valueString"] for p in _p(body, "message"))


def _code(system, code):
    return [{"name": "system", "valueUri": system}, {"name": "code", "valueCode": code}]


def _uri(name, value):
    return {"name": name, "valueUri": value}


REVERSE = {"name": "reverse", "valueBoolean": True}


# --- reverse: source and target -----------------------------------------------------------------------------

def test_reverse_target_is_the_value_set_of_the_code_given(client):
    res = SYSTEMS + SCOPES + [SCOPED]
    status, body = _post(client, *_code(T, "x"), REVERSE, _uri("target", VB + "vs-t"), resources=res)
    assert status == 200 and _result(body) is True and _codes(body) == ["a", "b"]
    # x is not in the map's source value set: asked as the target of a reverse question, it does not hold x
    status, body = _post(client, *_code(T, "x"), REVERSE, _uri("target", VB + "vs-s"), resources=res)
    assert _result(body) is False and "is not in the value set" in _message(body)


def test_reverse_source_is_the_value_set_the_answers_are_sought_in(client):
    res = SYSTEMS + SCOPES + [SCOPED]
    status, body = _post(client, *_code(T, "x"), REVERSE, _uri("source", VB + "only-a"), resources=res)
    assert status == 200 and _codes(body) == ["a"] and "#b left out" in _message(body)
    status, body = _post(client, *_code(T, "x"), REVERSE, _uri("source", VB + "vs-t"), resources=res)
    assert _result(body) is False and _codes(body) == []


# --- reverse: dependency ------------------------------------------------------------------------------------

CONDITIONAL = _map([{"source": S, "target": T, "element": [
    {"code": "a", "target": [{"code": "x", "equivalence": "equivalent",
                              "dependsOn": [{"property": P, "value": "1"}]}]},
    {"code": "b", "target": [{"code": "x", "equivalence": "equivalent",
                              "dependsOn": [{"property": P, "value": "2"}]}]}]}])


def _dependency(value):
    return {"name": "dependency", "part": [{"name": "element", "valueUri": P},
                                           {"name": "concept", "valueCodeableConcept": {"text": value}}]}


def test_reverse_honours_the_dependency_given(client):
    # before: every mapping to x came back whatever the request said of its conditions
    dep = {"name": "dependency", "part": [{"name": "element", "valueUri": P}, {"name": "concept",
                                                                              "valueString": "1"}]}
    status, body = _post(client, *_code(T, "x"), REVERSE, dep, resources=[CONDITIONAL])
    assert status == 200 and _codes(body) == ["a"], body
    forward = [*_code(S, "b"), dep]
    status, body = _post(client, *forward, resources=[CONDITIONAL])
    assert _codes(body) == []          # the same rule forwards


def test_reverse_without_the_dependency_says_the_condition(client):
    status, body = _post(client, *_code(T, "x"), REVERSE, resources=[CONDITIONAL])
    assert status == 200 and _codes(body) == ["a", "b"]
    assert f"{P} = 1" in _message(body) and f"{P} = 2" in _message(body)


# --- groups without source / target -------------------------------------------------------------------------

def _sourceless(**extra):
    return _map([{"target": T, "element": [{"code": "a", "target": [{"code": "y", "equivalence": "equivalent"}]}]}],
                **extra)


def test_a_group_without_source_takes_the_one_system_of_the_source_value_set(client):
    # R4 group.source: "not needed if the source value set is specified and it contains concepts from only a
    # single system" -- before, such a group answered nothing
    cm = _sourceless(sourceUri=VB + "all-s")
    status, body = _post(client, *_code(S, "a"), resources=SYSTEMS + [_vs("all-s", S), cm])
    assert status == 200 and _result(body) is True and _codes(body) == ["y"]
    status, body = _post(client, *_code(T, "y"), REVERSE, resources=SYSTEMS + [_vs("all-s", S), cm])
    assert _codes(body) == ["a"]


def test_a_group_without_target_takes_the_one_system_of_the_target_value_set(client):
    cm = _map([{"source": S, "element": [{"code": "a", "target": [{"code": "y", "equivalence": "equivalent"}]}]}],
              targetCanonical=VB + "all-t")
    status, body = _post(client, *_code(S, "a"), {"name": "conceptMap", "resource": cm},
                         resources=SYSTEMS + [_vs("all-t", T)])
    (m,) = _p(body, "match")
    assert status == 200 and [q["valueCoding"] for q in m["part"] if q["name"] == "concept"] == \
        [{"system": T, "code": "y"}]


def test_a_sent_group_whose_system_cannot_be_told_is_refused_naming_it(client):
    # before: 200 with "no group that maps from ..."
    status, body = _post(client, *_code(S, "a"), {"name": "conceptMap", "resource": _sourceless()}, resources=SYSTEMS)
    assert status == 400 and "group[0] has no source" in _message(body)
    two = _sourceless(sourceUri=VB + "two")
    vs = _vs("two", S)
    vs["compose"]["include"].append({"system": T})
    status, body = _post(client, *_code(S, "a"), {"name": "conceptMap", "resource": two}, resources=SYSTEMS + [vs])
    assert status == 400 and "group[0] has no source" in _message(body) and VB + "two" in _message(body)


def _stored_app(tmp_path, resources):
    return stored_client(tmp_path, resources).application


def test_a_stored_group_without_source_reads_its_stored_source_value_set(tmp_path):
    app = _stored_app(tmp_path, SYSTEMS + [_vs("all-s", S), {**_sourceless(sourceUri=VB + "all-s"), "id": "sl"}])
    status, body = _post(app.test_client(), *_code(S, "a"))
    assert status == 200 and _codes(body) == ["y"]
    # ConceptMap search reads the group as it is written (R4 source-system is group.source): unchanged
    r = app.test_client().get(f"/fhir/ConceptMap?source-system={S}")
    assert r.status_code == 200 and r.get_json().get("total", 0) == 0
    r = app.test_client().get(f"/fhir/ConceptMap?target-system={T}")
    assert r.get_json()["total"] == 1


def test_a_stored_group_that_cannot_be_read_is_said_when_the_map_is_named(tmp_path):
    app = _stored_app(tmp_path, SYSTEMS + [{**_sourceless(), "id": "sl"}])
    r = app.test_client().get(f"/fhir/ConceptMap/sl/$translate?system={S}&code=a")
    body = r.get_json()
    assert r.status_code == 200 and _result(body) is False and "group[0] has no source" in _message(body)


# --- the value sets of stored maps, kept per store revision -------------------------------------------------

def test_a_stored_maps_scope_is_kept_but_never_for_a_request_with_its_own_resources(tmp_path):
    app = _stored_app(tmp_path, SYSTEMS + SCOPES + [{**SCOPED, "id": "scoped"}])
    client = app.test_client()
    for _ in range(2):
        status, body = _post(client, *_code(S, "a"))
        assert status == 200 and _codes(body) == ["x"]
    (idx,) = stored_maps(app.extensions["kodebro.catalog"]).by_source[S]
    (scope,) = idx._scopes.values()
    assert scope.asked == 1           # asked twice about a, answered once
    # a tx-resource with the scope's url shadows the stored value set: it is read, not the kept scope
    shadow = _vs("vs-s", S, ["b"])
    status, body = _post(client, *_code(S, "a"), resources=[shadow])
    assert _result(body) is False and "No ConceptMap that translates from" in _message(body)
    status, body = _post(client, *_code(S, "a"))
    assert _codes(body) == ["x"]


# --- one logical-id rule ------------------------------------------------------------------------------------

@pytest.mark.parametrize("ref,rtype,expected", [
    ("ValueSet/abc", "ValueSet", "abc"), ("abc", "ValueSet", "abc"), ("ValueSet/", "ValueSet", None),
    ("ValueSet/a/_history/1", "ValueSet", None), ("http://x/ValueSet/abc", "ValueSet", None),
    ("abc|1", "ValueSet", None), ("ConceptMap/m", "ConceptMap", "m"), ("ValueSet/v", "ConceptMap", None),
    ("", "ValueSet", None),
])
def test_logical_id(ref, rtype, expected):
    assert logical_id(ref, rtype) == expected


def test_the_codings_of_a_codeable_concept_share_the_requests_value_sets(client):
    cc = {"name": "codeableConcept", "valueCodeableConcept": {"coding": [{"system": S, "code": "a"},
                                                                          {"system": S, "code": "c"}]}}
    status, body = _post(client, cc, _uri("source", VB + "vs-s"), _uri("target", VB + "vs-t"),
                         resources=SYSTEMS + SCOPES + [SCOPED])
    assert status == 200 and _result(body) is True and _codes(body) == ["x"]
    status, body = _post(client, cc, _uri("target", VB + "nowhere"), resources=SYSTEMS + SCOPES + [SCOPED])
    assert status == 404
