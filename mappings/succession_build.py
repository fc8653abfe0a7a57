"""Building the succession graph of a catalog, and keeping it per store generation.

Sources: stored change-list ConceptMaps (mappings/changelist.py), other edition-to-edition ConceptMaps within one
codebook (a map between two codebooks is no succession, versions or not), more edge sources registered in
`EDGE_SOURCES` (SNOMED CT historical associations), and the loaded editions, from which the graph derives what no
change list states (`SuccessionGraph.derive_from_editions`).
"""
from __future__ import annotations

import threading

from terminology.versions import version_key

from .changelist import Change, is_changelist_map, rows_from_conceptmap
from .edition_diff import EditionCodes
from .succession import SuccessionGraph, quiet_gc

_CACHE: dict = {}
_CACHE_LOCK = threading.Lock()
# more edge sources (e.g. SNOMED CT historical associations): functions (catalog, graph) -> None
EDGE_SOURCES: list = []


def build_from_catalog(catalog, long_lived: bool = False) -> SuccessionGraph:
    with quiet_gc(long_lived):
        sg = _build(catalog)
        # graphs built later from this one (SNOMED CT lineages) live as long as it does
        sg.long_lived = long_lived
    return sg


def _build(catalog) -> SuccessionGraph:
    from .translate import load_providers
    load_providers()        # imports every mappings module, so each EDGE_SOURCES hook is registered
    sg = SuccessionGraph()
    sg.add_changes(stated_changes(catalog))
    for source in EDGE_SOURCES:
        source(catalog, sg)
    systems = set(sg.systems_editions)
    for h in catalog.headers("CodeSystem"):
        if h.url and (h.url in systems or len(catalog.codesystem_versions(h.url)) > 1) \
                and h.version and h.concept_count <= 500_000:
            sg.add_snapshot(EditionCodes.of(h.url, h.version, catalog.codesystem_by_pk(h.pk)))
    sg.derive_from_editions()
    return sg


def stated_changes(catalog) -> list[Change]:
    """The changes the catalog's ConceptMaps state: change lists and other edition-to-edition maps."""
    out: list[Change] = []
    # conceptmaps() leaves out a map deleted since the catalog's refresh (terminology.catalog)
    for cm in catalog.conceptmaps():
        out += rows_from_conceptmap(cm) if is_changelist_map(cm) else _edition_map_changes(cm)
    return out


def _edition_groups(cm: dict) -> list[dict]:
    """The groups of a plain ConceptMap that map one codebook's older edition to a newer one of itself.

    A map between two codebooks says how codes correspond, not what became of them, even when it names both
    versions (ICPC-2 2019 -> ICD-10 2019): it is no succession; a move to another codebook is stated only by
    a change list (`is_changelist_map`)."""
    out = []
    for g in cm.get("group") or ():
        if not isinstance(g, dict):
            continue
        src, tgt, sv, tv = g.get("source"), g.get("target"), g.get("sourceVersion"), g.get("targetVersion")
        if src and src == tgt and isinstance(sv, str) and isinstance(tv, str) and sv and tv \
                and version_key(tv) > version_key(sv):
            out.append(g)
    return out


def _edition_map_changes(cm: dict) -> list[Change]:
    """Changes from a plain ConceptMap between two editions of one codebook (`_edition_groups`)."""
    out = []
    for g in _edition_groups(cm):
        book, tv = g["source"], g["targetVersion"]
        for el in g.get("element") or ():
            code = el.get("code")
            targets = [t for t in el.get("target") or () if t.get("code")]
            if not code:
                continue
            if not targets:
                if any(t.get("equivalence") in ("unmatched", "disjoint") for t in el.get("target") or ()):
                    out.append(Change(book, tv, "retired", code, note=f"from ConceptMap {cm.get('url')}"))
                continue
            codes = [t["code"] for t in targets]
            if codes == [code]:
                continue
            if len(codes) > 1:
                kind = "split"
            elif targets[0].get("equivalence") in ("wider", "subsumes"):
                kind = "merged"
            else:
                kind = "replaced"
            out.append(Change(book, tv, kind, code, codes, note=f"from ConceptMap {cm.get('url')}"))
    return out


def _states_successions(cm: dict) -> bool:
    """Whether a ConceptMap adds edges: a change list, or a map between two editions of one codebook."""
    return is_changelist_map(cm) or bool(_edition_groups(cm))


def graph_for(catalog) -> SuccessionGraph:
    """The succession graph of a catalog, built once per store generation (and per overlay)."""
    base = getattr(catalog, "base", None)
    extra = getattr(catalog, "extra", None)
    if base is not None and extra:
        shared = graph_for(base)
        # supplied content that can change successions (maps, editions of a codebook the graph knows):
        # build a graph for this request only; anything else leaves the shared graph as it is
        if any((t == "ConceptMap" and any(_states_successions(cm) for cm in extra[(t, url)]))
               or (t == "CodeSystem" and url in shared.systems_editions) for t, url in extra):
            return build_from_catalog(catalog)
        return shared
    key = id(catalog)
    gen = catalog.generation
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == gen and hit[2] is catalog:
        return hit[1]
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == gen and hit[2] is catalog:
            return hit[1]
        sg = build_from_catalog(catalog, long_lived=True)
        _CACHE[key] = (gen, sg, catalog)
        return sg
