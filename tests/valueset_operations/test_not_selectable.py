"""Probe 8, not-selectable (abstract) codes in $expand and $validate-code. The shipped simple code system
marks code2 notSelectable (and retired); the shipped expansions mark it `abstract: true`."""
from tests.support.tx_requests import SIMPLE, SIMPLE_ALL, codes, eparams, expansion, out, post, simple_cs, vs
from tests.support.tx_files import tx_file

SETUP = lambda: [simple_cs(), tx_file("simple/valueset-all.json")]  # noqa: E731


def _flags(exp):
    found = {}

    def walk(items):
        for it in items or ():
            found[it["code"]] = (it.get("abstract", False), it.get("inactive", False))
            walk(it.get("contains"))
    walk(exp.get("contains"))
    return found


def test_abstract_code_is_listed_and_marked_without_exclude_not_for_ui(client):
    exp = expansion(client, [("url", SIMPLE_ALL), ("excludeNested", True)], SETUP())
    assert _flags(exp)["code2"] == (True, True)
    assert not any(a for c, (a, _i) in _flags(exp).items() if c != "code2")


def test_exclude_not_for_ui_drops_the_abstract_code_and_echoes(client):
    exp = expansion(client, [("url", SIMPLE_ALL), ("excludeNested", True), ("excludeNotForUI", True)], SETUP())
    assert "code2" not in codes(exp) and exp["total"] == 6
    assert eparams(exp, "excludeNotForUI") == [True]


def test_exclude_not_for_ui_with_count_zero_counts_without_the_abstract_code(client):
    exp = expansion(client, [("url", SIMPLE_ALL), ("excludeNotForUI", True), ("count", 0)], SETUP())
    assert exp["total"] == 6 and "contains" not in exp


def test_exclude_not_for_ui_keeps_the_children_of_an_abstract_parent_in_a_tree(client):
    exp = expansion(client, [("url", SIMPLE_ALL), ("excludeNested", False), ("excludeNotForUI", True)], SETUP())
    assert sorted(codes(exp)) == ["code1", "code2a", "code2aI", "code2aII", "code2b", "code3"]


def test_an_enumerated_abstract_code_is_marked_too(client):
    enum = vs("http://ex.org/vs/enum", [{"system": SIMPLE, "concept": [{"code": "code2"}, {"code": "code1"}]}])
    exp = expansion(client, [("url", enum["url"])], [simple_cs(), enum])
    assert _flags(exp)["code2"][0] is True
    # excludeNotForUI passes over headings only when walking a whole code system (tx.fhir.org's rule): a code
    # the value set lists stays, marked abstract (tests/valueset_operations/expand/test_exclude_not_for_ui.py)
    exp = expansion(client, [("url", enum["url"]), ("excludeNotForUI", True)], [simple_cs(), enum])
    assert codes(exp) == ["code2", "code1"] and _flags(exp)["code2"][0] is True


def test_not_selectable_filter_false_and_true(client):
    for value, want in [("true", ["code2"])]:
        f = vs("http://ex.org/vs/ns", [{"system": SIMPLE, "filter": [{"property": "notSelectable", "op": "=",
                                                                          "value": value}]}])
        exp = expansion(client, [("url", f["url"])], [simple_cs(), f])
        assert codes(exp) == want


def test_abstract_code_validates_unless_abstract_false(client):
    """R4 $validate-code `abstract`: 'If this parameter is false, abstract codes are not considered to be
    valid'."""
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL), ("system", SIMPLE), ("code", "code2")],
                     SETUP())
    assert out(b)["result"] is True
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL), ("system", SIMPLE), ("code", "code2"),
                                                          ("abstract", False)], SETUP())
    assert out(b)["result"] is False


def test_lookup_reports_abstract_and_the_not_selectable_property(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", SIMPLE), ("code", "code2"), ("property", "notSelectable"),
                                                  ("property", "abstract")], [simple_cs()])
    o = out(b)
    assert status == 200 and o["abstract"] is True
    props = [p for p in b["parameter"] if p["name"] == "property"]
    assert any({"name": "code", "valueCode": "notSelectable"} in p["part"] and
               {"name": "value", "valueBoolean": True} in p["part"] for p in props), props


EXPANSION_ONLY = {"resourceType": "ValueSet", "url": "http://ex.org/vs/exp", "status": "active", "expansion": {
    "timestamp": "2024-01-01T00:00:00Z", "total": 3, "contains": [
        {"system": "http://ex.org/cs/z", "code": "p", "display": "P", "abstract": True,
         "contains": [{"system": "http://ex.org/cs/z", "code": "k", "display": "K"}]},
        {"system": "http://ex.org/cs/z", "code": "q", "display": "Q"}]}}


def test_a_stated_expansion_keeps_its_abstract_group_and_nesting(client):
    exp = expansion(client, [("url", EXPANSION_ONLY["url"])], [EXPANSION_ONLY])
    assert exp["total"] == 3 and exp["contains"][0]["abstract"] is True
    assert [c["code"] for c in exp["contains"][0]["contains"]] == ["k"]


def test_a_stated_expansion_drops_its_abstract_group_for_exclude_not_for_ui(client):
    exp = expansion(client, [("url", EXPANSION_ONLY["url"]), ("excludeNotForUI", True)], [EXPANSION_ONLY])
    assert exp["total"] == 2 and codes(exp) == ["k", "q"]


def test_a_stated_expansion_flattens_for_exclude_nested(client):
    exp = expansion(client, [("url", EXPANSION_ONLY["url"]), ("excludeNested", True)], [EXPANSION_ONLY])
    assert [c["code"] for c in exp["contains"]] == ["p", "k", "q"]
    assert not any("contains" in c for c in exp["contains"])
