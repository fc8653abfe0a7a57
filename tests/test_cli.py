"""CLI behaviour that crosses importers: --against reports map targets missing from an edition."""
import os

from click.testing import CliRunner

from scripts.cli import main
from tests.conftest import DATA

MAP = os.path.join(DATA, "norway", "ehelse-ICPC2_til_ICD-10_CSV_1_1_2019.txt")
ICD10 = os.path.join(DATA, "norway", "navikt-ICD10-2026.json")


def test_import_map_against_an_edition_names_missing_targets(tmp_path):
    r = CliRunner().invoke(main, ["import", MAP, "--against", ICD10,
                                  "--db", str(tmp_path / "k.db")])
    assert r.exit_code == 0, r.output
    assert "ConceptMap: 1 added" in r.output
    notes = [l for l in r.output.splitlines() if l.startswith("note:")]
    named = {code for code in ("D385", "D397", "D481", "D487", "R17", "K589", "T887", "Z299", "Z512")
             if any(f"target {code} " in n for n in notes)}
    assert len(named) == 9 and len(notes) == 9


def test_help_for_every_command():
    for name in main.commands:
        r = CliRunner().invoke(main, [name, "--help"])
        assert r.exit_code == 0 and "Usage:" in r.output
