"""Batch Bundles POSTed to the base: each entry is run on its own and answered in order."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint

from terminology.errors import InvalidRequest, TerminologyError

from .outcomes import outcome_for, issue, operation_outcome
from .params import Params, parameters_to_params, parse_body
from .render import fhir_response

bp = Blueprint("batch", __name__)


def _run_entry(entry: dict) -> dict:
    from flask import current_app
    req = (entry or {}).get("request") or {}
    method = (req.get("method") or "").upper()
    url = req.get("url") or ""
    if not method or not url:
        raise InvalidRequest("each batch entry needs request.method and request.url")
    parts = urlsplit(url)
    path = parts.path.lstrip("/")
    if path.startswith("fhir/"):
        path = path[5:]
    query = parse_qsl(parts.query, keep_blank_values=True)
    segs = [s for s in path.split("/") if s]
    if segs and segs[-1].startswith("$"):
        from .operations import run_operation
        name = segs[-1][1:]
        items = [(k, v) for k, v in query if not k.startswith("_")]
        res = entry.get("resource")
        if method == "POST" and isinstance(res, dict):
            if res.get("resourceType") == "Parameters":
                items += parameters_to_params(res.get("parameter")).items
            else:
                items.append(("resource", res))
        rtype = segs[0] if len(segs) >= 2 else None
        rid = segs[1] if len(segs) == 3 else None
        if rtype is None:
            raise InvalidRequest(f"operation URL '{url}' must name a resource type")
        body, status = run_operation(rtype, name, Params(items, "body"), rid)
        return {"resource": body, "response": {"status": str(status)}}
    # plain reads and searches go through the app itself
    with current_app.test_client() as c:
        r = c.open("/fhir/" + path + ("?" + parts.query if parts.query else ""), method=method,
                   json=entry.get("resource"), headers={"Content-Type": "application/fhir+json"})
        body = r.get_json(silent=True)
        out = {"response": {"status": str(r.status_code)}}
        if body is not None:
            out["resource"] = body
        return out


@bp.route("", methods=["POST"])
@bp.route("/", methods=["POST"])
def batch():
    from .params import check_content_type
    check_content_type()
    body = parse_body()
    if not body or body.get("resourceType") != "Bundle":
        raise InvalidRequest("POST to the base takes a Bundle of type batch")
    if body.get("type") not in ("batch",):
        raise InvalidRequest(f"only batch Bundles are processed here, not '{body.get('type')}'")
    entries = []
    for i, entry in enumerate(body.get("entry") or []):
        try:
            entries.append(_run_entry(entry))
        except TerminologyError as err:
            entries.append({"resource": outcome_for(err), "response": {"status": str(err.status)}})
        except Exception:  # an entry's failure must not sink the batch
            entries.append({"resource": operation_outcome([issue("error", "exception",
                                                                 f"entry {i} failed unexpectedly")]),
                            "response": {"status": "500"}})
    return fhir_response({"resourceType": "Bundle", "type": "batch-response", "entry": entries})
