"""`codesystem.nest_concepts` (a read of a stored CodeSystem) on any parent links a trusted import may store.

A PUT or a checked import refuses a cyclic hierarchy, but a trusted importer's output is not checked
(tests/hierarchies/test_trusted_cycle_on_read.py), so a read must not lose the concepts of a parent loop:
one member of each loop (where the walk up from the first of them meets itself) is shown at the top level, and
everything else nests as before. On hierarchies without loops the answer is byte for byte what it was: the
function as it was before the guard is kept below as the reference."""
import json
import random

import pytest

from terminology.codesystem import nest_concepts


def _nest_before(flat):
    """nest_concepts as it was before the loop guard (review s15): the reference for loop-free hierarchies."""
    nodes, order = {}, []
    for f in flat:
        node = {k: v for k, v in f.items() if k != "parents"}
        nodes[node["code"]] = node
        order.append((node, f.get("parents") or []))
    roots = []
    for node, parents in order:
        nested_parent = None
        for p in parents:
            if p in nodes:
                nested_parent = nodes[p]
                break
        if nested_parent is None:
            roots.append(node)
        else:
            nested_parent.setdefault("concept", []).append(node)
            props = [p for p in node.get("property") or ()
                     if not (p.get("code") == "parent" and p.get("valueCode") == nested_parent["code"])]
            if props:
                node["property"] = props
            else:
                node.pop("property", None)
    return roots


def _flat(parents: dict) -> list[dict]:
    return [dict({"code": c, "display": c.upper()}, **({"parents": list(ps)} if ps else {}))
            for c, ps in parents.items()]


def _shown(tree) -> list[str]:
    """Every code shown, in document order; fails on a tree that does not end or shows one node twice."""
    out, seen, stack = [], set(), list(reversed(tree))
    while stack:
        node = stack.pop()
        assert id(node) not in seen, f"{node['code']} is shown twice (the tree does not end)"
        seen.add(id(node))
        out.append(node["code"])
        stack.extend(reversed(node.get("concept") or ()))
    return out


def _dump(tree) -> str:
    return json.dumps(tree, ensure_ascii=False)


def _acyclic(rng: random.Random, n: int) -> list[dict]:
    """n concepts in a random order whose parents rank before them (so no loop), some parents absent from the
    system, some stated again as `parent` properties (which nesting under that parent leaves out)."""
    codes = [f"k{i}" for i in range(n)]
    rank = codes[:]
    rng.shuffle(rank)
    flat = []
    for i, code in enumerate(rank):
        ps = rng.sample(rank[:i], min(i, rng.choice((0, 1, 1, 1, 2, 3))))
        if rng.random() < 0.1:
            ps.insert(rng.randrange(len(ps) + 1), f"absent{i}")
        f = {"code": code, "display": code.upper()}
        if ps:
            f["parents"] = ps
        props = [{"code": "parent", "valueCode": p} for p in ps if rng.random() < 0.5]
        if rng.random() < 0.3:
            props.append({"code": "status", "valueCode": "active"})
        if props:
            f["property"] = props
        flat.append(f)
    rng.shuffle(flat)
    return flat


@pytest.mark.parametrize("seed", range(40))
def test_a_hierarchy_without_loops_nests_byte_for_byte_as_before(seed):
    rng = random.Random(seed)
    flat = _acyclic(rng, rng.choice((1, 2, 5, 30, 200)))
    assert _dump(nest_concepts(json.loads(json.dumps(flat)))) == _dump(_nest_before(json.loads(json.dumps(flat))))


def test_the_demo_code_systems_read_as_before(tmp_path):
    from terminology import Catalog, open_store
    from terminology.demo import load_demo
    store = open_store(str(tmp_path / "demo.db"))
    try:
        load_demo(store)
        catalog = Catalog(store)
        read = 0
        for h in catalog.headers("CodeSystem"):
            if h.pk is None or not h.concept_count:
                continue
            rows = list(store.concepts(h.pk))
            assert _dump(nest_concepts(json.loads(json.dumps(rows)))) == _dump(_nest_before(rows)), h.url
            read += 1
        assert read >= 3
    finally:
        store.close()


def test_a_loop_shows_every_code_once_with_the_first_member_on_top():
    # the WHO ICD-10 case: I -> A00 -> A00-A09 -> I, A00.0 under A00, II a root
    flat = _flat({"I": ["A00"], "A00-A09": ["I"], "A00": ["A00-A09"], "A00.0": ["A00"], "II": []})
    tree = nest_concepts(flat)
    assert [n["code"] for n in tree] == ["I", "II"]
    assert _shown(tree) == ["I", "A00-A09", "A00", "A00.0", "II"]


def test_the_lifted_member_keeps_its_parent_property():
    flat = _flat({"a": ["b"], "b": ["a"]})
    flat[0]["property"] = [{"code": "parent", "valueCode": "b"}]
    flat[1]["property"] = [{"code": "parent", "valueCode": "a"}]
    tree = nest_concepts(flat)
    assert tree == [{"code": "a", "display": "A", "property": [{"code": "parent", "valueCode": "b"}],
                     "concept": [{"code": "b", "display": "B"}]}]


def test_a_concept_that_is_its_own_parent_nests_under_its_next_parent_or_on_top():
    tree = nest_concepts(_flat({"top": [], "self": ["self"], "both": ["both", "top"]}))
    assert [n["code"] for n in tree] == ["top", "self"]
    assert _shown(tree) == ["top", "both", "self"]


def test_a_walk_into_a_loop_lifts_the_member_it_meets_first():
    # x hangs from a loop a -> b -> c -> a it is not part of; the walk from x meets the loop at a
    flat = _flat({"x": ["a"], "c": ["b"], "b": ["a"], "a": ["c"], "y": ["c"]})
    tree = nest_concepts(flat)
    assert [n["code"] for n in tree] == ["a"]
    assert sorted(_shown(tree)) == ["a", "b", "c", "x", "y"]
    assert [n["code"] for n in tree[0]["concept"]] == ["x", "b"]


def test_two_loops_and_a_tree_are_all_shown():
    flat = _flat({"r": [], "r1": ["r"], "p": ["q"], "q": ["p"], "u": ["w"], "v": ["u"], "w": ["v"],
                  "q1": ["q", "r"], "w1": ["absent", "w"]})
    tree = nest_concepts(flat)
    assert [n["code"] for n in tree] == ["r", "p", "u"]
    assert sorted(_shown(tree)) == sorted(c["code"] for c in flat)


def test_only_the_nesting_parent_counts():
    # b's first parent present is a: the loop b <-> a through b's second parent is not a nesting loop
    tree = nest_concepts(_flat({"a": [], "b": ["a", "c"], "c": ["b"]}))
    assert [n["code"] for n in tree] == ["a"]
    assert _shown(tree) == ["a", "b", "c"]


def test_long_loops_and_chains_are_walked_without_recursion():
    n = 20_000
    chain = _flat({f"c{i}": ([f"c{i - 1}"] if i else []) for i in range(n)})
    loop = _flat({f"l{i}": [f"l{(i - 1) % n}"] for i in range(n)})
    tree = nest_concepts(list(reversed(chain)) + loop)
    assert [t["code"] for t in tree] == ["c0", "l0"]
    shown = _shown(tree)
    assert len(shown) == 2 * n and shown[:3] == ["c0", "c1", "c2"] and shown[n:n + 3] == ["l0", "l1", "l2"]
