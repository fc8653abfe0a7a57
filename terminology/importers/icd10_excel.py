"""The ICD-10 Excel list ("Kodeliste ICD-10 YYYY.xlsx") of the directorate.

Columns by header, on the first sheet that has a `Kode` header: Kode, Tekst
uten lengdebegrensning, Tekst med maksimalt 60 tegn; older workbooks ("Alle
gyldige koder") add star-code, additional-code and sex flags, kept when present.
Codes are written without the dot. The list holds codes only, so the
hierarchy comes from code prefixes and WHO ICD-10 (see norway.icd10).
"""
from __future__ import annotations

import contextlib
import os
import zipfile
from typing import Iterator

from ..norway import icd10
from ..norway.common import Row, build_with_edition
from .base import Item

FORMAT = "icd10-excel"
PRIORITY = 25
CODE, FULL, SHORT = "Kode", "Tekst uten lengdebegrensning", "Tekst med maksimalt 60 tegn"
_FLAG_HEADERS = (("stjerne", "star"), ("tillegg", "additional"), ("kjønn", "sex"), ("kjonn", "sex"),
                 ("uspesifikk", "nonspecific"))


def detect(path: str) -> bool:
    if not path.lower().endswith((".xlsx", ".xlsm")) or not os.path.isfile(path):
        return False
    with _sheets(path) as sheets:
        return sheets is not None and _has_code_sheet(sheets)


def _has_code_sheet(sheets) -> bool:
    for ws_rows in sheets:
        hdr = _header(ws_rows)
        if hdr and any(_norm(h) == _norm(FULL) for h in hdr[1]) and not any(_norm(h) == "kodeverk" for h in hdr[1]):
            return True
    return False


def _norm(h) -> str:
    return " ".join(str(h or "").split()).casefold()


@contextlib.contextmanager
def _sheets(path: str):
    """Row iterators of every sheet (None when the file is no workbook); the file is closed after."""
    try:
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        wb = None
    try:
        yield [ws.iter_rows(values_only=True) for ws in wb.worksheets] if wb is not None else None
    finally:
        if wb is not None:
            wb.close()


def _header(rows, limit: int = 10):
    """(row number, header cells) of the first row with a 'Kode' cell."""
    for n, row in enumerate(rows, 1):
        if any(_norm(c) == "kode" for c in row):
            return n, list(row)
        if n >= limit:
            return None
    return None


def read(path: str, **options) -> Iterator[Item]:
    with _sheets(path) as sheets:
        yield from _read(path, sheets, options)


def _read(path: str, sheets, options: dict) -> Iterator[Item]:
    if sheets is None:
        yield Item(path, error="not a readable .xlsx workbook")
        return
    found = None
    for ws_rows in sheets:
        hdr = _header(ws_rows)
        if hdr:
            found = (ws_rows, hdr)
            break
    if found is None:
        yield Item(path, error=f"no sheet has a '{CODE}' header in its first 10 rows")
        return
    ws_rows, (hdr_row, headers) = found
    index = {_norm(h): i for i, h in enumerate(headers) if h is not None}
    missing = [h for h in (CODE, FULL, SHORT) if _norm(h) not in index]
    if missing:
        yield Item(path, error=f"row {hdr_row}: missing column(s) {', '.join(missing)}; found "
                               f"{', '.join(str(h) for h in headers if h is not None)}")
        return
    flag_cols = {}
    for i, h in enumerate(headers):
        for needle, name in _FLAG_HEADERS:
            if h is not None and needle in _norm(h):
                flag_cols.setdefault(name, i)
    ci, fi, si = index[_norm(CODE)], index[_norm(FULL)], index[_norm(SHORT)]
    rows, errors = [], []
    for n, cells in enumerate(ws_rows, hdr_row + 1):
        cells = list(cells) + [None] * (len(headers) - len(cells))
        code = cells[ci]
        if code is None or str(code).strip() == "":
            if any(c not in (None, "") for c in cells):
                errors.append(f"row {n}: no {CODE}")
            continue
        code = icd10.normalise(str(code))
        full = _cell(cells[fi])
        short = _cell(cells[si])
        if not full and not short:
            errors.append(f"row {n}: code {code} has no text")
            continue
        flags = {name: cells[i] for name, i in flag_cols.items() if _cell(cells[i])}
        rows.append(Row(code=code, display=short or full, full_text=full, where=f"row {n}", flags=flags))
    if errors:
        for e in errors:
            yield Item(path, error=e)
        return
    yield from build_with_edition(icd10.build, path, options, rows=rows, explicit_hierarchy=False,
                                  source="Kodeliste ICD-10 (Excel)", who=options.get("who", True))


def _cell(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None
