"""The demo content shipped inside the package: real Norwegian codes from the seed documents.

Every file in this folder that an importer recognises is loaded, in name order,
in one transaction. Every resource it writes carries the meta.tag DEMO_TAG (terminology/identifiers.py): the
slices are partial, mostly `fragment`s that accept unknown codes, so they must be told from real imports
(`kodebro list`, `_tag=` searches) and removed before production traffic (`kodebro remove --demo`).
"""
from __future__ import annotations

import os

from ..derived import Derive
from ..identifiers import DEMO_TAG, is_demo
from ..loader import load, read_items

DEMO_DIR = os.path.dirname(os.path.abspath(__file__))


def demo_files() -> list[str]:
    return [os.path.join(DEMO_DIR, f) for f in sorted(os.listdir(DEMO_DIR))
            if not f.startswith(("_", ".")) and not f.endswith((".py", ".md", ".pyc"))]


def load_demo(store):
    report = load(store, (_tagged(item) for item in read_items(demo_files())))
    _tag_derived(store, report)
    return report


def _tagged(item):
    if item.resource is not None:
        meta = item.resource.setdefault("meta", {})
        if not is_demo(item.resource):
            meta["tag"] = list(meta.get("tag") or []) + [dict(DEMO_TAG)]
    return item


def _tag_derived(store, report) -> None:
    """The resources the load derived (NKPK editions built from the demo NCMP/NCSP/NCRP) are demo content too;
    they are written back with the tag (a later real import of a source rebuilds them without it)."""
    again = []
    for rtype, rid, *_ in report.added + report.replaced:
        h = store.header(rtype, rid)
        body = store.body(h.pk) if h is not None else None
        if body is None or is_demo(body):
            continue
        if rtype == "CodeSystem":
            body["_flat_concepts"] = list(store.concepts(h.pk))    # as stored (the store's own flat form)
        body.setdefault("meta", {})["tag"] = list((body.get("meta") or {}).get("tag") or []) + [dict(DEMO_TAG)]
        again.append(body)
    if again:
        store.write(again, derive=Derive(again))

