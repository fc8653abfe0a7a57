"""Running `kodebro` in-process and reading a store back, for the import-safety tests."""
from __future__ import annotations

import os
import sqlite3

from click.testing import CliRunner

from scripts.cli import main
from tests.conftest import DATA
from terminology.hl7 import THO

NORWAY = os.path.join(DATA, "norway")
ICD10_NAV = os.path.join(NORWAY, "navikt-ICD10-2026.json")
ICD10_FAT = os.path.join(NORWAY, "fat-icd10-2026.json")
ICPC2_NAV = os.path.join(NORWAY, "navikt-ICPC2-2026.json")
PROCEDURES = os.path.join(NORWAY, "procedures-2017.csv")
PACKAGE = THO     # the THO package shipped in terminology/hl7/


def kodebro(*args):
    """(exit code, everything printed). A Python exception escaping the command fails the test: the house
    rule is a clear message, never a traceback."""
    r = CliRunner().invoke(main, [str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"kodebro {' '.join(map(str, args))} ended in {r.exception!r}:\n{r.output}")
    assert "Traceback" not in r.output
    return r.exit_code, r.output


def snapshot(db: str) -> list[str]:
    """The whole store as SQL text: equal snapshots mean nothing was written."""
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def concept_counts(db: str) -> dict:
    with sqlite3.connect(db) as conn:
        return {(url, ver): n for url, ver, n in conn.execute(
            "SELECT url, version, concept_count FROM resource WHERE type='CodeSystem'")}
