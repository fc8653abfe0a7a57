"""SNOMED CT editions in the succession graph (review-cm2, "Outside these commits").

An edition's lineage is its own module and the international edition (every extension includes one), never
another country's extension: a walk between SNOMED CT versions stays within one lineage, and two editions of
different extensions are compared only through what each states. A change of an association refset is dated by
the loaded edition it is first seen in (its row's effectiveTime is kept in the note), so every edition a message
or a "known editions" list names is one a client can ask for.

Data: `three` holds INT 20180731 (tests/data/snomed/snowstorm-dummy), the Swedish lite 20240301 (snowstorm-lite,
whose INT row says 75521003 SAME AS 362969004, effectiveTime 20020131) and the Norwegian 20250415 (handmade-no:
155574008 REPLACED BY 75570004, effectiveTime 20250101; the default edition). `multi2` holds INT 20250101
(155574008 REPLACED BY 75570004) and NO 20250415, which repoints it to 233604007."""
from __future__ import annotations

import re

import pytest

from .conftest import INT_2018, INT_2025, INT_MODULE, NO_2025, NO_MODULE, NO_NOT_LOADED, SE_2024, SNOMED, snomed_edges
from .translate_answers import result as _result, message as _message

SE_MODULE = "45991000052106"
EDITION_URI = re.compile(r"http://snomed\.info/sct/\d+/version/\d{8}")


def _get(client, **qs):
    r = client.get("/fhir/ConceptMap/$translate", query_string=qs)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _codes(body) -> list[str]:
    return [q["valueCoding"]["code"] for m in body["parameter"] if m["name"] == "match"
            for q in m["part"] if q["name"] == "concept"]


def _editions_named(body) -> set[str]:
    """Every SNOMED CT edition URI the answer names, anywhere (message, matches, their extensions)."""
    return set(EDITION_URI.findall(str(body)))


# --- 1. lineages: never another country's extension ----------------------------------------------------------------

def test_the_norwegian_edition_has_no_swedish_predecessor(three):
    body = _get(three, system=SNOMED, code="155574008", targetsystem=SNOMED, **{"target-version": NO_2025})
    assert SE_MODULE not in str(body), body
    # the edition the code went out of use in, with its replacement, both in the Norwegian lineage
    assert _result(body) is False
    assert "155574008 was no longer in use in SNOMED CT edition " + NO_2025 in _message(body)
    assert "replaced by SNOMED CT 75570004 in " + NO_2025 in _message(body)
    # no version was given, and no loaded edition before shows the code in use: nothing earlier to ask from
    assert "leave out version" not in _message(body) and "no loaded edition" in _message(body)


@pytest.mark.parametrize("code", ["75570004", "404684003"])
def test_an_international_code_walked_into_the_norwegian_edition_never_passes_the_swedish_one(three, code):
    body = _get(three, system=SNOMED, code=code, version=INT_2018, targetsystem=SNOMED,
                **{"target-version": NO_2025})
    assert SE_MODULE not in str(body), body


def test_two_extensions_are_no_walk(three):
    body = _get(three, system=SNOMED, code="404684003", version=SE_2024, targetsystem=SNOMED,
                **{"target-version": NO_2025})
    assert _result(body) is False and not _codes(body)
    msg = _message(body)
    assert SE_2024 in msg and NO_2025 in msg and "extension" in msg, msg


def test_the_swedish_lineage_reads_its_own_association(three):
    # 75521003 SAME AS 362969004 is a row of the Swedish release only (effectiveTime 20020131): dated by that release
    body = _get(three, system=SNOMED, code="75521003", targetsystem=SNOMED, **{"target-version": SE_2024})
    assert _editions_named(body) == {SE_2024}, body
    assert "replaced by SNOMED CT 362969004 in " + SE_2024 in _message(body), _message(body)
    # in the Norwegian lineage the Swedish row is no change at all
    body = _get(three, system=SNOMED, code="75521003", targetsystem=SNOMED, **{"target-version": NO_2025})
    assert _result(body) is False and SE_MODULE not in str(body), body
    assert _message(body) == "75521003 is not a code of SNOMED CT edition " + NO_2025


def test_a_version_naming_a_module_alone_walks_its_latest_edition_as_every_other_path_reads_it(three):
    # http://snomed.info/sct/<module>: that module's latest loaded edition (catalog, implicit maps, $lookup)
    by_edition = _get(three, system=SNOMED, code="75521003", targetsystem=SNOMED, **{"target-version": SE_2024})
    by_module = _get(three, system=SNOMED, code="75521003", targetsystem=SNOMED,
                     **{"target-version": "http://snomed.info/sct/" + SE_MODULE})
    assert by_module == by_edition and "not a known edition" not in _message(by_module), by_module
    both = _get(three, system=SNOMED, code="75521003", targetsystem=SNOMED, version="http://snomed.info/sct/" + SE_MODULE,
                **{"target-version": SE_2024})
    assert "not a known edition" not in str(both), both


def test_no_change_is_derived_between_editions_of_different_modules(three_catalog):
    from mappings.succession_build import build_from_catalog
    sg = build_from_catalog(three_catalog)
    derived = [(u[1], d["edition"], d["note"]) for u, v, d in sg.g.edges(data=True)
               if u[0] == SNOMED and d.get("derived")]
    for code, edition, note in derived:
        modules = {m for m in re.findall(r"http://snomed\.info/sct/(\d+)/version/", f"{edition} {note}")}
        assert len(modules) == 1, (code, edition, note)


# --- 2. every edition named is a loaded one ------------------------------------------------------------------------

def _not_loaded(client, **qs) -> str:
    """The 404 text of a request naming a SNOMED CT version that is not loaded (the words of every SNOMED CT path,
    terminology.snomed.implicit.not_loaded)."""
    r = client.get("/fhir/ConceptMap/$translate", query_string=qs)
    assert r.status_code == 404, r.get_json()
    return r.get_json()["issue"][0]["details"]["text"]


def test_known_editions_are_loaded_editions(three):
    msg = _not_loaded(three, system=SNOMED, code="155574008", targetsystem=SNOMED, version=NO_NOT_LOADED)
    assert f"{NO_NOT_LOADED} is not loaded" in msg, msg
    named = set(EDITION_URI.findall(msg.split("loaded:", 1)[1]))
    assert named == {INT_2018, SE_2024, NO_2025}, msg


def test_a_change_is_dated_by_the_release_it_is_first_seen_in(multi2):
    body = _get(multi2, system=SNOMED, code="155574008", targetsystem=SNOMED, version=NO_2025)
    assert _editions_named(body) <= {INT_2025, NO_2025}, body
    assert "/51000202101/version/20250101" not in str(body)
    # the Norwegian release repoints the international row: its own change, dated by it
    assert "replaced by SNOMED CT 233604007 in " + NO_2025 in _message(body), _message(body)


def test_the_international_row_is_dated_by_the_international_release(multi2):
    body = _get(multi2, system=SNOMED, code="155574008", targetsystem=SNOMED, version=INT_2025)
    assert "replaced by SNOMED CT 75570004 in " + INT_2025 in _message(body), _message(body)


def test_steps_and_sources_name_loaded_editions_and_real_maps(three):
    # 75570004 back from NO 20250415 to INT 20180731: the step is the Norwegian release's REPLACED BY row
    body = _get(three, system=SNOMED, code="75570004", version=NO_2025, targetsystem=SNOMED,
                **{"target-version": INT_2018})
    assert _editions_named(body) <= {INT_2018, NO_2025}, body
    sources = [q["valueUri"] for m in body["parameter"] if m["name"] == "match"
               for q in m["part"] if q["name"] == "source"]
    assert all(s == SNOMED + "?fhir_cm=900000000000526001" for s in sources), sources
    assert "kodebro.no/fhir/ConceptMap/changes-snomedct" not in str(body)


def test_the_row_effective_time_stays_in_the_note(three_catalog):
    from mappings.succession_build import build_from_catalog
    sg = build_from_catalog(three_catalog)
    notes = [d["note"] for _u, _v, d in sg.g.out_edges((SNOMED, "155574008"), data=True)]
    assert notes and all("effectiveTime 20250101" in n for n in notes), notes
    assert all(e in {INT_2018, SE_2024, NO_2025} for e in sg.editions_of(SNOMED)), sg.editions_of(SNOMED)


@pytest.mark.parametrize("asked", [{"version": "http://snomed.info/sct/554471000005108/version/20250101"},
                                   {"target-version": "http://snomed.info/sct/554471000005108/version/20250101"}])
def test_an_extension_with_no_loaded_edition_is_no_known_edition(three, asked):
    # a Danish edition (module 554471000005108) is not loaded: no lineage of it, and no answer vouching for it
    msg = _not_loaded(three, system=SNOMED, code="404684003", targetsystem=SNOMED, **asked)
    assert "554471000005108/version/20250101 is not loaded" in msg and NO_2025 in msg, msg


# --- 3. a lineage of every loaded edition is the shared graph, not a second build of it ------------------------------


def test_a_lineage_of_every_loaded_edition_is_the_shared_graph(multi2_catalog):
    from mappings.snomed_history import SnomedLineages
    from mappings.succession_build import graph_for
    sg = graph_for(multi2_catalog)
    lineages = sg.lineages[SNOMED]
    assert lineages.graph(NO_MODULE) is sg
    # the same rows a lineage built on its own has: the walks cannot tell the two apart
    built = SnomedLineages(sg, lineages.editions)._build(NO_MODULE)
    assert built is not sg and snomed_edges(built) == snomed_edges(sg)
    assert built.loaded[SNOMED] == sg.loaded[SNOMED] and built.complete == {e for e in sg.complete if e[0] == SNOMED}
    # the international lineage leaves the Norwegian rows out: built on its own
    assert lineages.graph(INT_MODULE) is not sg


def test_a_lineage_beside_another_extension_is_built_on_its_own(three_catalog):
    from mappings.succession_build import graph_for
    sg = graph_for(three_catalog)
    assert sg.lineages[SNOMED].graph(NO_MODULE) is not sg


def test_a_change_list_of_snomed_ct_keeps_the_lineage_apart(multi2_catalog):
    # the shared graph then says more of SNOMED CT codes than the editions' history, which a lineage leaves out
    from mappings.changelist import Change
    from mappings.edition_diff import EditionCodes
    from mappings.snomed_history import loaded_editions, snomed_edges
    from mappings.succession import SuccessionGraph

    def shared(*stated):
        sg = SuccessionGraph()
        sg.add_changes(stated)
        snomed_edges(multi2_catalog, sg)
        for version, cs in loaded_editions(multi2_catalog):
            sg.add_snapshot(EditionCodes.of(SNOMED, version, cs))
        sg.derive_from_editions()
        return sg

    plain = shared()
    assert plain.lineages[SNOMED].graph(NO_MODULE) is plain
    told = shared(Change(SNOMED, NO_2025, "retired", "155574008", note="a stored change list"))
    assert told.lineages[SNOMED].graph(NO_MODULE) is not told
