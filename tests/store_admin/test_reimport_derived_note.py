"""The import report names a derived edition (NKPK built from NCMP, NCSP, NCRP) only when the import wrote it:
an import that leaves it as it was stored says nothing about building it."""
from __future__ import annotations

import os

from click.testing import CliRunner

from scripts.cli import main
from terminology import open_store
from terminology.demo import DEMO_DIR, load_demo

NCMP_2021 = os.path.join(DEMO_DIR, "ncmp-2021-slice.csv")


def _import(tmp_path, path) -> str:
    db = str(tmp_path / "k.db")
    store = open_store(db)
    load_demo(store)
    store.close()
    r = CliRunner().invoke(main, ["import", str(path), "--db", db])
    assert r.exit_code == 0, r.output
    return r.output


def test_an_unchanged_reimport_names_no_derived_edition(tmp_path):
    out = _import(tmp_path, NCMP_2021)
    assert "CodeSystem: 0 added, 0 replaced, 2 unchanged" in out
    assert "NKPK" not in out


def test_a_changed_import_names_the_edition_it_built(tmp_path):
    text = open(NCMP_2021, encoding="utf-8").read()
    assert text.count("Kartlegging av pasients/brukers mål") == 1
    mine = tmp_path / "ncmp-2021-slice.csv"
    mine.write_text(text.replace("Kartlegging av pasients/brukers mål", "Kartlegging av brukers mål"),
                    encoding="utf-8")
    out = _import(tmp_path, mine)
    assert "CodeSystem: 0 added, 2 replaced" in out
    assert "note: NKPK 2021 built from NCMP 2021, NCSP 2017, NCRP 2017" in out.splitlines()
