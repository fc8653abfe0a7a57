"""Turning result dicts into HTTP responses: FHIR JSON, _pretty, content negotiation."""
from __future__ import annotations

import orjson
from flask import Response, current_app, request

FHIR_JSON = "application/fhir+json"
_JSON_TYPES = ("application/fhir+json", "application/json", "json", "application/json+fhir", "text/json")
_XML_TYPES = ("application/fhir+xml", "application/xml", "xml", "text/xml", "application/xml+fhir")


def wants_unsupported_format() -> str | None:
    """The requested format when it is one Kodebro cannot produce (only JSON is served)."""
    fmt = request.args.get("_format")
    if fmt:
        f = fmt.split(";")[0].strip().lower()
        if f not in _JSON_TYPES:
            return fmt
        return None
    accept = request.headers.get("Accept", "")
    if not accept.strip():
        return None
    types = [a.split(";")[0].strip().lower() for a in accept.split(",")]
    if any(t in _JSON_TYPES or t in ("*/*", "application/*", "text/*", "text/html") for t in types):
        return None
    return accept


def fhir_base() -> str:
    """The FHIR endpoint as clients reach it: the BASE_URL setting (behind a proxy), else the request's."""
    configured = current_app.config["KODEBRO"].get("BASE_URL")
    return configured.rstrip("/") if configured else request.url_root.rstrip("/") + "/fhir"


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    pretty = request.args.get("_pretty", "").lower() == "true" if request else False
    opts = orjson.OPT_INDENT_2 if pretty else 0
    resp = Response(orjson.dumps(body, option=opts), status=status, mimetype=FHIR_JSON)
    resp.headers["Content-Type"] = FHIR_JSON + "; charset=utf-8"
    if headers:
        resp.headers.update(headers)
    return resp
