"""ICD-10, Norwegian edition: rows from any source format -> CodeSystem + rule value sets."""
from __future__ import annotations

import re
from typing import Iterator

from ..editions import is_year
from ..identifiers import ICD10_NO
from ..importers.base import Item
from . import rules
from .common import (CODE_SHAPES, FULL_TEXT_USE, codesystem_header, content_for, prop, status_in_edition, refusals,
                     pending_note, row_problems, validity_properties, with_note)
from .properties import ICD10_PROPERTIES, definitions

_ROMAN = re.compile(r"^[IVXL]+$")
_YES = {"ja", "j", "x", "1", "true", "yes", "y"}
_NO = {"nei", "n", "no", "false", "0"}


def normalise(code: str) -> str:
    """Stored form: no dot, no dagger/asterisk marks, case as published (I210a stays)."""
    return code.strip().replace(".", "").rstrip("*†+").strip()


def build(rows: list, *, path: str, edition: str | None, explicit_hierarchy: bool, source: str,
          who: bool = True) -> Iterator[Item]:
    # rows valid only from after the edition are stored inactive (common.status_in_edition); the note counts them
    built = _build(rows, path=path, edition=edition, explicit_hierarchy=explicit_hierarchy, source=source, who=who)
    yield from with_note(built, pending_note(path, rows, edition))


def _build(rows: list, *, path: str, edition: str | None, explicit_hierarchy: bool, source: str,
          who: bool = True) -> Iterator[Item]:
    refused = refusals(path, row_problems(rows, explicit_hierarchy=explicit_hierarchy,
                                         shape=CODE_SHAPES[ICD10_NO]), edition)
    if refused:
        yield from refused
        return
    start = f"{edition}-01-01" if is_year(edition) else None

    concepts: dict[str, dict] = {}
    statuses: dict[str, str] = {}
    for r in rows:
        c: dict = {"code": r.code, "display": r.display or r.full_text or r.code}
        if r.full_text:
            c["designation"] = [{"language": "nb", "use": FULL_TEXT_USE, "value": r.full_text}]
        if r.parent:
            c["parents"] = [r.parent]
        st = status_in_edition(r, edition)
        statuses[r.code] = st
        props = validity_properties(r, edition)
        if r.npr_from:
            props.append(prop("nprValidFrom", r.npr_from))
        if r.npr_to:
            props.append(prop("nprValidTo", r.npr_to))
        props.extend(_flag_properties(r.flags))
        props.extend(r.extra)
        c["property"] = props
        concepts[r.code] = c

    if not explicit_hierarchy:
        _parents_by_prefix(concepts)
    if who:
        from ..importers.who_icd10 import augment_norwegian
        augment_norwegian(concepts, link=not explicit_hierarchy)

    has_children = {p for c in concepts.values() for p in c.get("parents") or ()}
    by_row = {r.code: r for r in rows}
    for code, c in concepts.items():
        props = c.setdefault("property", [])
        if any(p["code"] == "origin" for p in props):
            continue  # a WHO grouping, complete already
        r = by_row[code]
        structural = code in has_children or bool(_ROMAN.match(code)) or "-" in code
        reportable = _reportable(r, statuses[code], start)
        if structural:
            kind = "chapter" if _ROMAN.match(code) else "block" if "-" in code else "category"
            props.insert(0, prop("kind", kind))
            # a grouping is not selectable unless the source lists it as reportable (M549 beside M5490)
            if not reportable:
                props.insert(0, prop("notSelectable", True))
        props.append(prop("reportable", reportable))
        if reportable:
            reason = rules.main_condition_reason(code)
            if reason:
                props.append(prop("validAsMainCondition", False))
                props.append(prop("rule", reason))

    flat = list(concepts.values())
    cs = codesystem_header(ICD10_NO, edition, content=content_for(path), case_sensitive=False,
                           description=f"ICD-10, norsk utgave {edition} ({source}). Codes are stored without the "
                                       "dot (J128); J12.8 finds J128. Groupings missing from the source come "
                                       "from WHO ICD-10 2019 (property origin=who, English display).",
                           properties=definitions(*ICD10_PROPERTIES), concepts=flat)
    notes = []
    added = sum(1 for c in flat if any(p["code"] == "origin" for p in c.get("property") or ()))
    if added:
        notes.append(f"{path}: ICD-10-NO {edition}: {added} chapters/blocks/categories added from WHO ICD-10 2019")
    yield Item(path, resource=cs, trusted=True, notes=notes)
    for vs in rules.icd10_valuesets(edition, flat):
        yield Item(f"{path} (rules)", resource=vs, trusted=True)


def _reportable(r, status: str, start: str | None) -> bool:
    if status != "active":
        return False
    if r.reportable is None:          # lists of codes only (NAV, Excel): every listed code is reportable
        return True
    if not r.reportable:
        return False
    return not (start and r.npr_to and r.npr_to < start)


def _parents_by_prefix(concepts: dict[str, dict]) -> None:
    """Codes-only lists: a code's parent is its longest proper prefix in the same list (D370 for D3700)."""
    for code, c in concepts.items():
        if c.get("parents") or len(code) <= 3:
            continue
        for n in range(len(code) - 1, 2, -1):
            if code[:n] in concepts:
                c["parents"] = [code[:n]]
                break


def _flag_properties(flags: dict) -> list[dict]:
    out = []
    for name, value in flags.items():
        if value is None or str(value).strip() == "":
            continue
        raw = str(value).strip()
        if name == "sex":
            out.append(prop("sex", raw))
            out.append(prop("rule", rules.SEX_RULE.format(value=raw)))
            continue
        pcode, rule = {"star": ("starCode", rules.STAR_RULE),
                       "additional": ("additionalCode", rules.ADDITIONAL_RULE),
                       "nonspecific": ("nonSpecific", rules.NONSPECIFIC_RULE)}.get(name, (None, None))
        if pcode is None or raw.lower() in _NO:
            # the source's exact flag values are not published: any value is a yes except a plain no,
            # and the raw value is kept either way
            out.append(prop("rawFlag", f"{name}={raw}"))
            continue
        out.append(prop(pcode, True))
        out.append(prop("rule", rule))
        if raw.lower() not in _YES:
            out.append(prop("rawFlag", f"{name}={raw}"))
    return out
