"""One rule for "change kind -> ConceptMap equivalence" (review s15 F1): the stored change-list map and the
$translate walk read `changelist.kind_equivalence`, and it answers what each of the two old rules answered."""
import pytest

from mappings.changelist import KINDS, Change, parse_row, to_conceptmaps, kind_equivalence
from mappings.succession import chain_equivalence

# what succession.step_equivalence answered (the walk), for every kind and count of alternatives it was given
OLD_WALK = {
    ("text", 1): "equivalent", ("reactivated", 1): "equal", ("replaced", 1): "equivalent",
    ("moved", 1): "equivalent", ("merged", 1): "wider", ("split", 1): "narrower",
    ("split", 2): "narrower", ("split", 3): "narrower", ("replaced", 2): "narrower", ("moved", 2): "narrower",
    ("merged", 2): "inexact",
}
# what changelist._equivalence answered (the stored map), by kind and number of successors
OLD_MAP = {
    ("retired", 0): "unmatched", ("text", 0): "equivalent", ("reactivated", 0): "equal", ("new", 0): None,
    ("replaced", 1): "equivalent", ("moved", 1): "equivalent", ("merged", 1): "wider",
    ("split", 2): "narrower", ("split", 3): "narrower", ("replaced", 2): "narrower", ("moved", 2): "narrower",
}


@pytest.mark.parametrize("kind,alternatives", sorted(OLD_WALK))
def test_walk_equivalences_unchanged(kind, alternatives):
    assert kind_equivalence(kind, alternatives) == OLD_WALK[(kind, alternatives)]


@pytest.mark.parametrize("kind,successors", sorted(OLD_MAP))
def test_map_equivalences_unchanged(kind, successors):
    want = OLD_MAP[(kind, successors)]
    assert kind_equivalence(kind, max(successors, 1)) == want
    c = Change("http://example.org/cb", "2021", kind, "A", [f"B{i}" for i in range(successors)],
               "http://example.org/other" if kind == "moved" else None, new_text="t" if kind == "text" else None)
    el = to_conceptmaps([c])[0]["group"][0]["element"][0]
    got = [t.get("equivalence") for t in el.get("target", ())]
    assert got == ([] if want is None else [want] * max(successors, 1))


def test_every_kind_has_a_rule():
    # each kind a change list admits has an equivalence, but 'new' (no predecessor to map from)
    assert {k for k in KINDS if kind_equivalence(k) is None} == {"new"}


def test_the_one_disagreement_takes_the_walk():
    # a merge into several alternatives: the map said wider, the walk inexact; parse_row refuses it either way
    assert kind_equivalence("merged", 2) == "inexact"
    _c, why = parse_row({"codebook": "ICPC2", "edition": "2021", "kind": "merged", "code": "A", "successor": "B|C"})
    assert why and "exactly one successor" in why


def test_chained_steps():
    assert chain_equivalence("equal", "wider") == "wider"
    assert chain_equivalence("narrower", "narrower") == "narrower"
    assert chain_equivalence("wider", "narrower") == "inexact"
    assert chain_equivalence("unmatched", "wider") == "unmatched"
