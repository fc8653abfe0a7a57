"""Mends of the final read of the SNOMED CT work (final-read17-snomed): conceptMapVersion on the association maps
without a url, one answer for a SNOMED CT version that is not loaded, one reader of the edition URI, the refset a
change comes from kept as data, a match source naming the edition it was read from, and the lineage graphs built
with the shared graph's GC handling.

Data as in test_succession_lineages: `three` = INT 20180731 + SE lite 20240301 (75521003 SAME AS 362969004) + NO
20250415 (the default edition); `multi2` = INT 20250101 (155574008 REPLACED BY 75570004) + NO 20250415 (repointed
to 233604007, the default edition)."""
from __future__ import annotations

import gc
import sys

import pytest

from .conftest import INT_2018, INT_2025, NO_2025, NO_NOT_LOADED, SE_2024, SNOMED
from .test_succession_lineages import _codes, _result

SAME_AS = "900000000000527005"
REPLACED_BY = "900000000000526001"
ICD10 = "http://hl7.org/fhir/sid/icd-10"






def _translate(client, **qs):
    return client.get("/fhir/ConceptMap/$translate", query_string=qs)


def _sources(body) -> list[str]:
    return [q["valueUri"] for m in body["parameter"] if m["name"] == "match"
            for q in m["part"] if q["name"] == "source"]


def _issue_text(body) -> str:
    return " ".join((i.get("details") or {}).get("text") or i.get("diagnostics") or "" for i in body["issue"])


# --- 1. conceptMapVersion picks the edition of the association maps asked without a url ---------------------------

def test_a_snomed_conceptmap_version_picks_the_edition_of_the_association_maps(three):
    r = _translate(three, system=SNOMED, code="75521003", targetsystem=SNOMED, conceptMapVersion=SE_2024)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert _result(body) is True and _codes(body) == ["362969004"], body
    # the map answered is the Swedish edition's, not the default edition's (which has no such row)
    assert _sources(body) == [f"{SE_2024}?fhir_cm={SAME_AS}"], body


def test_a_conceptmap_version_of_the_default_edition_names_the_bare_map(three):
    body = _translate(three, system=SNOMED, code="155574008", targetsystem=SNOMED, conceptMapVersion=NO_2025).get_json()
    assert _codes(body) == ["75570004"], body
    assert _sources(body) == [f"{SNOMED}?fhir_cm={REPLACED_BY}"], body


def test_a_snomed_conceptmap_version_not_loaded_is_a_404_naming_the_loaded_editions(three):
    r = _translate(three, system=SNOMED, code="155574008", targetsystem=SNOMED, conceptMapVersion=NO_NOT_LOADED)
    assert r.status_code == 404, r.get_json()
    text = _issue_text(r.get_json())
    assert NO_NOT_LOADED in text and "is not loaded" in text and SE_2024 in text and NO_2025 in text, text


# --- 6. a SNOMED CT version that is not loaded: one answer, whatever the target --------------------------------

@pytest.mark.parametrize("target", [{}, {"targetsystem": SNOMED}, {"targetsystem": ICD10},
                                    {"targetsystem": SNOMED, "target-version": NO_2025}])
def test_a_version_not_loaded_is_one_404_naming_every_loaded_edition(three, target):
    r = _translate(three, system=SNOMED, code="155574008", version=NO_NOT_LOADED, **target)
    assert r.status_code == 404, r.get_json()
    text = _issue_text(r.get_json())
    assert f"SNOMED CT {NO_NOT_LOADED} is not loaded; loaded:" in text, text
    assert all(e in text for e in (INT_2018, SE_2024, NO_2025)), text


def test_a_target_version_not_loaded_is_a_404(three):
    r = _translate(three, system=SNOMED, code="155574008", version=NO_2025, targetsystem=SNOMED,
                   **{"target-version": NO_NOT_LOADED})
    assert r.status_code == 404, r.get_json()
    assert f"SNOMED CT {NO_NOT_LOADED} is not loaded" in _issue_text(r.get_json())


# --- 3. one reader of the edition URI ---------------------------------------------------------------------------

def test_the_succession_graph_reads_edition_uris_with_the_implicit_url_rule():
    from mappings import snomed_history
    from terminology.snomed import implicit
    assert snomed_history.module_of is implicit.module_of
    assert implicit.module_of(NO_2025) == "51000202101"
    assert implicit.module_of("http://snomed.info/sct/51000202101") == "51000202101"
    # ASCII digits only, and no trailing slash: the rule of every other SNOMED CT URL reader
    assert implicit.module_of("http://snomed.info/sct/\u0665\u0661\u0660\u0660\u0660\u0660/version/20250415") is None
    assert implicit.module_of("http://snomed.info/sct/51000202101/") is None


# --- 4. the refset a change comes from is data, not note text -----------------------------------------------------

def test_a_change_keeps_the_refsets_that_state_it(three_catalog):
    from mappings.snomed_history import changes_of
    cs = three_catalog.codesystem(SNOMED, SE_2024)
    got = {c.code: c for c in changes_of(cs)}
    assert got["75521003"].refsets == (SAME_AS,)
    assert all(c.refsets == () for c in got.values() if c.kind == "retired")


def test_the_source_of_a_step_is_read_from_its_edge_not_its_note(three_catalog):
    from mappings.snomed_history import SnomedLineages
    edge = {"refsets": (REPLACED_BY,), "edition": SE_2024, "note": "reworded by a later change"}
    assert SnomedLineages.source_of(three_catalog, edge) == f"{SE_2024}?fhir_cm={REPLACED_BY}"
    assert SnomedLineages.source_of(three_catalog, dict(edge, edition=NO_2025)) == f"{SNOMED}?fhir_cm={REPLACED_BY}"
    # two refsets state it: no one map does
    assert SnomedLineages.source_of(three_catalog, dict(edge, refsets=(REPLACED_BY, SAME_AS))) is None


# --- 5. a match source names the edition it was read from ---------------------------------------------------------



def test_a_step_of_a_non_default_edition_names_that_editions_map(multi2_catalog):
    # no sample walk steps over an international row an extension repoints, so the step is made from the
    # Norwegian lineage's own edges: INT 20250101 155574008 -> 75570004, NO 20250415 (the default) -> 233604007
    from mappings.succession import Path, Step
    from mappings.succession_build import build_from_catalog
    from mappings.succession_translate import _source_map
    sg = build_from_catalog(multi2_catalog).lineages[SNOMED].graph("51000202101")
    old = (SNOMED, "155574008")
    for edition, target, source in ((INT_2025, "75570004", f"{INT_2025}?fhir_cm={REPLACED_BY}"),
                                    (NO_2025, "233604007", f"{SNOMED}?fhir_cm={REPLACED_BY}")):
        assert sg.g.has_edge(old, (SNOMED, target), key=edition)
        path = Path((SNOMED, target), (Step(edition, "replaced", old, (SNOMED, target)),))
        assert _source_map(multi2_catalog, sg, path) == source


def test_a_step_of_the_default_edition_names_the_bare_map(three):
    body = _translate(three, system=SNOMED, code="75570004", version=NO_2025, targetsystem=SNOMED,
                      **{"target-version": INT_2018}).get_json()
    assert _sources(body) == [f"{SNOMED}?fhir_cm={REPLACED_BY}"], body


# --- 2. the lineage graphs get the shared graph's GC handling -----------------------------------------------------

def _lineages(catalog):
    from mappings.succession_build import build_from_catalog
    sg = build_from_catalog(catalog)
    return sg, sg.lineages[SNOMED]


def test_a_lineage_graph_is_built_without_cyclic_gc_passes(three_catalog):
    _sg, lineages = _lineages(three_catalog)
    building = {"dated_changes", "changes_of", "add_changes", "add_snapshot", "derive_from_editions"}
    during = []

    def count(phase, _info):
        # a pass while the lineage's changes are read or its graph is filled (one after, when collection is on
        # again, is what any build gets)
        frame = sys._getframe(1)
        while phase == "start" and frame is not None:
            if frame.f_code.co_name in building:
                during.append(frame.f_code.co_name)
                break
            frame = frame.f_back
    threshold = gc.get_threshold()
    gc.set_threshold(1)     # a pass on every new container object, were collection on: the sample is small
    gc.callbacks.append(count)
    try:
        assert gc.isenabled()
        lineages.graph("51000202101")
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
    assert gc.isenabled()
    assert during == []


def test_a_lineage_graph_of_a_long_lived_graph_is_frozen_with_it(three_catalog):
    sg, lineages = _lineages(three_catalog)
    sg.long_lived = True
    gc.unfreeze()
    try:
        lineage = lineages.graph("45991000052106")
        assert gc.get_freeze_count() > 0
        assert lineage.long_lived is True
    finally:
        gc.unfreeze()       # the test process keeps nothing frozen


def test_a_lineage_graph_of_a_request_graph_is_not_frozen(three_catalog):
    _sg, lineages = _lineages(three_catalog)
    gc.unfreeze()
    lineages.graph("51000202101")
    assert gc.get_freeze_count() == 0
