"""NCMP, NCSP, NCRP and NKPK (all three as one): rows -> one CodeSystem per codebook and edition."""
from __future__ import annotations

import re
from typing import Iterator

from ..identifiers import NCMP, NCRP, NCSP, NKPK, canonical_system
from ..importers.base import Item
from . import rules
from .common import (FULL_TEXT_USE, codesystem_header, content_for, pending_note, prop,
                     status_in_edition, refusals, row_problems, validity_properties, with_note)
from .properties import PROCEDURE_PROPERTIES, definitions

# NCMP OAAJ00, NCSP JAGD55 / ABC10, NCRP SAA0AE, additional codes ZXM00: upper-case letters and digits
CODE_SHAPE = re.compile(r"[A-Z][A-Z0-9]{3,7}")
CODEBOOK_NAMES = {"NCMP": NCMP, "NCSP": NCSP, "NCRP": NCRP}
_BY_URL = {v: k for k, v in CODEBOOK_NAMES.items()}


def codebook_url(value: str | None) -> str | None:
    """NCMP/NCSP/NCRP by name ('NCSP-N' too), OID or URL -> canonical URL; None if not one of them."""
    if not value:
        return None
    v = str(value).strip()
    up = v.upper()
    for name, url in CODEBOOK_NAMES.items():
        if up == name or up.startswith(name + "-") or up.startswith(name + " "):
            return url
    url = canonical_system(v if not v[:1].isdigit() else "urn:oid:" + v)
    return url if url in _BY_URL else None


def concept(r) -> dict:
    c: dict = {"code": r.code, "display": r.display or r.full_text or r.code}
    if r.full_text and r.full_text != c["display"]:
        c["designation"] = [{"language": "nb", "use": FULL_TEXT_USE, "value": r.full_text}]
    if r.parent:
        c["parents"] = [r.parent]
    return c


def build(groups: dict[str, list], *, path: str, edition: str | None, source: str) -> Iterator[Item]:
    """`groups`: codebook URL -> rows. NKPK is built too when the file holds more than one codebook."""
    note = pending_note(path, [r for rows in groups.values() for r in rows], edition)
    yield from with_note(_build(groups, path=path, edition=edition, source=source), note)


def _build(groups: dict[str, list], *, path: str, edition: str | None, source: str) -> Iterator[Item]:
    problems = []
    for url, rows in groups.items():
        problems += row_problems(rows, explicit_hierarchy=any(r.parent for r in rows),
                                 shape=(CODE_SHAPE, f"an {_BY_URL[url]} code (upper-case letters and digits, e.g. "
                                                    "SAA0AE)"))
    refused = refusals(path, problems, edition, "cannot tell the edition from the file's dates; give --edition YYYY")
    if refused:
        yield from refused
        return
    all_flat: dict[str, tuple[dict, str, object]] = {}
    clashes = []
    for url, rows in groups.items():
        flat = []
        parents = {r.parent for r in rows if r.parent}
        for r in rows:
            c = concept(r)
            st = status_in_edition(r, edition)
            props = [prop("notSelectable", True)] if r.code in parents else []
            props += validity_properties(r, edition)
            if url == NCRP and rules.needs_zxm(r.code):
                props.append(prop("requiresAdditionalCode", "ZXM"))
                props.append(prop("rule", rules.ZXM_RULE))
            props.extend(r.extra)
            if props:
                c["property"] = props
            flat.append(c)
            prev = all_flat.get(r.code)
            if prev is None or (prev[1] == "retired" and st == "active"):
                all_flat[r.code] = (c, st, (url, r))
            elif st == "active":
                if prev[1] == "active":
                    clashes.append(f"{r.where}: code {r.code} is active in both {_BY_URL[prev[2][0]]} "
                                   f"({prev[2][1].where}) and {_BY_URL[url]}")
        cs = codesystem_header(url, edition, content=content_for(path),
                               description=f"{_BY_URL[url]} {edition} ({source}).",
                               properties=definitions(*PROCEDURE_PROPERTIES[:-1]), concepts=flat)
        yield Item(path, resource=cs, trusted=True)
    if len(groups) > 1:
        if clashes:
            for c in clashes:
                yield Item(path, error=c)
            return
        flat = []
        for c, _st, (url, _r) in all_flat.values():
            nc = dict(c, property=list(c.get("property") or []) + [prop("codebook", _BY_URL[url])])
            flat.append(nc)
        cs = codesystem_header(NKPK, edition, content=content_for(path),
                               description=f"NKPK {edition}: NCMP, NCSP and NCRP as one codebook ({source}); "
                                           "property codebook names the codebook of each code.",
                               properties=definitions(*PROCEDURE_PROPERTIES), concepts=flat)
        yield Item(path, resource=cs, trusted=True)
