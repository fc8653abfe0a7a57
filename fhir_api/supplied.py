"""Resources a request brings with it: `tx-resource` and friends, and a value set's contained resources.

They are used for this request only, so they are checked for shape (the JSON
types of their R4 elements) rather than validated like stored content: a
malformed one is the client's error, answered with a 400 that says where.
What is kept between requests is keyed by the content of sound bodies: the
check's verdicts, and the indexes of supplied CodeSystems (terminology/index_cache.py).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from flask import g, has_request_context

from terminology.catalog import OverlayCatalog, store_view
from terminology.duplicate_codes import merged_duplicates
from terminology.empty_values import without_empty
from terminology.errors import InvalidRequest
from terminology.index_cache import SUPPLIED_INDEXES, IndexShelf
from terminology.json_values import content_digest, same_json
from terminology.validation import validation_errors

from .canonicals import names_nothing


def checked(resource, name: str) -> dict:
    """`resource` if it is a resource of usable shape (a code system defining a code twice: a copy with each
    code once, duplicate_codes.py); else InvalidRequest naming the parameter.

    A resource is checked once per HTTP request: a batch hands one entry's tx-resources to the entries
    after it, and checking a large CodeSystem again for each of them would cost tens of ms apiece. A copy
    equal to one already checked (each entry of a batch sending the same resource) is not checked again."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InvalidRequest(f"parameter '{name}' must carry a FHIR resource", location=name)
    url = resource.get("url")
    if names_nothing(url):
        # ('|1'): held under no url a request can name, it would never be used. A url with a '|' after one
        # (R4's cnl-1 says it should not, not that it shall not) is read as it is
        raise InvalidRequest(f"the {resource['resourceType']} in parameter '{name}' has the url '{url[:200]}', "
                             "which names nothing before its '|': give its canonical url alone, and its version in "
                             "'version'", location=name)
    seen = g.setdefault("kodebro_checked", {}) if has_request_context() else {}
    got = seen.get(id(resource))
    if got is not None and got[0] is resource:
        return got[1]
    key = (resource["resourceType"], _str(resource.get("url")), _str(resource.get("version")))
    digest = None
    # `==` first: on parsed JSON it holds whenever same_json does and fails fast on bodies that differ early
    # (two 20,000-concept versions), where writing both out canonically would take milliseconds
    used = next((u for r, u in seen.get(key, ()) if r == resource and same_json(r, resource)), None)
    if used is None:
        problems, digest, used = _VERDICTS.judge(resource)
        if problems:
            raise InvalidRequest(f"the {resource['resourceType']} in parameter '{name}' is malformed: "
                                 + "; ".join(problems), location=name)
        seen.setdefault(key, []).append((resource, used))
    seen[id(resource)] = (resource, used)
    _vouch(used, digest)
    return used


def _vouch(resource: dict, digest: bytes | None = None) -> None:
    """Note `resource` as checked sound in this request, with its content digest when it was made (else it is
    made if its index is asked for): only such bodies reach the process-wide index cache."""
    if has_request_context():
        g.setdefault("kodebro_sound", {})[id(resource)] = (resource, digest)


def came_with_request(resource) -> bool:
    """Whether `resource` is one the current request brought (checked here), not one from the store."""
    sound = g.get("kodebro_sound") if has_request_context() else None
    got = sound.get(id(resource)) if sound else None
    return got is not None and got[0] is resource


def _sound_digest(resource: dict) -> bytes | None:
    """The content digest of a body this request checked sound (the one its shape check made, so the body is
    written out once per request); None for any other body, which is indexed for the request alone."""
    sound = g.get("kodebro_sound") if has_request_context() else None
    got = sound.get(id(resource)) if sound else None
    if got is None or got[0] is not resource:
        return None
    if got[1] is None:
        digest = content_digest(resource)
        if digest is None:
            return None
        sound[id(resource)] = (resource, digest)
        return digest
    return got[1]


class _Verdicts:
    """The shape check's verdict on each resource body seen lately, by a digest of its canonical JSON: clients
    (and test suites) send the same tx-resources with every request, and checking a 12,000-concept CodeSystem
    against the models takes 0.7 s where writing it out (orjson) to hash it takes a few ms. Only the digests of
    bodies found sound are kept: never a client's resource, nor problem texts (which quote the client's values
    and would let a client fill the memory). Canonical JSON tells `true` from `1` and `1.0` from `1`, as the
    check does (`index_cache.canonical_bytes`); the same digest finds the body's index in the process-wide
    index cache (`_sound_digest`)."""
    MAX = 4096

    def __init__(self):
        self._kept: OrderedDict[bytes, bool] = OrderedDict()     # digest -> its codes are merged (judge)
        self._lock = threading.Lock()

    def judge(self, resource: dict) -> tuple[list[str], bytes | None, dict]:
        """(the shape check's problems, the body's content digest: None when it has no canonical form, the body
        to use: `resource`, or its copy with each code once when a code system defines a code twice)."""
        key = content_digest(resource)
        if key is None:
            # not plain JSON, nested deeper than orjson writes, or a number JSON cannot hold: checked every time
            body = _usable(resource)
            return validation_errors(body, lenient=True), None, body
        with self._lock:
            merge = self._kept.get(key)
            if merge is not None:
                self._kept.move_to_end(key)
        if merge is not None:
            return [], key, _usable(resource) if merge else resource
        body = _usable(resource)
        problems = validation_errors(body, lenient=True)
        if not problems:
            with self._lock:
                self._kept[key] = body is not resource
                while len(self._kept) > self.MAX:
                    self._kept.popitem(last=False)
        return problems, key, body


def _usable(resource: dict) -> dict:
    """The body a request's resource is used as: a code system's codes each defined once (duplicate_codes.py), and
    without elements that hold nothing (null, [], {}: empty_values.py), so its concepts' designations are answered
    as R4 JSON. (A value set is read as it came: `compose.include: []` says it is empty; its echo is cleaned.)"""
    if resource.get("resourceType") != "CodeSystem":
        return resource
    return merged_duplicates(without_empty(resource))


_VERDICTS = _Verdicts()


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
    base = store_view(catalog)
    mine = [r for rs in getattr(catalog, "extra", {}).values() for r in rs]
    return OverlayCatalog(base, mine + extra, shelf=_shelf())


def _shelf() -> IndexShelf | None:
    """The request's shelf of supplied CodeSystem indexes: every overlay of one HTTP request (the entries of a
    batch Bundle, the checks of a $batch-validate-code) indexes a resource it shares with another once."""
    if not has_request_context():
        return None
    shelf = g.get("kodebro_index_shelf")
    if shelf is None:
        # the bodies it was checked sound get their indexes from the process-wide cache (docs/caching.md)
        shelf = g.kodebro_index_shelf = IndexShelf(cache=SUPPLIED_INDEXES, digest=_sound_digest)
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
    return layered(catalog, [_contained(c) for c in vs["contained"]
                             if isinstance(c, dict) and isinstance(c.get("id"), str) and c.get("resourceType")])


def _contained(c: dict) -> dict:
    """A contained resource as the catalog holds it: answering to '#id', sound as the body it was made of."""
    r = {**checked(c, "contained"), "url": "#" + c["id"]}
    _vouch(r)
    return r
