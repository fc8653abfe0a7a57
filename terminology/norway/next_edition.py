"""What a coder is told in December about 1 January: next year's edition of a Norwegian codebook may be loaded
before it is in force, and a request naming no date is answered by this year's (editions.py). These are the
notes that look forward, mirrors of advice.py's backward ones, given as `information` issues beside the answer
($validate-code's Validator.advise):

- a display refused in this year's edition that is the code's text in a later loaded one (`next_display`): an
  EHR that loaded the directorate's new texts in December fails every text-changed code until New Year;
- a code accepted from the edition in force that the next complete loaded edition drops, keeps as retired or
  makes a grouping (`next_change`): the answer stays true (most December checks are for December stays);
- a coding naming next year's version against the year-versioned value set in force today (`value_set_hint`).

A fragment's silence about a code says nothing (it holds a part of the codes), so only a complete edition can
tell that a code is gone. `has_later` is the one check an accepted code pays when no later edition is loaded.
"""
from __future__ import annotations

from ..catalog import is_store_catalog
from ..editions import is_complete, is_year, valid_from
from ..operations.concept_status import VALID_TO
from .advice import edition_label, grouping_advice, has_text, loaded_editions, shown_code, successor_note
from .properties import from_who


_KEPT = "_kodebro_later_edition"
_KEPT_NEXT = "_kodebro_next_complete_edition"


def has_later(catalog, cs) -> bool:
    """Whether an edition of `cs`'s yearly codebook later than `cs` is loaded. Asked for every accepted Norwegian
    code without a date, so the answer is kept on the index with the catalog and store generation it holds for
    (a request's overlay catalog may bring editions of its own: asked each time, and not kept)."""
    stored = is_store_catalog(catalog)
    if stored:
        gen = catalog.generation
        kept = getattr(cs, _KEPT, None)
        if kept is not None and kept[0] == gen and kept[1] is catalog:
            return kept[2]
    found = False
    if is_year(cs.version):
        versions = catalog.codesystem_versions(cs.url)
        found = bool(versions) and is_year(versions[-1]) and versions[-1] > cs.version
    if stored:
        try:
            setattr(cs, _KEPT, (gen, catalog, found))
        except AttributeError:
            pass        # an index that keeps nothing: asked again next time
    return found


def _later(catalog, cs):
    """(version, index) of the loaded editions after `cs`, oldest first, each index got only when reached."""
    yield from loaded_editions(catalog, cs.url, [v for v in catalog.codesystem_versions(cs.url)
                                                  if is_year(v) and v > cs.version])


def next_display(catalog, cs, concept, display: str, undated: bool) -> str | None:
    """`display`, refused as a display of `concept` in edition `cs`, is its text in a later loaded edition: which
    one, and from when. `undated`: the request named neither a date nor a version, so a date would pick it."""
    if not display or not has_later(catalog, cs):
        return None
    for v, other in _later(catalog, cs):
        later = other.find(concept.code)[0]
        if later is None:
            continue
        if has_text(later, other, display):
            if from_who(later):
                return None     # WHO's English title of a grouping is no Norwegian text of the code
            text = (f"'{display}' is the text of {shown_code(cs.url, concept.code)} from {edition_label(cs, v)} "
                    f"(in force from {valid_from(v)})")
            return f"{text}; send date= to check a stay in {v}" if undated else text
    return None


def next_change(catalog, cs, concept) -> str | None:
    """What the next complete loaded edition after `cs`, the edition in force, does to the active `concept`: drops
    it, keeps it as retired, or makes it a grouping; None when it keeps it as it is, or none is loaded."""
    if not has_later(catalog, cs):
        return None
    found = _next_complete(catalog, cs)
    if found is None:
        return None
    v, other = found
    later = other.find(concept.code)[0]
    if later is not None and not later.inactive and not (later.children and later.abstract):
        return None     # (December's usual case: kept as it is, asked of every accepted code)
    shown, starts = shown_code(cs.url, concept.code), valid_from(v)
    if later is None:
        return _with_successor(catalog, cs, concept.code, v,
                               f"{shown} is not in {edition_label(cs, v)} (in force from {starts})")
    if later.inactive:
        ended = next((x[:10] for k in VALID_TO for x in later.property_values(k) if isinstance(x, str)), None)
        until = f"; valid to {ended}" if ended else ""
        return _with_successor(catalog, cs, concept.code, v,
                               f"{shown} is retired in {edition_label(cs, v)} (in force from {starts}{until})")
    if concept.children and concept.abstract:
        return None     # a grouping already
    return f"from {starts} {grouping_advice(other, later)}"


def _next_complete(catalog, cs):
    """(version, index) of the first complete loaded edition after `cs` when `cs` is the edition in force today;
    None otherwise. Asked for every accepted code in December, so kept on the index with the catalog, store
    generation and year it holds for (an overlay catalog: asked each time)."""
    stored = is_store_catalog(catalog)
    if stored:
        # read before the look: a refresh during it leaves a kept answer that the next call does not take
        gen, year = catalog.generation, catalog.in_force_day()[:4]
        kept = getattr(cs, _KEPT_NEXT, None)
        if kept is not None and kept[0] == gen and kept[1] is catalog and kept[2] == year:
            return kept[3]
    found = None
    if catalog.default_version("CodeSystem", cs.url) == cs.version:
        found = next(((v, other) for v, other in _later(catalog, cs) if is_complete(other.content)), None)
    if stored:
        try:
            setattr(cs, _KEPT_NEXT, (gen, catalog, year, found))
        except AttributeError:
            pass
    return found


def _with_successor(catalog, cs, code: str, version: str, text: str) -> str:
    then = successor_note(catalog, cs.url, code, version)
    return f"{text}; {then}" if then else text


def value_set_hint(catalog, vs: dict, coding_version: str) -> str | None:
    """A coding naming edition `coding_version` was checked against `vs`, the version of a year-versioned value
    set in force today, and a version of it for that year is loaded: how to ask for that one."""
    url, version = vs.get("url"), vs.get("version")
    if not (url and is_year(version) and is_year(coding_version) and coding_version > version):
        return None
    if coding_version not in catalog.versions("ValueSet", url) or catalog.default_version("ValueSet", url) != version \
            or catalog.supplies("ValueSet", url, version):
        return None     # (a value set the request brought is its own choice: no date picks another)
    return (f"the value set in force today is {url}|{version}; ask with date= or valueSetVersion={coding_version} "
            f"for {coding_version}")
