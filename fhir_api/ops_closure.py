"""$closure: parameters in, the closure table engine (terminology/closure.py), a ConceptMap of the new entries out.

Served at the base ([base]/$closure, as the R4 definition has it: system=true) and at [base]/ConceptMap/$closure,
the spelling of the R4 terminology service page, which also lets a batch entry call it.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Blueprint, g, has_request_context, request

from terminology.closure import ClosureAnswer, closure
from terminology.errors import InvalidRequest, MethodNotAllowed, NotSupported, shortened
from terminology.validation import is_fhir_id

from .opdefs import INPUTS
from .operations import operation, run_operation
from .params import coding_from_text, request_params
from .render import fhir_response
from .store import get_store

bp = Blueprint("closure", __name__)

_INPUTS = ("name", "concept", "version")


@bp.route("/$closure", methods=["GET", "POST"])
def system_level():
    params = request_params(INPUTS.get(("ConceptMap", "closure")), "$closure")
    body, status = run_operation("ConceptMap", "closure", params)
    return fhir_response(body, status)


@operation("ConceptMap", "closure")
def op_closure(catalog, params, instance):
    if instance is not None:
        raise InvalidRequest("$closure is not called on a ConceptMap: POST it to [base]/$closure")
    for n in params.names():
        if n not in _INPUTS:
            # the table outlives the call: a parameter it would not keep (tx-resource, a version rule) is refused
            # rather than applied to this call only
            raise NotSupported(f"$closure takes name, concept and version; not '{shortened(n, 60)}'", location=n)
    version = params.get("version")
    method = (g.get("entry_method") or request.method) if has_request_context() else None
    if version is None and method in ("GET", "HEAD"):
        # R4 OperationDefinition.affectsState: GET is for operations that change nothing; a crawler or a
        # prefetch must not initialise or grow a table
        raise MethodNotAllowed("$closure with concepts, or with the name alone, changes the closure table: send it "
                               "with POST (GET only replays, with name and version)")
    concepts = [coding_from_text(c) if isinstance(c, str) else c for c in params.all("concept")]
    answer = closure(catalog, get_store(), params.get("name"), concepts, version)
    return render(answer), 200


def render(a: ClosureAnswer) -> dict:
    """The answer as the R4 terminology service page shows it: a ConceptMap, one group per code system."""
    label = f"Closure Table {a.name} Creation" if a.kind == "created" else f"Updates for Closure Table {a.name}"
    cm = {"resourceType": "ConceptMap",
          # the name where it is a valid id, as the page's examples; else a fresh one
          "id": a.name if is_fhir_id(a.name) else str(uuid.uuid4()),
          "version": str(a.version), "name": label, "status": "active", "experimental": True,
          "date": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")}
    groups: dict[str, dict[str, dict]] = {}
    for e in a.entries:
        elements = groups.setdefault(e.system, {})
        el = elements.get(e.source)
        if el is None:
            el = elements[e.source] = {"code": e.source, **({"display": e.source_display} if e.source_display else {}),
                                       "target": []}
        el["target"].append({"code": e.target, **({"display": e.target_display} if e.target_display else {}),
                             "equivalence": e.equivalence})
    if groups:
        cm["group"] = []
        for system in sorted(groups):
            group = {"source": system}
            edition = a.editions.get(system)
            if edition:
                group["sourceVersion"] = edition
            group["target"] = system
            if edition:
                group["targetVersion"] = edition
            group["element"] = [groups[system][code] for code in sorted(groups[system])]
            cm["group"].append(group)
    return cm
