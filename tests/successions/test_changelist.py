"""Kodebro's change-list format: import of CSV and JSON, refusal of broken rows, the stored ConceptMaps."""
from __future__ import annotations

import json

import pytest

from mappings.changelist import parse_row, rows_from_conceptmap, to_conceptmaps
from terminology import Catalog
from terminology.errors import ImportRejected
from terminology.identifiers import NCMP, NCRP, SAERKODER
from terminology.loader import import_paths

from .conftest import SEED_CHANGES

HEADER = "codebook,edition,kind,code,successor,successor_codebook,old_text,new_text,text_part,note\n"


def test_seed_change_list_becomes_one_conceptmap_per_codebook_and_edition(store):
    report = import_paths(store, [SEED_CHANGES])
    ids = sorted(rid for _t, rid, _u, _v in report.added)
    assert ids == ["changes-ncmp-2020", "changes-ncmp-2021", "changes-ncrp-2017", "changes-ncsp-2017",
                   "changes-saerkoder-2020", "changes-saerkoder-2021"]
    cm = Catalog(store).resource("ConceptMap", "https://kodebro.no/fhir/ConceptMap/changes-ncrp-2017")
    group = cm["group"][0]
    assert (group["source"], group["sourceVersion"], group["target"], group["targetVersion"]) == \
        (NCRP, "2016", NCRP, "2017")
    assert group["unmapped"] == {"mode": "provided"}
    el = next(e for e in group["element"] if e["code"] == "SAA0AE")
    assert el["target"][0]["code"] == "SAA0AP" and el["target"][0]["equivalence"] == "wider"


def test_stored_form_keeps_every_column(store):
    import_paths(store, [SEED_CHANGES])
    cat = Catalog(store)
    rows = [r for cm in cat.conceptmaps() for r in rows_from_conceptmap(cm)]
    assert len(rows) == 83
    b14 = next(r for r in rows if r.code == "B0014")
    assert (b14.codebook, b14.edition, b14.kind, b14.successor_codebook) == (SAERKODER, "2020", "split", NCMP)
    assert b14.successor == ["IBBA15", "IBBB15", "IBBD15", "IBBH15"] and "2020" in b14.note
    wmaa = [r for r in rows if r.code == "WMAA10"]
    assert {(r.text_part, r.old_text, r.new_text.split("\n")[0]) for r in wmaa} == {
        ("display", "Tverrfaglig utredning", "Tverrfaglig utredning av ukjent tilstand"),
        ("subtext", "Se ISF-regelverket for bruk av denne koden.",
         "Utredning av ikke tidligere diagnostisert tilstand")}


def test_csv_with_short_names_semicolons_and_several_successors(tmp_path, store):
    p = tmp_path / "changes.csv"
    p.write_text("codebook;edition;kind;code;successor;successor_codebook;note\n"
                 "NCRP;2017;merged;SAA0AE;SAA0AP;;seed 001\n"
                 "Saerkoder;2020;split;B0009;WPBA10 | WPBA15;NCMP;seed 003\n", encoding="utf-8")
    report = import_paths(store, [str(p)])
    assert len(report.added) == 2
    rows = [r for cm in Catalog(store).conceptmaps() for r in rows_from_conceptmap(cm)]
    assert next(r for r in rows if r.code == "B0009").successor == ["WPBA10", "WPBA15"]


def test_json_change_list(tmp_path, store):
    p = tmp_path / "changes.json"
    p.write_text(json.dumps({"format": "kodebro-changelist", "version": 1, "changes": [
        {"codebook": "NCMP", "edition": "2021", "kind": "replaced", "code": "A0093", "successor": ["JAGD55"],
         "successor_codebook": "NCMP", "note": "x"},
        {"codebook": NCMP, "edition": "2021", "kind": "retired", "code": "ZWUU40", "old_text": "Bruk av telemedisin"},
    ]}), encoding="utf-8")
    report = import_paths(store, [str(p)])
    assert [a[1] for a in report.added] == ["changes-ncmp-2021"]


@pytest.mark.parametrize("row, reason", [
    ("NCMP,2021,renamed,X1,,,,,,", "kind 'renamed' is not one of"),
    ("NCMP,,retired,X1,,,,,,", "edition is missing"),
    ("NCMP,2021,replaced,X1,,,,,,", "needs a successor"),
    ("NCMP,2021,retired,X1,Y1,,,,,", "takes no successor"),
    ("NCMP,2021,split,X1,Y1,,,,,", "at least two"),
    ("NCMP,2021,merged,X1,Y1|Y2,,,,,", "exactly one successor"),
    ("NCMP,2021,moved,X1,Y1,NCMP,,,,", "different from codebook"),
    ("NCMP,2021,text,X1,,,,,,", "old_text and/or new_text"),
    (",2021,new,X1,,,,,,", "codebook is missing"),
    ("NCMP,2021,text,X1,,,a,b,title,", "text_part 'title'"),
])
def test_broken_rows_refuse_the_whole_file_naming_row_and_reason(tmp_path, store, row, reason):
    p = tmp_path / "bad.csv"
    p.write_text(HEADER + "NCMP,2021,new,OK1,,,,Ny kode,,\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as e:
        import_paths(store, [str(p)])
    assert "nothing was changed" in e.value.message
    assert f"{p}:row 3" in e.value.message and reason in e.value.message
    assert store.headers() == []


def test_broken_json_rows_are_numbered_from_one(tmp_path, store):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"format": "kodebro-changelist", "changes": [
        {"codebook": "NCMP", "edition": "2021", "kind": "new", "code": "A"},
        {"codebook": "NCMP", "edition": "2021", "kind": "new", "code": "B", "colour": "blue"}]}), encoding="utf-8")
    with pytest.raises(ImportRejected) as e:
        import_paths(store, [str(p)])
    assert "row 2" in e.value.message and "unknown column(s) colour" in e.value.message


def test_roundtrip_rows_conceptmaps_rows():
    raw = {"codebook": "NCRP", "edition": "2017", "kind": "merged", "code": "SAA0AF", "successor": "SAA0AP",
           "old_text": "CTV Venografi av caput", "new_text": "CTANG angiografi av caput", "note": "seed 001"}
    change, why = parse_row(raw)
    assert why is None
    (cm,) = to_conceptmaps([change])
    assert rows_from_conceptmap(cm) == [change]


def test_two_change_lists_for_one_codebook_edition_are_refused_not_overwritten(store, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(HEADER + "NCMP,2021,retired,AAA00,,,,,,\n")
    b.write_text(HEADER + "NCMP,2021,retired,CCC00,,,,,,\n")
    with pytest.raises(ImportRejected) as exc:
        import_paths(store, [str(a), str(b)])
    assert "b.csv" in exc.value.rejected[0][0] and "a.csv" in exc.value.rejected[0][2]
    assert store.headers() == []
