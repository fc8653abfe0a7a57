"""Procedure code tables (CSV and .xlsx): column mapping, the split into NCMP/NCSP/NCRP + NKPK, rules."""
from __future__ import annotations

import openpyxl
import pytest

from terminology.identifiers import NCMP, NCRP, NCSP, NKPK
from terminology.importers import importer_for, procedure_table

from .conftest import PROCEDURES, errors, resources


def _by_url(items):
    return {r["url"]: r for r in resources(items, "CodeSystem")}


def _concepts(cs):
    return {c["code"]: c for c in cs["_flat_concepts"]}


def _props(c):
    return {p["code"]: next(v for k, v in p.items() if k.startswith("value")) for p in c.get("property", [])}


def test_one_file_is_split_into_three_codebooks_and_nkpk():
    assert importer_for(PROCEDURES).FORMAT == "procedure-table"
    items = list(procedure_table.read(PROCEDURES))
    assert errors(items) == []
    cs = _by_url(items)
    assert set(cs) == {NCMP, NCSP, NCRP, NKPK}
    assert all(r["version"] == "2017" for r in cs.values())      # from the validity dates
    assert set(_concepts(cs[NCRP])) == {"SAA0AE", "SAA0AF", "SAA0AP", "AXW96X"}
    nkpk = _concepts(cs[NKPK])
    assert len(nkpk) == 9 and _props(nkpk["LGA24"])["codebook"] == "NCSP"


def test_retired_codes_and_the_zxm_rule():
    cs = _by_url(list(procedure_table.read(PROCEDURES)))
    ncrp = _concepts(cs[NCRP])
    assert _props(ncrp["SAA0AE"])["status"] == "retired"
    assert _props(ncrp["SAA0AE"])["validTo"] == "2016-12-31"
    axw = _props(ncrp["AXW96X"])
    assert axw["requiresAdditionalCode"] == "ZXM" and "ZXM" in axw["rule"]
    assert "requiresAdditionalCode" not in _props(ncrp["SAA0AP"])


def test_column_mapping_for_other_headers(tmp_path):
    p = tmp_path / "ncsp-liste.csv"
    p.write_text("Prosedyre,Beskrivelse,Fra\nLGA24,Laparaskopisk sterilisasjon ved fjerning av tubene,2017-01-01\n",
                 encoding="utf-8")
    cols = {"code": "Prosedyre", "display": "Beskrivelse", "valid_from": "Fra"}
    items = list(procedure_table.read(str(p), columns=cols, system="NCSP"))
    assert errors(items) == []
    cs = _by_url(items)
    assert set(cs) == {NCSP} and cs[NCSP]["version"] == "2017"


def test_xlsx_table(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kodeverk", "Kode", "Tekst", "Gyldig fra", "Gyldig til"])
    ws.append(["NCMP", "JAGD55", "Pasientadministrert peritonealdialyse", "01.01.2021", None])
    ws.append(["NCMP", "ZWUU40", "Bruk av telemedisin", None, "31.12.2020"])
    path = str(tmp_path / "prosedyrekoder.xlsx")
    wb.save(path)
    assert importer_for(path).FORMAT == "procedure-table"
    cs = _by_url(list(procedure_table.read(path)))
    assert cs[NCMP]["version"] == "2021"
    assert _props(_concepts(cs[NCMP])["ZWUU40"])["status"] == "retired"


@pytest.mark.parametrize("text, opts, expected", [
    ("Kodeverk;Tekst\nNCMP;Noe\n", {}, "row 1: missing column(s) for code"),
    ("Kodeverk;Kode;Tekst\nNCXX;OAAJ00;Kartlegging\n", {}, "row 2: code OAAJ00 has Kodeverk 'NCXX'"),
    ("Kodeverk;Kode;Tekst;Gyldig fra\nNCMP;OAAJ00;Kartlegging;2021-13-01\n", {}, "row 2: Gyldig fra '2021-13-01' is not a date"),
    ("Kodeverk;Kode;Tekst\nNCMP;OAAJ00;A\nNCMP;OAAJ00;B\n", {"edition": "2021"},
     "row 3: duplicate code OAAJ00 (first given on row 2)"),
    ("Kode;Tekst;Foreldrekode\nOAAJ00;A;OAA\n", {"system": "NCMP", "edition": "2021"},
     "row 2: code OAAJ00 has parent OAA, which is not in the file"),
    ("Kode;Tekst\nOAAJ00;A\n", {"columns": {"code": "Prosedyrekode"}}, "row 1: no column 'Prosedyrekode' for code"),
    ("Kode;Tekst\nOAAJ00;A\n", {"columns": {"kode": "Kode"}}, "unknown column field(s) kode"),
    ("Kode;Tekst\nOAAJ00;A\n", {}, "no Kodeverk column and no --system"),
    ("Kodeverk;Kode;Tekst\nNCMP;OAAJ00;A\n", {}, "cannot tell the edition"),
])
def test_broken_tables_are_refused_with_row_and_reason(tmp_path, text, opts, expected):
    p = tmp_path / "liste.csv"
    p.write_text(text, encoding="utf-8")
    found = errors(list(procedure_table.read(str(p), **opts)))
    assert any(e.startswith(expected) for e in found), found


def test_nul_bytes_in_a_csv_are_refused_not_crashed(tmp_path):
    p = tmp_path / "ncmp.csv"
    p.write_bytes(b"Kodeverk;Kode;Tekst\nNCMP;OAAJ00;Kart\x00legging\n")
    found = errors(list(procedure_table.read(str(p), edition="2021")))
    assert found and found[0].startswith("row 2")
