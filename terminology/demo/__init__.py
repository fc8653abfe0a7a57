"""The demo content shipped inside the package: real Norwegian codes from the seed documents.

Every file in this folder that an importer recognises is loaded, in name order,
in one transaction.
"""
from __future__ import annotations

import os

from ..loader import load, read_items

DEMO_DIR = os.path.dirname(os.path.abspath(__file__))


def demo_files() -> list[str]:
    return [os.path.join(DEMO_DIR, f) for f in sorted(os.listdir(DEMO_DIR))
            if not f.startswith(("_", ".")) and not f.endswith((".py", ".md", ".pyc"))]


def load_demo(store):
    return load(store, read_items(demo_files()))
