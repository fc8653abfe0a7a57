"""Why a value set leaves a code out: a Kodebro extension on `compose.exclude`.

A value set may say, per excluded code, the rule that excludes it (e.g. "U07.1
is not valid as main condition in Norway"); `$validate-code` then gives that
reason instead of a bare "not in the value set".
"""
from __future__ import annotations

from .codesystem import normalise_code
from .identifiers import KODEBRO_BASE, canonical_system

EXCLUSION_REASON = KODEBRO_BASE + "/StructureDefinition/exclusion-reason"


def exclusion_reason(valueset: dict | None, system: str | None, code: str | None) -> str | None:
    """The human reason `valueset` leaves out `code`, when its compose says one (else None)."""
    if not valueset or not code:
        return None
    return ExclusionReasons(valueset).reason(system, code)


def _scan(valueset: dict, system: str | None, code: str) -> str | None:
    # read off the body, exclude by exclude: for a body `ExclusionReasons` cannot index
    for exc in (valueset.get("compose") or {}).get("exclude") or ():
        if not isinstance(exc, dict):
            continue
        exc_system = exc.get("system")
        if isinstance(exc_system, str):
            exc_system = canonical_system(exc_system)
        if system and exc_system and exc_system != (canonical_system(system) if isinstance(system, str) else system):
            continue
        wanted = normalise_code(exc_system or "", code)
        for c in exc.get("concept") or ():
            listed = c.get("code") if isinstance(c, dict) else None
            if listed in (code, wanted) or \
                    (isinstance(listed, str) and normalise_code(exc_system or "", listed) == wanted):
                break
        else:
            continue        # it does not list the code
        for ext in exc.get("extension") or ():
            if isinstance(ext, dict) and ext.get("url") == EXCLUSION_REASON:
                return ext.get("valueString")
    return None


class ExclusionReasons:
    """The excludes of one value set that say a reason, indexed by the codes they list: `reason` answers with one
    look-up per system an exclude names, not a scan of every listed code. A function of the value set's body
    alone, so $validate-code keeps it per store revision for a stored one (valueset_facts)."""
    __slots__ = ("groups", "valueset")

    def __init__(self, valueset: dict):
        # exclude system (None: none named) -> listed code -> (the exclude's place, its reason); the first exclude
        # that lists a code answers for it, whether or not its reason is empty
        self.groups: dict | None = {}
        self.valueset = None
        try:
            self._index(valueset)
        except (AttributeError, TypeError):
            # a body of another shape than FHIR's fails (or not) where a refusal reads it, as it always did
            self.groups, self.valueset = None, valueset

    def _index(self, valueset: dict) -> None:
        for place, exc in enumerate((valueset.get("compose") or {}).get("exclude") or ()):
            if not isinstance(exc, dict):
                continue
            if not isinstance(exc.get("system"), (str, type(None))):
                self.groups, self.valueset = None, valueset     # (read exclude by exclude: `_scan`)
                return
            said = next((ext for ext in exc.get("extension") or ()
                         if isinstance(ext, dict) and ext.get("url") == EXCLUSION_REASON), None)
            if said is None:
                continue        # an exclude that says no reason answers for no code
            # by canonical URL, as membership reads systems: an exclude naming ICD-10-NO by its OID answers a
            # code asked by the URL (the store's own NamingSystem aliases are not the body's to know)
            system = canonical_system(exc.get("system")) or None
            listed = self.groups.setdefault(system, {})
            entry = (place, said.get("valueString"))
            for c in exc.get("concept") or ():
                if isinstance(c, dict) and isinstance(c.get("code"), str):     # (no other code equals a code)
                    code = c["code"]
                    listed.setdefault(code, entry)
                    # and in its system's stored form: a code listed `U07.1` is refused when asked as `U071`
                    # or `u071` too, and is told why in each spelling
                    stored = normalise_code(system or "", code)
                    if stored != code:
                        listed.setdefault(stored, entry)

    def reason(self, system: str | None, code: str | None) -> str | None:
        """The reason the first exclude that lists `code` (in any spelling its system accepts: as given, or in
        the system's stored form) and names `system` or no system gives (None: no such exclude, or it says
        none)."""
        if not code:
            return None
        if self.groups is None:
            return _scan(self.valueset, system, code)
        found = None
        system = canonical_system(system) if isinstance(system, str) else system
        for exc_system, listed in self.groups.items():
            if system and exc_system and exc_system != system:
                continue
            got = listed.get(code)
            wanted = normalise_code(exc_system or "", code)
            if wanted != code:
                other = listed.get(wanted)
                if other is not None and (got is None or other[0] < got[0]):
                    got = other
            if got is not None and (found is None or got[0] < found[0]):
                found = got
        return found[1] if found is not None else None
