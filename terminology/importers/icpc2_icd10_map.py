"""The directorate's ICPC-2 -> ICD-10 conversion file ("Konverteringsfil fra ICPC-2 til ICD-10").

`--` comment lines, then rows `ICPC2_kode;ICPC2_korttekst;ICPC2_fulltekst;ICD10_KODE;ICD10_TEKST`
(no header). The derived two-column CSV `icpc2_code,icd10_code` is read too.
Yields one ConceptMap (version = the year it is valid from). Targets that a
later ICD-10 edition no longer has are reported as import notes when that
edition is given (option `against`: a path to an ICD-10 file, a CodeSystem or a
set of codes); `terminology.norway.mapcheck` checks a loaded edition.
"""
from __future__ import annotations

import os
import re
from typing import Iterator

from ..identifiers import ICD10_NO, ICPC2, KODEBRO_BASE
from ..norway.common import EditionError, check_edition_option, content_for, edition_from_name
from ..norway.mapcheck import missing_targets
from .base import Item, decode_text

FORMAT = "icpc2-icd10-map"
PRIORITY = 20
URL = KODEBRO_BASE + "/ConceptMap/icpc2-icd10"
_VALID_FROM = re.compile(r"gjelder fra\s+(\d{1,2})\.(\d{1,2})\.(\d{4})", re.I)
_ROW_COUNT = re.compile(r"inneholder\s+(\d+)\s+rader", re.I)


def _lines(path: str) -> list[str]:
    with open(path, "rb") as fh:
        return decode_text(fh.read()).splitlines()


def detect(path: str) -> bool:
    if not path.lower().endswith((".txt", ".csv")) or not os.path.isfile(path):
        return False
    with open(path, "rb") as fh:
        head = fh.read(1500).decode("utf-8", "ignore").lstrip("\ufeff")
    if head.startswith("--") and "ICPC" in head.upper() and "ICD" in head.upper():
        return True
    return head.lower().startswith("icpc2_code,icd10_code")


def read(path: str, **options) -> Iterator[Item]:
    try:
        lines = _lines(path)
    except OSError as e:
        yield Item(path, error=f"cannot read file: {e.strerror}")
        return
    elements: dict[str, dict] = {}
    errors = []
    valid_from = None
    declared = None
    rows_read = 0
    two_column = bool(lines) and lines[0].strip().lower().startswith("icpc2_code,icd10_code")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.startswith("--"):
            m = _VALID_FROM.search(line)
            if m:
                valid_from = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
            m = _ROW_COUNT.search(line)
            if m:
                declared = (int(m.group(1)), n)
            continue
        rows_read += 1
        if two_column:
            if n == 1:
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 2:
                errors.append(f"line {n}: expected 2 comma-separated fields (icpc2_code,icd10_code), "
                              f"found {len(parts)}")
                continue
            src, tgt, src_text, tgt_text = parts[0], parts[1], None, None
        else:
            parts = [p.strip() for p in line.split(";")]
            # spreadsheet exports pad rows with empty columns (A01;...;R52;Smerte;;;)
            while len(parts) > 5 and not parts[-1]:
                parts.pop()
            if len(parts) == 1 and "\t" in line:
                yield Item(path, error=f"line {n}: the file is tab-separated; the conversion file is "
                                       f"separated by ; (ICPC2_kode;ICPC2_korttekst;ICPC2_fulltekst;"
                                       f"ICD10_KODE;ICD10_TEKST): save it with ; as separator")
                return
            if len(parts) != 5:
                errors.append(f"line {n}: expected 5 ;-separated fields (ICPC2_kode;ICPC2_korttekst;"
                              f"ICPC2_fulltekst;ICD10_KODE;ICD10_TEKST), found {len(parts)}")
                continue
            src, src_text, _full, tgt, tgt_text = parts
        if not src or not tgt:
            errors.append(f"line {n}: empty {'ICPC-2' if not src else 'ICD-10'} code")
            continue
        tgt = tgt.replace(".", "")
        el = elements.setdefault(src, {"code": src, "target": []})
        if src_text and "display" not in el:
            el["display"] = src_text
        if any(t["code"] == tgt for t in el["target"]):
            errors.append(f"line {n}: ICPC-2 {src} -> ICD-10 {tgt} is given twice")
            continue
        t = {"code": tgt, "equivalence": "inexact"}
        if tgt_text:
            t["display"] = tgt_text
        el["target"].append(t)
    if errors:
        for e in errors:
            yield Item(path, error=e)
        return
    if not elements:
        yield Item(path, error=f"{os.path.basename(path)} holds no map rows; nothing was changed")
        return
    # demo slices (named slice/demo) keep the full file's header but only some rows on purpose
    if declared and declared[0] != rows_read and content_for(path) == "complete":
        # a download cut at a line boundary parses cleanly; only the header's count tells
        yield Item(path, error=f"line {declared[1]} says the file holds {declared[0]} rows, but {rows_read} "
                               f"were read: the file is incomplete or altered; nothing was changed")
        return
    try:
        edition = _map_edition(options, valid_from, path)
    except EditionError as e:
        yield Item(path, error=str(e))
        return
    cm = {
        "resourceType": "ConceptMap", "url": URL, "name": "ICPC2toICD10", "status": "active",
        "title": "Konverteringsfil fra ICPC-2 til ICD-10",
        "publisher": "Direktoratet for e-helse",
        "description": "The directorate's official conversion from ICPC-2 to ICD-10 (one ICD-10 code per ICPC-2 "
                       "code, many-to-one). Equivalence is 'inexact': a conversion for statistics, not a claim "
                       "that the meanings coincide." + (f" Valid from {valid_from}." if valid_from else ""),
        "sourceUri": ICPC2 + "?fhir_vs", "targetUri": ICD10_NO + "?fhir_vs",
        "group": [{"source": ICPC2, "target": ICD10_NO, "element": list(elements.values())}],
    }
    if edition:
        cm["version"] = edition
    if valid_from:
        cm["date"] = valid_from
    notes = []
    against = options.get("against")
    if against is not None:
        edition, problem = _edition(against, options.get("against_edition"))
        if problem:
            yield Item(path, error=problem)
            return
        notes += [f"{path}: {n}" for n in missing_targets(cm, edition, ICD10_NO)]
    yield Item(path, resource=cm, trusted=True, notes=notes)


def _map_edition(options: dict, valid_from: str | None, path: str) -> str:
    """--edition (a year), else the year of the header's "gjelder fra" date, else the file name's year."""
    if options.get("edition"):
        return check_edition_option(options["edition"])
    return valid_from[:4] if valid_from else (edition_from_name(path) or "")


def _edition(against, edition: str | None):
    """(ICD-10 edition to check against, problem): a path to any importable ICD-10 file, or as is."""
    if not isinstance(against, str):
        return against, None
    from . import importer_for
    opts = {"edition": edition} if edition else {}
    for item in importer_for(against).read(against, **opts):
        if item.error:
            return None, f"cannot read the ICD-10 edition to check against ({against}): {item.error}"
        if item.resource and item.resource.get("url") == ICD10_NO:
            return item.resource, None
    return None, f"{against} holds no ICD-10-NO code system to check the map against"
