"""What a concept's or resource's status says about using it: deprecated or draft content to warn about,
abstract (not selectable) codes, and the period a code is valid in. Shared by $expand, $validate-code and
$lookup."""
from __future__ import annotations

from datetime import date

from ..codesystem import DEPRECATED_CODES, Concept, standards_status_code
from ..editions import day_of, today
from ..elements import value_of
from ..errors import InvalidRequest


def is_draft(res: dict) -> bool:
    """A resource that is draft by its status or its standards status (FHIRsmith reads both)."""
    return res.get("status") == "draft" or standards_status_code(res.get("extension") or ()) == "draft"


def reported_status(res: dict, source: dict | None, lifecycle: bool = True) -> str | None:
    """The status of `res` to warn about when value set `source` uses it (see standards_status). A draft source
    does not warn about draft content (FHIRsmith checkCanonicalStatus, Java ValueSetProcessBase.checkCanonical);
    whatever else holds (deprecated, withdrawn, retired, experimental) is still said."""
    status = standards_status(res, lifecycle)
    if status == "draft" and source is not None and is_draft(source):
        return standards_status(res, lifecycle, draft=False)
    return status


def expansion_status(res: dict, source: dict) -> str | None:
    """The status $expand warns about for `res` (a code system, an import, or the root value set itself) used by
    root value set `source`, as FHIRsmith expand.js checkCanonicalStatus weighs it: a retired resource used by
    a retired value set is no news (and, as there, nothing else is said of it); the root is its own source, so
    its draft or retired status goes unsaid while being experimental is still said. $validate-code reports a
    retired resource whatever uses it (validate.js), so it keeps reported_status."""
    stated = standards_status_code(res.get("extension") or ())
    if res.get("status") == "retired" and source.get("status") == "retired" and \
            stated not in ("deprecated", "withdrawn"):
        return None
    return reported_status(res, source)


def standards_status(res: dict, lifecycle: bool = True, draft: bool = True) -> str | None:
    """The status a client should be warned about: deprecated/withdrawn, and with `lifecycle`
    also retired, experimental or draft (for code systems, whose content may still change).

    One status, the first of deprecated, withdrawn, retired, experimental, draft that holds: the reference
    servers' order (FHIRsmith checkCanonicalStatus), so the usual draft + experimental example system is
    reported as experimental. `draft=False` leaves draft unsaid."""
    stated = standards_status_code(res.get("extension") or ())
    if stated in ("deprecated", "withdrawn"):
        return stated
    if not lifecycle:
        return None
    status = res.get("status")
    if status == "retired":
        return status
    if res.get("experimental") is True:
        return "experimental"
    if draft and (status == "draft" or stated == "draft"):     # the two ways is_draft reads
        return "draft"
    return None


def is_abstract(concept) -> bool:
    """Not selectable: the concept states notSelectable = true under whatever code its system gives the property
    (`Concept.abstract`, which knows the system's codes)."""
    return concept is not None and concept.abstract is True


def is_deprecated(concept, on: str | None = None, cs=None) -> bool:
    """Deprecated but still active: its status (or standards status) says so, or R4's `deprecated` concept property
    (concept-properties#deprecated, "the date at which a concept was deprecated", under whatever code `cs` gives
    that URI; `deprecationDate` is an older name of it, a boolean an older form) holds a date on or before `on`
    (today when no date is asked about). Without `cs` the usual codes are read."""
    if concept is None:
        return False
    if concept.deprecated_by_status:
        return True
    codes = cs.deprecation_codes() if cs is not None else DEPRECATED_CODES
    if not codes:
        return False        # (nearly every system: no concept states the property)
    for p in concept.properties:
        if p.get("code") in codes and _deprecated_by(value_of(p), on):
            return True
    return False


# the concept properties whose values say a status when the concept states none (flagged_status)
FLAG_CODES = frozenset({"inactive", "retired", "deprecated", "deprecationDate"})


def flagged_status(c, cs, on: str | None) -> str | None:
    """The status a code system concept that states neither a status nor a standards status says with its
    flags, as tx.fhir.org (cs-cs.js getStatus) reads it: deprecated (R4's deprecated property true, or its date
    on or before `on`), else inactive = true, else retired = true; None when none holds."""
    if type(c) is Concept:
        for p in c.properties:
            if p.get("code") in FLAG_CODES:
                break
        else:
            if not cs.deprecation_codes():
                return None     # (nearly every concept that has properties: none of them is a flag)
    if is_deprecated(c, on, cs):
        return "deprecated"
    if c.inactive:          # (with no status, only a stated inactive property makes it so)
        return "inactive"
    if any(v is True or v == "true" for v in c.property_values("retired")):
        return "retired"
    return None


def _deprecated_by(value, on: str | None) -> bool:
    """Whether one value of the deprecated property says "deprecated" on ISO date `on` (None: today)."""
    if value is True or value == "true":
        return True
    since = _day(value)
    return since is not None and since <= ((on and _day(on)) or date.today().isoformat())


def _day(value) -> str | None:
    """The first day (YYYY-MM-DD) of a property value that is a FHIR date or dateTime; None for any other value,
    which says nothing about deprecation (content, not the client's request: no error)."""
    try:
        return day_of(value)
    except InvalidRequest:
        return None


# content modes of a CodeSystem resource that hold only part of the code system's codes
PARTIAL_CONTENT = ("fragment", "example")

# concept properties that bound the period a code may be used in (Norwegian codebooks: "gyldig fra/til")
VALID_FROM = ("validFrom", "effectiveDate")
VALID_TO = ("validTo", "retirementDate")


def validity_problem(concept, on: str | None) -> str | None:
    """Why `concept` may not be used on ISO date `on` (None when it may, or when it has no validity period)."""
    if not on or concept is None or not concept.properties:
        return None
    day = on[:10]
    for code in VALID_FROM:
        for v in concept.property_values(code):
            if isinstance(v, str) and v[:10] > day:
                return f"valid from {v[:10]}"
    for code in VALID_TO:
        for v in concept.property_values(code):
            if isinstance(v, str) and v[:10] < day:
                return f"valid to {v[:10]}"
    return None


def status_day(catalog, asked: str | None) -> str:
    """The day a deprecation date is read on: the day a request asks about, else the server's today (KODEBRO_TODAY
    when set, as the edition in force is read), else the clock's, for a catalog that keeps no day of its own."""
    if asked:
        return asked
    day = getattr(catalog, "in_force_day", None)
    return day() if day is not None else today()
