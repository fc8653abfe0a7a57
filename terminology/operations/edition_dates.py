"""$expand with a `date` no loaded edition answers for: refused as $lookup refuses it (editions.not_in_force)."""
from __future__ import annotations

from ..editions import not_in_force
from ..errors import NotFound


def refuse_undated_includes(catalog, ev, vs: dict, on: str | None) -> None:
    """NotFound when an include of `vs` takes a dated code system (yearly codebooks, SNOMED CT) from an edition
    that was not in force on `on`, or none was: a 2015 expansion answered from 2021 is not about 2015. Includes
    of HL7-style versions (1.0.0) are never judged; only the request's `date` is, not compose.lockedDate."""
    if not on:
        return
    for inc in (vs.get("compose") or {}).get("include") or ():
        system = inc.get("system")
        if not system:
            continue
        system = catalog.canonical_system(system)
        late = not_in_force(catalog, system, ev.resolve_version(system, inc.get("version"), dated=False), on)
        if late:
            raise NotFound(late, tx_code="not-found")
