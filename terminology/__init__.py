"""Kodebro's terminology engine: code systems, value sets, the store and importers.

Knows nothing of HTTP or Flask; typed Python objects in, out.
"""
from .catalog import Catalog
from .identifiers import split_canonical
from .codesystem import CodeSystemIndex, Concept
from .errors import (Conflict, ImportRejected, InvalidRequest, InvalidResource, NotFound,
                     NotSupported, TerminologyError, TooCostly)
from .loader import ImportReport, import_paths, load
from .store import open_store

__all__ = [
    "Catalog", "split_canonical", "CodeSystemIndex", "Concept",
    "TerminologyError", "InvalidRequest", "NotSupported", "NotFound", "TooCostly",
    "InvalidResource", "ImportRejected", "Conflict",
    "ImportReport", "import_paths", "load", "open_store",
]

# SNOMED CT registers its index class and implicit value sets on import
from . import snomed as _snomed  # noqa: E402,F401
# BCP 47 language tags, UCUM units and media types are answered from their grammar, not from stored concepts
from . import bcp47 as _bcp47  # noqa: E402,F401
from . import mimetypes as _mimetypes  # noqa: E402,F401
from . import ucum as _ucum  # noqa: E402,F401
