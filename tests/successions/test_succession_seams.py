"""The succession graph split in three: the graph (`mappings.succession`), its builder and per-catalog cache
(`mappings.succession_build`) and the dating of derived rows (`mappings.succession_dating`)."""
from __future__ import annotations

import mappings  # noqa: F401  (registers every edge source, as a server does)
from mappings.changelist import Change
from mappings.edition_diff import EditionCodes
from mappings.snomed_history import snomed_edges
from mappings.succession import SuccessionGraph
from mappings.succession_build import EDGE_SOURCES, build_from_catalog, graph_for
from mappings.succession_dating import dated
from terminology import Catalog

BOOK = "http://example.org/book"


def test_the_builder_caches_one_graph_per_catalog_generation(store):
    cat = Catalog(store)
    sg = graph_for(cat)
    assert isinstance(sg, SuccessionGraph)
    assert graph_for(cat) is sg
    assert build_from_catalog(cat) is not sg


def test_edge_sources_are_registered_on_the_builder():
    assert snomed_edges in EDGE_SOURCES


def test_a_retirement_is_dated_by_the_validto_of_the_last_edition_listing_the_code():
    prev = EditionCodes(BOOK, "2025", {"A1": "a"}, {}, frozenset(), True, valid_to={"A1": "2025-12-31"})
    new = EditionCodes(BOOK, "2027", {}, {}, frozenset(), True)
    row = dated(Change(BOOK, "2027", "retired", "A1", note="derived"), prev, new, [])
    assert (row.edition, row.note) == ("2026", "derived; valid to 2025-12-31 in 2025")


def test_the_graph_dates_derived_rows_by_the_same_rule():
    sg = SuccessionGraph()
    sg.add_snapshot(EditionCodes(BOOK, "2025", {"A1": "a"}, {}, frozenset(), True, valid_to={"A1": "2025-12-31"}))
    sg.add_snapshot(EditionCodes(BOOK, "2027", {}, {}, frozenset(), True))
    assert sg.derive_from_editions() == 1
    assert [(ed, kind) for ed, kind, *_ in sg.local_events((BOOK, "A1"))] == [("2026", "retired")]
