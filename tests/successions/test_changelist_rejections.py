"""Change lists that would lose or garble values are refused: file, row, line and problem named, store unchanged."""
from __future__ import annotations

import json

import pytest

from terminology.errors import ImportRejected
from terminology.loader import import_paths

from .conftest import SEED_CHANGES

HEADER = "codebook,edition,kind,code,successor,successor_codebook,old_text,new_text,text_part,note\n"


def _refused(store, path) -> str:
    before = [(h.type, h.id, h.rev) for h in store.headers()]
    with pytest.raises(ImportRejected) as e:
        import_paths(store, [str(path)])
    assert "nothing was changed" in e.value.message
    assert [(h.type, h.id, h.rev) for h in store.headers()] == before
    return e.value.message


def test_csv_row_with_more_values_than_the_header_is_refused(tmp_path, store):
    import_paths(store, [SEED_CHANGES])          # the store holds something that must stay as it was
    p = tmp_path / "changes.csv"
    # an unquoted comma in the note: the text after it would have been dropped without a word
    p.write_text(HEADER + "NCMP,2021,new,OK1,,,,Ny kode,,\n"
                 "NCMP,2021,retired,ZWUU40,,,Bruk av telemedisin,,,utgår, se ISF-regelverket\n", encoding="utf-8")
    msg = _refused(store, p)
    assert f"{p}:row 3, line 3" in msg
    assert "1 value(s) more than the header has columns" in msg and "' se ISF-regelverket'" in msg


def test_line_is_where_the_row_starts_after_a_multi_line_text(tmp_path, store):
    p = tmp_path / "changes.csv"
    p.write_text(HEADER + 'NCMP,2021,text,WMAA10,,,"Se ISF-regelverket\nfor bruk",Ny,subtext,\n'
                 "NCMP,2021,new,AXDP05,,,,Video-hodeimpulstest,,seed 003,extra\n", encoding="utf-8")
    msg = _refused(store, p)
    # spreadsheet row 3 starts on line 4 of the file (row 2 spans lines 2-3)
    assert f"{p}:row 3, line 4" in msg and "'extra'" in msg


def test_trailing_empty_cells_lose_nothing_and_are_accepted(tmp_path, store):
    p = tmp_path / "changes.csv"
    p.write_text(HEADER + "NCMP,2021,retired,ZWUU40,,,Bruk av telemedisin,,,seed 003,,\n", encoding="utf-8")
    report = import_paths(store, [str(p)])
    assert [a[1] for a in report.added] == ["changes-ncmp-2021"]


@pytest.mark.parametrize("field, value, problem", [
    ("note", {"source": "seed 003"}, "'note' must be text, not an object"),
    ("code", ["ZWUU40"], "'code' must be text, not a list"),
    ("successor", {"code": "JAGD55"}, "'successor' must be a code or a list of codes, not an object"),
    ("successor", ["JAGD55", {"code": "RXGD55"}], "'successor' must be a code or a list of codes, not an object"),
])
def test_json_non_scalar_values_are_refused_not_stringified(tmp_path, store, field, value, problem):
    import_paths(store, [SEED_CHANGES])
    good = {"codebook": "NCMP", "edition": "2021", "kind": "new", "code": "AXDP05"}
    bad = {"codebook": "Saerkoder", "edition": "2021", "kind": "replaced", "code": "A0093",
           "successor": ["JAGD55"], "successor_codebook": "NCMP"}
    bad[field] = value
    p = tmp_path / "changes.json"
    p.write_text(json.dumps({"format": "kodebro-changelist", "version": 1, "changes": [good, bad]}, indent=1),
                 encoding="utf-8")
    msg = _refused(store, p)
    # with indent=1 the second entry of "changes" starts on line 11
    assert f"{p}:row 2, line 11" in msg and problem in msg


def test_bare_json_list_rows_name_their_line(tmp_path, store):
    p = tmp_path / "changes.json"
    p.write_text('[{"codebook": "NCMP", "edition": "2021", "kind": "new", "code": "AXDP05"},\n\n'
                 ' {"codebook": "NCMP", "edition": "2021", "kind": "new", "code": "MAFX11", "note": [1, 2]}]',
                 encoding="utf-8")
    msg = _refused(store, p)
    assert f"{p}:row 2, line 3" in msg and "'note' must be text, not a list: [1, 2]" in msg


def test_numbers_are_still_read_as_text(tmp_path, store):
    p = tmp_path / "changes.json"
    p.write_text(json.dumps([{"codebook": "NCMP", "edition": 2021, "kind": "retired", "code": "ZWUU40"}]),
                 encoding="utf-8")
    report = import_paths(store, [str(p)])
    assert [a[1] for a in report.added] == ["changes-ncmp-2021"]
