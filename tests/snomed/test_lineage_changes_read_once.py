"""A lineage graph beside another extension (two countries' editions loaded) takes its dated changes from the list
the shared graph was built from, filtered to its modules, instead of reading every edition's associations again:
the "first shown" rule is per module plus the international one, so the rows are the same. The list is let go
once every extension's lineage is built. Data: `three_catalog` (INT 20180731, SE 20240301, NO 20250415)."""
from __future__ import annotations

from mappings.snomed_history import dated_changes, module_of
from mappings.succession_build import build_from_catalog

from .conftest import INT_MODULE, SNOMED, snomed_edges


def test_each_lineage_gets_the_rows_a_read_of_its_own_editions_gives(three_catalog):
    sg = build_from_catalog(three_catalog)
    lineages = sg.lineages[SNOMED]
    assert len(lineages.modules - {INT_MODULE}) == 2        # two extensions: no lineage is the shared graph
    for module in sorted(lineages.modules):
        mine = [(v, cs) for v, cs in lineages.editions if module_of(v) in (module, INT_MODULE)]
        assert lineages.dated(module) == dated_changes(mine), module
        built = lineages.graph(module)
        assert built is not sg
        assert {e for _u, _v, e in built.g.edges(data="edition")} <= {v for v, _cs in mine}


def test_the_kept_list_goes_once_every_extension_lineage_is_built_and_a_later_build_is_the_same(three_catalog):
    sg = build_from_catalog(three_catalog)
    lineages = sg.lineages[SNOMED]
    extensions = sorted(lineages.modules - {INT_MODULE})
    assert lineages.kept_changes
    first = {m: snomed_edges(lineages.graph(m)) for m in extensions}
    assert lineages.kept_changes is None
    first[INT_MODULE] = snomed_edges(lineages.graph(INT_MODULE))
    # built again without the list (read from the editions): the same rows
    for module, edges in first.items():
        assert snomed_edges(lineages._build(module)) == edges, module
