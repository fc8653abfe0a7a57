"""Probe 8, hierarchy semantics behind filters and $subsumes (overlaps 'not-selectable' and 'large': the
shipped simple code system nests codes under code2 with hierarchyMeaning is-a)."""
import pytest

from tests.support.tx_requests import SIMPLE, codes, cs, expansion, out, post, simple_cs, vs


def _filter(client, prop, op, value):
    f = vs("http://ex.org/vs/f", [{"system": SIMPLE, "filter": [{"property": prop, "op": op, "value": value}]}])
    return sorted(codes(expansion(client, [("url", f["url"]), ("excludeNested", True)], [simple_cs(), f])))


@pytest.mark.parametrize("prop,op,value,want", [
    ("concept", "is-a", "code2a", ["code2a", "code2aI", "code2aII"]),
    ("concept", "descendent-of", "code2", ["code2a", "code2aI", "code2aII", "code2b"]),
    ("concept", "is-not-a", "code2", ["code1", "code3"]),
    ("concept", "generalizes", "code2aI", ["code2", "code2a", "code2aI"]),
    ("concept", "in", "code1,code3", ["code1", "code3"]),
    ("concept", "not-in", "code1,code3", ["code2", "code2a", "code2aI", "code2aII", "code2b"]),
    ("prop", "not-in", "old", ["code2", "code2a", "code2aII"]),
    ("prop", "exists", "false", []),
    ("parent", "=", "code2", ["code2a", "code2b"]),
])
def test_r4_filter_operators(client, prop, op, value, want):
    """R4 filter-operator definitions (valueset-filter-operator / codesystem.html#filters)."""
    assert _filter(client, prop, op, value) == want


def test_subsumes_in_an_is_a_hierarchy(client):
    for a, b, want in [("code2", "code2aI", "subsumes"), ("code2aI", "code2", "subsumed-by"),
                       ("code1", "code1", "equivalent"), ("code1", "code2a", "not-subsumed")]:
        status, r = post(client, "CodeSystem/$subsumes", [("system", SIMPLE), ("codeA", a), ("codeB", b)],
                         [simple_cs()])
        assert status == 200 and out(r)["outcome"] == want


def test_polyhierarchy_by_parent_properties(client):
    ph = cs("http://ex.org/cs/ph", "1", [{"code": "p1", "display": "P1"}, {"code": "p2", "display": "P2"},
                                         {"code": "k", "display": "Kid", "property": [
                                             {"code": "parent", "valueCode": "p1"},
                                             {"code": "parent", "valueCode": "p2"}]}],
            property=[{"code": "parent", "type": "code", "uri": "http://hl7.org/fhir/concept-properties#parent"}],
            hierarchyMeaning="is-a")
    for parent in ("p1", "p2"):
        status, r = post(client, "CodeSystem/$subsumes", [("system", ph["url"]), ("codeA", parent), ("codeB", "k")],
                         [ph])
        assert out(r)["outcome"] == "subsumes"
    f = vs("http://ex.org/vs/ph", [{"system": ph["url"], "filter": [{"property": "concept", "op": "is-a",
                                                                      "value": "p2"}]}])
    assert sorted(codes(expansion(client, [("url", f["url"])], [ph, f]))) == ["k", "p2"]
