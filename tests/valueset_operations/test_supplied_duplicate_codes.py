"""A code system sent with the request that defines a code more than once (csd-1 broken): answered as the
reference server (FHIRsmith codesystem.js buildMaps) reads it, one concept per code, the last definition's
text, every place it was defined as a parent; the expansion of a whole system that reaches the code twice is
flat. Stored content stays valid: a write of such a code system is still refused (422, as any invalid
resource)."""
import json

from tests.support.resources import cs, vs
from tests.support.tx_requests import FJ, codes, expansion, out, post

URL = "http://ex.org/cs/twice"
TWICE = cs(URL, "1", [
    {"code": "A", "display": "Alpha", "concept": [{"code": "x", "display": "first x", "concept": [
        {"code": "y", "display": "Y"}]}]},
    {"code": "B", "display": "Beta", "concept": [{"code": "x", "display": "last x", "concept": [
        {"code": "z", "display": "Z"}]}]},
])
ALL = vs("http://ex.org/vs/twice-all", [{"system": URL}])


def _lookup(client, code):
    status, b = post(client, "CodeSystem/$lookup", [("system", URL), ("code", code)], [TWICE])
    assert status == 200, b
    return b


def _props(b, name):
    return [next(v for k, v in pt.items() if k.startswith("value")) for p in b["parameter"]
            if p["name"] == "property" for pt in p["part"] if pt["name"] == "value"
            and any(q["name"] == "code" and q.get("valueCode") == name for q in p["part"])]


def test_expansion_lists_the_code_once_with_the_last_display_and_flat(client):
    exp = expansion(client, [("url", ALL["url"])], [TWICE, ALL])
    assert sorted(codes(exp)) == ["A", "B", "x", "y", "z"]
    assert exp["total"] == 5
    x = next(c for c in exp["contains"] if c["code"] == "x")
    assert x["display"] == "last x"
    # x is reached under A and under B: no tree holds it once, so the whole expansion is flat
    assert all("contains" not in c for c in exp["contains"])


def test_lookup_gives_both_parents_and_the_children_of_both_definitions(client):
    b = _lookup(client, "x")
    assert out(b)["display"] == "last x"
    assert sorted(_props(b, "parent")) == ["A", "B"]
    assert sorted(_props(b, "child")) == ["y", "z"]


def test_is_a_the_code_takes_the_children_of_both_definitions(client):
    sub = vs("http://ex.org/vs/twice-x", [{"system": URL, "filter": [{"property": "concept", "op": "is-a",
                                                                       "value": "x"}]}])
    exp = expansion(client, [("url", sub["url"]), ("excludeNested", True)], [TWICE, sub])
    assert sorted(codes(exp)) == ["x", "y", "z"]


def test_validate_code_accepts_the_code(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", URL), ("code", "x"), ("display", "last x")],
                     [TWICE])
    assert status == 200 and out(b)["result"] is True, b


def test_a_code_twice_at_the_top_level_is_one_concept(client):
    top = cs("http://ex.org/cs/top-twice", None, [{"code": "a", "display": "one"}, {"code": "a", "display": "two"},
                                                 {"code": "b", "display": "B"}])
    allv = vs("http://ex.org/vs/top-twice", [{"system": top["url"]}])
    exp = expansion(client, [("url", allv["url"])], [top, allv])
    assert sorted(codes(exp)) == ["a", "b"] and exp["total"] == 2
    assert next(c for c in exp["contains"] if c["code"] == "a")["display"] == "two"


def test_writing_such_a_code_system_is_still_refused(client):
    r = client.post("/fhir/CodeSystem", data=json.dumps(TWICE), content_type=FJ)
    assert r.status_code == 422, r.get_json()
    assert "csd-1" in json.dumps(r.get_json())
