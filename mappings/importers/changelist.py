"""Importer for Kodebro change lists (CSV/TSV or JSON, see mappings/changelist.py).

Every row is checked; one broken row refuses the whole file, naming the row,
the line it starts on and the reason, so a half-read change list never reaches
the store. Nothing is dropped or guessed: a CSV row with more values than the
header has columns, or a JSON value that is an object or list where text is
expected, is such a broken row. A good file
becomes one ConceptMap per codebook and edition.

A row still as `kodebro diff-editions` derived it (note 'derived: ...', kind as
drafted: `changelist.still_derived`) is not stored: stored, it would be a
curated fact (a derived text change `inexact`, a stated one `equivalent`), and
the server derives it from the loaded editions anyway. The import report says
how many such rows it left out.
"""
from __future__ import annotations

import json
import os
import re
from typing import Iterator

import orjson

from terminology.importers.base import Item, read_bytes

from ..changelist import COLUMNS, parse_row, read_csv_rows, still_derived, to_conceptmaps

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
        # a bare list of rows (the format allows it) is known by its first row's columns
        bare = head.lstrip("\ufeff \t\r\n").startswith("[") and '"codebook"' in head and '"kind"' in head
        return '"kodebro-changelist"' in head or (('"changes"' in head or bare) and '"resourceType"' not in head)
    return False


def _rows(path: str, data: bytes) -> tuple[list, str | None]:
    """([(row number, line it starts on or None, raw row)], None) or ([], reason)."""
    if path.lower().endswith(".json"):
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            return [], f"invalid JSON: {e}"
        rows = obj.get("changes") if isinstance(obj, dict) else obj
        if not isinstance(rows, list):
            return [], "a JSON change list is {\"changes\": [...]} or a list of rows"
        return [(n, None, raw) for n, raw in enumerate(rows, 1)], None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], "a change list must be UTF-8"
    # CSV rows are numbered as in a spreadsheet: the header is row 1
    return [(n, line, raw) for n, (line, raw) in enumerate(read_csv_rows(text), 2)], None


_WS = re.compile(r"[ \t\n\r]*")


def json_entry_lines(text: str) -> list[int] | None:
    """The line each change entry of a (valid) JSON change list starts on; None when it cannot tell."""
    dec = json.JSONDecoder()

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    def entries(i: int) -> list[int]:
        lines, line, seen = [], 1, 0
        i = skip(i + 1)
        while i < len(text) and text[i] != "]":
            line += text.count("\n", seen, i)
            seen = i
            lines.append(line)
            _, i = dec.raw_decode(text, i)
            i = skip(i)
            if text.startswith(",", i):
                i = skip(i + 1)
        return lines

    try:
        i = skip(0)
        if text.startswith("[", i):
            return entries(i)
        if not text.startswith("{", i):
            return None
        i = skip(i + 1)
        while i < len(text) and text[i] != "}":
            key, i = dec.raw_decode(text, i)
            i = skip(skip(i) + 1)             # past the ':'
            if key == "changes" and text.startswith("[", i):
                return entries(i)
            _, i = dec.raw_decode(text, i)
            i = skip(i)
            if text.startswith(",", i):
                i = skip(i + 1)
    except (ValueError, IndexError):
        return None
    return None


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
    for n, line, raw in rows:
        change, why = parse_row(raw)
        if why:
            bad.append((n, line, why))
        else:
            changes.append(change)
    if bad:
        lines = None
        if path.lower().endswith(".json"):
            # only a refused file pays for finding the lines (the fast parser gives no positions)
            lines = json_entry_lines(data.decode("utf-8", errors="replace").lstrip("\ufeff"))
        for n, line, why in bad:
            if line is None and lines is not None and n <= len(lines):
                line = lines[n - 1]
            where = f"row {n}, line {line}" if line is not None else f"row {n}"
            yield Item(f"{path}:{where}", error=why)
        return
    if not changes:
        yield Item(path, error=f"no change rows found (columns: {', '.join(COLUMNS)})")
        return
    curated = [c for c in changes if not still_derived(c)]
    left = len(changes) - len(curated)
    said = (f"{left} row(s) still marked derived (note starting 'derived:', as diff-editions drafted them) "
            "were not imported: the server derives these changes from the loaded editions and answers them as "
            "unchecked; delete 'derived:' from the note of each row a curator has checked, and import again")
    if not curated:
        yield Item(path, error=f"nothing a curator confirmed: {said}")
        return
    for n, cm in enumerate(to_conceptmaps(curated)):
        yield Item(f"{path}:{cm['id']}", resource=cm, notes=[f"{path}: {said}"] if left and n == 0 else [])
