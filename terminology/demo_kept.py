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


def keep_demo_tag(store, res: dict) -> dict:
    """`res` with the demo tag when, so tagged, writing it would leave the stored resource as it is (the store's
    own rule for "unchanged", store.unchanged_by): the stored one is then demo content that `res` repeats. Else
    `res` itself. A CodeSystem's concepts are only read when its body matches (a demo slice's: small), and a
    stream of them is read once."""
    if is_demo(res):
        return res
    meta = res.get("meta") if isinstance(res.get("meta"), dict) else {}
    tagged = {**res, "meta": {**meta, "tag": list(meta.get("tag") or []) + [dict(DEMO_TAG)]}}

    def concepts():
        flat = res.get("_flat_concepts")
        flat = list(flatten_concepts(res.get("concept")) if flat is None else flat)
        if "_flat_concepts" in res:
            res["_flat_concepts"] = tagged["_flat_concepts"] = flat
        return flat
    return tagged if store.unchanged_by(tagged, concepts) else res
