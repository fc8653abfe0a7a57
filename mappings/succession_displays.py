"""Displays for the matches a stored change-list ConceptMap gives.

A change list names successors by code only (særkode B0014 -> NCMP IBBA15, IBBB15 ...), so the stored map's
targets carry no display, although the edition the map points to (its group's targetVersion, the match's
version) is loaded and has the text. The ConceptMap provider hands its matches here, as it does to the ICD-10-NO
target check: a match of a change-list map without a display gets that edition's. Matches of other maps are not
touched. Edition questions are answered by mappings.succession_translate, which fills displays itself.
"""
from __future__ import annotations

from terminology.catalog import store_view
from terminology.errors import TerminologyError

from .changelist import is_changelist_map
from .conceptmap_index import stored_maps


def _changelist_canonicals(catalog) -> set:
    """The canonicals of the stored change-list maps, worked out once per store revision (as the map index)."""
    def build(cat) -> set:
        maps = stored_maps(cat)
        return {idx.canonical for idxs in maps.by_source.values() for idx in idxs if is_changelist_map(idx.body)}
    base = store_view(catalog)
    derived = getattr(base, "derived", None)
    return build(base) if derived is None else derived("changelist-canonicals", build)


def _display(catalog, system: str, edition: str, code: str) -> str | None:
    try:
        cs = catalog.codesystem(system, edition)
    except TerminologyError:
        return None
    if cs is None or cs.version != edition:
        return None
    concept, _how = cs.find(code)
    if concept is None or concept.inactive or not concept.display or concept.display == concept.code:
        return None      # særkoder carry the code as their display: that is no text to add
    return concept.display


def fill(catalog, matches: list) -> None:
    """Give the display-less matches of stored change-list maps the display of the edition they name."""
    bare = [m for m in matches if not m.display and m.version and m.source and m.code]
    if not bare:
        return
    changelists = _changelist_canonicals(catalog)
    for m in bare:
        if m.source in changelists:
            m.display = _display(catalog, m.system, m.version, m.code)
