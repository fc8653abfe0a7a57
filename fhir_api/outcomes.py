"""Every error leaves the API as an OperationOutcome with the right HTTP status."""
from __future__ import annotations

import logging

from werkzeug.exceptions import HTTPException

from terminology.errors import TerminologyError

from .render import fhir_response

log = logging.getLogger("kodebro")
RETRY_AFTER_SECONDS = "5"

_HTTP_ISSUE = {400: "invalid", 401: "security", 403: "forbidden", 404: "not-found", 405: "not-supported",
               406: "not-supported", 409: "conflict", 410: "deleted", 413: "too-costly",
               415: "not-supported", 422: "invalid"}


# tx-issue-type for errors raised without one: terminology clients (the FHIR validator) read the coding, not
# the text, to tell why a request failed
_DEFAULT_TX_CODE = {"invalid": "invalid-data", "structure": "invalid-data", "required": "invalid-data",
                    "value": "invalid-data", "not-found": "not-found", "too-costly": "too-costly"}


def issue(severity: str, code: str, text: str, *, location: str | None = None,
          tx_code: str | None = None) -> dict:
    i = {"severity": severity, "code": code}
    if tx_code is None and severity in ("error", "fatal"):
        tx_code = _DEFAULT_TX_CODE.get(code)
    if tx_code:
        i["details"] = {"coding": [{"system": "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type",
                                    "code": tx_code}], "text": text}
    else:
        i["details"] = {"text": text}
    if location:
        i["location"] = [location]
        i["expression"] = [location]
    return i


def operation_outcome(issues: list[dict]) -> dict:
    return {"resourceType": "OperationOutcome", "issue": issues}


# Request parameters the reference servers point at in an error's `expression` ($subsumes names the code at
# fault); for any other bare parameter name they give no path, so it goes to `diagnostics` instead
_PATH_PARAMETERS = frozenset({"codeA", "codeB", "codingA", "codingB"})


def _is_path(location: str) -> bool:
    """Whether `location` is a FHIRPath into a resource (`ValueSet.compose.include[0].filter[0]`,
    `Coding.code`), not the bare name of a request parameter (`url`, `count`)."""
    return "." in location or "[" in location or location in _PATH_PARAMETERS


def outcome_for(err: TerminologyError) -> dict:
    location = err.location
    diagnostics = err.diagnostics
    if location and not _is_path(location):
        # the parameter at fault stays readable for a person, out of the element a client compares
        said = f"parameter: {location}"
        diagnostics = f"{said}; {diagnostics}" if diagnostics else said
        location = None
    if err.diagnostics_only:
        issues = [{"severity": err.severity, "code": err.issue_code, "diagnostics": err.message}]
    else:
        issues = [issue(err.severity, err.issue_code, err.message, location=location, tx_code=err.tx_code)]
        if diagnostics:
            issues[0]["diagnostics"] = diagnostics
    for sev, code, text in err.details:
        issues.append(issue(sev, code, text))
    return operation_outcome(issues)


def init_app(app) -> None:
    @app.errorhandler(TerminologyError)
    def _terminology_error(err: TerminologyError):
        resp = fhir_response(outcome_for(err), err.status)
        if err.status == 503:
            # the store restarting or locked: worth the same request again shortly (as /readyz says too)
            resp.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        status = err.code or 500
        text = err.description or err.name
        if status == 404:
            text = f"no such resource or operation: {_path()}"
        elif status == 405:
            text = f"method {_method()} is not allowed on {_path()}"
        resp = fhir_response(operation_outcome([issue("error", _HTTP_ISSUE.get(status, "processing"), text)]), status)
        if status == 405 and getattr(err, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(err.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if _malformed_http_body(err):
            return fhir_response(operation_outcome([issue(
                "error", "invalid", f"the request body could not be read: {err}")]), 400)
        # a bug of ours, not the client's: log it, never send the traceback
        from .http_headers import request_id
        rid = request_id()
        log.exception("unhandled error on %s %s [request id %s]", _method(), _path(), rid)
        oops = issue("fatal", "exception", "internal error while processing the request; it has been logged")
        oops["diagnostics"] = f"request id {rid}: quote it to the server's operators to find the log entry"
        return fhir_response(operation_outcome([oops]), 500)


def _malformed_http_body(err: Exception) -> bool:
    """gunicorn reads a chunked body only as the app asks for it, so its errors for a malformed one (a bad chunk
    size, a missing terminator, a body cut short) surface here, not as werkzeug's HTTP errors: a client's 400."""
    try:
        from gunicorn.http.errors import NoMoreData, ParseException
    except ImportError:  # pragma: no cover - served by another WSGI server
        return False
    return isinstance(err, (ParseException, NoMoreData))


def _path() -> str:
    from flask import request
    return request.path


def _method() -> str:
    from flask import request
    return request.method
