"""HTTP concerns of running behind load balancers and browsers: request ids, conditional reads, CORS.

Everything here is per-request header work: no store reads, a few microseconds a request.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone

from flask import Response, request
from werkzeug.http import http_date, parse_date

REQUEST_ID = "X-Request-Id"
_ENVIRON_KEY = "kodebro.request_id"
# printable ASCII without controls: an id a client sends ends up in log lines, where a newline could forge one
_VALID_ID = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,127}")


# --- request ids -----------------------------------------------------------------------------------------
def _new_id() -> str:
    """A uuid4 as text, about twice as fast as str(uuid.uuid4()) (this runs on every request)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40     # version 4
    b[8] = (b[8] & 0x3F) | 0x80     # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _choose_id(environ) -> str:
    incoming = environ.get("HTTP_X_REQUEST_ID")
    rid = incoming if incoming and _VALID_ID.fullmatch(incoming) else _new_id()
    environ[_ENVIRON_KEY] = rid
    return rid


class RequestIds:
    """WSGI middleware: picks the request id before Flask sees the request and adds it to every response,
    error pages included. Plain WSGI rather than Flask hooks: a few microseconds on the hot path."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        rid = _choose_id(environ)

        def start(status, headers, exc_info=None):
            headers.append((REQUEST_ID, rid))
            return start_response(status, headers, exc_info)
        return self.wsgi_app(environ, start)


def request_id() -> str:
    """This request's id: the client's (or the load balancer's) X-Request-Id when it is sane, else a new
    uuid4. Kept in the WSGI environ so the error handler, the response header and the log agree."""
    environ = request.environ
    return environ.get(_ENVIRON_KEY) or _choose_id(environ)


# --- conditional reads (R4 http.html#read, RFC 9110 §13) -------------------------------------------------
def read_validators(header, body: dict | None) -> dict[str, str]:
    """ETag and Last-Modified of a stored resource. The tag is the store generation that wrote the row
    (`rev`): every write of the resource gives it a new one. meta.versionId is not used because it is
    the resource's own (an imported resource keeps the versionId it came with)."""
    if header is None or header.pk is None:     # derived resources have no stored state to name
        return {}
    out = {"ETag": f'W/"{header.rev}"'}
    stamp = ((body or {}).get("meta") or {}).get("lastUpdated")
    if isinstance(stamp, str):
        try:
            when = datetime.fromisoformat(stamp)
        except ValueError:
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            out["Last-Modified"] = http_date(when)
    return out


def _etag_value(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith(("W/", "w/")) else tag


def is_not_modified(validators: dict[str, str]) -> bool:
    """Whether the client's copy is current: If-None-Match (weak comparison) decides when sent; otherwise
    If-Modified-Since not before Last-Modified. Both only for GET/HEAD."""
    if request.method not in ("GET", "HEAD") or not validators:
        return False
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        if inm.strip() == "*":
            return True
        ours = _etag_value(validators["ETag"])
        return any(_etag_value(t) == ours for t in inm.split(","))
    ims = request.headers.get("If-Modified-Since")
    last = validators.get("Last-Modified")
    if ims and last:
        since = parse_date(ims)
        return since is not None and parse_date(last) <= since
    return False


def not_modified(validators: dict[str, str]) -> Response:
    resp = Response(status=304)
    resp.headers.update(validators)
    resp.headers["Cache-Control"] = "no-cache"
    return resp


# --- CORS ------------------------------------------------------------------------------------------------
CORS_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
CORS_ALLOW_HEADERS = ("Content-Type, Accept, Accept-Language, Authorization, Prefer, X-Request-Id, "
                      "If-None-Match, If-Modified-Since")
CORS_EXPOSE_HEADERS = "ETag, Location, X-Request-Id, Content-Location, Last-Modified"
PREFLIGHT_MAX_AGE = "600"


def parse_origins(raw: str) -> frozenset[str]:
    return frozenset(o.strip().rstrip("/") for o in (raw or "").split(",") if o.strip())


def init_cors(app, origins: frozenset[str]) -> None:
    """Hooks registered only when origins are configured: with CORS off a request pays nothing."""
    any_origin = "*" in origins

    def allowed(origin: str | None) -> str | None:
        if not origin:
            return None
        if any_origin:
            return "*"
        return origin if origin in origins else None

    @app.before_request
    def _preflight():
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            resp = Response(status=204)
            del resp.headers["Content-Type"]
            if allowed(request.headers.get("Origin")):
                resp.headers["Access-Control-Allow-Methods"] = CORS_METHODS
                resp.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
                resp.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            return resp     # the after_request hook adds Allow-Origin and Vary
        return None

    @app.after_request
    def _cors_headers(resp: Response) -> Response:
        if not any_origin:
            resp.vary.add("Origin")     # caches must not hand one origin's answer to another
        origin = allowed(request.headers.get("Origin"))
        if origin:
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
        return resp
