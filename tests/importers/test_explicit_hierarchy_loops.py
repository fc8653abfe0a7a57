"""The Norwegian importers that take the hierarchy from the file (Foreldrekode) also yield trusted output: a
loop of two or more codes (a self-parent was already refused) must be refused naming the codes, with nothing
stored."""
import json

from click.testing import CliRunner

from scripts.cli import main
from terminology.importers import norway_fat_json, procedure_table


def _entry(code, parent, text):
    return {"Kode": code, "Tekst_uten_lengdebegrensning": text, "Tekst_med_maksimalt_60_tegn": None,
            "Gyldig_fra": "2020-01-01T00:00:00", "Gyldig_til": None, "Rapporteres_til_NPR": None,
            "NPR_Gyldig_fra": None, "NPR_Gyldig_til": None, "Stjernekode": None, "Tilleggskode": None,
            "Kjønn": None, "Uspesifikk_kode": None, "Foreldrekode": parent, "Foreldrekodetekst": None}


def test_a_fat_json_parent_loop_is_refused_naming_the_codes(tmp_path):
    p = tmp_path / "fat-icd10-looped-2026.json"
    p.write_text(json.dumps([_entry("I", None, "Kapittel"), _entry("A00-A09", "A00", "Blokk"),
                             _entry("A00", "A00-A09", "Kolera"), _entry("A00.0", "A00", "Kolera 01")]),
                 encoding="utf-8")
    assert norway_fat_json.detect(str(p))
    errors = [i.error for i in norway_fat_json.read(str(p), edition="2026") if i.error]
    assert len(errors) == 1 and "loop" in errors[0] and "A00-A09" in errors[0] and "A00" in errors[0], errors
    db = tmp_path / "k.db"
    r = CliRunner().invoke(main, ["import", str(p), "--db", str(db), "--edition", "2026"])
    assert r.exit_code == 1 and "Traceback" not in r.output and "loop" in r.output, r.output


def test_a_procedure_table_parent_loop_is_refused(tmp_path):
    p = tmp_path / "NCSP-looped.csv"
    p.write_text("Kode;Tekst;Foreldrekode;Gyldig fra\nAAA10;a;ABB10;2020-01-01\nABB10;b;ACC10;2020-01-01\n"
                 "ACC10;c;AAA10;2020-01-01\n", encoding="utf-8")
    items = list(procedure_table.read(str(p), edition="2026"))
    errors = [i.error for i in items if i.error]
    assert errors and all("loop" in e for e in errors) and not [i for i in items if i.resource], errors
