"""SNOMED CT: the compact in-memory index, ECL, and the implicit value sets.

Importing this package registers `SnomedIndex` for http://snomed.info/sct in
terminology.codesystem.INDEX_CLASSES and the `?fhir_vs` resolver in
terminology.implicit.
"""
from __future__ import annotations

from ..codesystem import INDEX_CLASSES
from ..identifiers import SNOMED
from . import implicit as _implicit  # noqa: F401  (registers the resolver)
from .index import SnomedIndex

INDEX_CLASSES[SNOMED] = SnomedIndex

__all__ = ["SnomedIndex"]
