"""A `diff-editions` draft a curator can import (review s16 re-check N1): a span of editions is dated by the
adjacent pair of complete editions that shows each change, a reversed span is refused, and rows a curator left
as the draft wrote them (note 'derived: ...') stay derived after import instead of becoming curated facts.
Data: small ICD-10-NO editions written here (hand-made): B04's text changes in 2024 and again in 2027,
M19.06 leaves in 2026."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from mappings.edition_diff import edition_changes
from mappings.translate import TranslateRequest, translate
from scripts.cli import main
from terminology import Catalog
from terminology.errors import InvalidRequest
from terminology.loader import import_paths

from .conftest import ICD10_NO, concept, edition

TEXTS = {"2023": "Apekopper", "2024": "Apekopper (monkeypox)", "2025": "Apekopper (monkeypox)",
         "2026": "Apekopper (monkeypox)", "2027": "Mpox"}


def _year(y: str) -> dict:
    codes = [concept("A001", "Kolera"), concept("B04", TEXTS[y])]
    if y < "2026":
        codes.append(concept("M1906", "Primær artrose i ankel og fot"))
    return edition(y, "complete", codes)


@pytest.fixture
def span(tmp_path, store, db_path):
    paths = []
    for y in TEXTS:
        p = tmp_path / f"icd10no-{y}.json"
        p.write_text(json.dumps(_year(y)), encoding="utf-8")
        paths.append(str(p))
    import_paths(store, paths)
    return db_path


def _rows(cat, a, b):
    return sorted((c.edition, c.kind, c.code, c.new_text or "") for c in edition_changes(cat, ICD10_NO, a, b))


def test_a_span_is_dated_by_the_adjacent_pair_that_shows_each_row(span, store):
    assert _rows(Catalog(store), "2023", "2027") == [
        ("2024", "text", "B04", "Apekopper (monkeypox)"),
        ("2026", "retired", "M1906", ""),
        ("2027", "text", "B04", "Mpox"),
    ]


def test_a_span_draft_imported_back_says_what_translate_says(span, store, tmp_path):
    out = tmp_path / "draft.csv"
    r = CliRunner().invoke(main, ["diff-editions", "--db", span, "--system", "ICD10NO", "--from", "2023",
                                  "--to", "2027", "--out", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(x["edition"], x["code"]) for x in rows if x["kind"] == "retired"] == [("2026", "M1906")]


def test_from_later_than_to_is_refused(span, store):
    r = CliRunner().invoke(main, ["diff-editions", "--db", span, "--system", "ICD10NO", "--from", "2027",
                                  "--to", "2026"])
    assert r.exit_code == 1
    assert "2027" in r.output and "2026" in r.output and "later" in r.output
    assert "Traceback" not in r.output
    with pytest.raises(InvalidRequest):
        edition_changes(Catalog(store), ICD10_NO, "2027", "2026")
    r = CliRunner().invoke(main, ["diff-editions", "--help"])
    assert "earlier" in r.output


def _draft(span, tmp_path, a, b) -> str:
    out = tmp_path / f"draft-{a}-{b}.csv"
    r = CliRunner().invoke(main, ["diff-editions", "--db", span, "--system", "ICD10NO", "--from", a, "--to", b,
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    return str(out)


def _b04(store):
    res = translate(Catalog(store), TranslateRequest(code="B04", system=ICD10_NO, version="2026",
                                                     target_system=ICD10_NO, target_version="2027"))
    return [(m.code, m.equivalence) for m in res.matches]


def test_an_unedited_draft_does_not_turn_derived_rows_into_curated_ones(span, store, tmp_path):
    assert _b04(store) == [("B04", "inexact")]
    path = _draft(span, tmp_path, "2026", "2027")
    r = CliRunner().invoke(main, ["import", "--db", span, path])
    # nothing a curator confirmed: the import says so and stores no change list
    assert r.exit_code == 1
    assert "1 row" in r.output and "derived" in r.output
    assert _b04(store) == [("B04", "inexact")]


def test_a_checked_row_is_imported_and_the_report_counts_the_rest(span, store, tmp_path):
    path = _draft(span, tmp_path, "2025", "2027")
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    for x in rows:
        if x["code"] == "M1906":
            # the curator names the successor and keeps the draft's note: an edited row is the curator's
            x["kind"], x["successor"] = "replaced", "M1907"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    r = CliRunner().invoke(main, ["import", "--db", span, path])
    assert r.exit_code == 0, r.output
    assert "1 row" in r.output and "still marked derived" in r.output
    assert _b04(store) == [("B04", "inexact")]
    res = translate(Catalog(store), TranslateRequest(code="M19.06", system=ICD10_NO, version="2025",
                                                     target_system=ICD10_NO, target_version="2026"))
    assert [(m.code, m.equivalence) for m in res.matches] == [("M1907", "equivalent")]


def test_a_narrowed_subdivision_is_the_curators_row():
    """A drafted split the curator narrowed (R17 -> R17.9 only, as `replaced`) keeps the draft's note but names
    other successors than it: edited, so it is imported (review s16 C M2); the drafted rows stay derived."""
    from mappings.changelist import Change, still_derived
    note = "derived: subdivided: R17 is a grouping in 2026 over R170, R179, which 2019 lacks; confirm"
    assert still_derived(Change(ICD10_NO, "2026", "split", "R17", ["R170", "R179"], note=note))
    assert not still_derived(Change(ICD10_NO, "2026", "replaced", "R17", ["R179"], note=note))
    one = "derived: subdivided: D385 is a grouping in 2026 over D3851, which 2019 lacks; confirm"
    assert still_derived(Change(ICD10_NO, "2026", "replaced", "D385", ["D3851"], note=one))
