"""The display of a value set's concept: the one rule $expand shows it by, and what $validate-code returns.

A value set may list a concept with a display and designations of its own (ValueSet.compose.include.concept,
or an entry of a stated expansion). R4 calls that display "the text to display to the user for this concept in
the context of this valueset", "equivalent to a special designation with an implied designation.use of 'primary
code' and a language equal to the Resource Language"; a designation without a language is in that language too.
A value set that states no language is taken to speak its code system's: its display replaces the code
system's, as the display to use in that value set.

So the value set's display, the translations of it (the `translation` extension on `_display`), the code
system's display and the designations of both are candidates, each in a language, ranked by
`languages.pick_display`: the closest language to the one asked for first, then value set display, its
translations, code system display, value set designations, code system designations. With no language asked
(or '*') the value set's display is shown, else the code system's; when no candidate is in a wanted language the
same fallback applies, unless the request said '*;q=0'.

$expand lists the displays that lost as designations (includeDesignations): the value set's display in the
value set's language, the code system's display unless the value set's display replaces it (same language).

ValueSet/$validate-code returns the code system's display instead (`codesystem_choice`: as $lookup chooses it,
the value set's designations joining), accepting the value set's text as valid (`entry_displays`); only for a
code the server does not hold, which has no code system display, does it return `choose`'s answer.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..languages import (ANY_LANGUAGE, PREFERRED_FOR_LANGUAGE, TIER_VS_DESIGNATION, TIER_VS_DISPLAY,
                         TIER_VS_TRANSLATION, DisplayCandidate, choose_display, codesystem_candidates,
                         designation_candidates, exactly, pick_display, shown_display, texts_in,
                         translations)


def valueset_language(vs: dict | None) -> str | None:
    """ValueSet.language: the language of the displays (and unlabelled designations) its concepts give."""
    lang = vs.get("language") if isinstance(vs, dict) else None
    return lang if isinstance(lang, str) and lang else None


@dataclass(slots=True)
class EntryText:
    """What a value set's entry for one concept says about its text."""
    display: str | None
    language: str | None            # ValueSet.language: the language of the display and of unlabelled designations
    designations: list
    translations: list              # of the display, as designations {"language", "value"}

    @classmethod
    def of_entry(cls, entry: dict | None, vs_language) -> "EntryText | None":
        """From a compose include concept (or expansion contains) dict; None when it says nothing of its text."""
        if not entry:
            return None
        ext = entry.get("_display")
        exts = ext.get("extension") if isinstance(ext, dict) else None
        return cls.make(entry.get("display"), vs_language, entry.get("designation"), exts)

    @classmethod
    def make(cls, display, vs_language, designations, display_extensions) -> "EntryText | None":
        display = display if isinstance(display, str) and display else None
        designations = designations if isinstance(designations, list) else []
        trans = translations(display_extensions) if display_extensions else []
        if display is None and not designations and not trans:
            return None
        return cls(display, vs_language if isinstance(vs_language, str) and vs_language else None,
                   designations, trans)

    def display_language(self, cs) -> str | None:
        """The language the display is in: the value set's, else (it states none) the code system's."""
        return self.language or (getattr(cs, "language", None) if cs is not None else None)

    def replaces_codesystem_display(self, cs) -> bool:
        """Whether the display stands in for the code system's (it is in the code system's language)."""
        if self.display is None:
            return False
        cs_lang = getattr(cs, "language", None) if cs is not None else None
        return self.language is None or cs_lang is None or self.language.lower() == cs_lang.lower()


@dataclass(slots=True)
class Choice:
    display: str | None
    designation: dict | None = None     # the designation (or translation) the display is; None for a display
    from_valueset: bool = False         # it is the value set's own display


def _candidates(entry: EntryText, concept, cs, with_display: bool = True):
    # one pass over each source: at equal closeness the tier decides, so the order across tiers is free
    lang = entry.display_language(cs)
    if with_display:
        if entry.display is not None and lang:
            yield DisplayCandidate(TIER_VS_DISPLAY, lang, entry.display, None)
        for t in entry.translations:
            yield DisplayCandidate(TIER_VS_TRANSLATION, t["language"], t["value"], t)
    yield from designation_candidates(entry.designations, lang, TIER_VS_DESIGNATION)
    if concept is not None:
        yield from codesystem_candidates(concept, getattr(cs, "language", None) if cs is not None else None)


def choose(entry: EntryText | None, concept, cs, languages: list | None, strict: bool = False) -> Choice:
    """The display to show for `concept` (of `cs`; None when the code system is not known) listed by a value
    set with `entry` (None: the value set says nothing of its text) for the wanted `languages`."""
    if entry is None:
        if concept is None:
            return Choice(None)
        shown, designation = choose_display(concept, cs, languages, strict)
        return Choice(shown, designation)
    default = Choice(entry.display, None, True) if entry.display is not None else \
        Choice(shown_display(concept) if concept is not None else None)
    if not languages:
        return default
    # shortcuts that give the ranking's answer without ranking every designation: a display in exactly the
    # first language wanted is as close as any candidate, and the value set's display is the first tier; the
    # code system's display is beaten at that closeness only by the value set's display or a translation
    first = languages[0]
    if entry.display is not None and exactly(first, entry.display_language(cs)):
        return default
    own = getattr(concept, "display", None) if concept is not None else None
    if own is not None and exactly(first, getattr(cs, "language", None)) and \
            not any(exactly(first, t["language"]) for t in entry.translations):
        return Choice(own)
    got = pick_display(_candidates(entry, concept, cs), languages)
    if got is ANY_LANGUAGE:
        return default
    if got is None:
        return Choice(None) if strict else default
    if got.tier == TIER_VS_DISPLAY:
        return default
    return Choice(got.value, got.designation)


def codesystem_choice(entry: EntryText | None, concept, cs, languages: list | None) -> str | None:
    """The display ValueSet/$validate-code returns for `concept` (of `cs`): the code system's, chosen for the
    wanted `languages` as $lookup chooses it (and the reference validator returns it), the value set's
    designations joining the code system's (before them, in the value set's language when they name none), as
    before the one rule. The value set's display and its translations are valid displays there
    (validate_display.py) but not returned: the code system's display is the code's."""
    if entry is None or not entry.designations or not languages:
        return choose_display(concept, cs, languages)[0]
    own = getattr(concept, "display", None)
    if own is not None and exactly(languages[0], getattr(cs, "language", None)):
        return own      # the code system's display in exactly the first language: no designation beats it
    got = pick_display(_candidates(entry, concept, cs, with_display=False), languages)
    return shown_display(concept) if got is None or got is ANY_LANGUAGE else got.value


def other_displays(choice: Choice, entry: EntryText | None, concept, cs) -> list[dict]:
    """The displays not shown, as designations (for $expand with includeDesignations): the value set's in its
    language, its translations, the code system's unless the value set's replaces it; then the designations of
    value set and code system, but not the one shown."""
    out: list[dict] = []
    cs_lang = getattr(cs, "language", None) if cs is not None else None
    cs_display = getattr(concept, "display", None) if concept is not None else None
    if entry is not None and entry.display is not None and not choice.from_valueset:
        lang = entry.display_language(cs)
        # in its language, with no use: the value set names none (the reference server lists it so too)
        out.append({"language": lang, "value": entry.display} if lang else {"value": entry.display})
    shown_cs = not choice.from_valueset and choice.designation is None and choice.display is not None
    if cs_display and not shown_cs and not (entry is not None and entry.replaces_codesystem_display(cs)):
        out.append({"language": cs_lang, "use": dict(PREFERRED_FOR_LANGUAGE), "value": cs_display} if cs_lang
                   else {"value": cs_display})
    if entry is not None:
        out.extend(t for t in entry.translations if t is not choice.designation)
        out.extend(d for d in entry.designations if d is not choice.designation)
    if concept is not None:
        out.extend(d for d in concept.designations or () if d is not choice.designation)
    return out


def entry_displays(entry: EntryText | None, cs, languages: list | None = None,
                   listed_only: bool = False) -> list[tuple[str | None, str]]:
    """Every (language, text) a value set's entry offers as a display of its concept (for checking the display
    a coding gives): its display, the translations of it and its designations; restricted to `languages` (and
    `listed_only`) as `languages.displays_in` restricts the code system's."""
    if entry is None:
        return []
    return texts_in(entry.display, entry.display_language(cs), entry.translations + entry.designations, languages,
                    listed_only)
