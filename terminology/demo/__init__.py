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

from ..identifiers import DEMO_TAG, with_tag
from ..loader import load, read_items

DEMO_DIR = os.path.dirname(os.path.abspath(__file__))
NAMINGSYSTEMS = os.path.join(DEMO_DIR, "namingsystems-norway.json")


def demo_files() -> list[str]:
    return [os.path.join(DEMO_DIR, f) for f in sorted(os.listdir(DEMO_DIR))
            if not f.startswith(("_", ".")) and not f.endswith((".py", ".md", ".pyc"))]


def demo_items():
    """The demo files' resources, tagged DEMO_TAG (the Norwegian NamingSystems excepted)."""
    return (_tagged(item) for item in read_items(demo_files()))


def load_demo(store):
    # one transaction: the resources it derives (NKPK editions built from the demo NCMP/NCSP/NCRP) are demo
    # content too and are tagged as the derivation builds them (a later real import of a source rebuilds them
    # without the tag)
    return load(store, demo_items(), derived_tag=DEMO_TAG)


def demo_headers(store) -> list:
    """The headers of the stored resources tagged as demo content."""
    return store.tagged(DEMO_TAG)


def _tagged(item):
    if item.resource is not None and not _is_reference_data(item):
        item.resource["meta"] = with_tag(item.resource, DEMO_TAG)["meta"]
    return item


def _is_reference_data(item) -> bool:
    return os.path.abspath(item.source.split("#", 1)[0]) == NAMINGSYSTEMS
