"""F10+F11 of the s15 structure review: SnomedIndex is put together from mixins (concept_view, index_text,
index_filters) and the map-refset access lives in mappings/snomed_maps.py as functions over the index's `maps`.

Checked on the hand-made Norwegian-edition release (tests/data/snomed/handmade-no) and on a small edition
built here from concept rows.
"""
from __future__ import annotations

import ast
import gc
import os

import pytest

from mappings import snomed_maps
from mappings.snomed_maps import map_refsets, map_rows, map_target_system, reverse_rows
from terminology.codesystem import CodeSystemIndex
from terminology.snomed.concept_view import SnomedConcept, TextIndexView, pack_descriptions
from terminology.snomed.index import SnomedIndex
from terminology.snomed.index_filters import SnomedFilters
from terminology.snomed.index_text import SnomedText
from terminology.textsearch import TextIndex
from tests.conftest import ROOT
from tests.snomed.conftest import HANDMADE, SNOMED, catalog_at

ICD10_MAP = "447562003"
ICPC2_MAP = "68101000202102"


@pytest.fixture(scope="module")
def no_cs(tmp_path_factory):
    return catalog_at(tmp_path_factory.mktemp("split"), HANDMADE).codesystem(SNOMED)


def _edition(maps: dict) -> SnomedIndex:
    """Three concepts under one root; `maps` gives concept code -> {refset: rows}."""
    rows = []
    for code, parents in (("100000", []), ("200000", ["100000"]), ("300000", ["100000"])):
        row = {"code": code, "display": f"term {code}", "parents": parents,
               "_s": [1, "900000000000207008", 20250101, 0], "_d": pack_descriptions([[f"term {code}", "en", "S", "P"]])}
        if code in maps:
            row["_m"] = maps[code]
        rows.append(row)
    return SnomedIndex({"url": SNOMED, "version": "split"}, rows)


def _imports(package: str):
    for dirpath, _, files in os.walk(os.path.join(ROOT, package)):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
                    if isinstance(node, ast.Import):
                        yield from ((path, a.name.split(".")[0]) for a in node.names)
                    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                        yield path, node.module.split(".")[0]


def test_the_engine_does_not_import_mappings():
    assert [(p, m) for p, m in _imports("terminology") if m == "mappings"] == []


def test_the_index_is_the_mixins_over_the_generic_index():
    assert SnomedIndex.__mro__[1:4] == (SnomedFilters, SnomedText, CodeSystemIndex)
    # the mixins answer before the generic index does
    assert SnomedIndex.search is SnomedText.search
    assert SnomedIndex.filter_codes is SnomedFilters.filter_codes
    assert SnomedIndex.filter_test is SnomedFilters.filter_test


def test_the_index_holds_map_data_but_no_map_access():
    for name in ("map_refsets", "map_rows", "map_target_system", "reverse_rows", "_reverse"):
        assert not hasattr(SnomedIndex, name)
    ix = _edition({})
    assert ix.maps == {} and not hasattr(ix, "_reverse")


def test_the_views_answer_from_the_index(no_cs):
    view = TextIndex.of(no_cs)
    assert isinstance(view, TextIndexView) and view.codes is no_cs.codes
    assert view.search("meningitt") == no_cs.search("meningitt") and view.search("meningitt")
    concept = no_cs.get("58437007")
    assert isinstance(concept, SnomedConcept) and concept.seq == no_cs.pos["58437007"]
    assert {d["language"] for d in concept.designations} >= {"nb-NO", "nn-NO"}


def test_forward_rows_and_target_systems(no_cs):
    assert set(map_refsets(no_cs)) == set(no_cs.maps) >= {ICD10_MAP, ICPC2_MAP}
    assert map_target_system(no_cs, ICD10_MAP) == "http://hl7.org/fhir/sid/icd-10-no"
    assert map_target_system(no_cs, ICPC2_MAP) == "http://hl7.org/fhir/sid/icpc-2"
    assert map_target_system(no_cs, "123456789") is None
    assert map_rows(no_cs, ICPC2_MAP, "195967001")[0][4] == "R96"
    assert map_rows(no_cs, ICPC2_MAP, "999999") is None           # not a concept
    assert map_rows(no_cs, "123456789", "195967001") is None      # not a map refset


def test_reverse_rows_are_the_forward_rows_turned_round(no_cs):
    for refset in map_refsets(no_cs):
        targets = {row[4] for rows in no_cs.maps[refset].values() for row in rows if row[4]}
        assert targets
        for target in targets:
            got = reverse_rows(no_cs, refset, target)
            assert got and all(row in map_rows(no_cs, refset, source) and row[4] == target for source, row in got)
            want = sum(1 for i, rows in no_cs.maps[refset].items() for row in rows if row[4] == target)
            assert len(got) == want
    assert reverse_rows(no_cs, ICPC2_MAP, "no such code") == []


def test_the_reverse_table_is_per_index_and_goes_with_it():
    row = [1, 1, "TRUE", "", "X1", "447561005", ""]
    a = _edition({"200000": {ICD10_MAP: [row]}})
    b = _edition({"300000": {ICD10_MAP: [row]}})
    assert reverse_rows(a, ICD10_MAP, "X1") == [("200000", row)]
    assert reverse_rows(b, ICD10_MAP, "X1") == [("300000", row)]
    assert a in snomed_maps._REVERSE and b in snomed_maps._REVERSE
    held = len(snomed_maps._REVERSE)
    del a
    gc.collect()
    assert len(snomed_maps._REVERSE) == held - 1 and b in snomed_maps._REVERSE


def test_the_map_source_is_told_by_its_data():
    """snomed_maps asks an index for its `maps` (the data), not for methods: a generic index has none."""
    plain = CodeSystemIndex({"url": "http://example.org/cs", "content": "complete"}, [{"code": "a"}])
    assert not hasattr(plain, "maps") and hasattr(_edition({}), "maps")
