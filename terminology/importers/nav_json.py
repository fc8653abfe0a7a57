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
from ..norway.common import Row, resolve_edition
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
    system = which_system(path, [r.code for r in rows], options.get("system"))
    edition = resolve_edition(options, path)
    source = "NAV-liste (@navikt/diagnosekoder)"
    if system == ICD10_NO:
        for r in rows:
            r.code = icd10.normalise(r.code)
        yield from icd10.build(rows, path=path, edition=edition, explicit_hierarchy=False, source=source,
                               who=options.get("who", True))
    elif system == ICPC2:
        yield from icpc2.build(rows, path=path, edition=edition, explicit_hierarchy=False, source=source)
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
