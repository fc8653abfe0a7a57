"""FHIR content: JSON resources, NDJSON, Bundles, folders and NPM packages (.tgz)."""
from __future__ import annotations

import os
import tarfile
from typing import Iterator

import orjson

from ..store.base import RESOURCE_TYPES
from .base import Item, read_bytes

FORMAT = "fhir"
PRIORITY = 90
# other resource types in a package are skipped
KEPT = RESOURCE_TYPES


def detect(path: str) -> bool:
    if os.path.isdir(path):
        return True
    low = path.lower()
    return low.endswith((".json", ".ndjson", ".tgz", ".tar.gz"))


def read(path: str, **_options) -> Iterator[Item]:
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files):
                if f.lower().endswith((".json", ".ndjson")) and not f.startswith("."):
                    yield from _read_file(os.path.join(root, f))
    elif path.lower().endswith((".tgz", ".tar.gz")):
        yield from _read_package(path)
    else:
        yield from _read_file(path)


def _read_file(path: str) -> Iterator[Item]:
    data, err = read_bytes(path)
    if err:
        yield Item(path, error=err)
        return
    yield from _parse(path, data, ndjson=path.lower().endswith(".ndjson"))


def _read_package(path: str) -> Iterator[Item]:
    try:
        tar = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as e:
        yield Item(path, error=f"not a readable FHIR package: {e}")
        return
    with tar:
        for member in tar:
            name = member.name
            base = os.path.basename(name)
            if not member.isfile() or not name.endswith(".json") or base.startswith(".") or base == "package.json":
                continue
            # only the package's own resources, not its examples or other folders
            if os.path.dirname(name) not in ("package", ""):
                continue
            data = tar.extractfile(member).read()
            # cheap pre-filter: avoid parsing the many non-terminology files
            if not any(f'"{t}"'.encode() in data[:4000] for t in KEPT + ("Bundle",)):
                continue
            yield from _parse(f"{path}:{name}", data)


def _parse(source: str, data: bytes, ndjson: bool = False) -> Iterator[Item]:
    if ndjson:
        for n, line in enumerate(data.splitlines(), 1):
            if line.strip():
                yield from _parse(f"{source}:{n}", line)
        return
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        yield Item(source, error=f"invalid JSON: {e}")
        return
    yield from _unpack(source, obj)


def _unpack(source: str, obj) -> Iterator[Item]:
    if not isinstance(obj, dict):
        yield Item(source, error="expected a JSON object with a resourceType")
        return
    rtype = obj.get("resourceType")
    if rtype == "Bundle":
        for i, entry in enumerate(obj.get("entry") or []):
            res = (entry or {}).get("resource")
            if isinstance(res, dict) and res.get("resourceType") in KEPT + ("Bundle",):
                yield from _unpack(f"{source}#entry[{i}]", res)
        return
    if rtype in KEPT:
        yield Item(source, resource=obj)
    elif rtype is None:
        yield Item(source, error="no resourceType: not a FHIR resource")
