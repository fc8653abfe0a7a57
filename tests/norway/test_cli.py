"""`kodebro import` with the options the Norwegian importers take (--edition, --system, --column)."""
from __future__ import annotations

from click.testing import CliRunner

from scripts.cli import main
from terminology import open_store
from terminology.identifiers import ICPC2, NCSP, NKPK

from .conftest import ICPC2_NAV, copy_as


def test_import_with_column_mapping_and_system(tmp_path, db_path):
    p = tmp_path / "liste.csv"
    p.write_text("Prosedyre;Beskrivelse\nLGA24;Laparaskopisk sterilisasjon ved fjerning av tubene\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["import", str(p), "--format", "procedure-table", "--db", db_path, "--system", "NCSP", "--edition", "2017",
                                  "--column", "code=Prosedyre", "--column", "display=Beskrivelse"])
    assert r.exit_code == 0, r.output
    # with the NKPK edition built from it (terminology/norway/nkpk.py)
    assert [(h.url, h.version) for h in open_store(db_path).headers()] == [(NCSP, "2017"), (NKPK, "2017")]


def test_import_nav_list_with_edition(tmp_path, db_path):
    p = copy_as(tmp_path, ICPC2_NAV, "icpc2.json")
    r = CliRunner().invoke(main, ["import", p, "--db", db_path, "--edition", "2026"])
    assert r.exit_code == 0, r.output
    assert [(h.url, h.version) for h in open_store(db_path).headers()] == [(ICPC2, "2026")]


def test_broken_file_is_refused_with_row_and_reason(tmp_path, db_path):
    p = tmp_path / "prosedyrer.csv"
    p.write_text("Kodeverk;Kode;Tekst;Gyldig fra\nNCMP;OAAJ00;Kartlegging;32.01.2021\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["import", str(p), "--db", db_path])
    assert r.exit_code == 1
    assert "row 2: Gyldig fra '32.01.2021' is not a date" in r.output
    assert open_store(db_path).headers() == []
