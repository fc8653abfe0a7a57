"""Review s13 (importers under hostile input): Norwegian codebook files that used to import wrong or
partial content with rc=0 are refused with a message naming the cause; the store stays as it was."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from terminology import import_paths
from terminology.errors import ImportRejected
from terminology.identifiers import ICD10_NO, ICPC2
from terminology.importers import icpc2_icd10_map, nav_json, norway_fat_json, procedure_table
from terminology.norway.common import EditionError, edition_from_name

DATA = Path(__file__).resolve().parents[1] / "data" / "norway"
ICPC2_NAV = DATA / "navikt-ICPC2-2026.json"
ICD10_NAV = DATA / "navikt-ICD10-2026.json"
FAT_ICD10 = DATA / "fat-icd10-2026.json"
MAP_FILE = DATA / "ehelse-ICPC2_til_ICD-10_CSV_1_1_2019.txt"
PROCEDURES = DATA / "procedures-2017.csv"


def errors(items):
    return [i.error for i in items if i.error]


def resources(items):
    return [i.resource for i in items if i.resource is not None]


def notes(items):
    return [n for i in items for n in i.notes]


def write(tmp_path, name, data) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")
    return str(p)


# --- finding 1(a): a file with no codes ---------------------------------------------------------------

def test_empty_nav_list_is_refused(tmp_path):
    p = write(tmp_path, "icd10-2026.json", [])
    assert errors(list(nav_json.read(p, edition="2026"))) == ["icd10-2026.json holds no codes; nothing was changed"]


def test_empty_nav_list_leaves_the_stored_edition(tmp_path, store):
    import_paths(store, [str(ICPC2_NAV)], edition="2026")
    before = store.headers()
    p = write(tmp_path, "icpc2-2026.json", [])
    with pytest.raises(ImportRejected, match="holds no codes"):
        import_paths(store, [p], edition="2026")
    assert store.headers() == before


# --- finding 1(c): the name or --system says one codebook, the codes are the other ----------------------

def test_icpc2_codes_under_system_icd10_are_refused():
    found = errors(list(nav_json.read(str(ICPC2_NAV), edition="2026", system="http://hl7.org/fhir/sid/icd-10-no")))
    assert len(found) == 1
    assert found[0].startswith("--system says ICD-10, but the codes look like ICPC-2: 686 of 708 codes")


def test_icpc2_list_saved_under_an_icd10_name_is_refused(tmp_path):
    p = tmp_path / "icd10-2026.json"
    shutil.copy(ICPC2_NAV, p)
    found = errors(list(nav_json.read(str(p))))
    assert len(found) == 1 and found[0].startswith("the file name says ICD-10, but the codes look like ICPC-2")


def test_icd10_codes_under_system_icpc2_are_refused():
    found = errors(list(nav_json.read(str(ICD10_NAV), system=ICPC2)))
    assert len(found) == 1 and found[0].startswith("--system says ICPC-2, but the codes look like ICD-10")


def test_small_icd10_list_of_categories_still_imports(tmp_path):
    p = write(tmp_path, "icd10-2026.json", [{"code": "A000", "text": "Kolera"}, {"code": "J128", "text": "Annen"}])
    assert resources(list(nav_json.read(p)))[0]["url"] == ICD10_NO


# --- finding 2: the edition from the dates ---------------------------------------------------------

def test_one_future_gyldig_fra_is_refused_naming_the_entry(tmp_path):
    data = json.loads(FAT_ICD10.read_text(encoding="utf-8"))
    data[5]["Gyldig_fra"] = "2099-01-01T00:00:00"
    p = write(tmp_path, "fat-future.json", data)
    found = errors(list(norway_fat_json.read(p)))
    assert len(found) == 1
    assert found[0].startswith("the Gyldig_fra dates give edition 2099, later than next year")
    assert "entry 6 (Kode A00.9), code A009, has Gyldig_fra 2099-01-01" in found[0]
    assert found[0].endswith("give --edition YYYY")
    # the edition given by hand is taken
    assert resources(list(norway_fat_json.read(p, edition="2026")))[0]["version"] == "2026"


def test_the_chosen_edition_and_its_source_are_reported():
    items = list(norway_fat_json.read(str(FAT_ICD10)))
    # the file's newest starts are 2025 codes; codes retired on 2025-12-31 make it the 2026 edition
    assert f"{FAT_ICD10}: edition 2026 from the Gyldig_til dates" in notes(items)
    items = list(nav_json.read(str(ICPC2_NAV)))
    assert f"{ICPC2_NAV}: edition 2026 from the file name" in notes(items)
    items = list(nav_json.read(str(ICPC2_NAV), edition="2025"))
    assert f"{ICPC2_NAV}: edition 2025 from --edition" in notes(items)


def test_the_edition_note_is_printed_by_an_import(store):
    report = import_paths(store, [str(FAT_ICD10)])
    assert any(n.endswith("edition 2026 from the Gyldig_til dates") for n in report.notes)


# --- finding 4: several years in the file name ---------------------------------------------------------

def test_two_years_in_the_file_name_are_refused(tmp_path):
    p = tmp_path / "ICD10_2025_oppdatert_2026-01-15.json"
    shutil.copy(ICD10_NAV, p)
    assert errors(list(nav_json.read(str(p)))) == [
        "the file name ICD10_2025_oppdatert_2026-01-15.json holds 2025 and 2026: give --edition YYYY"]
    assert resources(list(nav_json.read(str(p), edition="2026")))[0]["version"] == "2026"


def test_a_repeated_year_in_the_file_name_is_one_year():
    assert edition_from_name("Kodeliste ICD-10 2026 (2026).xlsx") == "2026"
    with pytest.raises(EditionError, match="holds 2026 and 2027"):
        edition_from_name("Kodeliste ICD-10 2026 - rettet 2027.xlsx")


# --- the edition option must be a year ---------------------------------------------------------------

@pytest.mark.parametrize("bad", ["banana", "2026|x", "26"])
def test_a_non_year_edition_is_refused(tmp_path, bad):
    expected = f"--edition '{bad}' is not a year: give --edition YYYY (e.g. 2026)"
    assert errors(list(nav_json.read(str(ICPC2_NAV), edition=bad))) == [expected]
    assert errors(list(norway_fat_json.read(str(FAT_ICD10), edition=bad))) == [expected]
    assert errors(list(procedure_table.read(str(PROCEDURES), edition=bad))) == [expected]
    assert errors(list(icpc2_icd10_map.read(str(MAP_FILE), edition=bad))) == [expected]


def test_a_non_year_edition_leaves_the_store(store):
    with pytest.raises(ImportRejected, match="is not a year"):
        import_paths(store, [str(ICPC2_NAV)], edition="banana")
    assert store.headers() == []


# --- finding 5 and 12: the conversion file ---------------------------------------------------------

def test_conversion_file_cut_at_a_line_boundary_is_refused(tmp_path):
    lines = MAP_FILE.read_bytes().splitlines(keepends=True)
    p = tmp_path / "cut.txt"
    p.write_bytes(b"".join(lines[:300]))
    found = errors(list(icpc2_icd10_map.read(str(p))))
    assert found == ["line 5 says the file holds 728 rows, but 292 were read: the file is incomplete or "
                     "altered; nothing was changed"]


def test_complete_conversion_file_still_imports():
    cm = resources(list(icpc2_icd10_map.read(str(MAP_FILE))))[0]
    assert len(cm["group"][0]["element"]) == 728 and cm["version"] == "2019"


def test_conversion_file_with_trailing_empty_fields_imports(tmp_path):
    text = MAP_FILE.read_bytes().decode("cp1252" if b"\xf8" in MAP_FILE.read_bytes() else "utf-8", "replace")
    out = "\n".join(line if line.startswith("--") or not line.strip() else line + ";;;"
                    for line in text.splitlines())
    p = write(tmp_path, "padded.txt", out)
    items = list(icpc2_icd10_map.read(p))
    assert errors(items) == []
    assert len(resources(items)[0]["group"][0]["element"]) == 728


def test_tab_separated_conversion_file_gets_one_message(tmp_path):
    text = MAP_FILE.read_bytes().decode("utf-8", "replace")
    out = "\n".join(line if line.startswith("--") else line.replace(";", "\t") for line in text.splitlines())
    p = write(tmp_path, "tabs.txt", out)
    found = errors(list(icpc2_icd10_map.read(p)))
    assert len(found) == 1 and "the file is tab-separated" in found[0]


# --- finding 6: self-parent, case duplicates --------------------------------------------------------------

def test_a_code_that_is_its_own_parent_is_refused(tmp_path):
    data = json.loads(FAT_ICD10.read_text(encoding="utf-8"))
    data[5]["Foreldrekode"] = data[5]["Kode"]
    p = write(tmp_path, "fat-self.json", data)
    assert errors(list(norway_fat_json.read(p))) == ["entry 6 (Kode A00.9): code A009 is its own parent (Foreldrekode A009)"]


def test_codes_differing_only_in_case_are_duplicates(tmp_path):
    p = write(tmp_path, "icd10-2026.json", [{"code": "a000", "text": "Kolera"}, {"code": "A000", "text": "Kolera"}])
    assert errors(list(nav_json.read(p))) == [
        "entry 2: duplicate code A000: differs only in case from a000 (given on entry 1)"]


# --- finding 7: procedure table headers that are not used ------------------------------------------

def test_unused_procedure_table_header_is_reported(tmp_path):
    text = PROCEDURES.read_bytes().decode("utf-8")
    p = write(tmp_path, "procedures-2017.csv", text.replace("Gyldig fra;", "Gyldig fra (dato);", 1))
    items = list(procedure_table.read(p))
    assert errors(items) == []
    assert any("column 'Gyldig fra (dato)' not used" in n and "--column FIELD=HEADER" in n for n in notes(items))
    # validFrom is gone, so the end dates decide (and the note says so)
    assert f"{p}: edition 2017 from the Gyldig_til dates" in notes(items)


def test_procedure_table_with_known_headers_has_no_unused_column_note():
    assert not any("not used" in n for n in notes(list(procedure_table.read(str(PROCEDURES)))))
