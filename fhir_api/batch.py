"""Batch Bundles POSTed to the base: each entry is run on its own and answered in order.

Operation entries ($lookup, $validate-code, $expand, $translate, ...) call the
operation handlers directly with the entry's query and Parameters, so a batch
of many lookups costs no more than the lookups; other entries (reads,
searches) go through the app as a sub-request. One entry's failure is that
entry's OperationOutcome, never the batch's.
"""
from __future__ import annotations

import logging
from datetime import timezone
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit

from flask import Blueprint, g, request
from werkzeug.exceptions import HTTPException

from terminology.errors import InvalidRequest, MethodNotAllowed, StoreUnavailable, TerminologyError, TooCostly
from terminology.snomed import ecl_budget

from .operations import SYSTEM_OPERATIONS
from .outcomes import issue, operation_outcome, outcome_for
from .params import NOT_UTF8_QUERY, Params, body_items, check_content_type, parse_body, parse_query
from .render import INNER_KEY, fhir_base, fhir_response
from .store import get_catalog
from .supplied import checked

_SYSTEM_LEVEL = {name: rtype for rtype, name in SYSTEM_OPERATIONS}

bp = Blueprint("batch", __name__)
log = logging.getLogger("kodebro")

MAX_ENTRIES = 1000
_METHODS = ("GET", "POST", "PUT", "DELETE")


def _target(url: str) -> tuple[list[str], str]:
    """(path segments relative to the FHIR base, query string) of an entry URL."""
    try:
        parts = urlsplit(url)
    except ValueError as e:
        raise InvalidRequest(f"batch entry url '{url[:200]}' is not a URL: {e}")
    path = parts.path
    if parts.scheme or parts.netloc:
        # an absolute URL must name this server; answering another server's request here would be a lie
        base = urlsplit(fhir_base())
        if _origin(parts) != _origin(base) or not (path + "/").startswith(base.path.rstrip("/") + "/"):
            raise InvalidRequest(f"batch entry url '{url[:200]}' names another server; this server only "
                                 f"answers requests to its own base {fhir_base()} (or relative URLs)")
        path = path[len(base.path.rstrip("/")):]
    segs = [unquote(s) for s in path.split("/") if s]
    if segs and segs[0] == "fhir":
        segs = segs[1:]
    return segs, parts.query


def _origin(parts) -> tuple:
    """(scheme, host, port) with the scheme's default port filled in: http://h/ and http://h:80/ are one."""
    try:
        port = parts.port
    except ValueError:
        return parts.scheme, parts.netloc.lower(), None
    return parts.scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(parts.scheme)


def _share_tx_resources(items: list, shared: dict, stored) -> None:
    """Give an entry the tx-resources of earlier entries of its batch, unless it brings its own of that URL.

    Clients send the supporting resources once per batch instead of once per entry; an entry's own
    resources still decide for it. Only resources the store does not hold are shared: an entry that
    names stored content gets the stored content, whatever an earlier entry brought along."""
    own = [v for n, v in items if n == "tx-resource" and isinstance(v, dict)]
    mine = {(r["resourceType"], r["url"]) for r in own
            if isinstance(r.get("resourceType"), str) and isinstance(r.get("url"), str)}
    items.extend(("tx-resource", r) for key, rs in shared.items() if key not in mine for r in rs)
    given: dict = {}
    for r in own:
        try:
            checked(r, "tx-resource")   # a malformed one is its own entry's 400, not every later entry's
        except InvalidRequest:
            continue
        if isinstance(r.get("url"), str) and stored.find_header(r["resourceType"], r["url"]) is None:
            given.setdefault((r["resourceType"], r["url"]), []).append(r)
    shared.update(given)   # a later entry's resources of a URL replace an earlier entry's


def _entry_query(query: str) -> list[tuple[str, str]]:
    """An entry URL's query read as the same query on a plain request is read (params.parse_query, which takes
    the bytes as WSGI hands them over): an escape that is no UTF-8 is kept as written, not replaced."""
    try:
        pairs = parse_query(query.encode("utf-8").decode("latin-1"))
    except UnicodeEncodeError:      # a lone surrogate (a JSON string may carry one) is no character of a URL
        pairs = None
    if pairs is None:
        raise InvalidRequest(NOT_UTF8_QUERY)
    return pairs


def _run_operation(method: str, segs: list[str], query: str, resource, shared: dict) -> dict:
    from .operations import run_operation
    name = segs[-1][1:]
    if method not in ("GET", "POST"):
        raise MethodNotAllowed(f"${name} is called with GET or POST, not {method}")
    if method == "GET" and resource is not None:
        raise InvalidRequest(f"a GET entry for ${name} carries no resource: send its Parameters with POST, "
                             "or put the parameters in the entry URL")
    if len(segs) == 1 and name in _SYSTEM_LEVEL:
        segs = [_SYSTEM_LEVEL[name], segs[0]]    # [base]/$closure: run as its definition's resource type
    if len(segs) not in (2, 3):
        raise InvalidRequest(f"operation ${name} must be called on a resource type, e.g. CodeSystem/${name}")
    items = [(k, v) for k, v in _entry_query(query) if not k.startswith("_")]
    if resource is not None:
        if not isinstance(resource, dict):
            raise InvalidRequest("a batch entry's resource must be a FHIR resource")
        from .opdefs import INPUTS
        items += body_items(resource, INPUTS.get((segs[0], name)), f"${name}")
    _share_tx_resources(items, shared, get_catalog())
    rid = segs[1] if len(segs) == 3 else None
    # the entry's method, not the batch's POST: an operation that changes state ($closure) refuses a GET entry
    # as it refuses a GET request
    g.entry_method = method
    try:
        body, status = run_operation(segs[0], name, Params(items, "body"), rid)
    finally:
        g.entry_method = None
    return {"resource": body, "response": {"status": str(status)}}


# http.html#transaction: Bundle.entry.request's conditions are the batch spelling of these request headers
_CONDITIONS = {"ifMatch": "If-Match", "ifNoneMatch": "If-None-Match", "ifModifiedSince": "If-Modified-Since",
               "ifNoneExist": "If-None-Exist"}


def _condition_headers(req: dict) -> dict[str, str]:
    headers = {}
    for field, header in _CONDITIONS.items():
        value = req.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidRequest(f"request.{field} must be a string (the {header} header's value), "
                                 f"not {type(value).__name__}")
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):      # no header may hold them (RFC 9110 §5.5)
            raise InvalidRequest(f"request.{field} must not hold control characters such as line breaks")
        headers[header] = _http_date(value) if field == "ifModifiedSince" else value
    return headers


def _http_date(instant: str) -> str:
    """ifModifiedSince is a FHIR instant; the header it stands for takes an HTTP date (RFC 9110 §5.6.7)."""
    from datetime import datetime
    from email.utils import format_datetime
    try:
        when = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    except ValueError:
        return instant      # judged as the header would be
    if when.tzinfo is None:
        return instant
    try:
        return format_datetime(when.astimezone(timezone.utc), usegmt=True)
    except OverflowError:   # an instant at the edge of time leaves datetime's range once moved to UTC
        return instant


def _run_other(method: str, segs: list[str], query: str, resource, conditions: dict[str, str]) -> dict:
    from flask import current_app
    path = "/fhir/" + "/".join(segs) + ("?" + query if query else "")
    headers = {"Content-Type": "application/fhir+json", **conditions}
    if "Authorization" in request.headers:      # an entry is the caller's own request: its writes need the key
        headers["Authorization"] = request.headers["Authorization"]
    from .resources import REPLACE_HEADER
    if REPLACE_HEADER in request.headers:
        # Bundle.entry.request has no place for it: the batch's own header opts in for all its entries
        headers[REPLACE_HEADER] = request.headers[REPLACE_HEADER]
    with current_app.test_client() as c:
        r = c.open(path, method=method, json=resource, base_url=request.url_root, headers=headers,
                   environ_overrides={INNER_KEY: True})
        body = r.get_json(silent=True)
    out = {"response": {"status": str(r.status_code)}}
    if body is not None:
        out["resource"] = body
    if _is_outcome(body):
        # R4 Bundle.entry.response.outcome holds "hints and warnings produced as part of processing this entry" (a
        # DELETE after which a derived edition took the deleted one's place, or that found nothing). The body stays
        # the entry's resource too: the element's comment keeps the resource "whether or not the outcome is
        # returned", and entry.resource is where every entry of this server gives the plain request's answer
        out["response"]["outcome"] = _without_hints(body)
    if r.headers.get("Location"):
        out["response"]["location"] = r.headers["Location"]
    # http.html#transaction-response: an entry carries what the plain answer's headers said
    if r.headers.get("ETag"):
        out["response"]["etag"] = r.headers["ETag"]
    modified = _instant(r.headers.get("Last-Modified"))
    if modified:
        out["response"]["lastModified"] = modified
    return out


def _instant(http_date: str | None) -> str | None:
    """An HTTP date as a FHIR instant (response.lastModified is an instant, the header an RFC 9110 date)."""
    if not http_date:
        return None
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def run_entry(entry, shared: dict | None = None) -> dict:
    if not isinstance(entry, dict):
        raise InvalidRequest("each batch entry must be an object with a request")
    req = entry.get("request")
    if not isinstance(req, dict):
        raise InvalidRequest("each batch entry needs request.method and request.url")
    method, url = req.get("method"), req.get("url")
    if not isinstance(method, str) or not isinstance(url, str) or not method or not url:
        raise InvalidRequest("each batch entry needs request.method and request.url")
    method = method.upper()
    if method not in _METHODS:
        raise InvalidRequest(f"batch entries take {', '.join(_METHODS)}, not {method}")
    conditions = _condition_headers(req)
    segs, query = _target(url)
    if not segs:
        raise InvalidRequest(f"batch entry URL '{url}' names nothing to do")
    if segs[-1].startswith("$"):
        return _run_operation(method, segs, query, entry.get("resource"), {} if shared is None else shared)
    return _run_other(method, segs, query, entry.get("resource"), conditions)


@bp.route("", methods=["POST"])
@bp.route("/", methods=["POST"])
def batch():
    check_content_type()
    body = parse_body()
    if not body or body.get("resourceType") != "Bundle":
        raise InvalidRequest("POST to the base takes a Bundle of type batch")
    kind = body.get("type")
    if kind != "batch":
        if kind == "transaction":
            # all-or-nothing over the entries is not offered: a client must not take a batch's answers for that.
            # Refused as an invalid request (400 invalid), as the reference servers refuse it
            raise InvalidRequest("transaction Bundles are not supported: this server processes Bundles of type "
                                 "batch, each entry on its own")
        if not kind:
            raise InvalidRequest("Bundle.type is missing: POST to the base takes a Bundle of type batch")
        raise InvalidRequest(f"only batch Bundles are processed here, not '{kind}'")
    entries_in = body.get("entry")
    if entries_in is None:
        entries_in = []
    if not isinstance(entries_in, list):
        raise InvalidRequest("Bundle.entry must be a list")
    if len(entries_in) > MAX_ENTRIES:
        raise TooCostly(f"a batch may hold at most {MAX_ENTRIES} entries; this one has {len(entries_in)}")
    shared: dict = {}   # (resourceType, url) -> tx-resources given by earlier entries
    with ecl_budget.budget():       # one ECL work budget for the whole batch: entries join it
        entries = _run_entries(entries_in, shared)
    for e in entries:
        # a failed entry's OperationOutcome is also its response.outcome, where batch clients look for it. A
        # successful operation entry's result is the operation's answer, not a note on processing it: it stays
        # in the resource alone
        if "outcome" not in e["response"] and _is_outcome(e.get("resource")) and \
                e["response"]["status"][:1] in ("4", "5"):
            e["response"]["outcome"] = _without_hints(e["resource"])
    # (FHIR JSON has no empty arrays: a batch of no entries answers none)
    return fhir_response({"resourceType": "Bundle", "type": "batch-response", **({"entry": entries} if entries else {})})


def _is_outcome(body) -> bool:
    return isinstance(body, dict) and body.get("resourceType") == "OperationOutcome"


def _without_hints(outcome: dict) -> dict:
    """The outcome with no diagnostics beside a text: the reference servers' entry issues carry none, and the HL7
    runner compares response.outcome as sent (it cleans the entry's resource only), so Kodebro's hint for a person
    stays in the resource. An issue whose only text is its diagnostics keeps it."""
    issues = [{k: v for k, v in i.items() if k != "diagnostics"} if isinstance(i, dict) and i.get("details") else i
              for i in outcome.get("issue") or []]
    return {**outcome, "issue": issues}


def _run_entries(entries_in: list, shared: dict) -> list:
    entries = []
    for i, entry in enumerate(entries_in):
        try:
            entries.append(run_entry(entry, shared))
        except StoreUnavailable:
            raise       # the store is down: every later entry would wait for it too; the request is a 503
        except TerminologyError as err:
            entries.append({"resource": outcome_for(err), "response": {"status": str(err.status)}})
        except HTTPException as err:
            entries.append({"resource": operation_outcome([issue("error", "invalid", err.description or err.name)]),
                            "response": {"status": str(err.code or 400)}})
        except Exception:  # an entry's failure must not sink the batch
            log.exception("batch entry %d failed", i)
            entries.append({"resource": operation_outcome([issue("error", "exception",
                                                                 f"entry {i} failed unexpectedly")]),
                            "response": {"status": "500"}})
    return entries
