"""Findings 11 and 12: an import that finds nothing, damaged bundles and packages, a format forced on the
wrong kind of file: each refused or noted in words, and the store left as it was."""
import json

import pytest

from .import_cli import ICPC2_NAV, ICD10_FAT, PACKAGE, PROCEDURES, kodebro, snapshot

CS = {"resourceType": "CodeSystem", "id": "c1", "url": "http://example.org/c1", "version": "1",
      "status": "active", "content": "complete", "concept": [{"code": "a"}]}


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "k.db")
    assert kodebro("import", "--db", path, ICD10_FAT)[0] == 0
    return path


@pytest.mark.parametrize("fmt", [[], ["--format", "fhir"]])
def test_an_empty_folder(db, tmp_path, fmt):
    empty = tmp_path / "empty"
    empty.mkdir()
    before = snapshot(db)
    rc, out = kodebro("import", "--db", db, *fmt, empty)
    assert rc == 1
    assert f"no importable files in {empty} (looked for" in out
    assert snapshot(db) == before


def test_a_folder_without_json_forced_as_fhir(db, tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "procedures.csv").write_bytes(open(PROCEDURES, "rb").read())
    rc, out = kodebro("import", "--db", db, "--format", "fhir", folder)
    assert rc == 1 and f"no importable files in {folder}" in out


def test_a_bundle_with_a_patient_notes_it(db, tmp_path):
    f = tmp_path / "b.json"
    f.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1"}}, {"resource": {"resourceType": "Patient", "id": "p2"}},
        {"resource": CS}]}))
    rc, out = kodebro("import", "--db", db, f)
    assert rc == 0, out
    assert "2 Patient entries skipped (not a terminology resource" in out


def test_a_bundle_of_patients_only_imports_nothing(db, tmp_path):
    f = tmp_path / "b.json"
    f.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                             "entry": [{"resource": {"resourceType": "Patient", "id": "p1"}}]}))
    rc, out = kodebro("import", "--db", db, f)
    assert rc == 1
    assert "1 Patient entry skipped" in out and "nothing was imported" in out


def test_a_bundle_entry_that_is_a_string(db, tmp_path):
    f = tmp_path / "b.json"
    f.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": CS}, "oops"]}))
    before = snapshot(db)
    rc, out = kodebro("import", "--db", db, f)
    assert rc == 1
    assert "b.json#entry[1]" in out and "a Bundle entry must be a JSON object, not a string" in out
    assert "AttributeError" not in out
    assert snapshot(db) == before


def test_a_truncated_package_with_skip_invalid_says_nothing_was_imported(db, tmp_path):
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(open(PACKAGE, "rb").read()[:200_000])
    before = snapshot(db)
    rc, out = kodebro("import", "--db", db, cut, "--skip-invalid")
    assert "the rest was imported" not in out
    assert "nothing was imported" in out and rc == 1
    assert snapshot(db) == before


def test_excel_format_forced_on_json(db):
    rc, out = kodebro("import", "--db", db, "--format", "icd10-excel", ICPC2_NAV)
    assert rc == 1
    assert f"{ICPC2_NAV} is not an icd10-excel file (it looks like JSON)" in out
    assert "InvalidFileException" not in out


def test_json_format_forced_on_a_workbook(db, tmp_path):
    import openpyxl
    book = tmp_path / "liste.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Kode", "Tekst"])
    wb.active.append(["A00", "Kolera"])
    wb.save(book)
    rc, out = kodebro("import", "--db", db, "--format", "nav-json", book, "--edition", "2026")
    assert rc == 1
    assert f"{book} is not a nav-json file (it looks like an Excel workbook)" in out
    assert "surrogates" not in out
