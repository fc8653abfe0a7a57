"""ValueSet/$related: parameters in (thisUrl/thisValueSet, otherUrl/otherValueSet), engine call, Parameters out."""
from __future__ import annotations

from terminology.errors import InvalidRequest
from terminology.operations.related import relate

from .operations import operation
from .ops_valueset import resolve_valueset, version_rules
from .params import Params
from .supplied import supplied_catalog


_VS_RULES = ("default-valueset-version", "force-valueset-version", "check-valueset-version")


def _named(params: Params, prefix: str, instance) -> Params:
    """The `url`/`valueSet` inputs of one of the two value sets, as $expand takes them (with the request's
    value set version rules, which apply to both)."""
    url, vs = params.get(f"{prefix}Url"), params.get(f"{prefix}ValueSet")
    if instance is None and url is None and vs is None:
        raise InvalidRequest(f"name the {prefix} value set with '{prefix}Url' (url or url|version), or supply it "
                             f"as '{prefix}ValueSet'", location=f"{prefix}Url")
    return Params([(n, v) for n, v in (("url", url), ("valueSet", vs)) if v is not None] +
                  [(n, v) for n, v in params.items if n in _VS_RULES])


@operation("ValueSet", "related")
def related(catalog, params, instance):
    catalog = supplied_catalog(catalog, params)
    this, other = _named(params, "this", instance), _named(params, "other", None)
    this_vs = resolve_valueset(catalog, this, instance, name="thisValueSet")
    other_vs = resolve_valueset(catalog, other, None, name="otherValueSet")
    rel = relate(catalog, this_vs, other_vs, version_rules(params))
    return {"resourceType": "Parameters", "parameter": [
        {"name": "result", "valueCode": rel.result}, {"name": "message", "valueString": rel.message}]}, 200
