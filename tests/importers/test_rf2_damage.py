"""RF2 releases that are damaged, incomplete or mixed: refused by file and line, or imported with a note.

Each test builds a damaged copy of tests/data/snomed/handmade-no in tmp_path (review s13, findings 3
and 10). A refusal must leave the store as it was.
"""
from __future__ import annotations

import glob
import os
import shutil

import pytest

from terminology import import_paths, open_store
from terminology.errors import ImportRejected
from tests.conftest import DATA

HANDMADE = os.path.join(DATA, "snomed", "handmade-no", "SnomedCT_NO_Handmade_20250415")
DUMMY = os.path.join(DATA, "snomed", "snowstorm-dummy", "RF2Release")
TERM = os.path.join("Snapshot", "Terminology")
CONCEPT = os.path.join(TERM, "sct2_Concept_Snapshot_NO1000202_20250415.txt")
DESCRIPTION = os.path.join(TERM, "sct2_Description_Snapshot-no_NO1000202_20250415.txt")
RELATIONSHIP = os.path.join(TERM, "sct2_Relationship_Snapshot_NO1000202_20250415.txt")
LANGUAGE = os.path.join("Snapshot", "Refset", "Language", "der2_cRefset_LanguageSnapshot-no_NO1000202_20250415.txt")


@pytest.fixture
def rel(tmp_path):
    root = tmp_path / "SnomedCT_NO_Handmade_20250415"
    shutil.copytree(HANDMADE, root)
    return root


def lines(path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read().splitlines(keepends=True)


def write(path, rows: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.writelines(rows)


def set_field(path, row: int, field: int, value: str) -> None:
    """Rewrite one field of one line (0: the header) of an RF2 file, leaving the rest as it was."""
    rows = lines(path)
    f = rows[row].split("\t")
    f[field] = value
    rows[row] = "\t".join(f)
    write(path, rows)


def refused(tmp_path, path) -> str:
    """The rejection message of importing `path` into a store holding the handmade release; the store must
    be unchanged."""
    store = open_store(str(tmp_path / "s.db"))
    import_paths(store, [HANDMADE], fmt="rf2")
    before = store.headers()
    with pytest.raises(ImportRejected) as e:
        import_paths(store, [str(path)], fmt="rf2")
    assert store.headers() == before
    return "; ".join(r[2] for r in e.value.rejected)


def imported_notes(tmp_path, path) -> list[str]:
    store = open_store(str(tmp_path / "s.db"))
    return import_paths(store, [str(path)], fmt="rf2").notes


# --- a file named as a core Snapshot file must have that file's header -----------------------------------
@pytest.mark.parametrize("rel_path, old, new", [
    (DESCRIPTION, "conceptId", "concept_id"),
    (CONCEPT, "definitionStatusId", "definitionStatus"),
    (RELATIONSHIP, "destinationId", "destination"),
    (LANGUAGE, "acceptabilityId", "acceptability"),
])
def test_misheadered_core_file_is_refused_naming_the_expected_header(tmp_path, rel, rel_path, old, new):
    rows = lines(rel / rel_path)
    rows[0] = rows[0].replace(old, new)
    write(rel / rel_path, rows)
    msg = refused(tmp_path, rel)
    assert os.path.basename(rel_path) in msg
    assert "header" in msg and old in msg


def test_core_file_of_zero_bytes_is_refused(tmp_path, rel):
    write(rel / DESCRIPTION, [])
    msg = refused(tmp_path, rel)
    assert os.path.basename(DESCRIPTION) in msg and "empty" in msg


# --- missing parts ------------------------------------------------------------------------------------
def test_release_without_description_file_is_refused(tmp_path, rel):
    os.remove(rel / DESCRIPTION)
    msg = refused(tmp_path, rel)
    assert "has no Description file" in msg and "its id as display" in msg


def test_missing_relationships_and_language_refset_are_noted(tmp_path, rel):
    os.remove(rel / RELATIONSHIP)
    os.remove(rel / LANGUAGE)
    notes = " ".join(imported_notes(tmp_path, rel))
    assert "no inferred Relationship file" in notes
    assert "no language refset" in notes


def test_header_only_concept_file_is_called_empty(tmp_path, rel):
    write(rel / CONCEPT, lines(rel / CONCEPT)[:1])
    msg = refused(tmp_path, rel)
    assert "sct2_Concept_Snapshot_NO1000202_20250415.txt has a header and no rows" in msg
    assert "no Snapshot concept file found" not in msg


# --- damaged rows -------------------------------------------------------------------------------------
@pytest.mark.parametrize("rel_path", [DESCRIPTION, CONCEPT, RELATIONSHIP, LANGUAGE])
def test_row_cut_short_is_refused_with_file_and_line(tmp_path, rel, rel_path):
    rows = lines(rel / rel_path)
    width = rows[0].count("\t") + 1
    last = rows[-1].rstrip("\r\n").split("\t")
    rows[-1] = "\t".join(last[:-1]) + "\r\n"
    write(rel / rel_path, rows)
    msg = refused(tmp_path, rel)
    assert f"{os.path.basename(rel_path)} line {len(rows)}: {width - 1} fields, the header has {width}" in msg


def test_non_numeric_concept_id_is_named(tmp_path, rel):
    set_field(rel / CONCEPT, 3, 0, "12345X")
    msg = refused(tmp_path, rel)
    assert "sct2_Concept_Snapshot_NO1000202_20250415.txt line 4: id '12345X' is not a SNOMED CT identifier" in msg


def test_non_numeric_relationship_destination_is_named(tmp_path, rel):
    set_field(rel / RELATIONSHIP, 2, 5, "lung")
    msg = refused(tmp_path, rel)
    assert "line 3: destinationId 'lung' is not a SNOMED CT identifier" in msg


def test_file_not_in_utf8_is_refused_by_name(tmp_path, rel):
    text = "".join(lines(rel / DESCRIPTION)).replace("lungebetennelse", "lungebetennelse æøå")
    with open(rel / DESCRIPTION, "w", encoding="cp1252", newline="") as f:
        f.write(text)
    msg = refused(tmp_path, rel)
    assert "sct2_Description_Snapshot-no_NO1000202_20250415.txt is not UTF-8" in msg


def test_effective_time_after_the_release_date_is_refused(tmp_path, rel):
    set_field(rel / CONCEPT, 2, 1, "20991231")
    msg = refused(tmp_path, rel)
    assert "sct2_Concept_Snapshot_NO1000202_20250415.txt line 3: effectiveTime 20991231 is later than the " \
           "release date 20250415" in msg


@pytest.mark.parametrize("rel_path", [CONCEPT, DESCRIPTION])
def test_same_id_twice_in_one_snapshot_file_is_refused(tmp_path, rel, rel_path):
    rows = lines(rel / rel_path)
    f = rows[1].split("\t")
    f[2] = "0"
    rows.append("\t".join(f))
    write(rel / rel_path, rows)
    msg = refused(tmp_path, rel)
    assert f"line {len(rows)}: id {f[0]} appears a second time" in msg


# --- releases of different dates in one folder ---------------------------------------------------------
def test_two_releases_of_different_dates_are_merged_with_a_note(tmp_path, rel):
    """An extension and its international base differ in date (docs/snomed.md): merged, and said so."""
    shutil.copytree(DUMMY, tmp_path / "SnomedCT_NO_Handmade_20250415" / "INT" / "RF2Release")
    notes = " ".join(imported_notes(tmp_path, rel))
    assert "releases of 20180731 and 20250415, merged into one edition 20250415" in notes


def test_the_samples_still_import_without_refusal(tmp_path):
    for n, path in enumerate([HANDMADE, DUMMY, os.path.join(DATA, "snomed", "multimodule"),
                              os.path.join(DATA, "snomed", "snowstorm-lite"),
                              *glob.glob(os.path.join(DATA, "snomed", "snowstorm-dummy-release-zip", "*.zip"))]):
        store = open_store(str(tmp_path / f"s{n}.db"))
        report = import_paths(store, [path], fmt="rf2")
        assert not report.rejected
