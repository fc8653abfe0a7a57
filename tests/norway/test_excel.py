"""The ICD-10 Excel list (.xlsx): built here with openpyxl in the published column layout."""
from __future__ import annotations

import openpyxl
import pytest

from terminology.identifiers import ICD10_NO
from terminology.importers import icd10_excel, importer_for

from .conftest import errors, resources

HEADERS = ["Kode", "Tekst uten lengdebegrensning", "Tekst med maksimalt 60 tegn"]
ROWS = [
    ("A000", "Kolera som skyldes Vibrio cholerae 01, biovar cholerae", "Kolera som skyldes Vibrio cholerae 01, biovar cholerae"),
    ("D3700", "Svulst med patologisk anatomisk påvist usikkert malignitetspotensial i leppe, munnhule eller svelg",
     "Svulst m/pat. anat. usikkert mal.pot. i leppe/munnhule/svelg"),
    ("D3701", "Svulst med klinisk usikkert malignitetspotensial i leppe, munnhule eller svelg",
     "Svulst m/klinisk usikkert mal.pot. i leppe/munnhule/svelg"),
    ("J128", "Annen spesifisert viruspneumoni", "Annen spesifisert viruspneumoni"),
]


def _workbook(path, headers=HEADERS, rows=ROWS, sheet="Kodeliste", title_rows=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for t in title_rows:
        ws.append(t)
    ws.append(headers)
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return str(path)


def test_reads_the_list_with_both_texts(tmp_path):
    p = _workbook(tmp_path / "Kodeliste ICD-10 2024.xlsx")
    assert importer_for(p).FORMAT == "icd10-excel"
    items = list(icd10_excel.read(p))
    assert errors(items) == []
    cs = resources(items, "CodeSystem")[0]
    assert cs["url"] == ICD10_NO and cs["version"] == "2024"
    by = {c["code"]: c for c in cs["_flat_concepts"]}
    assert by["D3700"]["display"] == "Svulst m/pat. anat. usikkert mal.pot. i leppe/munnhule/svelg"
    assert by["D3700"]["designation"][0]["value"].startswith("Svulst med patologisk anatomisk")
    assert by["D3700"]["parents"] == ["D370"]           # from WHO D37.0
    assert by["J128"]["parents"] == ["J12"]


def test_older_workbook_with_flag_columns_and_a_title_row(tmp_path):
    headers = HEADERS + ["Stjernekode", "Tilleggskode", "Kjønn"]
    rows = [("G01", "Meningitt ved bakteriesykdommer klassifisert annet sted",
             "Meningitt ved bakteriesykdommer klassifisert annet sted", "*", None, None),
            ("N700", "Akutt salpingitt og ooforitt", "Akutt salpingitt og ooforitt", None, None, "K")]
    p = _workbook(tmp_path / "icd10.xlsx", headers, rows, sheet="Alle gyldige koder",
                  title_rows=[("ICD-10 kodeliste 2019",)])
    cs = resources(list(icd10_excel.read(p, edition="2019")), "CodeSystem")[0]
    by = {c["code"]: c for c in cs["_flat_concepts"]}
    g01 = {p["code"]: p for p in by["G01"]["property"]}
    assert g01["starCode"]["valueBoolean"] is True
    assert g01["rawFlag"]["valueString"] == "star=*"       # the raw value is kept
    assert {p["code"]: p for p in by["N700"]["property"]}["sex"]["valueString"] == "K"


@pytest.mark.parametrize("headers, rows, expected", [
    (["Kode", "Tekst uten lengdebegrensning"], [("A000", "Kolera")],
     "row 1: missing column(s) Tekst med maksimalt 60 tegn"),
    (HEADERS, [ROWS[0], ROWS[0]], "row 3: duplicate code A000 (first given on row 2)"),
    (HEADERS, [("A000", None, None)], "row 2: code A000 has no text"),
])
def test_broken_workbooks_are_refused(tmp_path, headers, rows, expected):
    p = _workbook(tmp_path / "icd10-2024.xlsx", headers, rows)
    found = errors(list(icd10_excel.read(p)))
    assert any(e.startswith(expected) for e in found), found


def test_not_a_workbook(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"not a zip")
    assert errors(list(icd10_excel.read(str(p)))) == ["not a readable .xlsx workbook"]
