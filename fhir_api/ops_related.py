"""ValueSet/$related: parameters in (thisUrl/thisValueSet, otherUrl/otherValueSet), engine call, Parameters out.

The errors of naming the two value sets are worded as tx.fhir.org words them (FHIRsmith related.js), and like
theirs carry the text in `diagnostics` only."""
from __future__ import annotations

from terminology.errors import InvalidRequest, NotFound
from terminology.operations.related import relate
from terminology.identifiers import split_canonical

from .canonicals import VALUE_SET, refuse_canonicals
from .operations import operation
from .valueset_request import resolve_valueset, version_rules
from .params import Params
from .supplied import supplied_catalog


_VS_RULES = ("default-valueset-version", "force-valueset-version", "check-valueset-version")


def _named(params: Params, prefix: str, instance) -> Params:
    """The `url`/`valueSet` inputs of one of the two value sets, as $expand takes them (with the request's
    value set version rules, which apply to both). One `valueSetVersion` serves both urls and wins over a
    `|version` in them (tx.fhir.org's reading)."""
    url, vs = params.get(f"{prefix}Url"), params.get(f"{prefix}ValueSet")
    if instance is None and url is None and vs is None:
        raise InvalidRequest(f"Must provide either a {prefix}ValueSet resource or a {prefix}Url parameter",
                             diagnostics_only=True)
    version = params.str("valueSetVersion") or None
    named = [("valueSet", vs)] if vs is not None else []
    if vs is None and url is not None:
        named.append(("url", split_canonical(str(url))[0] if version else url))
        if version:
            named.append(("valueSetVersion", version))
    return Params(named + [(n, v) for n, v in params.items if n in _VS_RULES])


def _resolve(catalog, named: Params, instance, name: str) -> dict:
    try:
        return resolve_valueset(catalog, named, instance, name=name)
    except NotFound:
        if instance is not None or named.get("url") is None:
            raise
        url, version = split_canonical(str(named.get("url")))
        version = named.str("valueSetVersion") or version
        raise NotFound(f"ValueSet not found: {url} version {version}" if version else f"ValueSet not found: {url}",
                       diagnostics_only=True) from None


@operation("ValueSet", "related")
def related(catalog, params, instance):
    refuse_canonicals(params, {"thisUrl": VALUE_SET, "otherUrl": VALUE_SET})
    catalog = supplied_catalog(catalog, params)
    this, other = _named(params, "this", instance), _named(params, "other", None)
    this_vs = _resolve(catalog, this, instance, "thisValueSet")
    other_vs = _resolve(catalog, other, None, "otherValueSet")
    rel = relate(catalog, this_vs, other_vs, version_rules(params))
    return {"resourceType": "Parameters", "parameter": [
        {"name": "result", "valueCode": rel.result}, {"name": "message", "valueString": rel.message}]}, 200
