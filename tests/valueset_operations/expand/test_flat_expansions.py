"""When an expansion is a tree and when it is flat, as the reference server decides it (FHIRsmith expand.js keeps
one canBeHierarchy flag for the whole expansion): flat when any include or exclude imports a value set, lists
concepts or has more than one filter, or when a code is reached twice (overlapping includes, a code under two
parents); otherwise nested as the code system's hierarchy. R4 leaves the hierarchy to the server; the tx tests
compare nesting, so the reference's choice is followed."""
from tests.support.resources import cs, vs
from tests.support.tx_requests import SIMPLE, expansion, simple_cs


def _is_flat(exp):
    return all("contains" not in c for c in exp["contains"])


def _expand(client, include, exclude=None, extra=()):
    v = vs("http://ex.org/vs/shape", include)
    if exclude:
        v["compose"]["exclude"] = exclude
    return expansion(client, [("url", v["url"])], [simple_cs(), v, *extra])


def _is_a(code):
    return {"property": "concept", "op": "is-a", "value": code}


def _top(exp):
    return sorted(c["code"] for c in exp["contains"])


def test_the_whole_system_alone_is_a_tree(client):
    exp = _expand(client, [{"system": SIMPLE}])
    assert _top(exp) == ["code1", "code2", "code3"]


def test_one_is_a_filter_is_a_tree(client):
    exp = _expand(client, [{"system": SIMPLE, "filter": [_is_a("code2")]}])
    assert _top(exp) == ["code2"]


def test_an_exclude_by_one_filter_keeps_the_tree(client):
    exp = _expand(client, [{"system": SIMPLE}], exclude=[{"system": SIMPLE, "filter": [_is_a("code2b")]}])
    assert _top(exp) == ["code1", "code2", "code3"]


def test_two_filters_in_one_include_are_flat(client):
    exp = _expand(client, [{"system": SIMPLE, "filter": [_is_a("code2"),
                                                         {"property": "prop", "op": "=", "value": "new"}]}])
    assert _is_flat(exp) and _top(exp) == ["code2", "code2a", "code2aII"]


def test_a_listed_include_beside_the_whole_system_is_flat(client):
    exp = _expand(client, [{"system": SIMPLE}, {"system": SIMPLE, "concept": [{"code": "code1"}]}])
    assert _is_flat(exp) and len(exp["contains"]) == 7


def test_an_exclude_of_listed_codes_is_flat(client):
    exp = _expand(client, [{"system": SIMPLE}], exclude=[{"system": SIMPLE, "concept": [{"code": "code2b"}]}])
    assert _is_flat(exp) and len(exp["contains"]) == 6


def test_overlapping_includes_are_flat(client):
    exp = _expand(client, [{"system": SIMPLE, "filter": [_is_a("code2")]},
                           {"system": SIMPLE, "filter": [_is_a("code2a")]}])
    assert _is_flat(exp) and _top(exp) == ["code2", "code2a", "code2aI", "code2aII", "code2b"]


def test_an_import_beside_the_whole_system_is_flat(client):
    other = vs("http://ex.org/vs/other", [{"system": SIMPLE, "concept": [{"code": "code3"}]}])
    exp = _expand(client, [{"system": SIMPLE}, {"valueSet": [other["url"]]}], extra=[other])
    assert _is_flat(exp) and len(exp["contains"]) == 7


def test_a_code_under_two_parents_makes_the_whole_system_flat(client):
    poly = cs("http://ex.org/cs/poly", "1", [
        {"code": "A", "display": "A", "concept": [{"code": "x", "display": "X"}]},
        {"code": "B", "display": "B", "concept": [{"code": "b1", "display": "B1"}]},
        {"code": "x2", "display": "X2", "property": [{"code": "parent", "valueCode": "x"}]},
    ])
    poly["concept"][0]["concept"][0]["property"] = [{"code": "parent", "valueCode": "B"}]
    v = vs("http://ex.org/vs/poly", [{"system": poly["url"]}])
    exp = expansion(client, [("url", v["url"])], [poly, v])
    assert _is_flat(exp) and sorted(c["code"] for c in exp["contains"]) == ["A", "B", "b1", "x", "x2"]


def test_a_tree_without_two_parents_stays_nested(client):
    tree = cs("http://ex.org/cs/tree", "1", [
        {"code": "A", "display": "A", "concept": [{"code": "x", "display": "X"}]},
        {"code": "B", "display": "B"},
    ])
    v = vs("http://ex.org/vs/tree", [{"system": tree["url"]}])
    exp = expansion(client, [("url", v["url"])], [tree, v])
    assert sorted(c["code"] for c in exp["contains"]) == ["A", "B"]
