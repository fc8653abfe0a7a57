"""FHIR content: JSON resources, NDJSON, Bundles, folders (their XML files too) and NPM packages (.tgz).

`unpack` is what a resource read from a file becomes, in either format: a Bundle's entries one by one, other
resource types than the kept ones skipped with a note."""
from __future__ import annotations

import os
import re
import tarfile
from typing import Iterator

from ..errors import InvalidRequest
from ..store.base import RESOURCE_TYPES
from .base import Item, parse_json, read_bytes

FORMAT = "fhir"
PRIORITY = 90
# other resource types in a package are skipped
KEPT = RESOURCE_TYPES
# a package file holding none of KEPT anywhere (a StructureDefinition, a Bundle of Provenance: 25 of THO's 65 MB)
# has nothing to import, and is skipped unparsed
_HOLDS_KEPT = re.compile(rb'"resourceType"\s*:\s*"(?:' + "|".join(KEPT).encode() + rb')"')


def detect(path: str) -> bool:
    if os.path.isdir(path):
        return True
    low = path.lower()
    return low.endswith((".json", ".ndjson", ".tgz", ".tar.gz"))


def read(path: str, **_options) -> Iterator[Item]:
    if os.path.isdir(path):
        found = [os.path.join(root, f) for root, dirs, files in sorted(os.walk(path))
                 for f in sorted(files) if f.lower().endswith((".json", ".ndjson", ".xml")) and not f.startswith(".")]
        if not found:
            # an import that finds nothing must not look like one that succeeded
            raise InvalidRequest(f"no importable files in {path} (looked for FHIR .json, .ndjson and .xml files, "
                                 "in its subfolders too); nothing was changed")
        for f in found:
            if f.lower().endswith(".xml"):
                yield from _read_xml_in_folder(f)
            else:
                yield from _read_file(f)
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


def _read_xml_in_folder(path: str) -> Iterator[Item]:
    from . import fhir_xml_files     # here, as it imports unpack from this module
    # a folder of exports may hold other XML (a build file, the WHO classification): passed over, and said so
    try:
        ns = fhir_xml_files.root_namespace(path)
    except OSError as e:
        yield Item(path, error=f"cannot read file: {e.strerror}")
        return
    if ns == fhir_xml_files.NS:
        yield from fhir_xml_files.read(path)
    elif ns is None:
        yield Item(path, notes=[f"{path}: skipped, its start is not well-formed XML (a FHIR XML file begins with "
                                f'a resource element in xmlns="{fhir_xml_files.NS}")'])
    else:
        where = f"the namespace {ns}" if ns else "no namespace"
        yield Item(path, notes=[f"{path}: skipped, not FHIR XML (its root element is in {where}, "
                                f"not in {fhir_xml_files.NS})"])


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
            if not _HOLDS_KEPT.search(data):
                continue
            yield from _parse(f"{path}:{name}", data)


def _parse(source: str, data: bytes, ndjson: bool = False) -> Iterator[Item]:
    if ndjson:
        for n, line in enumerate(data.splitlines(), 1):
            if line.strip():
                yield from _parse(f"{source}:{n}", line)
        return
    obj, err = parse_json(data, source)
    if err:
        yield Item(source, error=err)
        return
    yield from unpack(source, obj)


def unpack(source: str, obj) -> Iterator[Item]:
    if not isinstance(obj, dict):
        yield Item(source, error="expected a JSON object with a resourceType")
        return
    rtype = obj.get("resourceType")
    if rtype == "Bundle":
        entries = obj.get("entry") or []
        if not isinstance(entries, list):
            yield Item(source, error="Bundle.entry must be a JSON array of entries")
            return
        skipped: dict[str, int] = {}
        for i, entry in enumerate(entries):
            where = f"{source}#entry[{i}]"
            if entry is None:
                continue
            if not isinstance(entry, dict):
                yield Item(where, error=f"a Bundle entry must be a JSON object, not {_json_kind(entry)}")
                continue
            res = entry.get("resource")
            if res is None:
                continue
            if not isinstance(res, dict):
                yield Item(where, error=f"entry.resource must be a JSON object, not {_json_kind(res)}")
            elif res.get("resourceType") in KEPT + ("Bundle",):
                yield from unpack(where, res)
            else:
                kind = res.get("resourceType") if isinstance(res.get("resourceType"), str) else "(no resourceType)"
                skipped[kind] = skipped.get(kind, 0) + 1
        if skipped:
            yield Item(source, notes=[f"{source}: {n} {kind} entr{'y' if n == 1 else 'ies'} skipped (not a "
                                      f"terminology resource; imported are {', '.join(KEPT)})"
                                      for kind, n in sorted(skipped.items())])
        return
    if rtype in KEPT:
        yield Item(source, resource=obj)
    elif rtype is None:
        yield Item(source, error="no resourceType: not a FHIR resource")


def _json_kind(v) -> str:
    return {str: "a string", list: "an array", bool: "true/false", int: "a number", float: "a number"}.get(
        type(v), type(v).__name__)
