"""Importer for Kodebro change lists (CSV/TSV or JSON, see mappings/changelist.py).

Every row is checked; one broken row refuses the whole file, naming the row and
the reason, so a half-read change list never reaches the store. A good file
becomes one ConceptMap per codebook and edition.
"""
from __future__ import annotations

import os
from typing import Iterator

import orjson

from terminology.importers.base import Item, read_bytes

from ..changelist import COLUMNS, parse_row, read_csv_text, to_conceptmaps

FORMAT = "changelist"
PRIORITY = 20
_REQUIRED = {"codebook", "edition", "kind", "code"}


def _header_ok(first_line: str) -> bool:
    for delim in (",", ";", "\t"):
        cols = {c.strip().strip('"').lower().lstrip("\ufeff") for c in first_line.split(delim)}
        if _REQUIRED <= cols:
            return True
    return False


def detect(path: str) -> bool:
    if os.path.isdir(path):
        return False
    low = path.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    if low.endswith((".csv", ".tsv", ".txt")):
        return _header_ok(head.lstrip("\ufeff").split("\n", 1)[0])
    if low.endswith(".json"):
        return '"kodebro-changelist"' in head or ('"changes"' in head and '"resourceType"' not in head)
    return False


def _rows(path: str, data: bytes) -> tuple[list, str | None]:
    if path.lower().endswith(".json"):
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            return [], f"invalid JSON: {e}"
        rows = obj.get("changes") if isinstance(obj, dict) else obj
        if not isinstance(rows, list):
            return [], "a JSON change list is {\"changes\": [...]} or a list of rows"
        return rows, None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], "a change list must be UTF-8"
    rows = read_csv_text(text)
    return rows, None


def read(path: str, **_options) -> Iterator[Item]:
    data, err = read_bytes(path)
    if err:
        yield Item(path, error=err)
        return
    rows, err = _rows(path, data)
    if err:
        yield Item(path, error=err)
        return
    changes, bad = [], []
    # CSV: row 1 is the header, so data row n is line n+1 for one-line rows
    first = 1 if path.lower().endswith(".json") else 2
    for n, raw in enumerate(rows, first):
        change, why = parse_row(raw)
        if why:
            bad.append(Item(f"{path}:row {n}", error=why))
        else:
            changes.append(change)
    if bad:
        yield from bad
        return
    if not changes:
        yield Item(path, error=f"no change rows found (columns: {', '.join(COLUMNS)})")
        return
    for cm in to_conceptmaps(changes):
        yield Item(f"{path}:{cm['id']}", resource=cm)
