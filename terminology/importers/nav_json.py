"""NAV's generated code lists (npm @navikt/diagnosekoder): JSON arrays of {"code", "text"}.

The same shape serves ICD-10 and ICPC-2; which one a file holds is told by
--system, else by the file name, else by the shape of the codes (ICD-10 lists
are mostly 4-5 characters, ICPC-2 mostly 3). The edition comes from --edition,
else from a year in the file name (NAV's lists carry no dates).
"""
from __future__ import annotations

import os
import re
from typing import Iterator


from ..identifiers import ICD10_NO, ICPC2, canonical_system
from ..norway import icd10, icpc2
from ..norway.common import Row, build_with_edition
from .base import Item, head, load_json

FORMAT = "nav-json"
PRIORITY = 20
_HEAD = re.compile(rb'^\s*\[\s*(\{\s*"(code|text)"\s*:|\])')


def detect(path: str) -> bool:
    if not path.lower().endswith(".json") or not os.path.isfile(path):
        return False
    start = head(path, 400)
    return bool(_HEAD.match(start)) and (b'"code"' in start or start.strip() == b"[]")


def read(path: str, **options) -> Iterator[Item]:
    data, err = load_json(path)
    if err:
        yield Item(path, error=err)
        return
    if not isinstance(data, list):
        yield Item(path, error="expected a JSON array of {\"code\", \"text\"} objects")
        return
    rows, errors = [], []
    for i, entry in enumerate(data, 1):
        where = f"entry {i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) or not entry["code"].strip():
            errors.append(f"{where}: no \"code\" (each entry must be {{\"code\": ..., \"text\": ...}})")
            continue
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{where}: code {entry['code']} has no \"text\"")
            continue
        rows.append(Row(code=entry["code"].strip(), display=text.strip(), where=where))
    if errors:
        for e in errors:
            yield Item(path, error=e)
        return
    codes = [r.code for r in rows]
    system = which_system(path, codes, options.get("system"))
    clash = shape_clash(system, codes, "--system" if options.get("system") else "the file name")
    if clash:
        yield Item(path, error=clash)
        return
    source = "NAV-liste (@navikt/diagnosekoder)"
    if system == ICD10_NO:
        for r in rows:
            r.code = icd10.normalise(r.code)
        yield from build_with_edition(icd10.build, path, options, rows=rows,
                                      explicit_hierarchy=False, source=source, who=options.get("who", True))
    elif system == ICPC2:
        yield from build_with_edition(icpc2.build, path, options, rows=rows,
                                      explicit_hierarchy=False, source=source)
    else:
        yield Item(path, error=f"NAV lists hold ICD-10 or ICPC-2, not {system}")


def which_system(path: str, codes: list[str], given: str | None) -> str:
    if given:
        return canonical_system(given)
    name = os.path.basename(path).lower()
    if "icpc" in name:
        return ICPC2
    if "icd" in name:
        return ICD10_NO
    short = sum(1 for c in codes if len(c.replace(".", "")) == 3)
    return ICPC2 if codes and short / len(codes) > 0.8 else ICD10_NO


# ICPC-2 codes are a letter and 2 digits (A01), a few with one more digit (A981); ICD-10 has that shape
# only for its 3-character categories, and many codes of 5 characters or with letters after the third
_ICPC_SHAPE = re.compile(r"[A-Z]\d\d")
_ICD_ONLY_SHAPE = re.compile(r"[A-Z]\d[0-9A-Z](\d?[A-Z][0-9A-Z]*|\d\d[0-9A-Z]*)", re.I)


def shape_clash(system: str, codes: list[str], told_by: str) -> str | None:
    """Why the codes cannot be the codebook `system` (as --system or the file name says), or None.
    A wrong guess would replace a whole stored edition with another codebook's codes."""
    plain = [c.replace(".", "").strip() for c in codes]
    icpc = sum(1 for c in plain if _ICPC_SHAPE.fullmatch(c))
    icd = sum(1 for c in plain if _ICD_ONLY_SHAPE.fullmatch(c))
    n = len(plain)
    if system == ICD10_NO and icpc > n / 2 and icd == 0:
        return (f"{told_by} says ICD-10, but the codes look like ICPC-2: {icpc} of {n} codes are a letter and "
                f"2 digits (e.g. {next(c for c in plain if _ICPC_SHAPE.fullmatch(c))}) and none has an ICD-10 "
                f"shape such as A000 or A09A; give --system for the right codebook")
    if system == ICPC2 and icd > n / 2:
        return (f"{told_by} says ICPC-2, but the codes look like ICD-10: {icd} of {n} codes have 5 characters "
                f"or letters after the third (e.g. {next(c for c in plain if _ICD_ONLY_SHAPE.fullmatch(c))}), "
                f"which ICPC-2 has not; give --system for the right codebook")
    return None
