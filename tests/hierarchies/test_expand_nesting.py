"""The nesting of an expansion (terminology/operations/expand_nesting.py, moved out of expand.py in review s15,
F13): every item appears once and the tree is finite, whatever the code system's parents say. A stored or
supplied code system with a cyclic hierarchy is refused (tests/hierarchies/test_cyclic_hierarchy.py), but
an index built from an importer's trusted output is not checked, so the guard is tested on such an index."""
from terminology.codesystem import CodeSystemIndex, flatten_concepts
from terminology.operations import expand as expand_module
from terminology.operations.expand import ExpansionItem
from terminology.operations.expand_nesting import MAX_DEPTH, kept_ancestor, nest
from terminology.operations.member import Member

URL = "http://ex.org/cs/nesting"


def _index(concepts):
    res = {"resourceType": "CodeSystem", "url": URL, "version": "1", "content": "complete",
           "property": [{"code": "parent", "type": "code"}, {"code": "notSelectable", "type": "boolean"}]}
    return CodeSystemIndex(res, flatten_concepts(concepts))


def _parent(code):
    return {"code": "parent", "valueCode": code}


def _whole(cs):
    members = [Member(URL, "1", code, cs.get(code), cs, whole_system=True) for code in cs.concepts]
    return members, [ExpansionItem(system=URL, code=m.code, version="1") for m in members]


def _codes(tree) -> list[str]:
    out, stack = [], list(tree)
    while stack:
        it = stack.pop()
        out.append(it.code)
        assert len(out) <= 10_000, "the tree does not end"
        stack.extend(it.children)
    return out


def _depth(tree) -> int:
    deepest, stack = 0, [(it, 1) for it in tree]
    while stack:
        it, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in it.children)
    return deepest


def test_expand_nests_with_the_moved_function():
    assert expand_module.nest is nest
    assert not hasattr(expand_module, "_nest") and not hasattr(expand_module, "MAX_DEPTH")


def test_a_tree_nests_under_the_first_listed_parent():
    cs = _index([{"code": "top", "concept": [{"code": "mid", "concept": [{"code": "leaf"}]}]},
                 {"code": "other", "property": [_parent("mid"), _parent("top")]}])
    tree = nest(*_whole(cs))
    assert [it.code for it in tree] == ["top"]
    mid = tree[0].children[0]
    assert [it.code for it in mid.children] == ["leaf", "other"]


def test_a_cyclic_hierarchy_gives_a_finite_tree_holding_every_code_once():
    cs = _index([{"code": "a", "property": [_parent("c")]},
                 {"code": "b", "property": [_parent("a")]},
                 {"code": "c", "property": [_parent("b")]},
                 {"code": "self", "property": [_parent("self")]},
                 {"code": "under-a", "property": [_parent("a")]}])
    tree = nest(*_whole(cs))
    codes = _codes(tree)
    assert sorted(codes) == ["a", "b", "c", "self", "under-a"]
    assert "self" in [it.code for it in tree]
    # some member of the loop is lifted to the top level so its branch is shown
    assert {it.code for it in tree} & {"a", "b", "c"}


def test_a_chain_deeper_than_max_depth_is_cut_to_the_top_level():
    n = MAX_DEPTH * 2 + 5
    cs = _index([{"code": "c0"}] + [{"code": f"c{i}", "property": [_parent(f"c{i - 1}")]} for i in range(1, n)])
    tree = nest(*_whole(cs))
    assert sorted(_codes(tree)) == sorted(f"c{i}" for i in range(n))
    assert _depth(tree) <= MAX_DEPTH + 1
    assert len(tree) > 1


def test_listed_codes_are_never_nested():
    cs = _index([{"code": "p", "concept": [{"code": "k"}]}])
    members = [Member(URL, "1", c, cs.get(c), cs, enumerated=True) for c in ("p", "k")]
    items = [ExpansionItem(system=URL, code=m.code, version="1") for m in members]
    assert [it.code for it in nest(members, items)] == ["p", "k"]


def test_children_of_a_passed_over_heading_go_to_the_nearest_kept_ancestor():
    heading = {"code": "notSelectable", "valueBoolean": True}
    cs = _index([{"code": "root", "concept": [
        {"code": "h1", "property": [heading], "concept": [
            {"code": "h2", "property": [heading], "concept": [{"code": "leaf"}]}]}]}])
    members, items = _whole(cs)
    keep = [i for i, m in enumerate(members) if m.code in ("root", "leaf")]
    members, items = [members[i] for i in keep], [items[i] for i in keep]
    tree = nest(members, items, passed_over=lambda c: c.abstract)
    assert [it.code for it in tree] == ["root"]
    assert [it.code for it in tree[0].children] == ["leaf"]


def test_a_cycle_of_passed_over_headings_ends_the_walk():
    heading = {"code": "notSelectable", "valueBoolean": True}
    cs = _index([{"code": "h1", "property": [heading, _parent("h2")]},
                 {"code": "h2", "property": [heading, _parent("h1")]},
                 {"code": "leaf", "property": [_parent("h1")]}])
    members, items = _whole(cs)
    by_key = {m.vkey: it for m, it in zip(members, items)}
    leaf = next(m for m in members if m.code == "leaf")
    assert kept_ancestor(leaf, {k: v for k, v in by_key.items() if k[2] == "leaf"},
                         lambda c: c.abstract) is None
    tree = nest([leaf], [by_key[leaf.vkey]], passed_over=lambda c: c.abstract)
    assert [it.code for it in tree] == ["leaf"]
