"""review-s14 F10: 'successors not named' is a change-list fact (column successors_unnamed), not a phrase of the
note, so rewording the note cannot change the $translate answer."""
from __future__ import annotations

import csv
import io
import os

from mappings.changelist import parse_row, read_csv_rows, rows_from_conceptmap, to_conceptmaps, write_csv
from mappings.succession import SuccessionGraph
from mappings.succession_translate import answer
from terminology.identifiers import SAERKODER

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _row(note, unnamed="true"):
    return {"codebook": "Saerkoder", "edition": "2017", "kind": "retired", "code": "6XX04", "note": note,
            "successors_unnamed": unnamed}


def _message(change):
    sg = SuccessionGraph()
    sg.add_changes([change])
    sg.add_edition(SAERKODER, "2016", {"6XX04": "x"})
    sg.add_edition(SAERKODER, "2018", {})
    return answer(None, sg, SAERKODER, "6XX04", "2016", SAERKODER, "2018").message


def test_the_flag_not_the_note_decides():
    for note in ("New VAD codes take over (seed 001).", None):
        change, why = parse_row(_row(note))
        assert why is None and change.successors_unnamed is True
        msg = _message(change)
        assert "its successors are not named in the change list" in msg and "without a successor" not in msg
    change, _why = parse_row(_row("Successors not named: the seed prints none.", unnamed=""))
    assert change.successors_unnamed is False
    assert "without a successor" in _message(change)


def test_the_flag_is_for_retired_rows_only():
    bad = dict(_row("x"), kind="replaced", successor="6XX05")
    change, why = parse_row(bad)
    assert change is None and "successors_unnamed" in why
    change, why = parse_row(_row("x", unnamed="maybe"))
    assert change is None and "successors_unnamed" in why


def test_the_flag_survives_csv_and_the_stored_conceptmaps():
    change, _why = parse_row(_row("x"))
    back = rows_from_conceptmap(to_conceptmaps([change])[0])
    assert back[0].successors_unnamed is True
    buf = io.StringIO()
    write_csv([change], buf)
    again, _why = parse_row(read_csv_rows(buf.getvalue())[0][1])
    assert again == change


def test_demo_csv_marks_6xx04_and_6xx05():
    with open(os.path.join(ROOT, "terminology", "demo", "succession-changes.csv"), encoding="utf-8") as f:
        rows = {r["code"]: r for r in csv.DictReader(f)}
    assert rows["6XX04"]["successors_unnamed"] == "true" and rows["6XX05"]["successors_unnamed"] == "true"
    assert not any(r["successors_unnamed"] for c, r in rows.items() if c not in ("6XX04", "6XX05"))


def test_relationship_reading_answers_its_dangling_rows():
    from terminology.snomed.rf2_release import DanglingRelationships
    got = DanglingRelationships(2, (5, "sourceId", "123"))
    assert got.count == 2 and got.first == (5, "sourceId", "123")
