"""What an inactive SNOMED CT concept became, read from the RF2 historical association refsets (the ones $lookup
shows): the succession edges of the graph (mappings/snomed_history.py), the `$translate` note for a concept with no
map rows, and the `$validate-code` note beside the inactive-concept warning, all worded by this one table."""
from __future__ import annotations

from .constants import INACTIVATION_REASONS

# the associations that name a concept to use instead, and how a message words each, read from the inactive one
SUCCESSOR_ASSOCIATIONS = {
    "900000000000526001": "REPLACED BY",
    "900000000000527005": "SAME AS",
    "900000000000523009": "POSSIBLY EQUIVALENT TO",
    "900000000000530003": "ALTERNATIVE",
    "1186921001": "POSSIBLY REPLACED BY",
    "1186924009": "PARTIALLY EQUIVALENT TO",
}
DEFINITE = {"900000000000526001", "900000000000527005"}
_SAYS = {"REPLACED BY": "it was replaced by", "SAME AS": "it is the same as",
         "POSSIBLY EQUIVALENT TO": "it is possibly equivalent to", "ALTERNATIVE": "an alternative is",
         "POSSIBLY REPLACED BY": "it was possibly replaced by",
         "PARTIALLY EQUIVALENT TO": "it is partially equivalent to"}


def successor_links(cs, i: int) -> list[tuple[str, str]]:
    """(association refset, target concept) of concept position `i` that name a concept to use instead."""
    return [(r, t) for r, t in cs.assoc.get(i, ()) if r in SUCCESSOR_ASSOCIATIONS]


def inactive_note(cs, code: str, onward=None) -> str | None:
    """'155574008 is inactive (duplicate); it was replaced by 75570004 |Viral pneumonia|', each named concept
    followed by `onward(target)` when given (what it maps to). None for an active or unknown concept, or an index
    without associations (not SNOMED CT)."""
    pos = getattr(cs, "pos", None)
    i = pos.get(code) if pos is not None else None
    if i is None or cs.active[i]:
        return None
    reason = cs.reason.get(i)
    why = f" ({INACTIVATION_REASONS.get(reason, reason)})" if reason else ""
    said = []
    for refset, target in successor_links(cs, i):
        j = cs.pos.get(target)
        shown = f"{target} |{cs.display[j]}|" if j is not None and cs.display[j] else target
        if j is not None and not cs.active[j]:
            # real releases keep targets active; one that is not must not read as a code to use
            shown += " (itself inactive)"
        said.append(f"{_SAYS[SUCCESSOR_ASSOCIATIONS[refset]]} {shown}{onward(target) if onward else ''}")
    if not said:
        return f"{code} is inactive{why} and its historical associations name no replacement"
    return f"{code} is inactive{why}; " + "; ".join(said)
