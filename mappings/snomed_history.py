"""SNOMED CT history into the succession graph: historical association refsets become change edges.

Registered in mappings.succession_build.EDGE_SOURCES, so `build_from_catalog` calls
`snomed_edges(catalog, graph)` for every loaded SNOMED CT edition:

    REPLACED BY, SAME AS                  -> replaced (1 target) / split (several)
    POSSIBLY EQUIVALENT TO, ALTERNATIVE,
    POSSIBLY REPLACED BY, PARTIALLY EQ.   -> split into alternatives (or replaced when there is one)
    an inactive concept without any       -> retired (with its inactivation reason as the note)
    WAS A, MOVED TO/FROM, REFERS TO       -> not successions; left out

The edition of a change is the version URI of the edition's module at the
concept's effectiveTime (http://snomed.info/sct/<module>/version/<date>), so
walks between SNOMED CT versions order them by date like the other codebooks.
"""
from __future__ import annotations

from terminology.identifiers import SNOMED

from terminology.snomed.successors import DEFINITE, SUCCESSOR_ASSOCIATIONS, successor_links
from terminology.snomed.successors import inactive_note as _inactive_note

from .changelist import Change



def changes_of(cs) -> list[Change]:
    """Changes stated by the historical associations of one loaded SNOMED CT edition (a SnomedIndex)."""
    out: list[Change] = []
    module = (cs.release or {}).get("module") or "900000000000207008"
    codes = cs.codes
    for i, active in enumerate(cs.active):
        if active:
            continue
        edition = f"{SNOMED}/{module}/version/{cs.eff[i] or cs.release.get('date', '')}"
        links = successor_links(cs, i)
        reason = cs.reason.get(i)
        if not links:
            out.append(Change(SNOMED, edition, "retired", codes[i],
                              note=f"inactivated (reason {reason})" if reason else "inactivated"))
            continue
        targets = list(dict.fromkeys(t for _r, t in links))
        names = sorted({SUCCESSOR_ASSOCIATIONS[r] for r, _t in links})
        definite = all(r in DEFINITE for r, _t in links)
        kind = "replaced" if len(targets) == 1 else "split"
        note = ", ".join(names) + ("" if definite else " (not a definite replacement)")
        out.append(Change(SNOMED, edition, kind, codes[i], targets, note=note))
    return out


def inactive_note(cs, code: str, maps_to) -> str | None:
    """Why an inactive concept has no map rows, and where to go instead: its historical associations, each with
    what that concept maps to (`maps_to(code)` -> target codes). None for an active or unknown concept. A term bank
    that holds concepts of older releases (Epic) needs the replacement named, not only "no rows"."""
    def onward(target):
        got = list(dict.fromkeys(maps_to(target)))
        return f", which maps to {' or '.join(got)}" if got else ", which has no rows in the map either"
    return _inactive_note(cs, code, onward)


def snomed_edges(catalog, graph) -> None:
    """EDGE_SOURCES hook: add every loaded SNOMED CT edition's history to the succession graph."""
    for version in catalog.codesystem_versions(SNOMED):
        cs = catalog.codesystem(SNOMED, version)
        if cs is None or not hasattr(cs, "assoc"):
            continue
        graph.add_changes(changes_of(cs))


try:  # the succession graph is optional for SNOMED CT: register when it is there
    from .succession_build import EDGE_SOURCES
except ImportError:  # pragma: no cover
    EDGE_SOURCES = None
if EDGE_SOURCES is not None and snomed_edges not in EDGE_SOURCES:
    EDGE_SOURCES.append(snomed_edges)
