"""What a coder is told beside a $validate-code answer on a Norwegian codebook: the way forward the server knows.

A refused grouping names the codes to choose below it; an unknown code that an older loaded edition of the same
codebook holds names that edition; a display that was the code's text in an older edition says whose text it was
and what it is now; an accepted code brings the coding rules the importer wrote on it (star code, additional code,
sex, ZXM ...), and a grouping CodeSystem/$validate-code accepts (a code of the code system, not a reportable one)
the codes to choose below it. These are sentences for people, given as `information` issues: the answer itself (result, the
other issues, `message`) is what the HL7 rules make it, and HL7 or SNOMED CT content never gets them (the
reference servers' answers are compared exactly there).

The grouping sentence is shared with $translate's check of ICD-10-NO targets (mappings/icd10_targets.py), so a
coder reads the same words from both operations.

What a retired code became is known only to the succession graph in mappings, which the engine must not import:
mappings registers a successor source here (`register_successors`) when it is imported, and a refusal or an
accepted retired code asks it.
"""
from __future__ import annotations

import logging
from typing import Callable, NamedTuple

from ..editions import is_complete, is_year
from ..errors import TerminologyError
from ..identifiers import DOTTED_CODE_SYSTEMS, codebook_label
from ..operations.concept_status import VALID_TO
from ..operations.validate_texts import has_text
from ..versions import version_key
from .properties import from_who

# the yearly Norwegian codebooks: the only systems whose $validate-code answers carry this advice
# codes named in a note: a block can have hundreds, a grouping seldom more than twenty (C50 has nine); a list a few
# over is named whole rather than cut to hide two or three codes behind a count
SHOWN = 20
_LEEWAY = 4


def dotted(code: str) -> str:
    """ICD-10 as people write it (D385 → D38.5), the stored form being undotted."""
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


def shown_code(system: str, code: str) -> str:
    """A code as coders write it in `system` (ICD-10-NO with its dot)."""
    return dotted(code) if system in DOTTED_CODE_SYSTEMS else code


def grouping_note(code: str, label: str, choose: list[str]) -> str:
    """`code` (as written) is a grouping of edition `label` ("ICD-10-NO 2026"); `choose`: the codes below it that
    may be used, as written."""
    if not choose:
        return f"{code} is a grouping in {label} with no reportable code below it"
    if len(choose) > SHOWN + _LEEWAY:
        shown = ", ".join(choose[:SHOWN]) + f" … ({len(choose) - SHOWN} more)"
    else:
        shown = ", ".join(choose)
    return f"{code} is a grouping in {label}, not a reportable code; choose {'one of ' if len(choose) > 1 else ''}{shown}"


def edition_label(cs, version: str | None = None) -> str:
    name = codebook_label(cs.url, cs.resource, cs.name)
    version = cs.version if version is None else version
    return f"{name} {version}" if version else f"the loaded {name}"


def grouping_advice(cs, concept) -> str:
    """The codes to choose instead of the grouping `concept` of edition `cs`: the active, selectable ones below it."""
    below = []
    for code in cs.descendants(concept.code):
        c = cs.concepts.get(code)
        if c is not None and not c.abstract and not c.inactive:
            below.append(shown_code(cs.url, code))
    return grouping_note(shown_code(cs.url, concept.code), edition_label(cs), below)


def rules_of(concept) -> list[str]:
    """The coding rules (property `rule`) the importer wrote on `concept`, each once. Read for every accepted
    Norwegian code $validate-code answers: a plain loop, no list when there is none."""
    out: list[str] = []
    for p in concept.properties:
        if p.get("code") == "rule":
            v = p.get("valueString")
            if isinstance(v, str) and v and v not in out:
                out.append(v)
    return out


def _older(catalog, cs):
    """(version, index) of the loaded editions of `cs`'s codebook before `cs`, newest first, each index got only
    when the walk reaches it."""
    if cs.version is None:
        return
    mine = version_key(cs.version)
    yield from loaded_editions(catalog, cs.url, sorted(
        (v for v in catalog.codesystem_versions(cs.url) if v is not None and version_key(v) < mine),
        key=version_key, reverse=True))


def loaded_editions(catalog, url: str, versions):
    """(version, index) of each of `versions` of `url` in turn, each index got only when the walk reaches it; an
    edition that cannot be read is passed over."""
    for v in versions:
        try:
            other = catalog.codesystem(url, v)
        except TerminologyError:
            continue
        if other is not None:
            yield v, other


def last_edition(catalog, cs, code: str) -> str | None:
    """Where `code`, which the complete edition `cs` does not hold, was last: the newest older loaded edition that
    holds it. Said as the end of the code when its end date or the editions between say so; else only as the
    last loaded edition holding it (a fragment between cannot tell whether the code was still there)."""
    if not is_complete(cs.content):
        return None
    gap = False
    for v, other in _older(catalog, cs):
        concept = other.find(code)[0]
        if concept is None:
            gap = gap or not is_complete(other.content)
            continue
        shown = shown_code(cs.url, concept.code)
        ended = next((x[:10] for k in VALID_TO for x in concept.property_values(k) if isinstance(x, str)), None)
        if ended is not None:
            # an edition that kept the code as retired is not where it was last valid: its end date's year is
            year = ended[:4] if is_year(v) and is_year(ended[:4]) and ended[:4] < v else v
            return f"{shown} was last in {edition_label(cs, year)} (valid to {ended})"
        if gap:
            return (f"{shown} is not in {edition_label(cs)}; the last loaded edition that holds it is "
                    f"{edition_label(cs, v)}")
        return f"{shown} was last in {edition_label(cs, v)}"
    return None


def old_display(catalog, cs, concept, display: str) -> str | None:
    """`display`, refused as a display of `concept` in edition `cs`, was its text in an older loaded edition:
    which one, and the text of the edition that changed it."""
    later_version, later = cs.version, concept
    for v, other in _older(catalog, cs):
        old = other.find(concept.code)[0]
        if old is None:
            continue
        if has_text(old, other, display):
            if not later.display:
                return None
            shown = shown_code(cs.url, concept.code)
            if from_who(later):
                # subdivided: WHO's English title of the grouping is no new Norwegian text for the code
                return (f"'{display}' was the text of {shown} in {edition_label(cs, v)}; from {later_version} "
                        f"{shown} is a grouping (WHO ICD-10), not a code with a text of its own")
            return f"'{display}' was the text of {shown} in {edition_label(cs, v)}; from {later_version} it is " \
                   f"'{later.display}'"
        later_version, later = v, old
    return None


class Successor(NamedTuple):
    """A code that took over from a retired one: `edition` is the edition of the retired code's codebook in which
    the change took effect, `kind` the change list's (replaced, merged, split, moved)."""
    system: str
    code: str
    edition: str
    kind: str


# fn(catalog, system, code, version) -> [Successor] or None: what `code` of `system` became by edition `version`
SuccessorSource = Callable[..., "list[Successor] | None"]
_SOURCES: dict[str, SuccessorSource] = {}
_VERBS = {"replaced": "replaced by", "merged": "merged into", "split": "split into", "moved": "moved to"}


def _key(fn) -> str:
    # by name, not identity: a module imported again (reload, load_providers) replaces its source, not adds one
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


def register_successors(fn: SuccessorSource) -> SuccessorSource:
    _SOURCES[_key(fn)] = fn
    return fn


def unregister_successors(fn: SuccessorSource) -> None:
    _SOURCES.pop(_key(fn), None)


def successor_sources() -> list[SuccessorSource]:
    return list(_SOURCES.values())


def edition_on(version: str | None, date: str | None) -> str | None:
    """The edition a yearly codebook's code is asked about: the date's year when a date after edition `version`
    is given (a 2016 code asked about on 2017-06-01 is asked about in 2017), else `version`."""
    year = date[:4] if date else None
    if is_year(version) and is_year(year) and year > version:
        return year
    return version


def successor_note(catalog, system: str, code: str, version: str | None) -> str | None:
    """"SAA0AE was merged into SAA0AP in NCRP 2017": what the registered sources say `code` became by edition
    `version` of `system`. None when no source knows a successor (a retirement without one is said already)."""
    for fn in successor_sources():
        try:
            found = fn(catalog, system, code, version)
        except Exception:   # advice is a courtesy: a broken source must not cost the answer
            logging.getLogger("kodebro").exception("successor source %s failed", _key(fn))
            continue
        if found:
            return _successor_sentence(system, code, found)
    return None


def _successor_sentence(system: str, code: str, found: list[Successor]) -> str:
    first = found[0]
    verb = _VERBS.get(first.kind, first.kind)
    # the codes of each codebook together, those of another codebook after its name ("split into NCMP A, B")
    books: dict[str, list[str]] = {}
    for s in found:
        if s.edition == first.edition:
            shown = shown_code(s.system, s.code)
            if shown not in books.setdefault(s.system, []):
                books[s.system].append(shown)
    target = ", ".join((f"{codebook_label(b)} " if b != system else "") + ", ".join(codes)
                       for b, codes in books.items())
    return f"{shown_code(system, code)} was {verb} {target} in {codebook_label(system)} {first.edition}"
