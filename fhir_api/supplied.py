"""Resources a request brings with it: `tx-resource` and friends, and a value set's contained resources.

They are used for this request only, so they are checked for shape (the JSON
types of their R4 elements) rather than validated like stored content: a
malformed one is the client's error, answered with a 400 that says where.
"""
from __future__ import annotations

from flask import g, has_request_context

from terminology.catalog import OverlayCatalog
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


def _supplied(params, names: tuple) -> list[dict]:
    return [checked(v, name) for name in ("tx-resource",) + names for v in params.all(name)]


def supplied_catalog(catalog, params, *names: str):
    """The catalog with the request's `tx-resource` (and named) resources shadowing the store."""
    return layered(catalog, _supplied(params, names))


def shared_catalog(catalog, params, *names: str):
    """`supplied_catalog` for the checks of a batch: whatever a check lays on top of it (its own
    tx-resources, a codeSystem, contained resources) leaves the shared resources' indexes shared."""
    extra = _supplied(params, names)
    if not extra:
        return catalog
    return _Layered(OverlayCatalog(getattr(catalog, "base", catalog), _resources_of(catalog) + extra), [])


def _resources_of(catalog) -> list[dict]:
    return [r for rs in getattr(catalog, "extra", {}).values() for r in rs]


def layered(catalog, resources: list[dict]):
    """`catalog` with `resources` shadowing it. On a catalog that is already an overlay (the tx-resources a
    batch shares between its checks) the shared resources' indexes are kept on that overlay, so a large
    supplied CodeSystem is indexed once per request, not once per check."""
    if not resources:
        return catalog
    if isinstance(catalog, _Layered):
        return _Layered(catalog.shared, catalog.own + list(resources))
    if isinstance(catalog, OverlayCatalog):
        return _Layered(catalog, list(resources))
    return catalog.overlay(resources)


class _Layered(OverlayCatalog):
    """A check's own resources on top of a shared overlay. Versions are chosen over both as one overlay
    chooses them; of a shared and an own resource with the same url and version, the check's own wins."""

    def __init__(self, shared: OverlayCatalog, own: list[dict]):
        common = _resources_of(shared)
        ids = {id(r) for r in common}
        own = [r for r in own if id(r) not in ids]      # a shared resource handed in again stays shared
        super().__init__(shared.base, common + own)
        self.shared, self.own = shared, own
        self._own_ids = {id(r) for r in own}

    def overlay(self, resources):
        return layered(self, resources)

    def _pick(self, rtype, url, version):
        r = super()._pick(rtype, url, version)
        if r is not None and id(r) not in self._own_ids:
            r = next((o for o in self.extra.get((rtype, url), ())
                      if id(o) in self._own_ids and o.get("version") == r.get("version")), r)
        return r

    def codesystem(self, url, version=None):
        url = self.canonical_system(url)
        r = self._pick("CodeSystem", url, version)
        if r is not None and id(r) not in self._own_ids and self.shared._pick("CodeSystem", url, version) is r:
            return self.shared.codesystem(url, version)     # indexed once, on the shared overlay
        return super().codesystem(url, version)


def with_contained(catalog, vs: dict):
    """The catalog in which a value set's contained resources answer to '#id'."""
    if not vs.get("contained"):
        return catalog
    return layered(catalog, [{**checked(c, "contained"), "url": "#" + c["id"]} for c in vs["contained"]
                             if isinstance(c, dict) and isinstance(c.get("id"), str) and c.get("resourceType")])
