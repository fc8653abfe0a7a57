"""Multi-hop walks over the icd10gm-crosswalk synthetic transition tables (BfArM Umsteiger layout).

The three files (tests/data/successions/icd10gm200*_umsteiger_*.txt) describe editions
2000 -> 2003 with identity, remap, split, merge, deletion and split-then-merge; their
README (shared/data/successions) gives the expected behaviour per code.
"""
from __future__ import annotations

import os

from mappings.changelist import Change
from mappings.succession import SuccessionGraph
from mappings.succession_translate import answer

from .conftest import HERE

SYS = "http://fhir.de/CodeSystem/bfarm/icd-10-gm"


def umsteiger_changes() -> list[Change]:
    out = []
    for name, edition in (("icd10gm2001syst_umsteiger_2000_2001.txt", "2001"),
                          ("icd10gm2002syst_umsteiger_2001_2002.txt", "2002"),
                          ("icd10gm2003syst_umsteiger_2002_2003.txt", "2003")):
        targets: dict[str, list] = {}
        with open(os.path.join(HERE, name), encoding="utf-8") as fh:
            for line in fh:
                old, new, *_ = line.strip().split(";")
                targets.setdefault(old, [])
                if new:
                    targets[old].append(new)
        sources: dict[str, int] = {}
        for ts in targets.values():
            for t in ts:
                sources[t] = sources.get(t, 0) + 1
        for old, ts in targets.items():
            if not ts:
                out.append(Change(SYS, edition, "retired", old))
            elif ts == [old]:
                continue
            elif len(ts) > 1:
                out.append(Change(SYS, edition, "split", old, ts))
            else:
                out.append(Change(SYS, edition, "merged" if sources[ts[0]] > 1 else "replaced", old, ts))
    return out


def graph():
    sg = SuccessionGraph()
    sg.add_changes(umsteiger_changes())
    return sg


def ends(sg, code, a, b):
    return {p.node[1] if p.node else None: p for p in sg.walk((SYS, code), a, b)}


def test_identity_carries_forward_over_three_steps():
    got = ends(graph(), "Z00.0", "2000", "2003")
    assert list(got) == ["Z00.0"] and got["Z00.0"].equivalence == "equal" and got["Z00.0"].outcome == "identity"


def test_split_then_split_again_chains():
    got = ends(graph(), "Z02.0", "2000", "2003")
    assert sorted(got) == ["Z02.00", "Z02.010", "Z02.011"]
    assert all(p.ambiguous and p.equivalence == "narrower" for p in got.values())
    assert [s.edition for s in got["Z02.010"].steps] == ["2001", "2002"]
    # stopping after the first edition sees only the first split
    assert sorted(ends(graph(), "Z02.0", "2000", "2001")) == ["Z02.00", "Z02.01"]


def test_split_then_merge_reconverges_to_one_code():
    got = ends(graph(), "Z06.0", "2000", "2003")
    assert list(got) == ["Z06.9"]
    assert got["Z06.9"].equivalence == "inexact"      # narrower then wider: the exact relation is not known


def test_merge_forward_and_reverse():
    sg = graph()
    fw = ends(sg, "Z03.0", "2000", "2001")
    assert list(fw) == ["Z03.9"] and fw["Z03.9"].equivalence == "wider" and fw["Z03.9"].outcome == "merged"
    back = ends(sg, "Z03.9", "2001", "2000")
    assert sorted(back) == ["Z03.0", "Z03.1"] and all(p.ambiguous for p in back.values())


def test_deletion_is_retired_without_successor_naming_the_edition():
    sg = graph()
    res = answer(None, sg, SYS, "Z04.0", "2000", SYS, "2003")
    assert res.result is False and "retired in 2001" in res.message


def test_reverse_over_several_steps():
    back = ends(graph(), "Z02.011", "2003", "2000")
    assert list(back) == ["Z02.0"] and len(back["Z02.0"].steps) == 2
