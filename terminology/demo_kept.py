"""The demo's own content imported again into a store that holds it stays demo content.

The demo resources carry the demo tag (identifiers.DEMO_TAG) because the demo load (terminology/demo) tagged
them, not because their files say so: `kodebro import terminology/demo/succession-changes.csv` reads the same
maps without it, and writing them so would change them (a new rev and ETag) and make them the importer's own,
which `kodebro remove --demo` then leaves behind. The README promises that re-importing what is stored changes
nothing, so a resource whose content is the stored demo resource's gets the tag back and the store keeps it as
it is; content that differs is the importer's own and is written without the tag.
"""
from __future__ import annotations

from .codesystem import flatten_concepts
from .identifiers import DEMO_TAG, is_demo
from .json_values import same_json


def keep_demo_tag(store, res: dict) -> dict:
    """`res` with the demo tag when the resource the store keeps under its url and version (else its id) is demo
    content that `res` repeats (body but id and lastUpdated, and a CodeSystem's concepts); else `res` itself.
    A CodeSystem's streamed concepts are only read when its body matches (a demo slice's: small)."""
    if is_demo(res):
        return res
    stored = _stored(store, res)
    if stored is None or not is_demo(body := store.body(stored.pk)):
        return res
    meta = res.get("meta") if isinstance(res.get("meta"), dict) else {}
    tagged = {**res, "meta": {**meta, "tag": list(meta.get("tag") or []) + [dict(DEMO_TAG)]}}
    if "id" not in tagged:
        tagged["id"] = stored.id
    if not same_json(_unstamped(body), _unstamped(tagged)):
        return res
    if res.get("resourceType") != "CodeSystem":
        return tagged
    flat = res.get("_flat_concepts")
    flat = list(flatten_concepts(res.get("concept")) if flat is None else flat)
    if "_flat_concepts" in res:
        res["_flat_concepts"] = tagged["_flat_concepts"] = flat      # (a stream read here is read once)
    return tagged if same_json(list(store.concepts(stored.pk)), flat) else res


def _stored(store, res: dict):
    rtype, url = res.get("resourceType"), res.get("url")
    if url:
        found = store.by_url(rtype, url, res.get("version"))
        return found[0] if found else None
    return store.header(rtype, res["id"]) if res.get("id") else None


def _unstamped(body: dict) -> dict:
    """A body as two writes of the same content share it: no concepts (a table of their own), no lastUpdated."""
    out = {k: v for k, v in body.items() if k not in ("concept", "_flat_concepts")}
    meta = {k: v for k, v in (out.get("meta") or {}).items() if k != "lastUpdated"}
    if meta:
        out["meta"] = meta
    else:
        out.pop("meta", None)
    return out
