"""SNOMED CT compose filters as tx.fhir.org (FHIRsmith) answers them: child-of, attribute = value, expressions,
and refusals in the FILTER_NOT_UNDERSTOOD shape (not-supported, vs-invalid, the filter's location)."""
from __future__ import annotations

import pytest

from tests.snomed.conftest import HANDMADE, SNOMED, client_at

VS_URL = "http://example.org/vs/sct-filters"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return client_at(tmp_path_factory.mktemp("sct-filters"), HANDMADE)


def _vs(*filters):
    return {"resourceType": "ValueSet", "url": VS_URL, "version": "1", "status": "active",
            "compose": {"include": [{"system": SNOMED, "filter": [
                                        {"property": p, "op": o, "value": v} for p, o, v in filters]}]}}


def _expand(client, *filters):
    return client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": _vs(*filters)}]})


def _validate(client, code, *filters):
    return client.post("/fhir/ValueSet/$validate-code", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": _vs(*filters)},
        {"name": "coding", "valueCoding": {"system": SNOMED, "code": code}}]})


def _codes(r):
    assert r.status_code == 200, r.get_json()
    out, stack = set(), list(r.get_json()["expansion"].get("contains", ()))
    while stack:        # an expansion may nest codes under their parents
        c = stack.pop()
        out.add(c["code"])
        stack += c.get("contains", ())
    return out


def _result(r):
    assert r.status_code == 200, r.get_json()
    return next(p["valueBoolean"] for p in r.get_json()["parameter"] if p["name"] == "result")


def _not_understood(r, text):
    assert r.status_code == 400, r.get_json()
    issue = r.get_json()["issue"][0]
    assert issue["severity"] == "error" and issue["code"] == "not-supported", issue
    assert issue["details"]["coding"][0]["code"] == "vs-invalid", issue
    assert issue["expression"] == ["ValueSet.compose.include[0].filter[0]"], issue
    assert issue["details"]["text"] == (f'The filter "{text}" from the value set {VS_URL}|1 was not understood '
                                        f"in the context of {SNOMED}"), issue


# --- supported now ---------------------------------------------------------------------------------------
def test_child_of_is_the_direct_children_only(client):
    assert _codes(_expand(client, ("concept", "child-of", "233604007"))) == {"75570004", "53084003"}
    assert _codes(_expand(client, ("concept", "child-of", "404684003"))) >= {"64572001", "29857009"}
    assert "233604007" not in _codes(_expand(client, ("concept", "child-of", "404684003")))


def test_child_of_in_validate_code(client):
    assert _result(_validate(client, "75570004", ("concept", "child-of", "233604007"))) is True
    assert _result(_validate(client, "233604007", ("concept", "child-of", "233604007"))) is False


def test_attribute_equals_value_selects_by_relationship(client):
    assert _codes(_expand(client, ("363698007", "=", "39607008"))) == {"233604007"}
    assert _codes(_expand(client, ("42752001", "=", "77386006"))) == {"48194001"}
    assert _result(_validate(client, "233604007", ("363698007", "=", "39607008"))) is True
    assert _result(_validate(client, "75570004", ("363698007", "=", "39607008"))) is False


def test_attribute_value_is_exact_not_subsumed(client):
    # 71000202107 has 47429007 = 233604007; 233604007 is below 64572001, which does not count
    assert _codes(_expand(client, ("47429007", "=", "233604007"))) == {"71000202107"}
    assert _codes(_expand(client, ("47429007", "=", "64572001"))) == set()


@pytest.mark.parametrize("value", ["true", "false"])
def test_expressions_filter_is_accepted(client, value):
    got = _codes(_expand(client, ("concept", "is-a", "233604007"), ("expressions", "=", value)))
    assert got == {"233604007", "75570004", "53084003"}


# --- refused as not understood ----------------------------------------------------------------------------
@pytest.mark.parametrize("prop, op, value", [
    ("concept", "descendent-leaf", "64572001"),
    ("nosuch", "=", "x"),
    ("expressions", "=", "maybe"),
    ("concept", "is-a", "99999999"),
    ("concept", "is-a", "abc"),
    ("concept", "descendent-of", "99999999"),
    ("concept", "child-of", "99999999"),
    ("concept", "=", "99999999"),
    ("concept", "generalizes", "99999999"),
    ("inactive", "=", "maybe"),
    ("moduleId", "=", "abc"),
])
def test_refusals_have_the_filter_not_understood_shape(client, prop, op, value):
    _not_understood(_expand(client, (prop, op, value)), f"{prop} {op} {value}")
    _not_understood(_validate(client, "233604007", (prop, op, value)), f"{prop} {op} {value}")


def test_inactive_true_and_false_still_work(client):
    active = _codes(_expand(client, ("inactive", "=", "false")))
    assert "233604007" in active and "155574008" not in active
    assert "155574008" in _codes(_expand(client, ("inactive", "=", "true")))
