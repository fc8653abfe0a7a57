"""Finding 6: text that cannot be a code of the codebook is refused, naming the file and the entry/row."""
import json

import openpyxl

from tests.importers.import_cli import ICD10_FAT, ICD10_NAV, ICPC2_NAV, kodebro, snapshot


def _nav(tmp_path, name, entries, base=ICPC2_NAV):
    f = tmp_path / name
    f.write_text(json.dumps(json.load(open(base))[:40] + entries), encoding="utf-8")
    return f


def test_hello_world_is_not_an_icd10_code(tmp_path):
    f = _nav(tmp_path, "icd10-2026.json", [{"code": "HELLO WORLD", "text": "Hei"}], base=ICD10_NAV)
    db = tmp_path / "k.db"
    kodebro("import", "--db", db, ICPC2_NAV, "--edition", "2026")
    before = snapshot(str(db))
    rc, out = kodebro("import", "--db", db, f, "--edition", "2026")
    assert rc == 1
    assert "entry 41: 'HELLO WORLD' is not an ICD-10 code" in out and "icd10-2026.json" in out
    assert snapshot(str(db)) == before


def test_lower_case_icd10_code_is_refused(tmp_path):
    f = _nav(tmp_path, "icd10-2026.json", [{"code": "a999", "text": "liten"}], base=ICD10_NAV)
    rc, out = kodebro("import", "--db", tmp_path / "k.db", f, "--edition", "2026")
    assert rc == 1
    assert "'a999' is not an ICD-10 code" in out


def test_junk_icpc2_code_is_refused(tmp_path):
    f = _nav(tmp_path, "icpc2-2026.json", [{"code": "Overskrift", "text": "Kapittel"}])
    rc, out = kodebro("import", "--db", tmp_path / "k.db", f, "--edition", "2026")
    assert rc == 1
    assert "entry 41: 'Overskrift' is not an ICPC-2 code" in out


def test_numeric_excel_cells_are_not_icd10_codes(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kode", "Tekst uten lengdebegrensning", "Tekst med maksimalt 60 tegn"])
    ws.append(["A00", "Kolera", "Kolera"])
    ws.append(["A000", "Kolera som skyldes Vibrio cholerae 01, biovar cholerae", "Kolera, klassisk"])
    ws.append([1234, "Tall", "Tall"])
    ws.append([12.5, "Desimaltall", "Desimaltall"])
    f = tmp_path / "Kodeliste ICD-10 2026.xlsx"
    wb.save(f)
    rc, out = kodebro("import", "--db", tmp_path / "k.db", f)
    assert rc == 1
    assert "row 4: '1234' is not an ICD-10 code" in out
    assert "row 5" in out and "is not an ICD-10 code" in out


def test_fat_json_real_file_still_imports(tmp_path):
    rc, out = kodebro("import", "--db", tmp_path / "k.db", ICD10_FAT)
    assert rc == 0, out
