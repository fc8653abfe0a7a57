"""A code subdivided between two editions (review s16 H2): R17 and D38.5, reportable in 2019, are in 2026 WHO
groupings over new codes. The draft change list, the history, $translate and the derived ConceptMap all say
`split` (narrower, one target per new code), marked derived, and never a text change to WHO's English text.
Data: tests/data/subdivisions (real rows; README says what was cut)."""
from __future__ import annotations

import csv
import io
import os

import pytest
from click.testing import CliRunner

from mappings.changelist import rows_from_conceptmap
from mappings.edition_diff import DERIVED_SPLIT, EditionCodes, diff, edition_changes
from mappings.edition_maps import derived_edition_maps
from mappings.succession_build import graph_for
from mappings.succession_history import code_history, summary_lines
from mappings.translate import TranslateRequest, translate
from scripts.cli import main
from terminology import Catalog
from terminology.identifiers import ICD10_NO
from terminology.loader import import_paths

from tests.conftest import DATA

HERE = os.path.join(DATA, "subdivisions")
EDITIONS = [os.path.join(HERE, f"navikt-ICD10-{y}-cut.json") for y in ("2019", "2026")]
WHO_R17 = "Hyperbilirubinaemia, with or without jaundice, not elsewhere classified"


@pytest.fixture
def loaded(store):
    import_paths(store, EDITIONS)
    return store


def _translate(cat, code, version="2019", target_version="2026"):
    return translate(cat, TranslateRequest(code=code, system=ICD10_NO, version=version, target_system=ICD10_NO,
                                           target_version=target_version))


def test_the_draft_says_split_not_a_text_change(db_path, loaded):
    r = CliRunner().invoke(main, ["diff-editions", "--db", db_path, "--system", "ICD10NO", "--from", "2019",
                                  "--to", "2026"])
    assert r.exit_code == 0, r.output
    rows = [(x["kind"], x["code"], x["successor"]) for x in csv.DictReader(io.StringIO(r.stdout))]
    assert ("split", "R17", "R170|R179") in rows and ("split", "D385", "D3850|D3851") in rows
    # no text row for the WHO display, and the new codes are the split's, not new codes of their own
    assert not any(kind == "text" for kind, *_ in rows)
    assert not any(code in ("R170", "R179", "D3850", "D3851") for _k, code, _s in rows)
    assert WHO_R17 not in r.stdout


def test_translate_answers_the_new_codes_narrower_and_derived(loaded):
    res = _translate(Catalog(loaded), "R17")
    assert res.result is True
    assert sorted((m.code, m.equivalence) for m in res.matches) == [("R170", "narrower"), ("R179", "narrower")]
    for m in res.matches:
        steps = [e for e in m.extensions if e["url"].endswith("succession-step")]
        parts = {p["url"]: p for p in steps[0]["extension"]}
        assert parts["kind"]["valueCode"] == "split" and parts["derived"]["valueBoolean"] is True
        # the draft note says "derived" once (review s16 re-check N8: it read "derived: subdivided; derived from")
        assert parts["note"]["valueString"].startswith("derived: subdivided: R17 is a grouping in 2026 over R170")
        assert parts["note"]["valueString"].count("derived") == 1
        assert DERIVED_SPLIT in m.comment
    # and back: a 2026 code walks back to the code it was carved out of
    back = _translate(Catalog(loaded), "R179", "2026", "2019")
    assert [(m.code, m.equivalence) for m in back.matches] == [("R17", "narrower")]


def test_history_names_the_split_and_shows_the_who_text_as_a_grouping(loaded):
    h = code_history(Catalog(loaded), ICD10_NO, "R17")
    splits = [ev for ev in h["events"] if ev["kind"] == "split"]
    assert sorted(ev["to"]["code"] for ev in splits) == ["R170", "R179"] and all(ev["derived"] for ev in splits)
    lines = "\n".join(summary_lines(h))
    assert f'2026: grouping "{WHO_R17}" (WHO ICD-10 grouping, English)' in lines
    assert f'text "{WHO_R17}"' not in lines


def test_derived_map_has_the_split(loaded):
    (cm,) = derived_edition_maps(Catalog(loaded)).values()
    (el,) = [e for e in cm["group"][0]["element"] if e["code"] == "R17"]
    assert [(t["code"], t["equivalence"]) for t in el["target"]] == [("R170", "narrower"), ("R179", "narrower")]
    assert all(DERIVED_SPLIT in t["comment"] for t in el["target"])
    assert "subdivided" in cm["description"]


def test_graph_map_and_draft_agree(loaded):
    cat = Catalog(loaded)
    sg = graph_for(cat)
    in_graph = {(d["kind"], u[1], v[1]) for u, v, d in sg.g.edges(data=True) if d.get("derived")}
    drafted = {(c.kind, c.code, s) for c in edition_changes(cat, ICD10_NO, "2019", "2026") for s in c.successor}
    (cm,) = derived_edition_maps(cat).values()
    in_map = {(c.kind, c.code, s) for c in rows_from_conceptmap(cm) for s in c.successor}
    assert in_graph == drafted == in_map == {("split", "R17", "R170"), ("split", "R17", "R179"),
                                             ("split", "D385", "D3850"), ("split", "D385", "D3851")}


def _codes(edition, active, groupings=None, who=(), complete=True):
    return EditionCodes(ICD10_NO, edition, active, {}, frozenset(), complete, groupings=groupings or {},
                        who=frozenset(who))


def test_rules():
    old = _codes("2026", {"K635": "Polypp i tykktarm", "K63": "Andre tarmsykdommer"}, {"K63": ["K635"]})
    # one new code under the grouping: replaced (a split names alternatives), derived
    one = _codes("2027", {"K635": "Polyp of colon", "K6350": "a", "K63": "Andre tarmsykdommer"},
                 {"K63": ["K635"], "K635": ["K6350"]}, who={"K635"})
    assert [(c.kind, c.code, c.successor) for c in diff(old, one)] == [("replaced", "K635", ["K6350"])]
    # a grouping whose codes below all existed already: no split, and still no text row for WHO's text
    none = _codes("2027", {"K635": "Polyp of colon", "K63": "Andre tarmsykdommer"}, {"K63": ["K635"]},
                  who={"K635"})
    none.groupings["K635"] = []
    assert diff(old, none) == []
    # a fragment older edition proves no code below new
    frag = _codes("2026", dict(old.active), dict(old.groupings), complete=False)
    assert diff(frag, one) == []
    # what a change list states for the code wins
    assert not any(c.code == "K635" for c in diff(old, one, stated={("K635", "gone")}))


def test_a_grouping_walked_to_is_named_as_one(store):
    # the real 2026 rows loaded as 2026 and, unchanged, as 2027: R17 is a grouping in both, so the walk is
    # `equal`, and the answer says what ICD-10-NO's target check says of any map into a grouping
    import_paths(store, [EDITIONS[1]])
    import_paths(store, [EDITIONS[1]], edition="2027")
    res = _translate(Catalog(store), "R17", "2026", "2027")
    assert [(m.code, m.equivalence) for m in res.matches] == [("R17", "equal")]
    assert "R17 is a grouping in ICD-10-NO 2027, not a reportable code; choose one of R17.0, R17.9" in res.message
    assert "R17 is a grouping" in res.matches[0].comment
