"""ICPC-2 (Norwegian edition): rows -> CodeSystem with the 17 chapters as groupings."""
from __future__ import annotations

from typing import Iterator

from ..identifiers import ICPC2
from ..importers.base import Item
from .common import (CODE_SHAPES, FULL_TEXT_USE, codesystem_header, content_for, prop, refusals, row_problems,
                     pending_note, validity_properties, with_note)
from .properties import ICPC2_PROPERTIES, definitions

# the chapters (kapitler) of ICPC-2, by their letter
CHAPTERS = {
    "A": "Allment og uspesifisert", "B": "Blod, bloddannende organer og immunsystemet",
    "D": "Fordøyelsessystemet", "F": "Øye", "H": "Øre", "K": "Hjerte-karsystemet",
    "L": "Muskel- og skjelettsystemet", "N": "Nervesystemet", "P": "Psykisk", "R": "Luftveier", "S": "Hud",
    "T": "Endokrine, metabolske og ernæringsmessige", "U": "Urinveier",
    "W": "Svangerskap, fødsel og familieplanlegging", "X": "Kvinnelige kjønnsorganer",
    "Y": "Mannlige kjønnsorganer", "Z": "Sosiale problemer",
}


def build(rows: list, *, path: str, edition: str | None, explicit_hierarchy: bool, source: str) -> Iterator[Item]:
    # rows valid only from after the edition are stored inactive (common.status_in_edition); the note counts them
    built = _build(rows, path=path, edition=edition, explicit_hierarchy=explicit_hierarchy, source=source)
    yield from with_note(built, pending_note(path, rows, edition))


def _build(rows: list, *, path: str, edition: str | None, explicit_hierarchy: bool, source: str) -> Iterator[Item]:
    refused = refusals(path, row_problems(rows, explicit_hierarchy=explicit_hierarchy,
                                         shape=CODE_SHAPES[ICPC2]), edition)
    if refused:
        yield from refused
        return
    concepts: dict[str, dict] = {}
    for r in rows:
        c: dict = {"code": r.code, "display": r.display or r.full_text or r.code}
        if r.full_text:
            c["designation"] = [{"language": "nb", "use": FULL_TEXT_USE, "value": r.full_text}]
        props = validity_properties(r, edition)
        props.extend(r.extra)
        c["property"] = props
        if r.parent:
            c["parents"] = [r.parent]
        concepts[r.code] = c
    if not explicit_hierarchy:
        groupings = {}
        for code, c in concepts.items():
            # extension codes (A981) sit under their 3-character code when the list has it
            if len(code) > 3 and code[:3] in concepts:
                c["parents"] = [code[:3]]
            elif code[:1] in CHAPTERS:
                letter = code[:1]
                c["parents"] = [letter]
                groupings.setdefault(letter, {
                    "code": letter, "display": CHAPTERS[letter],
                    "property": [prop("notSelectable", True), prop("kind", "chapter")]})
        concepts.update(groupings)
    # only the chapters group; every code is usable, also one with extension codes below it (A98, A981)
    for code, c in concepts.items():
        if len(code) == 1 and code.isalpha() and not any(p["code"] == "notSelectable" for p in c["property"]):
            c["property"][:0] = [prop("notSelectable", True), prop("kind", "chapter")]
    flat = list(concepts.values())
    # no ICPC-2 code differs from another only by case (all are capitals), so `k86` can only mean K86
    cs = codesystem_header(ICPC2, edition, content=content_for(path), case_sensitive=False,
                           description=f"ICPC-2, norsk utgave {edition} ({source}). Chapters are groupings "
                                       "(notSelectable).",
                           properties=definitions(*ICPC2_PROPERTIES), concepts=flat)
    yield Item(path, resource=cs, trusted=True)
