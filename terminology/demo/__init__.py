"""The demo content shipped inside the package: real Norwegian codes from the seed documents.

Every file in this folder that an importer recognises is loaded, in name order,
in one transaction. Every resource it writes carries the meta.tag DEMO_TAG (terminology/identifiers.py): the
slices are partial, mostly `fragment`s that accept unknown codes, so they must be told from real imports
(`kodebro list`, `_tag=` searches) and removed before production traffic (`kodebro remove --demo`).
The one exception is NAMINGSYSTEMS: the Norwegian codebooks' NamingSystems (their URLs and Volven OIDs) are
complete reference data that engines resolve OIDs with, so they stay untagged and `remove --demo` keeps them;
a store started without demo content gets them with `kodebro import --namingsystems`.
"""
from __future__ import annotations

import os

from ..derived import Derive
from ..identifiers import DEMO_TAG, is_demo
from ..loader import load, read_items

DEMO_DIR = os.path.dirname(os.path.abspath(__file__))
NAMINGSYSTEMS = os.path.join(DEMO_DIR, "namingsystems-norway.json")


def demo_files() -> list[str]:
    return [os.path.join(DEMO_DIR, f) for f in sorted(os.listdir(DEMO_DIR))
            if not f.startswith(("_", ".")) and not f.endswith((".py", ".md", ".pyc"))]


def load_demo(store):
    reference: set[tuple[str, str]] = set()
    report = load(store, (_tagged(item, reference) for item in read_items(demo_files())))
    _tag_derived(store, report, reference)
    return report


def _tagged(item, reference: set):
    if item.resource is not None and _is_reference_data(item):
        reference.add((item.resource.get("resourceType"), item.resource.get("id")))
    elif item.resource is not None:
        meta = item.resource.setdefault("meta", {})
        if not is_demo(item.resource):
            meta["tag"] = list(meta.get("tag") or []) + [dict(DEMO_TAG)]
    return item


def _is_reference_data(item) -> bool:
    return os.path.abspath(item.source.split("#", 1)[0]) == NAMINGSYSTEMS


def _tag_derived(store, report, reference: set) -> None:
    """The resources the load derived (NKPK editions built from the demo NCMP/NCSP/NCRP) are demo content too;
    they are written back with the tag (a later real import of a source rebuilds them without it)."""
    again = []
    for rtype, rid, *_ in report.added + report.replaced:
        if (rtype, rid) in reference:
            continue
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

