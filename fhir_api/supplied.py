"""Resources a request brings with it: `tx-resource` and friends, and a value set's contained resources."""
from __future__ import annotations

from terminology.errors import InvalidRequest


def supplied_catalog(catalog, params, *names: str):
    """The catalog with the request's `tx-resource` (and named) resources shadowing the store."""
    extra = []
    for name in ("tx-resource",) + names:
        for v in params.all(name):
            if not isinstance(v, dict) or not isinstance(v.get("resourceType"), str):
                raise InvalidRequest(f"parameter '{name}' must carry a FHIR resource", location=name)
            extra.append(v)
    return catalog.overlay(extra) if extra else catalog


def with_contained(catalog, vs: dict):
    """The catalog in which a value set's contained resources answer to '#id'."""
    if not vs.get("contained"):
        return catalog
    return catalog.overlay([{**c, "url": "#" + c["id"]} for c in vs["contained"]
                            if isinstance(c, dict) and c.get("id") and c.get("resourceType")])
