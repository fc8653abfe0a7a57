"""$batch-validate-code on ValueSet and CodeSystem: many $validate-code checks in one request.

The validator's batch call (as tx.fhir.org and other terminology servers serve it): each `validation`
parameter holds a Parameters of ordinary $validate-code inputs; every other top-level parameter is shared
by all of them, so a value set or a set of tx-resources is sent once, not once per code. Each check is
answered in order by its own `validation` output, a $validate-code Parameters or, if that check could not
be made, an OperationOutcome; one bad check never fails the batch.
"""
from __future__ import annotations

import logging

from terminology.errors import InvalidRequest, StoreUnavailable, TerminologyError, TooCostly
from terminology.snomed import ecl_budget

from .batch import MAX_ENTRIES
from .operations import operation
from .ops_validate import validate_codesystem, validate_valueset
from .outcomes import issue, operation_outcome, outcome_for
from .params import Params, parameters_to_params
from .supplied import shared_catalog

log = logging.getLogger("kodebro")

# Names that together say one thing: a check that gives any of them replaces the shared ones as a whole, so
# a shared display is never tested against a check's own code, nor a shared value set url set beside a
# check's own valueSet. At ValueSet, system and version are the code's (its code system version); at
# CodeSystem they name the code system with url: a check naming url|1 takes no shared version, and a check
# that gives only a code keeps the shared url and version.
_TOGETHER = {
    "ValueSet": (frozenset({"code", "coding", "codeableConcept", "system", "version", "systemVersion", "display"}),
                 frozenset({"url", "valueSet", "valueSetVersion", "context"})),
    "CodeSystem": (frozenset({"code", "coding", "codeableConcept", "display"}),
                   frozenset({"url", "system", "version", "systemVersion", "codeSystem"})),
}


def _merged(rtype: str, own: list[tuple[str, object]], shared: list[tuple[str, object]]) -> Params:
    """A check's parameters: its own, then the shared ones it does not replace. tx-resources are not
    merged here: the shared ones are in the catalog every check is given."""
    names = {n for n, _ in own}
    groups = _TOGETHER[rtype]
    if rtype == "CodeSystem" and any(n == "coding" and isinstance(v, dict) and v.get("system") for n, v in own):
        names.add("system")     # a check's coding that names its system names the code system too
    taken = set(names)
    for group in groups:
        if names & group:
            taken |= group
    return Params(own + [(n, v) for n, v in shared if n != "tx-resource" and n not in taken], "body")


def _item_params(rtype: str, value, shared) -> Params:
    if not isinstance(value, dict) or value.get("resourceType") != "Parameters":
        raise InvalidRequest("each 'validation' parameter must carry a Parameters resource with the "
                             "$validate-code inputs of one check", location="validation")
    return _merged(rtype, parameters_to_params(value.get("parameter")).items, shared)


def _run(rtype: str, catalog, params: Params, instance) -> dict:
    if rtype == "ValueSet" and (instance is not None or "url" in params or "valueSet" in params):
        return validate_valueset(catalog, params, instance)[0]
    return validate_codesystem(catalog, params, None if rtype == "ValueSet" else instance)[0]


def _batch(rtype: str, catalog, params: Params, instance):
    checks = params.all("validation")
    if not checks:
        raise InvalidRequest("give each check as a 'validation' parameter holding a Parameters of "
                             "$validate-code inputs (POST a Parameters body)", location="validation")
    if len(checks) > MAX_ENTRIES:
        raise TooCostly(f"a batch may hold at most {MAX_ENTRIES} validations; this one has {len(checks)}")
    shared = [(n, v) for n, v in params.items if n != "validation"]
    # the shared tx-resources are checked and indexed once for all checks; a check's own lie on top of them
    catalog = shared_catalog(catalog, Params(shared, "body"), *(("codeSystem",) if rtype == "CodeSystem" else ()))
    out = []
    with ecl_budget.budget():       # one ECL work budget for every check of the batch: each joins it
        for i, value in enumerate(checks):
            try:
                result = _run(rtype, catalog, _item_params(rtype, value, shared), instance)
            except StoreUnavailable:
                raise       # the store is down: every later entry would wait for it too; the request is a 503
            except TerminologyError as err:
                result = outcome_for(err)
            except Exception:  # one check's failure must not sink the others
                log.exception("validation %d of a batch failed", i)
                result = operation_outcome([issue("error", "exception", f"validation {i} failed unexpectedly")])
            out.append({"name": "validation", "resource": result})
    return {"resourceType": "Parameters", "parameter": out}, 200


@operation("ValueSet", "batch-validate-code")
def batch_validate_valueset(catalog, params, instance):
    return _batch("ValueSet", catalog, params, instance)


@operation("CodeSystem", "batch-validate-code")
def batch_validate_codesystem(catalog, params, instance):
    return _batch("CodeSystem", catalog, params, instance)
