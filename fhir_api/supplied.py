"""Resources a request brings with it: `tx-resource` and friends, and a value set's contained resources.

They are used for this request only, so they are checked for shape (the JSON
types of their R4 elements) rather than validated like stored content: a
malformed one is the client's error, answered with a 400 that says where.
"""
from __future__ import annotations

from flask import g, has_request_context

from terminology.errors import InvalidRequest
from terminology.validation import validation_errors


def checked(resource, name: str) -> dict:
    """`resource` if it is a resource of usable shape; else InvalidRequest naming the parameter.

    A resource is checked once per HTTP request: a batch hands one entry's tx-resources to the entries
    after it, and checking a large CodeSystem again for each of them would cost tens of ms apiece."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InvalidRequest(f"parameter '{name}' must carry a FHIR resource", location=name)
    seen = g.setdefault("kodebro_checked", {}) if has_request_context() else {}
    if seen.get(id(resource)) is resource:
        return resource
    problems = validation_errors(resource, lenient=True)
    if problems:
        raise InvalidRequest(f"the {resource['resourceType']} in parameter '{name}' is malformed: "
                             + "; ".join(problems), location=name)
    seen[id(resource)] = resource
    return resource


def supplied_catalog(catalog, params, *names: str):
    """The catalog with the request's `tx-resource` (and named) resources shadowing the store."""
    extra = [checked(v, name) for name in ("tx-resource",) + names for v in params.all(name)]
    return catalog.overlay(extra) if extra else catalog


def with_contained(catalog, vs: dict):
    """The catalog in which a value set's contained resources answer to '#id'."""
    if not vs.get("contained"):
        return catalog
    return catalog.overlay([{**checked(c, "contained"), "url": "#" + c["id"]} for c in vs["contained"]
                            if isinstance(c, dict) and isinstance(c.get("id"), str) and c.get("resourceType")])
