"""RF2 rows that point nowhere: relationships to concepts not in the release are noted (counted, the first
named by file and line); refset rows whose ids are not SNOMED CT identifiers are refused by file and line."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.importers.test_rf2_damage import HANDMADE, RELATIONSHIP, imported_notes, lines, refused, write

SIMPLE = os.path.join("Snapshot", "Refset", "Content", "der2_Refset_SimpleSnapshot_NO1000202_20250415.txt")
REL_FILE = "sct2_Relationship_Snapshot_NO1000202_20250415.txt"


@pytest.fixture
def rel(tmp_path):
    root = tmp_path / "SnomedCT_NO_Handmade_20250415"
    shutil.copytree(HANDMADE, root)
    return root


def _set(path, n: int, col: int, value: str) -> None:
    rows = lines(path)
    f = rows[n].split("\t")
    f[col] = value if col < len(f) - 1 else value + "\r\n" if f[col].endswith("\r\n") else value + "\n"
    rows[n] = "\t".join(f)
    write(path, rows)


def _active_row(path) -> int:
    return next(i for i, r in enumerate(lines(path)) if i and r.split("\t")[2] == "1")


def test_relationship_to_a_concept_not_in_the_release_is_noted(tmp_path, rel):
    n = _active_row(rel / RELATIONSHIP)
    _set(rel / RELATIONSHIP, n, 5, "999999999")
    notes = imported_notes(tmp_path, rel)
    text = " ".join(notes)
    # the handmade release already points at one concept of the international release (line 22)
    assert (f"{REL_FILE}: 2 active relationship(s) name a concept not in the release "
            f"(first: line {n + 1}, destinationId 999999999)") in text, notes


def test_relationship_from_a_concept_not_in_the_release_is_noted(tmp_path, rel):
    n = _active_row(rel / RELATIONSHIP)
    _set(rel / RELATIONSHIP, n, 4, "888888888")
    text = " ".join(imported_notes(tmp_path, rel))
    assert f"(first: line {n + 1}, sourceId 888888888)" in text


def test_extension_pointing_into_its_base_release_is_noted_not_refused(tmp_path):
    notes = imported_notes(tmp_path, HANDMADE)
    assert (f"{REL_FILE}: 1 active relationship(s) name a concept not in the release (first: line 22, "
            "destinationId 39607008); import the release they build on with it") in notes


def test_refset_row_with_a_non_numeric_referenced_component_is_refused(tmp_path, rel):
    _set(rel / SIMPLE, 1, 5, "lunge")
    msg = refused(tmp_path, rel)
    assert "der2_Refset_SimpleSnapshot_NO1000202_20250415.txt line 2: referencedComponentId 'lunge' is not a " \
           "SNOMED CT identifier" in msg


def test_refset_row_with_a_non_numeric_refset_id_is_refused(tmp_path, rel):
    _set(rel / SIMPLE, 1, 4, "refsett")
    msg = refused(tmp_path, rel)
    assert "line 2: refsetId 'refsett' is not a SNOMED CT identifier" in msg
