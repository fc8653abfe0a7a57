"""Importers: one module per source format, all yielding `Item`s holding FHIR resource dicts.

Every module in this package (and in `mappings.importers`) that defines
`FORMAT` is an importer: `detect(path) -> bool` and `read(path, **options)
-> Iterator[Item]`. Detection tries importers by ascending `PRIORITY`
(default 50); the generic FHIR reader has the highest number because it
accepts any JSON.
"""
from __future__ import annotations

import importlib
import pkgutil

from ..errors import InvalidRequest
from .base import Item

REGISTRY: dict = {}
_PACKAGES = ("terminology.importers", "mappings.importers")


def _discover() -> None:
    if REGISTRY:
        return
    found = []
    for pkg_name in _PACKAGES:
        try:
            pkg = importlib.import_module(pkg_name)
        except ModuleNotFoundError as e:
            if e.name == pkg_name:
                continue
            raise
        for m in pkgutil.iter_modules(pkg.__path__):
            if m.name in ("base",) or m.name.startswith("_"):
                continue
            mod = importlib.import_module(f"{pkg_name}.{m.name}")
            if hasattr(mod, "FORMAT"):
                found.append(mod)
    for mod in sorted(found, key=lambda m: getattr(m, "PRIORITY", 50)):
        REGISTRY[mod.FORMAT] = mod


def formats() -> list[str]:
    _discover()
    return list(REGISTRY)


def importer_for(path: str, fmt: str | None = None):
    _discover()
    if fmt:
        if fmt not in REGISTRY:
            raise InvalidRequest(f"unknown import format '{fmt}'; known formats: {', '.join(REGISTRY)}")
        return REGISTRY[fmt]
    for mod in REGISTRY.values():
        try:
            found = mod.detect(path)
        except Exception:   # a file a detector chokes on is simply not of that format
            found = False
        if found:
            return mod
    raise InvalidRequest(f"cannot tell the format of {path}; give --format ({', '.join(REGISTRY)})")


__all__ = ["Item", "REGISTRY", "formats", "importer_for"]
