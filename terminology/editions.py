"""Which edition (CodeSystem version) was in force on a date.

Norwegian editions are calendar years, valid from 1 January of that year; SNOMED
CT versions end in a YYYYMMDD date. Other versions use CodeSystem.date when it
is set. The edition in force on a date is the latest one that had started.
"""
from __future__ import annotations

import re

from .versions import version_key

_YEAR = re.compile(r"^(\d{4})$")
_SNOMED = re.compile(r"/version/(\d{8})$")


def valid_from(version: str | None, resource_date: str | None = None) -> str | None:
    """ISO date from which an edition is valid, or None when it cannot be told."""
    if version:
        m = _YEAR.match(version)
        if m:
            return f"{m.group(1)}-01-01"
        m = _SNOMED.search(version)
        if m:
            d = m.group(1)
            return f"{d[:4]}-{d[4:6]}-{d[6:]}"
    if resource_date:
        return resource_date[:10]
    return None


_FHIR_DATE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01])(?:T[0-9:.]+(?:Z|[+-]\d\d:\d\d)?)?)?)?$")


def day_of(on) -> str:
    """YYYY-MM-DD of a FHIR date/dateTime; a partial date means its first day (`2021` is 2021-01-01),
    so that it compares with edition start dates as text."""
    m = _FHIR_DATE.match(on.strip()) if isinstance(on, str) else None
    if not m:
        from .errors import InvalidRequest
        raise InvalidRequest(f"date '{on}' is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)",
                             location="date")
    return f"{m.group(1)}-{m.group(2) or '01'}-{m.group(3) or '01'}"


def edition_starts(catalog, system: str) -> list[tuple[str, str | None]]:
    """(version, first day it is valid) of each loaded edition; the date is read from the resource only
    when the version does not tell it, and never by building an edition's index."""
    out = []
    for v in catalog.codesystem_versions(system):
        start = valid_from(v)
        if start is None:
            start = valid_from(None, (catalog.resource("CodeSystem", system, v) or {}).get("date"))
        out.append((v, start))
    return out


def edition_for_date(catalog, system: str, on: str) -> str | None:
    """The version of `system` in force on date `on` (None when no edition had started)."""
    on = day_of(on)
    best = None
    for v, start in edition_starts(catalog, system):
        if start is not None and start <= on and (best is None or version_key(v) > version_key(best)):
            best = v
    return best


def dated_editions(catalog, system: str) -> list[tuple[str, str | None]]:
    """The (version, start) of each loaded edition when `system` has several editions whose versions are their
    start dates (the yearly Norwegian codebooks, SNOMED CT's version/YYYYMMDD); empty otherwise: a code system
    with one version, or with versions that are no dates (most HL7 test systems, even when their resources carry
    a `date`, which says when the resource was written, not from when its codes hold). Only for such editions
    can a date pick no edition at all, or a later edition tell that a code is not yet valid."""
    starts = edition_starts(catalog, system)
    return starts if len(starts) > 1 and any(valid_from(v) for v, _start in starts) else []


def no_edition_text(system: str, on: str, starts) -> str:
    """Why a date before every loaded dated edition picks none ($lookup and $validate-code say the same)."""
    from .operations.version_rules import present_versions     # (operations import this module)
    return f"no edition of {system} was in force on {on[:10]}; loaded: {present_versions(v for v, _s in starts)}"
