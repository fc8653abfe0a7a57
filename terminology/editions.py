"""Which edition (CodeSystem version) was in force on a date.

Norwegian editions are calendar years, valid from 1 January of that year; SNOMED
CT versions end in a YYYYMMDD date. Other versions use CodeSystem.date when it
is set. The edition in force on a date is the latest one that had started.

A request that names neither a version nor a date is answered, for a yearly codebook, by the edition in force
today (`today`, `in_force`): R4 defines the operations' `date` as "normally the current conditions (which is
the default value)", and a hospital preloads next year's edition in December without it answering yet.
"""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone

from .identifiers import NORWEGIAN_CODEBOOKS
from .versions import present_versions, version_key

_YEAR = re.compile(r"^([0-9]{4})$")   # ASCII only: a version written in other digits is no edition year
_SNOMED = re.compile(r"/version/(\d{8})$")


_TODAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_kept_today: tuple[float, str] = (0.0, "")


def today(override: str | None = None) -> str:
    """Today's date in Norway (YYYY-MM-DD), or `override` (KODEBRO_TODAY: a test, or an operator previewing next
    year's answers). Read from the clock at most once a minute, as every default-version read asks."""
    if override:
        return override
    global _kept_today
    now = time.time()
    until, day = _kept_today
    if now < until:
        return day
    day = norway_day(now)
    _kept_today = (now - now % 60 + 60, day)
    return day


def norway_day(timestamp: float) -> str:
    """The date in Norway (YYYY-MM-DD) at a POSIX `timestamp`, as exact as the editions need it: Norway is on CET
    (UTC+1) around 1 January, the only day a yearly edition changes on, so UTC+1 gives the right date then without
    a time zone database (in summer time it is an hour behind CEST, which moves no edition)."""
    return (datetime.fromtimestamp(timestamp, timezone.utc) + timedelta(hours=1)).date().isoformat()


def parse_today(value, source: str) -> str | None:
    """A KODEBRO_TODAY value as YYYY-MM-DD (None or empty: the clock); ValueError naming `source` otherwise, so a
    bad value stops the start instead of silently answering from the clock."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, date):
        return text.isoformat()
    if isinstance(text, str) and _TODAY.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise ValueError(f"{source} must be a date written YYYY-MM-DD (the day to answer as if it were today), "
                     f"not {value!r}")


def in_force(versions, on: str) -> str | None:
    """Of yearly editions `versions`, the one in force on day `on` (YYYY-MM-DD): the newest whose 1 January has
    come; when none has started yet (only next year's is loaded), the earliest, which is all there is to answer
    with. None when there are none."""
    years = sorted(v for v in versions if v is not None)
    if not years:
        return None
    started = [v for v in years if v <= on[:4]]
    return started[-1] if started else years[0]


def dated_by_year(rtype: str, url: str, versions) -> bool:
    """Whether a read of `url` naming no version takes the edition in force today rather than the latest: a
    yearly codebook (`_yearly_codebook`), or a value set or concept map whose versions are edition years (the
    ICD-10-NO rule value sets, one per edition, `version_rules.valueset_for_date`; the directorate's yearly
    ICPC-2 -> ICD-10 conversion, `mappings.conceptmap.in_force_only`), with more than one loaded. Any other version
    (semver, SNOMED CT editions, uploaded code systems) keeps the latest loaded."""
    held = [v for v in versions]
    if len(held) < 2 or not all(is_year(v) for v in held):
        return False
    if rtype == "CodeSystem":
        return _yearly_codebook(url, [(v, None) for v in held])
    return rtype in ("ValueSet", "ConceptMap")


def is_complete(content) -> bool:
    """An edition whose silence about a code says the code is not in it: R4 CodeSystem.content `complete`
    (a `fragment`, `example` or `not-present` edition holds a subset of the codes, or none)."""
    return content == "complete"


def partial_label(cs, version: str) -> str:
    """How an edition is loaded when only in part, in R4 `content` words ('fragment', 'example' ...)."""
    return cs.content if cs is not None and cs.version == version and cs.content else "part"


def is_year(version) -> bool:
    """A version that is a calendar year ("2021"): the yearly Norwegian codebooks' editions."""
    return isinstance(version, str) and bool(_YEAR.match(version))


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


# R4's date and dateTime (datatypes.html#dateTime): a time has hours, minutes and seconds; its zone, which R4
# requires with a time, is taken as optional here, as clients leave it out
_FHIR_DATE = re.compile(r"([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01])"
                        r"(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"
                        r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?)?)?)?")


def day_of(on) -> str:
    """YYYY-MM-DD of a FHIR date/dateTime; a partial date means its first day (`2021` is 2021-01-01),
    so that it compares with edition start dates as text."""
    m = _FHIR_DATE.fullmatch(on.strip()) if isinstance(on, str) else None
    day = f"{m.group(1)}-{m.group(2) or '01'}-{m.group(3) or '01'}" if m else None
    if day is None or not _on_calendar(day):
        from .errors import InvalidRequest
        raise InvalidRequest(f"date '{on}' is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD, or a dateTime "
                             "YYYY-MM-DDThh:mm:ss with a zone, Z or +01:00)", location="date")
    return day


def _on_calendar(day: str) -> bool:
    """2026-02-28 is, 2026-02-30 and 0000-01-01 are not."""
    try:
        date.fromisoformat(day)
    except ValueError:
        return False
    return True


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
    """The (version, start) of each loaded edition when `system`'s versions are their start dates; empty
    otherwise. Several loaded editions whose versions are dates (yearly codebooks, SNOMED CT's version/YYYYMMDD)
    tell a date before all of them; one edition does so only for a yearly Norwegian codebook (ICD-10-NO 2026 is
    in force from 1 January 2026, and the 2025 codebook is a different one). One SNOMED CT release is not: its
    date says when it was published, not from when its concepts hold; nor is an uploaded code system whose
    version happens to be four digits, nor versions that are no dates (HL7 "1.0.0", even with a `date`, which
    says when the resource was written). Only for dated editions can a date pick no edition at all, or a later
    edition tell that a code is not yet valid."""
    starts = edition_starts(catalog, system)
    if not any(valid_from(v) for v, _start in starts):
        return []
    if len(starts) > 1 or _yearly_codebook(system, starts):
        return starts
    return []


def _yearly_codebook(system: str, starts) -> bool:
    return system in NORWEGIAN_CODEBOOKS and all(is_year(v) for v, _start in starts)


def not_in_force(catalog, system: str, version: str | None, on: str | None) -> str | None:
    """Why no loaded edition of `system` answers for date `on`, or None when one does: the one rule $lookup,
    $validate-code and $expand apply to a `date`. `version` is the edition the request or its value set names
    (None: the date picks it). Only dated editions are judged: a date before the first loaded one picks none,
    and an edition named for the date must have started by then. A date after the last loaded edition is
    answered from it (the latest edition stays in force until a newer one is loaded)."""
    if not on:
        return None
    on = day_of(on)
    if version is None:
        if edition_for_date(catalog, system, on) is not None:
            return None
        starts = dated_editions(catalog, system)
        return no_edition_text(system, on, starts) if starts else None
    start = valid_from(version)
    if start is None or start <= on:
        return None
    starts = dated_editions(catalog, system)
    if not any(v == version for v, _s in starts):
        return None
    text = f"edition {version} of {system} was not in force on {on[:10]} (valid from {start})"
    then = edition_for_date(catalog, system, on)
    if then is not None:
        return f"{text}; the edition in force then is {then}"
    return f"{text}; no edition in force then is loaded; loaded: {present_versions(v for v, _s in starts)}"


def no_edition_text(system: str, on: str, starts) -> str:
    """Why a date before every loaded dated edition picks none ($lookup and $validate-code say the same)."""
    return f"no edition of {system} was in force on {on[:10]}; loaded: {present_versions(v for v, _s in starts)}"
