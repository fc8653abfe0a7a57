"""excludeNotForUI as tx.fhir.org's $expand applies it (docs/operations-valueset.md, "excludeNotForUI"): only a
walk over a whole code system (an include with a system and neither a concept list nor a filter) passes over
abstract (notSelectable) codes, hanging their children from the nearest kept ancestor. A code a value set
lists, or a filter selects, was chosen: it stays in the expansion, marked `abstract: true`."""
from tests.support.tx_requests import out, post

S = "http://example.org/refexp/CodeSystem/headings"
VS = "http://example.org/refexp/ValueSet/"
NS = "http://hl7.org/fhir/concept-properties#notSelectable"
ABSTRACT = [{"code": "notSelectable", "valueBoolean": True}]
# top > grp (a heading) > leaf, grp > leaf2; other
CS = {"resourceType": "CodeSystem", "url": S, "version": "1", "status": "active", "content": "complete",
      "hierarchyMeaning": "is-a", "property": [{"code": "notSelectable", "uri": NS, "type": "boolean"}],
      "concept": [{"code": "top", "display": "Top", "concept": [
          {"code": "grp", "display": "Heading", "property": ABSTRACT,
           "concept": [{"code": "leaf", "display": "Leaf"}, {"code": "leaf2", "display": "Leaf 2"}]}]},
          {"code": "other", "display": "Other"}]}


def _vs(name, *includes):
    return {"resourceType": "ValueSet", "url": VS + name, "status": "active", "compose": {"include": list(includes)}}


WHOLE = _vs("whole", {"system": S})
LISTED = _vs("listed", {"system": S, "concept": [{"code": "grp"}, {"code": "leaf"}]})
FILTERED = _vs("filtered", {"system": S, "filter": [{"property": "concept", "op": "is-a", "value": "grp"}]})
IMPORTS_WHOLE = _vs("imports-whole", {"valueSet": [WHOLE["url"]]})
RESOURCES = [CS, WHOLE, LISTED, FILTERED, IMPORTS_WHOLE]


def _expand(client, vs, *params):
    status, b = post(client, "ValueSet/$expand", [("url", vs["url"]), ("excludeNotForUI", True), *params], RESOURCES)
    assert status == 200, b
    return b["expansion"]


def _tree(items, parent=None, out_=None):
    """{code: (parent code, abstract)} of an expansion's (nested) contains."""
    out_ = {} if out_ is None else out_
    for it in items or ():
        out_[it["code"]] = (parent, it.get("abstract", False))
        _tree(it.get("contains"), it["code"], out_)
    return out_


def test_a_whole_system_walk_passes_over_the_heading_and_keeps_its_children_under_its_parent(client):
    exp = _expand(client, WHOLE)
    assert _tree(exp["contains"]) == {"top": (None, False), "leaf": ("top", False), "leaf2": ("top", False),
                                      "other": (None, False)}
    assert exp["total"] == 4
    assert {"name": "excludeNotForUI", "valueBoolean": True} in exp["parameter"]


def test_a_whole_system_walk_flat_and_counted(client):
    exp = _expand(client, WHOLE, ("excludeNested", True))
    assert [c["code"] for c in exp["contains"]] == ["top", "leaf", "leaf2", "other"]
    assert _expand(client, WHOLE, ("count", 0))["total"] == 4


def test_a_listed_heading_stays_marked_abstract(client):
    exp = _expand(client, LISTED)
    assert [(c["code"], c.get("abstract", False)) for c in exp["contains"]] == [("grp", True), ("leaf", False)]
    assert exp["total"] == 2


def test_a_heading_a_filter_selects_stays_marked_abstract(client):
    exp = _expand(client, FILTERED)
    assert _tree(exp["contains"]) == {"grp": (None, True), "leaf": ("grp", False), "leaf2": ("grp", False)}
    paged = _expand(client, FILTERED, ("count", 1), ("offset", 0))
    assert paged["total"] == 3


def test_an_imported_whole_system_walk_passes_over_the_heading_too(client):
    exp = _expand(client, IMPORTS_WHOLE, ("excludeNested", True))
    assert sorted(c["code"] for c in exp["contains"]) == ["leaf", "leaf2", "other", "top"]


def test_a_text_filter_over_the_whole_system_passes_over_the_heading(client):
    assert "contains" not in _expand(client, WHOLE, ("filter", "heading"))
    exp = _expand(client, LISTED, ("filter", "heading"))
    assert [(c["code"], c.get("abstract")) for c in exp["contains"]] == [("grp", True)]


def test_without_the_parameter_every_heading_is_listed_and_marked(client):
    status, b = post(client, "ValueSet/$expand", [("url", WHOLE["url"])], RESOURCES)
    assert _tree(b["expansion"]["contains"])["grp"] == ("top", True)


def test_validate_code_is_not_touched(client):
    """R4 $validate-code has no excludeNotForUI: an abstract code of a whole-system value set is a member
    unless `abstract` is false."""
    for vs in (WHOLE, LISTED, FILTERED):
        status, b = post(client, "ValueSet/$validate-code", [("url", vs["url"]), ("system", S), ("code", "grp")],
                         RESOURCES)
        assert status == 200 and out(b)["result"] is True, vs["url"]
        status, b = post(client, "ValueSet/$validate-code", [("url", vs["url"]), ("system", S), ("code", "grp"),
                                                              ("abstract", False)], RESOURCES)
        assert out(b)["result"] is False, vs["url"]


def test_a_heading_another_include_lists_is_kept_whatever_the_include_order(client):
    for name, includes in (("whole-then-list", [{"system": S}, {"system": S, "concept": [{"code": "grp"}]}]),
                           ("list-then-whole", [{"system": S, "concept": [{"code": "grp"}]}, {"system": S}])):
        vs = _vs(name, *includes)
        status, b = post(client, "ValueSet/$expand", [("url", vs["url"]), ("excludeNotForUI", True),
                                                       ("excludeNested", True)], RESOURCES + [vs])
        exp = b["expansion"]
        assert sorted(c["code"] for c in exp["contains"]) == ["grp", "leaf", "leaf2", "other", "top"], name
        assert exp["total"] == 5
        assert [c.get("abstract") for c in exp["contains"] if c["code"] == "grp"] == [True]
