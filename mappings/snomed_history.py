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

from .changelist import Change

SUCCESSOR_ASSOCIATIONS = {
    "900000000000526001": "REPLACED BY",
    "900000000000527005": "SAME AS",
    "900000000000523009": "POSSIBLY EQUIVALENT TO",
    "900000000000530003": "ALTERNATIVE",
    "1186921001": "POSSIBLY REPLACED BY",
    "1186924009": "PARTIALLY EQUIVALENT TO",
}
DEFINITE = {"900000000000526001", "900000000000527005"}


def changes_of(cs) -> list[Change]:
    """Changes stated by the historical associations of one loaded SNOMED CT edition (a SnomedIndex)."""
    out: list[Change] = []
    module = (cs.release or {}).get("module") or "900000000000207008"
    codes = cs.codes
    for i, active in enumerate(cs.active):
        if active:
            continue
        edition = f"{SNOMED}/{module}/version/{cs.eff[i] or cs.release.get('date', '')}"
        links = [(r, t) for r, t in cs.assoc.get(i, ()) if r in SUCCESSOR_ASSOCIATIONS]
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


# how a message words each successor association, read from the inactive concept to the one it names
_SAYS = {"REPLACED BY": "it was replaced by", "SAME AS": "it is the same as",
         "POSSIBLY EQUIVALENT TO": "it is possibly equivalent to", "ALTERNATIVE": "an alternative is",
         "POSSIBLY REPLACED BY": "it was possibly replaced by",
         "PARTIALLY EQUIVALENT TO": "it is partially equivalent to"}


def inactive_note(cs, code: str, maps_to) -> str | None:
    """Why an inactive concept has no map rows, and where to go instead: its historical associations (the
    RF2 association refsets $lookup shows), each with what that concept maps to (`maps_to(code)` -> target
    codes). None for an active or unknown concept. A term bank that holds concepts of older releases (Epic)
    needs the replacement named, not only "no rows"."""
    i = cs.pos.get(code)
    if i is None or cs.active[i]:
        return None
    reason = cs.reason.get(i)
    from terminology.snomed.constants import INACTIVATION_REASONS
    why = f" ({INACTIVATION_REASONS.get(reason, reason)})" if reason else ""
    said = []
    for refset, target in cs.assoc.get(i, ()):
        name = SUCCESSOR_ASSOCIATIONS.get(refset)
        if name is None:
            continue
        j = cs.pos.get(target)
        shown = f"{target} |{cs.display[j]}|" if j is not None and cs.display[j] else target
        got = list(dict.fromkeys(maps_to(target)))
        onward = f", which maps to {' or '.join(got)}" if got else ", which has no rows in the map either"
        said.append(f"{_SAYS[name]} {shown}{onward}")
    if not said:
        return f"{code} is inactive{why} and its historical associations name no replacement"
    return f"{code} is inactive{why}; " + "; ".join(said)


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
