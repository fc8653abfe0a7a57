"""Tabular lists of procedure codes (NCMP, NCSP, NCRP) as CSV or .xlsx, with a column mapping.

The publishers' headers are not fixed, so each field is found by a list of
usual Norwegian headers and can be named on the command line:
`--column code=Kode --column display="Kodetekst"` (fields: code, display,
full_text, valid_from, valid_to, codebook, parent). A `Kodeverk` column splits
one file into NCMP, NCSP and NCRP (plus NKPK); without it give --system.
"""
from __future__ import annotations

import csv
import io
import os
from typing import Iterator

from ..norway import procedures
from ..norway.common import NO_CODES, Row, RowError, build_with_edition, parse_date, with_note
from .base import Item, decode_text, parent_cycles

FORMAT = "procedure-table"
PRIORITY = 26
DEFAULT_COLUMNS = {
    "code": ("Kode", "Kodeverdi", "Prosedyrekode", "Code"),
    "display": ("Tekst", "Kodetekst", "Tekst med maksimalt 60 tegn", "Kortnavn", "Text"),
    "full_text": ("Tekst uten lengdebegrensning", "Fulltekst", "Langnavn"),
    "valid_from": ("Gyldig fra", "Gyldig_fra", "Gyldig fom", "Fra dato"),
    "valid_to": ("Gyldig til", "Gyldig_til", "Gyldig tom", "Til dato"),
    "codebook": ("Kodeverk",),
    "parent": ("Foreldrekode", "Overordnet kode"),
}


def _norm(h) -> str:
    return " ".join(str(h or "").split()).casefold()


def detect(path: str) -> bool:
    low = path.lower()
    if not low.endswith((".csv", ".xlsx", ".xlsm")) or not os.path.isfile(path):
        return False
    try:
        header = next(iter(_table(path)), None)
    except Exception:
        return False
    if not header:
        return False
    names = {_norm(h) for h in header}
    has_code = any(_norm(h) in names for h in DEFAULT_COLUMNS["code"])
    has_text = any(_norm(h) in names for h in DEFAULT_COLUMNS["display"])
    return has_code and has_text and ("kodeverk" in names or any(k in os.path.basename(low)
                                                                 for k in ("ncmp", "ncsp", "ncrp", "prosedyre")))


def _table(path: str):
    """Rows of cells (header first) of a CSV (; , or tab separated) or the first sheet of an .xlsx."""
    if path.lower().endswith((".xlsx", ".xlsm")):
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return list(wb.worksheets[0].iter_rows(values_only=True))
        finally:
            wb.close()
    with open(path, "rb") as fh:
        text = decode_text(fh.read())
    first = text.split("\n", 1)[0]
    delim = max((";", ",", "\t"), key=first.count)
    return csv.reader(io.StringIO(text), delimiter=delim)


def read(path: str, **options) -> Iterator[Item]:
    try:
        table = iter(_table(path))
        header = next(table, None)
    except Exception as e:  # openpyxl and csv raise a variety of errors on broken files
        yield Item(path, error=f"not a readable table: {e}")
        return
    if not header:
        yield Item(path, error="the file is empty")
        return
    mapping = options.get("columns") or {}
    unknown = [f for f in mapping if f not in DEFAULT_COLUMNS]
    if unknown:
        yield Item(path, error=f"unknown column field(s) {', '.join(unknown)}; fields are "
                               f"{', '.join(DEFAULT_COLUMNS)}")
        return
    index = {_norm(h): i for i, h in enumerate(header) if h not in (None, "")}
    cols: dict[str, int] = {}
    for fld, candidates in DEFAULT_COLUMNS.items():
        wanted = (mapping[fld],) if fld in mapping else candidates
        for h in wanted:
            if _norm(h) in index:
                cols[fld] = index[_norm(h)]
                break
        else:
            if fld in mapping:
                yield Item(path, error=f"row 1: no column '{mapping[fld]}' for {fld}; columns are "
                                       f"{', '.join(str(h) for h in header if h not in (None, ''))}")
                return
    missing = [f for f in ("code",) if f not in cols]
    if "display" not in cols and "full_text" not in cols:
        missing.append("display")
    if missing:
        yield Item(path, error=f"row 1: missing column(s) for {', '.join(missing)} (looked for "
                               f"{'; '.join(' / '.join(DEFAULT_COLUMNS[m]) for m in missing)}); name them with "
                               f"--column FIELD=HEADER")
        return
    fixed = procedures.codebook_url(options.get("system")) if options.get("system") else None
    if options.get("system") and fixed is None:
        yield Item(path, error=f"--system {options['system']} is not NCMP, NCSP or NCRP")
        return
    if fixed is None and "codebook" not in cols:
        name = os.path.basename(path).upper()
        fixed = next((u for n, u in procedures.CODEBOOK_NAMES.items() if n in name), None)
        if fixed is None:
            yield Item(path, error="no Kodeverk column and no --system: cannot tell NCMP, NCSP or NCRP apart")
            return
    groups: dict[str, list] = {}
    errors = []
    n = 1
    try:
        for n, cells in enumerate(table, 2):
            cells = ["" if c is None else c for c in cells]
            if not any(str(c).strip() for c in cells):
                continue
            try:
                url, row = _row(cells, cols, f"row {n}", fixed)
            except RowError as e:
                errors.append(str(e))
                continue
            groups.setdefault(url, []).append(row)
    except (csv.Error, ValueError) as e:
        errors.append(f"row {n + 1}: unreadable: {e}")
    if errors:
        for e in errors:
            yield Item(path, error=e)
        return
    rows = [r for rs in groups.values() for r in rs]
    if not rows:
        yield Item(path, error=f"{os.path.basename(path)} {NO_CODES}")
        return
    # the hierarchy is the file's own and the output is trusted: a loop would be stored as is
    loops = parent_cycles(rows)
    if loops:
        for e in loops:
            yield Item(path, error=e)
        return
    used = set(cols.values())
    # a column whose header is spelt unexpectedly ("Gyldig fra (dato)") would otherwise vanish unseen
    unused = [f"{path}: column '{h}' not used (fields are {', '.join(DEFAULT_COLUMNS)}; name a column with "
              f"--column FIELD=HEADER)" for i, h in enumerate(header) if i not in used and str(h or "").strip()]
    yield from with_note(build_with_edition(procedures.build, path, options, rows, groups=groups,
                                            source="prosedyrekodeliste"), unused)


def _cell(cells, cols, fld):
    i = cols.get(fld)
    if i is None or i >= len(cells):
        return None
    s = str(cells[i]).strip() if not hasattr(cells[i], "year") else cells[i]
    return s or None


def _row(cells, cols, where, fixed):
    code = _cell(cells, cols, "code")
    if not code:
        raise RowError(f"{where}: no code")
    code = code.replace(" ", "")
    url = fixed
    cb = _cell(cells, cols, "codebook")
    if url is None:
        url = procedures.codebook_url(cb)
        if url is None:
            raise RowError(f"{where}: code {code} has Kodeverk '{cb or ''}'; expected NCMP, NCSP or NCRP")
    elif cb and procedures.codebook_url(cb) != url:
        # a row the file itself places in another codebook must not be filed under --system unnoticed
        raise RowError(f"{where}: code {code} has Kodeverk '{cb}', but --system names another codebook; "
                       f"leave out --system to split the file by its Kodeverk column")
    display, full = _cell(cells, cols, "display"), _cell(cells, cols, "full_text")
    if not display and not full:
        raise RowError(f"{where}: code {code} has no text")
    return url, Row(code=code, display=display or full, full_text=full, where=where,
                    parent=_cell(cells, cols, "parent"),
                    valid_from=parse_date(_cell(cells, cols, "valid_from"), where, "Gyldig fra"),
                    valid_to=parse_date(_cell(cells, cols, "valid_to"), where, "Gyldig til"))
