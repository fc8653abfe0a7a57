"""$translate answers into ICD-10-NO: whether each target is a code that may be reported in the edition asked about.

A map into ICD-10-NO (the ICPC-2 → ICD-10 conversion file of 2019 above all) may point at a code that the
current edition holds only as a grouping -- Norway replaced the WHO category with five-character codes
(D38.5 → D38.50, D38.51) -- or no longer holds at all. A GP→hospital conversion that lands there is rejected
downstream, so the answer says so: the match is kept (the map's author made it), and gets a comment (R5
`message`), an extension (R4 has no place for a comment on a match) and a line in the answer's message naming
the codes to choose instead. "Reportable" is the notion the importers already write and
terminology.norway.mapcheck checks at import: a concept that is notSelectable is a grouping.

The edition is the request's `target-version`; else, when the request has a `date`, the edition in force on
that day (a 2026 encounter is not judged by the 2027 list loaded in December); else the latest loaded. Where the target is a Norwegian code
of that edition, the match shows the edition's display rather than the map file's text (a match without one
is left without); a grouping Kodebro added from WHO ICD-10 (property origin=who, English text) keeps the map's
Norwegian text.

A fragment (or example) edition -- the demo's slice of NAV's 2026 list, a hospital's partial list -- is R4's
"a subset of the code system concepts": what it lists is evidence (a grouping there is a grouping), its silence
is not. A target it does not list is said to be outside the loaded part, with reason `not-in-fragment`, never
"the map row needs a new target". Judging by the latest complete edition up to the date instead was rejected:
last year's list does not know this year's new codes nor its retirements, so it would invent absences and miss
real ones; the successions rule (docs/successions.md, "a fragment's silence is no event") is the same.
"""
from __future__ import annotations

from terminology.editions import edition_for_date, is_complete
from terminology.errors import TerminologyError
from terminology.identifiers import ICD10_NO, KODEBRO_BASE
# the grouping sentence is $validate-code's too (terminology/norway/advice.py): one wording for both operations
from terminology.norway.advice import dotted, grouping_note
from terminology.norway.properties import from_who

__all__ = ["EXT_TARGET", "check", "dotted"]

EXT_TARGET = KODEBRO_BASE + "/StructureDefinition/icd10-no-target"


def _edition_asked(catalog, req) -> str | None:
    if req.target_version:
        return req.target_version
    on = req.date
    # a date before every loaded edition picks none: the latest then judges, as without a date
    return edition_for_date(catalog, ICD10_NO, on) if on else None


def _edition(catalog, req):
    try:
        return catalog.codesystem(ICD10_NO, _edition_asked(catalog, req))
    except TerminologyError:
        return None


def _loaded(catalog) -> bool:
    try:
        return bool(catalog.codesystem_versions(ICD10_NO))
    except (TerminologyError, AttributeError):
        return False


def _partial(cs) -> bool:
    # R4 content: only a complete edition's silence says a code is not in it (editions.is_complete)
    return not is_complete(getattr(cs, "content", None))


def with_article(content: str) -> str:
    """'a fragment', 'an example': an R4 `content` in a sentence (also $translate's edition walk's)."""
    return f"an {content}" if content[:1] in "aeiou" else f"a {content}"


def _reportable_below(cs, code: str) -> list[str]:
    return [c for c in cs.descendants(code) if not cs.concepts[c].abstract]


def _coding(cs, code: str) -> dict:
    got = {"system": ICD10_NO, "code": code, "version": cs.version, "display": cs.concepts[code].display}
    return {k: v for k, v in got.items() if v}


def check(catalog, req, matches: list) -> list[str]:
    """The one target check of every map into ICD-10-NO (ICPC-2 ConceptMaps, SNOMED CT's 447562003). Annotate the matches into ICD-10-NO whose code the edition cannot take; the notes for the answer's
    message. Other matches, and requests with none into ICD-10-NO, are left as they are."""
    # a match an inner map walk (unmapped → other map) judged already carries its note, and the walk's message
    mine = [m for m in matches if m.system == ICD10_NO and isinstance(m.code, str) and m.code
            and not any(e.get("url") == EXT_TARGET for e in m.extensions)]
    if not mine:
        return []
    cs = _edition(catalog, req)
    if cs is None or not getattr(cs, "concepts", None):
        # no edition to judge by: the map's word stands, but a client that named one should know it was not
        if req.target_version and _loaded(catalog):
            return [f"ICD-10-NO {req.target_version} is not loaded; the targets were not checked against it"]
        return []
    label = f"ICD-10-NO {cs.version}" if getattr(cs, "version", None) else "the loaded ICD-10-NO"
    notes = []
    for m in mine:
        concept, _how = cs.find(m.code)
        if concept is not None and not concept.abstract:
            # the map's text replaced, not a display added where the map gave none (as any other map answers)
            if m.display and concept.display and not from_who(concept):
                m.display = concept.display
            continue
        choose: list[str] = []
        if concept is None and _partial(cs):
            note = (f"{dotted(m.code)} is not in the loaded part of {label} ({with_article(cs.content)}); "
                    "it could not be checked")
            reason = "not-in-fragment"
        elif concept is None:
            note = f"{dotted(m.code)} is not in {label}; the map row needs a new target"
            reason = "not-in-edition"
        else:
            choose = _reportable_below(cs, concept.code)
            note = grouping_note(dotted(m.code), label, [dotted(c) for c in choose])
            reason = "grouping"
        m.comment = f"{m.comment}; {note}" if m.comment else note
        ext = [{"url": "reason", "valueCode": reason}]
        if cs.version:
            ext.append({"url": "edition", "valueString": str(cs.version)})
        ext += [{"url": "choose", "valueCoding": _coding(cs, c)} for c in choose]
        m.extensions = list(m.extensions) + [{"url": EXT_TARGET, "extension": ext}]
        if note not in notes:
            notes.append(note)
    return notes
