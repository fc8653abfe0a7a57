"""Resources a request brings with it: `tx-resource` and friends, and a value set's contained resources.

They are used for this request only, so they are checked for shape (the JSON
types of their R4 elements) rather than validated like stored content: a
malformed one is the client's error, answered with a 400 that says where.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from flask import g, has_request_context

from terminology.catalog import IndexShelf, OverlayCatalog, same_json
from terminology.errors import InvalidRequest
from terminology.validation import validation_errors


def checked(resource, name: str) -> dict:
    """`resource` if it is a resource of usable shape; else InvalidRequest naming the parameter.

    A resource is checked once per HTTP request: a batch hands one entry's tx-resources to the entries
    after it, and checking a large CodeSystem again for each of them would cost tens of ms apiece. A copy
    equal to one already checked (each entry of a batch sending the same resource) is not checked again."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InvalidRequest(f"parameter '{name}' must carry a FHIR resource", location=name)
    seen = g.setdefault("kodebro_checked", {}) if has_request_context() else {}
    if seen.get(id(resource)) is resource:
        return resource
    key = (resource["resourceType"], _str(resource.get("url")), _str(resource.get("version")))
    if not any(same_json(r, resource) for r in seen.get(key, ())):
        problems = shape_problems(resource)
        if problems:
            raise InvalidRequest(f"the {resource['resourceType']} in parameter '{name}' is malformed: "
                                 + "; ".join(problems), location=name)
        seen.setdefault(key, []).append(resource)
    seen[id(resource)] = resource
    return resource


class _Verdicts:
    """The shape check's verdict on each resource body seen lately, by a digest of its canonical JSON: clients
    (and test suites) send the same tx-resources with every request, and checking a 12,000-concept CodeSystem
    against the models takes 0.7 s where writing it out to hash it takes 30 ms. Only the digests of bodies
    found sound are kept: never a client's resource, nor problem texts (which quote the client's values and
    would let a client fill the memory). Canonical JSON tells `true` from `1` and `1.0` from `1`, as the
    check does."""
    MAX = 4096

    def __init__(self):
        self._kept: OrderedDict[bytes, bool] = OrderedDict()
        self._lock = threading.Lock()

    def problems(self, resource: dict) -> list[str]:
        try:
            text = json.dumps(resource, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            return validation_errors(resource, lenient=True)    # not plain JSON, or nested deeper than it
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return []
        problems = validation_errors(resource, lenient=True)
        if not problems:
            with self._lock:
                self._kept[key] = True
                while len(self._kept) > self.MAX:
                    self._kept.popitem(last=False)
        return problems


shape_problems = _Verdicts().problems


def _str(value):
    return value if isinstance(value, str) else None


def _supplied(params, names: tuple) -> list[dict]:
    return [checked(v, name) for name in ("tx-resource",) + names for v in params.all(name)]


def supplied_catalog(catalog, params, *names: str, also: list[dict] = ()):
    """The catalog with the request's `tx-resource` (and named) resources, and `also` after them, shadowing it."""
    return layered(catalog, _supplied(params, names) + list(also))


def shared_catalog(catalog, params, *names: str):
    """`supplied_catalog` for the checks of a batch: whatever a check lays on top of it (its own
    tx-resources, a codeSystem, contained resources) wins over the shared resources of the same url and
    version, as the check's own should."""
    extra = _supplied(params, names)
    if not extra:
        return catalog
    base = getattr(catalog, "base", catalog)
    mine = [r for rs in getattr(catalog, "extra", {}).values() for r in rs]
    return OverlayCatalog(base, mine + extra, shelf=_shelf())


def _shelf() -> IndexShelf | None:
    """The request's shelf of supplied CodeSystem indexes: every overlay of one HTTP request (the entries of a
    batch Bundle, the checks of a $batch-validate-code) indexes a resource it shares with another once."""
    if not has_request_context():
        return None
    shelf = g.get("kodebro_index_shelf")
    if shelf is None:
        shelf = g.kodebro_index_shelf = IndexShelf()
    return shelf


def layered(catalog, resources: list[dict]):
    """`catalog` with `resources` shadowing it. On a catalog that is already an overlay (the tx-resources a
    batch shares between its checks) they are laid on top of its own, and win a tie of url and version."""
    if not resources:
        return catalog
    if isinstance(catalog, OverlayCatalog):
        return catalog.layer(resources)
    return catalog.overlay(resources, shelf=_shelf())


def with_contained(catalog, vs: dict):
    """The catalog in which a value set's contained resources answer to '#id'."""
    if not vs.get("contained"):
        return catalog
    return layered(catalog, [{**checked(c, "contained"), "url": "#" + c["id"]} for c in vs["contained"]
                             if isinstance(c, dict) and isinstance(c.get("id"), str) and c.get("resourceType")])
