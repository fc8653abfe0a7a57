"""Importers: one module per source format, all yielding FHIR resource dicts.

Each importer module defines `FORMAT` (its name on the command line),
`detect(path) -> bool` and `read(path, **options) -> Iterator[Item]`.
`REGISTRY` lists them in detection order; the FHIR reader comes last because
it accepts any JSON.
"""
from __future__ import annotations

import importlib

from .base import Item

_MODULES = [
    "terminology.importers.fhir_resources",
]

REGISTRY: dict = {}


def register(module_name: str, first: bool = False) -> None:
    mod = importlib.import_module(module_name)
    if first:
        items = list(REGISTRY.items())
        REGISTRY.clear()
        REGISTRY[mod.FORMAT] = mod
        REGISTRY.update(items)
    else:
        REGISTRY[mod.FORMAT] = mod


for _m in _MODULES:
    register(_m)


def _load_optional():
    # importers contributed by other packages (mappings) register themselves on import
    for name in ("mappings.importers",):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise


def importer_for(path: str, fmt: str | None = None):
    _load_optional()
    if fmt:
        if fmt not in REGISTRY:
            from ..errors import InvalidRequest
            raise InvalidRequest(f"unknown import format '{fmt}'; known formats: {', '.join(REGISTRY)}")
        return REGISTRY[fmt]
    for mod in REGISTRY.values():
        if mod.detect(path):
            return mod
    from ..errors import InvalidRequest
    raise InvalidRequest(f"cannot tell the format of {path}; give --format ({', '.join(REGISTRY)})")


__all__ = ["Item", "REGISTRY", "register", "importer_for"]
