"""HTTP concerns of running behind load balancers and browsers: request ids, conditional reads, CORS.

Everything here is per-request header work: no store reads, a few microseconds a request.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone

from flask import Response, has_request_context, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date, parse_date

from terminology.validation import is_fhir_id

from .render import VARY

REQUEST_ID = "X-Request-Id"
_ENVIRON_KEY = "kodebro.request_id"
# token characters only: an id a client sends ends up in log lines, where a newline could forge a line and a
# space or quote would shift the fields a log parser reads
_VALID_ID = re.compile(r"[A-Za-z0-9._:/@+=-]{1,128}")


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


def accept_language() -> str | None:
    """The request's Accept-Language header; None outside a request (a batch entry run by the engine) or when
    absent. Read from the environ: request.headers raises and catches a KeyError when the header is absent."""
    return request.environ.get("HTTP_ACCEPT_LANGUAGE") if has_request_context() else None


def request_id() -> str:
    """This request's id: the client's (or the load balancer's) X-Request-Id when it is sane, else a new
    uuid4. Kept in the WSGI environ so the error handler, the response header and the log agree."""
    environ = request.environ
    return environ.get(_ENVIRON_KEY) or _choose_id(environ)


# --- conditional reads (R4 http.html#read, RFC 9110 §13) -------------------------------------------------
def _etag_value(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith(("W/", "w/")) else tag


def not_modified(validators: dict[str, str]) -> Response:
    resp = Response(status=304)
    resp.headers.update(validators)
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Vary"] = VARY        # as the 200 it stands for (RFC 9110 §15.4.5)
    return resp


# --- Allow: the methods a URL is served with (RFC 9110 §10.2.1, §15.5.6) ------------------------------------
# HEAD is answered wherever GET is, and OPTIONS everywhere: Allow names the FHIR interaction methods only
INTERACTION_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
# endpoints that exist only to refuse a method with a message saying what to do instead (an operation's PUT,
# POST /metadata, GET .../_search, a write of an OperationDefinition) or that a history is not kept: the
# method they take is not one the URL serves
REFUSALS = frozenset({
    "operations.other_method",
    "metadata.metadata_is_read_only",
    "metadata.operation_definition_is_read_only",
    "resources.search_get_underscore",
    "resources.history_not_supported",
})
# R4 datatypes.html#id: a path segment that cannot be an id (_search, _history) names no instance to write


def served_methods() -> list[str]:
    """The methods this request's URL is served with: those whose rule goes to a handler that does the
    interaction. Matched again per method, so the answer is the routing's own, refusals left out. Run only
    for OPTIONS and 405 answers."""
    adapter = request_ctx.url_adapter
    if adapter is None:
        return []
    out = []
    for method in INTERACTION_METHODS:
        try:
            endpoint, args = adapter.match(method=method)
        except HTTPException:       # NotFound, MethodNotAllowed, RequestRedirect: no handler for it
            continue
        if endpoint in REFUSALS:
            continue
        rid = args.get("rid")
        if rid is not None and not is_fhir_id(rid):
            continue
        out.append(method)
    return out


def init_allow(app) -> None:
    """OPTIONS and every 405 list the same methods (Flask's own lists would name the methods of the rules that
    only refuse, and HEAD and OPTIONS)."""
    def options_response() -> Response:
        resp = app.response_class(status=200)
        del resp.headers["Content-Type"]      # no body: nothing to type
        resp.headers["Allow"] = ", ".join(served_methods())
        return resp
    # called by Flask for every rule that did not declare OPTIONS itself (all of ours)
    app.make_default_options_response = options_response

    @app.after_request
    def _allow_of_405(resp: Response) -> Response:
        if resp.status_code == 405:
            resp.headers["Allow"] = ", ".join(served_methods())
        return resp


# --- CORS ------------------------------------------------------------------------------------------------
CORS_ALLOW_HEADERS = ("Content-Type, Accept, Accept-Language, Authorization, Prefer, X-Request-Id, "
                      "If-None-Match, If-Modified-Since, If-Match")
CORS_EXPOSE_HEADERS = "ETag, Location, X-Request-Id, Content-Location, Last-Modified"
PREFLIGHT_MAX_AGE = "600"


def parse_origins(raw: str) -> frozenset[str]:
    """The configured origins as browsers send them: scheme and host in lower case, no trailing slash. An
    entry with a path can never match an Origin header, so it is refused at start-up rather than ignored."""
    out = set()
    for o in (raw or "").split(","):
        o = o.strip().rstrip("/")
        if not o:
            continue
        if o != "*" and o != "null":
            scheme, sep, rest = o.partition("://")
            if not sep or "/" in rest:
                raise ValueError(f"KODEBRO_CORS_ORIGINS: '{o}' is not an origin (scheme://host[:port], no path)")
            o = f"{scheme.lower()}://{rest.lower()}"
        out.add(o)
    return frozenset(out)


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
            methods = served_methods()
            resp.headers["Allow"] = ", ".join(methods)
            if allowed(request.headers.get("Origin")):
                # the methods the URL serves (as its OPTIONS and 405 answers say), not every method of the API
                if methods:
                    resp.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
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


# --- validators that tell stores apart, strict dates, conditional writes (RFC 9110 §8.8, §13) -------------
_DAY3 = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MON = "|".join(_MONTHS)
_IMF_FIXDATE = re.compile(rf"(?:{_DAY3}), (\d\d) ({_MON}) (\d{{4}}) (\d\d):(\d\d):(\d\d) GMT")
_RFC850_DATE = re.compile(r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
                          rf"(\d\d)-({_MON})-(\d\d) (\d\d):(\d\d):(\d\d) GMT")
_ASCTIME_DATE = re.compile(rf"(?:{_DAY3}) ({_MON}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{{4}})")
_ENTITY_TAG = re.compile(r'\s*((?:W/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


def _stamp_of(body: dict | None) -> datetime | None:
    stamp = ((body or {}).get("meta") or {}).get("lastUpdated")
    if not isinstance(stamp, str):
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when


def resource_tag(rev: int, body: dict | None) -> str:
    """W/"<rev>-<lastUpdated as UTC digits>". The generation alone restarts at 1 in every rebuilt store, so a
    tag from one store would validate a different resource in another; the write's instant tells them apart
    without a schema change and without hashing the body on every read."""
    return _tag(rev, _stamp_of(body))


def _tag(rev: int, when: datetime | None) -> str:
    if when is None:
        return f'W/"{rev}"'
    return f'W/"{rev}-{when.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")}"'


def validators_of(header, body: dict | None) -> dict[str, str]:
    """ETag and Last-Modified of a stored resource (none for derived ones)."""
    if header is None or header.pk is None:
        return {}
    return written_validators(header.rev, body)


def written_validators(rev: int, body: dict | None) -> dict[str, str]:
    """ETag and Last-Modified of `body` as the write of generation `rev` stored it. Last-Modified is its
    lastUpdated, which has one-second resolution: a second write in the same second keeps the same date, which
    is why read_is_not_modified answers 304 only for a date after the second a resource was written in."""
    when = _stamp_of(body)
    out = {"ETag": _tag(rev, when)}
    if when is not None:
        out["Last-Modified"] = http_date(when)
    return out


def parse_http_date_strict(value: str | None, now: datetime | None = None) -> datetime | None:
    """One HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, or the obsolete RFC 850 and asctime forms; anything
    else (a list, another zone, trailing text) is None, so the condition it carries is ignored."""
    if value is None:
        return None
    value = value.strip(" \t")
    try:
        if m := _IMF_FIXDATE.fullmatch(value):
            day, mon, year, hh, mm, ss = m.groups()
        elif m := _RFC850_DATE.fullmatch(value):
            day, mon, yy, hh, mm, ss = m.groups()
            # a two-digit year more than 50 years ahead is the most recent past year ending so (§5.6.7)
            this_year = (now or datetime.now(timezone.utc)).year
            year = this_year - this_year % 100 + int(yy)
            if year > this_year + 50:
                year -= 100
        elif m := _ASCTIME_DATE.fullmatch(value):
            mon, day, hh, mm, ss, year = m.groups()
        else:
            return None
        return datetime(int(year), _MONTHS.index(mon) + 1, int(day), int(hh), int(mm), int(ss),
                        tzinfo=timezone.utc)
    except ValueError:      # 31 Feb, hour 25, ...
        return None


def entity_tags(value: str) -> list[str] | None:
    """The entity tags of an If-Match / If-None-Match list, `["*"]` for the star; None when it does not parse."""
    value = value.strip(" \t")
    if value == "*":
        return ["*"]
    tags, pos = [], 0
    while pos < len(value):
        m = _ENTITY_TAG.match(value, pos)
        if not m:
            return None
        tags.append(m.group(1))
        pos = m.end()
    return tags or None


def weak_match(a: str, b: str) -> bool:
    """RFC 9110 §8.8.3.2 weak comparison: the opaque tags agree, W/ or not."""
    return _etag_value(a) == _etag_value(b)


def _listed(field: str) -> list[str] | None:
    values = request.headers.getlist(field)
    if not values:
        return None
    out: list[str] = []
    for v in values:
        tags = entity_tags(v)
        if tags is None:
            return []       # unparsable: matches nothing
        out += tags
    return out


def read_is_not_modified(validators: dict[str, str]) -> bool:
    """GET/HEAD: If-None-Match (weak comparison) decides when sent; otherwise If-Modified-Since, only when it
    is exactly one valid HTTP-date and the answer's Last-Modified is strictly before it. RFC 9110 §13.1.3 would
    have 304 for an equal date too, but Last-Modified names a whole second: another write in that second carries
    the same date, and a client sending it back would be told its stale copy is current. Answering 200 there is
    always safe; If-None-Match with the ETag is the exact test."""
    if request.method not in ("GET", "HEAD") or not validators:
        return False
    inm = _listed("If-None-Match")
    if inm is not None:
        return "*" in inm or any(weak_match(t, validators["ETag"]) for t in inm)
    last = validators.get("Last-Modified")
    sent = request.headers.getlist("If-Modified-Since")
    if not last or len(sent) != 1:
        return False
    since = parse_http_date_strict(sent[0])
    return since is not None and parse_date(last) < since


def failed_write_precondition(current_tag: str | None) -> str | None:
    """Why a PUT/DELETE must not go ahead (412), or None. `current_tag` is the resource's tag, None when it
    does not exist. If-Match uses weak comparison although RFC 9110 asks for strong: FHIR R4
    (http.html#concurrency) has clients send back the weak tag they read."""
    now = f"its current tag is {current_tag}" if current_tag else "it does not exist"
    if_match = _listed("If-Match")
    if if_match is not None:
        if current_tag is None:
            return f"If-Match was sent, but {now}"
        if "*" not in if_match and not any(weak_match(t, current_tag) for t in if_match):
            return f"If-Match {', '.join(if_match) or '(unparsable)'} does not match: {now}"
    inm = _listed("If-None-Match")
    if inm and current_tag is not None and ("*" in inm or any(weak_match(t, current_tag) for t in inm)):
        return f"If-None-Match {', '.join(inm)} matches the existing resource: {now}"
    return None
