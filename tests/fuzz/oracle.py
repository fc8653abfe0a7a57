"""Sending one fuzzed request in process and judging the answer against the invariants of issue 3."""
from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from urllib.parse import quote

from .corpus import Req

HANG_SECONDS = 20     # only to report a hang as a failure; no speed is asserted


class Hang(BaseException):
    """Raised by the watchdog; a BaseException so the app's catch-all error handler cannot swallow it."""


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
        body = json.loads(raw)
    except ValueError:
        body = None
    finally:
        sys.setrecursionlimit(old)
    if status >= 500:
        return f"HTTP {status}: {raw[:600]!r}"
    if 300 <= status < 400:
        # werkzeug's own redirects (e.g. '//' merged into '/') carry an HTML body; a Location is what counts
        return None if resp.headers.get("Location") else f"HTTP {status} without a Location"
    if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
        return f"HTTP {status} without a FHIR JSON body: {raw[:600]!r}"
    rtype = body["resourceType"]
    if 400 <= status < 500:
        if rtype != "OperationOutcome":
            return f"HTTP {status} with a {rtype}, not an OperationOutcome"
        issues = body.get("issue")
        if not isinstance(issues, list) or not any(_issue_text(i) for i in issues):
            return f"HTTP {status} OperationOutcome without an issue text: {raw[:600]!r}"
    elif 200 <= status < 300 and req.expect and rtype not in req.expect:
        return f"HTTP {status} with a {rtype}, expected one of {req.expect}: {raw[:400]!r}"
    return None
