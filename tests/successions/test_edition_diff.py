"""One set of rules for comparing editions: the succession graph, derived ConceptMaps and diff-editions agree."""
from __future__ import annotations

import csv
import io
import json
import os

from click.testing import CliRunner

from mappings.changelist import EXT_CHANGELIST, Change, rows_from_conceptmap
from mappings.edition_diff import EditionCodes, diff, edition_changes
from mappings.edition_maps import derived_edition_maps
from mappings.succession import SuccessionGraph
from mappings.succession_build import graph_for
from scripts.cli import main
from terminology import Catalog
from terminology.codesystem import build_index
from terminology.identifiers import ICPC2, NCMP, NCRP
from terminology.loader import import_paths

from .conftest import HERE, ICPC2_EDITIONS


def _ncmp(year: str) -> EditionCodes:
    with open(os.path.join(HERE, f"ncmp-{year}.json"), encoding="utf-8") as fh:
        return EditionCodes.of(NCMP, year, build_index(json.load(fh)))


def _with_wmaa10_subtext(old: EditionCodes, new: EditionCodes) -> None:
    """The slices carry no undertekst: give WMAA10 the old and new one the 2021 change document states."""
    with open(os.path.join(HERE, "changes-seed.csv"), encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["code"] == "WMAA10" and r["text_part"] == "subtext")
    old.subtext["WMAA10"], new.subtext["WMAA10"] = row["old_text"], row["new_text"]


def _codebook(cm: dict) -> str | None:
    """The codebook a change-list map is about, from its extension (a map of a pair without changes has no group)."""
    (ext,) = [e for e in cm["extension"] if e["url"] == EXT_CHANGELIST]
    return next(p["valueUri"] for p in ext["extension"] if p["url"] == "codebook")


def _key(c: Change) -> tuple:
    return (c.kind, c.code, c.text_part, c.old_text, c.new_text)


def test_graph_derived_maps_and_cli_derive_the_same_rows(db_path, store):
    import_paths(store, ICPC2_EDITIONS)
    cat = Catalog(store)
    sg = graph_for(cat)
    in_graph = set()
    for u, v, d in sg.g.edges(data=True):
        if d.get("derived") and u[0] == ICPC2:
            in_graph.add((d["kind"], u[1], d["text_part"], d["old_text"], d["new_text"]))
    from_cli = {_key(c) for c in edition_changes(cat, ICPC2, "2024", "2025")}
    (cm,) = [m for m in derived_edition_maps(cat).values() if m["group"][0]["source"] == ICPC2]
    in_map = {_key(c) for c in rows_from_conceptmap(cm)}
    assert in_graph == from_cli == in_map
    assert ("new", "U891", "display", None, "Nyresvikt") in in_graph and len(in_graph) == 4


def test_draft_gives_stated_merges_not_derived_retirements(db_path, seeded):
    r = CliRunner().invoke(main, ["diff-editions", "--db", db_path, "--system", "NCRP", "--from", "2016",
                                  "--to", "2017"])
    assert r.exit_code == 0, r.output
    rows = {(x["kind"], x["code"], x["successor"]) for x in csv.DictReader(io.StringIO(r.stdout))}
    assert ("merged", "SAA0AE", "SAA0AP") in rows and ("merged", "SAA0AF", "SAA0AP") in rows
    assert not any(kind == "retired" for kind, *_ in rows)
    # NCRP slices are fragments: what they leave out proves nothing, and the curator is told so
    assert "edition 2016 is a fragment" in r.stderr


def test_draft_lists_each_stated_row_once_with_its_source_note(seeded):
    cat = Catalog(seeded)
    rows = edition_changes(cat, NCMP, "2020", "2021", with_stated=True)
    keys = [(c.kind, c.code, c.text_part) for c in rows]
    assert len(keys) == len(set(keys))
    zwuu = next(c for c in rows if c.code == "ZWUU40")
    assert zwuu.kind == "retired" and "seed 003" in zwuu.note
    assert next(c for c in rows if c.code == "OAEA00").kind == "reactivated"


def test_a_change_stated_between_two_loaded_editions_wins():
    # NCMP 2019 and 2021 loaded, 2020 not: the change list says ZWUU40 went in 2020 (an invented date
    # for this test); comparing 2019 with 2021 must not retire it a second time in 2021
    sg = SuccessionGraph()
    sg.add_change(Change(NCMP, "2020", "retired", "ZWUU40", note="stated"))
    sg.add_snapshot(_ncmp("2019"))
    sg.add_snapshot(_ncmp("2021"))
    sg.derive_from_editions()
    events = [(ed, kind, derived) for ed, kind, _o, _n, _p, _note, derived in sg.local_events((NCMP, "ZWUU40"))]
    assert events == [("2020", "retired", False)]
    assert [k for _e, k, *_ in sg.local_events((NCMP, "WMAA11"))] == ["new"]


def test_a_later_retirement_does_not_make_a_new_code_reactivated():
    sg = SuccessionGraph()
    sg.add_change(Change(NCMP, "2023", "retired", "WMAA11", note="stated, later than the editions compared"))
    sg.add_snapshot(_ncmp("2020"))
    sg.add_snapshot(_ncmp("2021"))
    sg.derive_from_editions()
    assert [(e, k) for e, k, *_ in sg.local_events((NCMP, "WMAA11"))] == [("2021", "new"), ("2023", "retired")]


def test_rules_inactive_fragment_subtext():
    old, new = _ncmp("2020"), _ncmp("2021")
    # a code the older edition lists as inactive comes back: reactivated, not new
    old.inactive = frozenset({"WMAA11"})
    got = {(c.kind, c.code) for c in diff(old, new)}
    assert ("reactivated", "WMAA11") in got and ("new", "AXDP05") in got
    assert ("retired", "ZWUU40") in got
    # a fragment proves no absence, but one that lists a code as inactive says it went
    frag = EditionCodes(NCMP, "2021", dict(new.active), dict(new.subtext), frozenset(), complete=False)
    del frag.active["WMAA10"]
    assert not any(c.code in ("ZWUU40", "WMAA10") for c in diff(old, frag))
    frag.inactive = frozenset({"WMAA10"})
    assert ("retired", "WMAA10") in {(c.kind, c.code) for c in diff(old, frag)}
    # the subtext (CodeSystem definition) is compared as well as the display
    _with_wmaa10_subtext(old, new)
    parts = {(c.code, c.text_part) for c in diff(old, new) if c.kind == "text"}
    assert ("WMAA10", "display") in parts and ("WMAA10", "subtext") in parts
    # and whatever a change list states for the pair wins
    stated = {("ZWUU40", "gone"), ("WMAA10", "text"), ("AXDP05", "new")}
    left = {(c.kind, c.code, c.text_part) for c in diff(old, new, stated=stated)}
    assert ("retired", "ZWUU40") not in left and ("new", "AXDP05") not in left
    assert ("text", "WMAA10", "display") not in left and ("text", "WMAA10", "subtext") in left


def test_graph_derives_subtext_changes_like_the_draft():
    sg = SuccessionGraph()
    old, new = _ncmp("2020"), _ncmp("2021")
    _with_wmaa10_subtext(old, new)
    sg.add_snapshot(old)
    sg.add_snapshot(new)
    sg.derive_from_editions()
    parts = [(k, p) for _e, k, _o, _n, p, _note, _d in sg.local_events((NCMP, "WMAA10"))]
    assert ("text", "subtext") in parts and ("text", "display") in parts


def test_ncrp_draft_reimport_keeps_the_merges(db_path, seeded, tmp_path):
    out = tmp_path / "draft.csv"
    r = CliRunner().invoke(main, ["diff-editions", "--db", db_path, "--system", "NCRP", "--from", "2016",
                                  "--to", "2017", "--out", str(out)])
    assert r.exit_code == 0, r.output
    import_paths(seeded, [str(out)])
    cat = Catalog(seeded)
    sg = graph_for(cat)
    assert [v for v, _d in sg.successors((NCRP, "SAA0AE"))] == [(NCRP, "SAA0AP")]


def _editions(tmp_path, store, url: str, editions: dict, changes: str = "") -> Catalog:
    """Complete editions {year: codes} of `url` (each code's display is its upper case), and change list rows."""
    paths = []
    for year, codes in editions.items():
        p = tmp_path / f"cs-{len(paths)}.json"
        p.write_text(json.dumps({
            "resourceType": "CodeSystem", "id": f"cs-{len(paths)}", "url": url, "version": year, "status": "active",
            "content": "complete", "concept": [{"code": c, "display": c.upper()} for c in codes]}))
        paths.append(str(p))
    if changes:
        p = tmp_path / "changes.csv"
        p.write_text("codebook,edition,kind,code,successor,successor_codebook,old_text,new_text,text_part,note\n"
                     + changes, encoding="utf-8")
        paths.append(str(p))
    import_paths(store, paths)
    return Catalog(store)


def test_a_code_new_between_the_two_editions_compared_is_new(tmp_path, store):
    url = "http://x/cs"
    cat = _editions(tmp_path, store, url, {"2016": "ab", "2019": "abn", "2021": "abn"})
    assert [(c.kind, c.code) for c in edition_changes(cat, url, "2016", "2021")] == [("new", "n")]
    assert [(c.kind, c.code) for c in edition_changes(cat, url, "2016", "2019")] == [("new", "n")]
    assert edition_changes(cat, url, "2019", "2021") == []
    # the succession graph and the derived adjacent-edition ConceptMaps say n came in 2019
    sg = graph_for(cat)
    assert [(e, k, d) for e, k, *_rest, d in sg.local_events((url, "n"))] == [("2019", "new", True)]
    # a pair without changes (2019 -> 2021) is now served as a map with no group (review s16 M5): read the
    # codebook from the change-list extension, which every derived map carries
    maps = [m for m in derived_edition_maps(cat).values() if _codebook(m) == url]
    assert [(m["version"], {_key(c) for c in rows_from_conceptmap(m)}) for m in maps] == [
        ("2019", {("new", "n", "display", None, "N")}), ("2021", set())]


def test_a_retirement_stated_between_the_editions_compared_is_not_before_them(tmp_path, store):
    url = "http://x/cs"
    cat = _editions(tmp_path, store, url, {"2016": "ab", "2019": "abn", "2021": "abn"},
                    f"{url},2020,retired,n,,,,,,stated\n")
    assert [(c.kind, c.code) for c in edition_changes(cat, url, "2016", "2021")] == [("new", "n")]
    assert [(e, k) for e, k, *_ in graph_for(cat).local_events((url, "n"))] == [("2019", "new"), ("2020", "retired")]


def test_a_retirement_stated_between_adjacent_editions_is_before_the_newer(tmp_path, store):
    # no edition loaded between 2016 and 2021: m went out in 2019 and is back, in all three views
    url = "http://x/cs"
    cat = _editions(tmp_path, store, url, {"2016": "a", "2021": "am"}, f"{url},2019,retired,m,,,,,,stated\n")
    assert [(c.kind, c.code) for c in edition_changes(cat, url, "2016", "2021")] == [("reactivated", "m")]
    events = [(e, k, d) for e, k, *_rest, d in graph_for(cat).local_events((url, "m"))]
    assert events == [("2019", "retired", False), ("2021", "reactivated", True)]
    maps = [m for m in derived_edition_maps(cat).values() if _codebook(m) == url]
    assert [(c.kind, c.code) for m in maps for c in rows_from_conceptmap(m)] == [("reactivated", "m")]
