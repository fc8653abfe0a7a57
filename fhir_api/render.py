"""Turning result dicts into HTTP responses: FHIR JSON or XML, _pretty, content negotiation."""
from __future__ import annotations

import functools
import math

import orjson
from flask import Response, current_app, has_request_context, request

from terminology.errors import InvalidRequest

from .params import JSON_BODY, XML_BODY, query_value

FHIR_JSON = "application/fhir+json"
FHIR_XML = "application/fhir+xml"
VARY = "Accept, Accept-Language"
# the media types each format is sent as, and the short names `_format` takes (http.html#mime-type)
_FORMATS = {**{t: "json" for t in (*JSON_BODY, "json")}, **{t: "xml" for t in (*XML_BODY, "xml")}}
_SERVED = "application/fhir+json or application/fhir+xml"


FHIR_VERSION = "4.0"          # the fhirVersion MIME parameter value of R4 (versions.html#mt-version)
_ANY = ("*/*", "application/*", "text/*", "text/html")     # text/html: a browser's Accept


FORMAT_KEY = "kodebro.format"        # the format this request is answered in, chosen before it is handled
INNER_KEY = "kodebro.batch_entry"    # set on the request a batch makes of one of its entries


def negotiate() -> str | None:
    """Choose the format of the current request's answers ('json' or 'xml'), kept for fhir_response; the requested
    format when it is one Kodebro cannot produce. `_format` wins over Accept (http.html#mime-type)."""
    chosen, bad = _chosen_format()
    # a batch entry's own request is answered in JSON: the batch's answer holds it, in the batch's format
    request.environ[FORMAT_KEY] = "json" if request.environ.get(INNER_KEY) else chosen
    return bad


def _chosen_format() -> tuple[str, str | None]:
    # (the header is read from the environ: an EnvironHeaders lookup that misses raises and catches a KeyError)
    fmt = query_value("_format")
    if fmt:
        media, params = _media_range(fmt)
        kind = _FORMATS.get(media)
        if kind is None or not _version_served(params):
            # named as the client wrote it: a '+' left unescaped in the URL reads as a space
            return "json", fmt.replace(" ", "+")
        return kind, None
    accept = request.environ.get("HTTP_ACCEPT", "")
    kind, open_choice = _accepted(accept) if accept.strip() else ("json", True)
    if kind is None:
        return "json", accept
    if open_choice and _sent_as_xml():
        return "xml", None      # asked for nothing in particular (curl's */*): answered as it was asked
    return kind, None


def _sent_as_xml() -> bool:
    ctype = request.environ.get("CONTENT_TYPE", "")
    return _FORMATS.get(_media_range(ctype)[0]) == "xml" if ctype else False


def unsupported_format_text(bad: str) -> str:
    """What a 406 says: the formats (and FHIR version) served, so the client can ask again."""
    asked = [v for part in bad.split(",") for v in [_media_range(part)[1].get("fhirversion")] if v]
    if asked and not all(_version_served({"fhirversion": v}) for v in asked):
        return (f"format '{bad}' is not supported; this server speaks {_SERVED} for FHIR version "
                f"{FHIR_VERSION} (R4) only")
    return f"format '{bad}' is not supported; this server speaks {_SERVED}"


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
def _accepted(accept: str) -> tuple[str | None, bool]:
    """The format an Accept header asks for (RFC 9110 §12.5.1), None when it allows neither, and whether it
    leaves the choice open (neither format named). Each format is weighed by the most specific range that
    matches it: a FHIR JSON or XML type named, else a wildcard (`*/*`, or a browser's `text/html`); the higher q
    wins, a named format on a tie, the first named among named ones (HAPI's client names the format it encodes
    first). q=0 refuses a format even where a wildcard would allow it, and a header that names another FHIR
    version gets nothing through a wildcard (R4 in the other format is no answer it can read); a header naming
    nothing brings JSON."""
    named: dict[str, tuple[float, int]] = {}
    wildcard, any_named, other_version = None, False, False
    for i, part in enumerate(accept.split(",")):
        media, params = _media_range(part)
        if not media:
            continue        # an empty element (`,,`) names nothing
        any_named = True
        kind = _FORMATS.get(media)
        q = _quality(params)
        if kind:
            if not _version_served(params):
                q, other_version = 0.0, True
            if kind not in named or q > named[kind][0]:
                named[kind] = (q, -i if kind not in named else named[kind][1])
        elif media in _ANY:
            wildcard = max(q, wildcard or 0.0)
    if not any_named:
        return "json", True
    ranks = []
    for order, kind in enumerate(("json", "xml")):
        if kind in named:
            ranks.append(((named[kind][0], 1, named[kind][1]), kind))
        elif wildcard is not None:
            ranks.append(((wildcard, 0, -1_000_000 - order), kind))
    ranks = [r for r in ranks if r[0][0] > 0]
    if not ranks or other_version and not max(ranks)[0][1]:
        # (a client that names another FHIR version reads no R4 in any format a wildcard would let through)
        return None, False
    return max(ranks)[1], not named


def fhir_base() -> str:
    """The FHIR endpoint as clients reach it: the BASE_URL setting (behind a proxy), else the request's."""
    configured = current_app.config["KODEBRO"].get("BASE_URL")
    return configured.rstrip("/") if configured else request.url_root.rstrip("/") + "/fhir"


_CONTENT_TYPE = FHIR_JSON + "; charset=utf-8"
_XML_CONTENT_TYPE = FHIR_XML + "; charset=utf-8"


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    if has_request_context() and request.environ.get(FORMAT_KEY) == "xml":
        resp = Response(_xml(body), status=status, content_type=_XML_CONTENT_TYPE)
    else:
        opts = orjson.OPT_INDENT_2 if _pretty_asked() else 0
        resp = Response(_dumps(body, opts), status=status, content_type=_CONTENT_TYPE)
    # the format follows Accept and the displays Accept-Language: a cache must not hand a JSON answer to a client
    # that asked for XML, nor Norwegian displays to one that asked for English
    resp.headers["Vary"] = VARY
    if headers:
        resp.headers.update(headers)
    return resp


def _xml(body) -> bytes:
    from terminology.fhir_xml.write import to_xml
    return to_xml(body, pretty=_pretty_asked()).encode("utf-8")


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
