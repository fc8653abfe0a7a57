"""Routing of the $operations: one GET/POST rule per level, dispatched through OPERATIONS.

Handlers live in fhir_api/ops_*.py modules and register here with `operation`;
each takes (catalog, params, instance) where `instance` is the resource named
by an instance-level URL (or None) and returns (FHIR resource dict, status).
"""
from __future__ import annotations

from flask import Blueprint

from terminology.errors import NotFound

from .opdefs import INPUTS
from .params import Params, request_params
from .render import fhir_response
from .resource_views import existing_body, find_resource, full_resource, not_held
from .store import get_catalog

bp = Blueprint("operations", __name__)

OPERATIONS: dict[tuple[str, str], callable] = {}
# operations defined at the system level ([base]/$name), dispatched through their definition's resource type
# (ConceptMap/$closure is answered too, as the R4 terminology service page spells it)
SYSTEM_OPERATIONS = (("ConceptMap", "closure"),)


def operation(rtype: str, name: str):
    def deco(fn):
        OPERATIONS[(rtype, name)] = fn
        return fn
    return deco


def run_operation(rtype: str, name: str, params: Params, rid: str | None = None):
    fn = OPERATIONS.get((rtype, name))
    if fn is None:
        known = sorted(f"{t}/${n}" for t, n in OPERATIONS)
        raise NotFound(f"operation ${name} is not supported on {rtype}; supported: {', '.join(known)}")
    inputs = INPUTS.get((rtype, name))
    if inputs is not None:
        params.check_single(inputs.single, inputs.expected)
    catalog = get_catalog()
    instance = None
    if rid is not None:
        found = find_resource(catalog, rtype, rid)
        if found is None:
            raise not_held(catalog.store, rtype, rid)       # 410 for a deleted one, as a read answers
        h, served = found
        if served is not None:
            instance = served
        elif (rtype == "CodeSystem" and h.url) or rtype in ("ConceptMap", "ValueSet"):
            # handlers find the stored index by url+version (a code system) or by the body itself (a map or a
            # value set, whose facts are kept per stored body): rebuilding all concepts, or a copy, would be waste
            # and would miss those per-revision caches
            instance = existing_body(catalog, h)
        else:
            instance = full_resource(catalog, h)
    result = fn(catalog, params, instance)
    if isinstance(result, tuple):
        return result
    return result, 200


def _params(rtype: str, name: str) -> Params:
    return request_params(INPUTS.get((rtype, name)), f"${name}")


@bp.route("/<rtype>/$<name>", methods=["GET", "POST"])
def type_level(rtype: str, name: str):
    body, status = run_operation(rtype, name, _params(rtype, name))
    return fhir_response(body, status)


@bp.route("/<rtype>/<rid>/$<name>", methods=["GET", "POST"])
def instance_level(rtype: str, rid: str, name: str):
    body, status = run_operation(rtype, name, _params(rtype, name), rid)
    return fhir_response(body, status)


@bp.route("/<rtype>/$<name>", methods=["PUT", "DELETE", "PATCH"])
@bp.route("/<rtype>/<rid>/$<name>", methods=["PUT", "DELETE", "PATCH"])
def other_method(rtype: str, name: str, rid: str | None = None):
    """R4 operations.html: an operation is invoked with GET or POST. Without this rule a DELETE would be read as
    deleting the resource with id '$name' and answered 404."""
    from flask import request

    from .outcomes import issue, operation_outcome
    resp = fhir_response(operation_outcome([issue(
        "error", "not-supported", f"${name} is called with GET or POST, not {request.method}")]), 405)
    resp.headers["Allow"] = "GET, POST"
    return resp
