"""Real ICD-10-GM transitions (net 2017 -> 2024, BfArM via icd10gm-crosswalk) as one change list."""
from __future__ import annotations

import csv
import os

from mappings.changelist import parse_row
from mappings.succession import SuccessionGraph

from .conftest import HERE

SYS = "http://fhir.de/CodeSystem/bfarm/icd-10-gm"


def graph() -> SuccessionGraph:
    targets: dict[str, list] = {}
    with open(os.path.join(HERE, "icd10gm_2017_2024_bronco_golden.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            targets.setdefault(row["source_code"], []).append(row["target_code"])
    sg = SuccessionGraph()
    for code, ts in targets.items():
        kind = "split" if len(ts) > 1 else "replaced"
        change, why = parse_row({"codebook": SYS, "edition": "2024", "kind": kind, "code": code, "successor": ts})
        assert why is None, why
        sg.add_change(change)
    return sg


def ends(sg, code, a, b):
    return {p.node[1]: p for p in sg.walk((SYS, code), a, b)}


def test_split_that_keeps_the_old_code():
    got = ends(graph(), "I27.28", "2017", "2024")
    assert sorted(got) == ["I27.21", "I27.22", "I27.28"]
    assert all(p.ambiguous and p.equivalence == "narrower" for p in got.values())


def test_reverse_of_a_kept_code_is_itself_and_of_a_new_code_its_source():
    sg = graph()
    assert sorted(ends(sg, "I27.28", "2024", "2017")) == ["I27.28"]
    assert sorted(ends(sg, "I27.21", "2024", "2017")) == ["I27.28"]


def test_shared_target_of_two_splits_goes_back_to_both():
    back = ends(graph(), "K72.10", "2024", "2017")
    assert sorted(back) == ["K72.0", "K72.1"] and all(p.ambiguous for p in back.values())


def test_cross_chapter_split_and_one_to_one_remap():
    sg = graph()
    assert sorted(ends(sg, "T66", "2017", "2024")) == ["K20.1", "T66"]
    r17 = ends(sg, "R17", "2017", "2024")
    assert list(r17) == ["R17.0"] and r17["R17.0"].equivalence == "equivalent" and not r17["R17.0"].ambiguous


def test_codes_without_changes_pass_through():
    got = ends(graph(), "A00.0", "2017", "2024")
    assert list(got) == ["A00.0"] and got["A00.0"].outcome == "identity"
