"""Turning result dicts into HTTP responses: FHIR JSON, _pretty, content negotiation."""
from __future__ import annotations

import functools
import math

import orjson
from flask import Response, current_app, has_request_context, request

from terminology.errors import InvalidRequest

from .params import query_value

FHIR_JSON = "application/fhir+json"
_JSON_TYPES = ("application/fhir+json", "application/json", "json", "application/json+fhir", "text/json")
_XML_TYPES = ("application/fhir+xml", "application/xml", "xml", "text/xml", "application/xml+fhir")


FHIR_VERSION = "4.0"          # the fhirVersion MIME parameter value of R4 (versions.html#mt-version)
_ANY = ("*/*", "application/*", "text/*", "text/html")     # text/html: a browser's Accept


def wants_unsupported_format() -> str | None:
    """The requested format when it is one Kodebro cannot produce (only R4 JSON is served)."""
    # (the header is read from the environ: an EnvironHeaders lookup that misses raises and catches a KeyError)
    fmt = query_value("_format")
    if fmt:
        media, params = _media_range(fmt)
        if media not in _JSON_TYPES or not _version_served(params):
            return fmt
        return None
    accept = request.environ.get("HTTP_ACCEPT", "")
    if not accept.strip():
        return None
    return None if _accepts_json(accept) else accept


def unsupported_format_text(bad: str) -> str:
    """What a 406 says: the format (and FHIR version) served, so the client can ask again."""
    asked = [v for part in bad.split(",") for v in [_media_range(part)[1].get("fhirversion")] if v]
    if asked and not all(_version_served({"fhirversion": v}) for v in asked):
        return (f"format '{bad}' is not supported; this server speaks application/fhir+json for FHIR version "
                f"{FHIR_VERSION} (R4) only")
    return f"format '{bad}' is not supported; this server speaks application/fhir+json"


def _media_range(text: str) -> tuple[str, dict[str, str]]:
    """(type, parameters) of one media range; a '+' decoded to a space in a URL ('application/fhir json')
    is read as the '+' it was."""
    media, *rest = text.split(";")
    params = {}
    for p in rest:
        k, _, v = p.partition("=")
        params[k.strip().lower()] = v.strip().strip('"')
    return "+".join(media.strip().lower().split()), params


def _version_served(params: dict[str, str]) -> bool:
    v = params.get("fhirversion")
    return v is None or v == FHIR_VERSION or v.startswith(FHIR_VERSION + ".")


def _quality(params: dict[str, str]) -> float:
    try:
        q = float(params.get("q", "1"))
    except ValueError:
        return 1.0
    return q if math.isfinite(q) else 1.0      # junk (nan, inf) is read as no weight given, as unparsable text is


@functools.lru_cache(maxsize=256)      # clients send a handful of distinct Accept headers, each on every request
def _accepts_json(accept: str) -> bool:
    """Whether an Accept header allows R4 JSON (RFC 9110 §12.5.1): a JSON type named with q > 0 and a
    served fhirVersion; when JSON types are named only with q=0 or another version, not even */* brings
    JSON back (the more specific range wins); otherwise a wildcard with q > 0."""
    named, wildcard = [], False
    for part in accept.split(","):
        media, params = _media_range(part)
        if not media:
            continue        # an empty element (`,,`) names nothing
        if media in _JSON_TYPES:
            named.append(_quality(params) > 0 and _version_served(params))
        elif media in _ANY and _quality(params) > 0:
            wildcard = True
    return any(named) if named else (wildcard or not any(_media_range(p)[0] for p in accept.split(",")))


def fhir_base() -> str:
    """The FHIR endpoint as clients reach it: the BASE_URL setting (behind a proxy), else the request's."""
    configured = current_app.config["KODEBRO"].get("BASE_URL")
    return configured.rstrip("/") if configured else request.url_root.rstrip("/") + "/fhir"


_CONTENT_TYPE = FHIR_JSON + "; charset=utf-8"


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    opts = orjson.OPT_INDENT_2 if _pretty_asked() else 0
    resp = Response(_dumps(body, opts), status=status, content_type=_CONTENT_TYPE)
    if headers:
        resp.headers.update(headers)
    return resp


def _pretty_asked() -> bool:
    if not has_request_context():
        return False        # no request, no query to read
    try:
        pretty = query_value("_pretty")
    except InvalidRequest:
        return False        # the answer refusing a query string that cannot be read is written plain
    return pretty is not None and pretty.lower() == "true"


def _dumps(body, opts: int) -> bytes:
    try:
        return orjson.dumps(body, option=opts)
    except orjson.JSONEncodeError as e:
        if "recursion" not in str(e).lower():
            raise
    # orjson stops at 255 levels, yet an answer may nest deeper (a long hierarchy, an input echoed back)
    return _deep_dumps(body)


class _Raw(str):
    """Text already in JSON form, on _deep_dumps's stack."""


def _deep_dumps(body) -> bytes:
    """Compact JSON without recursion, so no nesting depth is too deep to answer."""
    import dataclasses
    import json
    out, todo = [], [body]
    while todo:
        v = todo.pop()
        if isinstance(v, _Raw):
            out.append(v)
        elif isinstance(v, dict) or dataclasses.is_dataclass(v) and not isinstance(v, type):
            # a dataclass by its fields, one level at a time, as orjson writes it (asdict would recurse)
            items = list(v.items()) if isinstance(v, dict) else [(f.name, getattr(v, f.name))
                                                                for f in dataclasses.fields(v)]
            todo.append(_Raw("}"))
            for i in range(len(items) - 1, -1, -1):
                todo.append(items[i][1])
                todo.append(_Raw(("," if i else "") + json.dumps(str(items[i][0]), ensure_ascii=False) + ":"))
            todo.append(_Raw("{"))
        elif isinstance(v, (list, tuple)):
            todo.append(_Raw("]"))
            for i in range(len(v) - 1, -1, -1):
                todo.append(v[i])
                if i:
                    todo.append(_Raw(","))
            todo.append(_Raw("["))
        elif isinstance(v, float) and not math.isfinite(v):
            out.append("null")      # as orjson writes them
        elif isinstance(v, str):
            out.append(json.dumps(v, ensure_ascii=False))
        else:
            out.append(orjson.dumps(v).decode())     # numbers, booleans, null, dates, UUIDs: as orjson writes them
    return "".join(out).encode("utf-8", "backslashreplace")   # a lone surrogate becomes its JSON escape
