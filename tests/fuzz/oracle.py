"""Sending one fuzzed request in process and judging the answer against the invariants of issue 3."""
from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
from urllib.parse import quote

from terminology.errors import InvalidRequest
from terminology.fhir_xml.read import from_xml

from .corpus import Req

HANG_SECONDS = 20     # only to report a hang as a failure; no speed is asserted


# what the app writes where it catches an unexpected error inside an answer that still succeeds (a batch entry, one
# validation of $batch-validate-code): a 500 all the same, which the answer's 200 would hide
SWALLOWED = (b"failed unexpectedly", b"internal error while processing")


class Hang(BaseException):
    """Raised by the watchdog; a BaseException so the app's catch-all error handler cannot swallow it."""


class _Caught(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        if record.exc_info:
            self.records.append(record)


@contextlib.contextmanager
def logged_errors():
    """The exceptions the app logs while it answers (its 500 handler, and the places that catch an error so that
    the rest of an answer survives: a batch entry, one validation of $batch-validate-code, an advice source).
    Any of them is a server error, whatever the status says."""
    handler = _Caught()
    logger = logging.getLogger("kodebro")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def caught_verdict(records) -> str | None:
    if not records:
        return None
    r = records[0]
    kind = r.exc_info[0].__name__ if r.exc_info and r.exc_info[0] else "error"
    return f"the app logged {kind} ({r.getMessage()[:200]}): {str(r.exc_info[1])[:300]}"


@contextlib.contextmanager
def watchdog(seconds: int = HANG_SECONDS):
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _fire(signum, frame):
        raise Hang(f"no answer within {seconds} s")
    old = signal.signal(signal.SIGALRM, _fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _q(s: str) -> str:
    return quote(s.encode("utf-8", "surrogatepass"), safe="")


def query_string(req: Req) -> str:
    return "&".join(f"{_q(n)}={_q(v)}" for n, v in req.query)


def send(client, req: Req):
    data = req.data()
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    kw = {"method": req.method, "query_string": query_string(req), "headers": dict(req.headers)}
    if data is not None:
        kw["data"] = data
    if req.content_type is not None:
        kw["content_type"] = req.content_type
    with watchdog():
        return client.open(req.path, **kw)


def _issue_text(issue) -> str:
    if not isinstance(issue, dict):
        return ""
    details = issue.get("details") if isinstance(issue.get("details"), dict) else {}
    return f"{issue.get('diagnostics') or ''}{details.get('text') or ''}".strip()


def verdict(req: Req, resp) -> str | None:
    """None when the answer keeps every invariant, else what is wrong."""
    status = resp.status_code
    raw = resp.get_data()
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))     # an answer may legitimately nest deeper than the default
    try:
        # an XML answer is read back by Kodebro's own reader: what the server writes, its reader must take
        xml = (resp.headers.get("Content-Type") or "").startswith("application/fhir+xml")
        body = from_xml(raw) if xml else json.loads(raw)
    except (ValueError, InvalidRequest):
        body = None
    finally:
        sys.setrecursionlimit(old)
    if status >= 500:
        return f"HTTP {status}: {raw[:600]!r}"
    if status == 304:
        # Not Modified has no body by definition; only a conditional read may get it
        conditional = {"if-none-match", "if-modified-since"} & {h.lower() for h in req.headers}
        return None if conditional and req.method in ("GET", "HEAD") else f"HTTP 304 to {req.method} without " \
            "If-None-Match or If-Modified-Since"
    if 300 <= status < 400:
        # werkzeug's own redirects (e.g. '//' merged into '/') carry an HTML body; a Location is what counts
        return None if resp.headers.get("Location") else f"HTTP {status} without a Location"
    if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
        return f"HTTP {status} without a FHIR JSON or XML body: {raw[:600]!r}"
    rtype = body["resourceType"]
    if 400 <= status < 500:
        if rtype != "OperationOutcome":
            return f"HTTP {status} with a {rtype}, not an OperationOutcome"
        issues = body.get("issue")
        if not isinstance(issues, list) or not any(_issue_text(i) for i in issues):
            return f"HTTP {status} OperationOutcome without an issue text: {raw[:600]!r}"
    elif 200 <= status < 300 and req.expect and rtype not in req.expect:
        return f"HTTP {status} with a {rtype}, expected one of {req.expect}: {raw[:400]!r}"
    if rtype == "Bundle" and body.get("type") == "batch-response":
        return _entries_verdict(body)
    if 200 <= status < 300 and any(words in raw for words in SWALLOWED):
        return f"HTTP {status} carrying a caught server error: {raw[:600]!r}"
    return None


def _entries_verdict(bundle: dict) -> str | None:
    """A batch answers 200 whatever its entries did: each entry's own status keeps the invariants too (a 5xx
    there is a server error the batch's 200 would hide)."""
    for i, entry in enumerate(bundle.get("entry") or []):
        response = entry.get("response") if isinstance(entry, dict) else None
        status = str((response or {}).get("status") or "")
        if not status[:3].isdigit():
            return f"batch entry {i} without a response status: {str(entry)[:300]}"
        if status[0] == "5":
            return f"batch entry {i} answered {status}: {str(entry)[:600]}"
        if status[0] == "4":
            res = entry.get("resource")
            if not (isinstance(res, dict) and res.get("resourceType") == "OperationOutcome"
                    and any(_issue_text(x) for x in res.get("issue") or [])):
                return f"batch entry {i} answered {status} without an OperationOutcome with a text: {str(entry)[:400]}"
    return None
