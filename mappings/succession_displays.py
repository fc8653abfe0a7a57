"""Displays for the matches a stored change-list ConceptMap gives when no edition is asked.

A change list names successors by code only (særkode B0014 -> NCMP IBBA15, IBBB15 ...), so the
stored map's targets carry no display, and a plain `$translate` (no `version`, no `target-version`:
the generic ConceptMap provider answers from the map) would show bare codes although the target
edition the map names (`targetVersion`) is loaded and has the text. This provider gives the same
matches of the change-list maps, with the display of that edition, and goes before the generic
provider: `translate` keeps the first of two matches with the same system, code, version and
equivalence, so the generic answer is otherwise left as it is, and maps that are not change lists
are not touched. Edition questions are answered by mappings.succession_translate, which fills
displays itself.
"""
from __future__ import annotations

from terminology.errors import TerminologyError

from .changelist import is_changelist_map
from .conceptmap import equivalence_of
from .conceptmap_index import norm_code, stored_maps
from .translate import PROVIDERS, Match, TranslateRequest, provider


def _display(catalog, system: str, edition: str | None, code: str, memo: dict) -> str | None:
    if not edition:
        return None
    key = (system, edition)
    if key not in memo:
        try:
            cs = catalog.codesystem(system, edition)
        except TerminologyError:
            cs = None
        memo[key] = cs if cs is not None and cs.version == edition else None
    cs = memo[key]
    if cs is None:
        return None
    concept, _how = cs.find(code)
    if concept is None or concept.inactive or not concept.display or concept.display == concept.code:
        return None      # særkoder carry the code as their display: that is no text to add
    return concept.display


def changelist_displays(catalog, req: TranslateRequest):
    if (req.conceptmap_url or req.conceptmap is not None or req.version or req.target_version or req.reverse
            or req.source or req.target or not req.code or not req.system):
        return None
    system = catalog.canonical_system(req.system)
    wanted = catalog.canonical_system(req.target_system) if req.target_system else None
    code = norm_code(system, req.code)
    out: list[Match] = []
    memo: dict = {}
    for idx in stored_maps(catalog).by_source.get(system, ()):
        if not is_changelist_map(idx.body):
            continue
        for g in idx.groups:
            if g.from_system != system or (wanted and g.to_system != wanted):
                continue
            for el in g.forward.get(code) or ():
                for t in el.get("target") if isinstance(el.get("target"), list) else ():
                    if not isinstance(t, dict) or not t.get("code") or t.get("display") or t.get("product") \
                            or t.get("dependsOn"):
                        continue
                    tcode = norm_code(g.to_system, t["code"])
                    disp = _display(catalog, g.to_system, g.target_version, tcode, memo)
                    if disp:
                        out.append(Match(equivalence_of(t), system=g.to_system, code=tcode, display=disp,
                                         version=g.target_version, source=idx.canonical, comment=t.get("comment")))
    return out or None


# before the generic ConceptMap provider, whose display-less copies of these matches are then dropped
provider(changelist_displays)
PROVIDERS.remove(changelist_displays)
PROVIDERS.insert(0, changelist_displays)

__all__ = ["changelist_displays"]
