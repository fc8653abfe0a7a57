"""Finding 1(b): an import that replaces a stored code system edition says so with counts, and one that
would remove more than 10% of its codes is refused unless --replace is given."""
import json

import pytest

from terminology import ImportRejected, import_paths, open_store

from .import_cli import ICD10_FAT, ICD10_NAV, concept_counts, kodebro, snapshot

ICD10NO = ("http://hl7.org/fhir/sid/icd-10-no", "2026")


@pytest.fixture
def full_store(tmp_path):
    db = str(tmp_path / "k.db")
    rc, out = kodebro("import", "--db", db, ICD10_NAV, "--edition", "2026")
    assert rc == 0, out
    return db


def test_a_much_smaller_edition_is_refused_and_nothing_changes(full_store):
    before = snapshot(full_store)
    rc, out = kodebro("import", "--db", full_store, ICD10_FAT)
    assert rc == 1
    assert "21443 -> 29 concepts" in out and "--replace" in out and "nothing was changed" in out
    assert snapshot(full_store) == before


def test_replace_flag_lets_it_through_and_reports_the_counts(full_store):
    rc, out = kodebro("import", "--db", full_store, ICD10_FAT, "--replace")
    assert rc == 0, out
    assert "2026: 21443 -> 29 concepts (21415 codes removed)" in out
    assert concept_counts(full_store)[ICD10NO] == 29


def test_an_empty_list_cannot_empty_an_edition(full_store, tmp_path):
    empty = tmp_path / "e.json"
    empty.write_text("[]")
    before = snapshot(full_store)
    rc, out = kodebro("import", "--db", full_store, empty, "--edition", "2026", "--format", "nav-json")
    assert rc == 1 and "nothing was changed" in out
    assert snapshot(full_store) == before


def test_a_replacement_of_the_same_size_is_reported(tmp_path):
    db = str(tmp_path / "k.db")
    assert kodebro("import", "--db", db, ICD10_FAT)[0] == 0
    entries = json.load(open(ICD10_FAT, encoding="utf-8"))
    entries[0]["Tekst_uten_lengdebegrensning"] = (entries[0].get("Tekst_uten_lengdebegrensning") or "") + " (rettet)"
    entries[0]["Tekst_med_maksimalt_60_tegn"] = (entries[0].get("Tekst_med_maksimalt_60_tegn") or "x")[:50] + " rettet"
    changed = tmp_path / "fat-icd10-2026.json"
    changed.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    rc, out = kodebro("import", "--db", db, changed)
    assert rc == 0, out
    assert "2026: 29 -> 29 concepts" in out and "removed" not in out


def test_the_library_refuses_too(full_store):
    store = open_store(full_store)
    try:
        with pytest.raises(ImportRejected, match="21443 -> 29"):
            import_paths(store, [ICD10_FAT], replace=False)
        assert concept_counts(full_store)[ICD10NO] == 21443
        report = import_paths(store, [ICD10_FAT], replace=True)
        assert report.replacements == ["ICD-10, norsk utgave 2026: 21443 -> 29 concepts (21415 codes removed)"]
    finally:
        store.close()
