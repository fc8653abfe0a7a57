"""Errors the engine raises; each knows its FHIR issue code and HTTP status.

    TerminologyError                 500 exception  (never raised on purpose)
    ├── InvalidRequest               400 invalid    the request itself is malformed
    │   └── NotSupported             400 not-supported  a parameter/feature Kodebro lacks
    ├── NotFound                     404 not-found  unknown resource, system or version
    │   └── NotHeld                  422 not-found  a definition a sound request needs, not held
    ├── TooCostly                    422 too-costly an expansion or query too large to answer
    │   └── NotEnumerable            422 not-supported  codes that cannot be listed at all (a grammar)
    ├── NotStored                    422 not-supported  a write to a resource the server derives
    ├── InvalidResource              422 invalid    a resource fails validation
    │   └── ImportRejected           422 invalid    an import had rejected resources
    ├── Conflict                     409 conflict   e.g. id/url clash on create
    └── StoreUnavailable             503 transient  the store cannot be reached (a database restart, a lock)

Only `fhir_api.outcomes` turns these into OperationOutcome resources; the
engine never knows about HTTP beyond the status number carried here.
"""
from __future__ import annotations


class TerminologyError(Exception):
    issue_code = "exception"
    status = 500
    severity = "error"
    diagnostics_only = False

    def __init__(self, message: str, *, location: str | None = None,
                 tx_code: str | None = None, details: list | None = None, diagnostics: str | None = None,
                 diagnostics_only: bool = False):
        super().__init__(message)
        self.message = message
        # the issue says the message in `diagnostics` alone, without `details` (as the reference servers answer
        # a few errors, and clients compare the shape)
        self.diagnostics_only = diagnostics_only
        self.location = location
        self.tx_code = tx_code
        # more for a person to read (e.g. the versions held), beside the message clients may compare
        self.diagnostics = diagnostics
        # extra (severity, code, message) issues to report alongside
        self.details = details or []


class InvalidRequest(TerminologyError):
    issue_code = "invalid"
    status = 400


class NotSupported(InvalidRequest):
    issue_code = "not-supported"


class MethodNotAllowed(TerminologyError):
    issue_code = "not-supported"
    status = 405


class NotFound(TerminologyError):
    issue_code = "not-found"
    status = 404


class NotHeld(NotFound):
    """A definition a sound request needs (a code system, a version, a value set a url names) that the server does
    not hold: 422, as the reference server answers it (FHIRsmith); an unknown code, or an instance URL naming no
    resource, stays 404."""
    status = 422


class UnknownCode(NotFound):
    """A code the code system does not hold, where an operation cannot answer without it ($subsumes): 404 with
    the issue code a validation gives an unknown code."""
    issue_code = "code-invalid"


class TooCostly(TerminologyError):
    issue_code = "too-costly"
    status = 422


class NotEnumerable(TooCostly):
    """A code system whose codes cannot be listed at all (a grammar: every well-formed expression is a code): 422
    not-supported, as the reference servers answer (no paging would help); a TooCostly to every caller that asks
    whether listing is possible."""
    issue_code = "not-supported"


class NotStored(TerminologyError):
    """A write (a delete) of a resource the server derives from others rather than stores for its own sake (an
    NKPK edition built again as it is, an ICD-10-NO rule value set, a SNOMED CT implicit map): 422, as a PUT to such
    an id is refused, because the request is understood but there is nothing of its own to remove. Not 405: the
    URL serves DELETE for the stored resources of its type."""
    issue_code = "not-supported"
    status = 422


class InvalidResource(TerminologyError):
    issue_code = "invalid"
    status = 422


class ImportRejected(InvalidResource):
    def __init__(self, message: str, rejected: list):
        super().__init__(message)
        self.rejected = rejected


class Conflict(TerminologyError):
    issue_code = "conflict"
    status = 409


class Duplicate(Conflict):
    # a create (http.html#create makes a new resource) of a url+version the store already keeps: the store holds
    # one resource per type+url+version, so it would replace that one
    issue_code = "duplicate"


class StoreUnavailable(TerminologyError):
    """The store did not answer: the request was fine and may be sent again (a PostgreSQL restart, a lock held
    past the busy timeout). The connection is dropped, so the next request opens a new one."""
    issue_code = "transient"
    status = 503


def shortened(text: str, limit: int = 100) -> str:
    """A client's text as a message echoes it: long values cut, so an answer stays small."""
    return text if len(text) <= limit else text[:limit] + "…"
