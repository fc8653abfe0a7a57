"""Why a value set leaves a code out: a Kodebro extension on `compose.exclude`.

A value set may say, per excluded code, the rule that excludes it (e.g. "U07.1
is not valid as main condition in Norway"); `$validate-code` then gives that
reason instead of a bare "not in the value set".
"""
from __future__ import annotations

from .codesystem import normalise_code
from .identifiers import KODEBRO_BASE

EXCLUSION_REASON = KODEBRO_BASE + "/StructureDefinition/exclusion-reason"


def exclusion_reason(valueset: dict | None, system: str | None, code: str | None) -> str | None:
    """The human reason `valueset` leaves out `code`, when its compose says one (else None)."""
    if not valueset or not code:
        return None
    # plain loops, no generator: this runs on every $validate-code answer of a code a value set leaves out
    for exc in (valueset.get("compose") or {}).get("exclude") or ():
        if not isinstance(exc, dict):
            continue
        exc_system = exc.get("system")
        if system and exc_system and exc_system != system:
            continue
        wanted = normalise_code(exc_system or "", code)
        for c in exc.get("concept") or ():
            if isinstance(c, dict) and c.get("code") in (code, wanted):
                break
        else:
            continue        # it does not list the code
        for ext in exc.get("extension") or ():
            if isinstance(ext, dict) and ext.get("url") == EXCLUSION_REASON:
                return ext.get("valueString")
    return None
