"""Choosing the language of displays: displayLanguage, Accept-Language and designations.

A request names languages in HTTP Accept-Language form (`de, en;q=0.5, *;q=0`).
`parse_languages` turns that into an ordered list of tags; `preferred_display`
picks the display of a concept for that list: the code system's own display
when its language fits, else the closest designation in a wanted language, else
the own display (a display in the wrong language beats none at all); a language in another region
(de-CH for de-AT) answers when nothing closer does. The ranking
(`pick_display`) is the one a value set's own text for a concept joins
(operations/display_choice.py). A `translation` extension on a display (`_display`)
is that display in another language: `translations` reads them as designations.

They are used by $expand, $validate-code and $lookup, so their signatures are
kept stable.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .errors import InvalidRequest

# designation uses that mean "this is a display", not a synonym or definition
_DISPLAY_USES = {
    ("http://snomed.info/sct", "900000000000003001"),   # fully specified name
    ("http://snomed.info/sct", "900000000000013009"),   # synonym (the preferred one is the display)
    ("http://terminology.hl7.org/CodeSystem/designation-usage", "display"),
    ("http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra", "preferredForLanguage"),
}
PREFERRED_FOR_LANGUAGE = {"system": "http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra",
                          "code": "preferredForLanguage", "display": "Preferred For Language"}


@dataclass(frozen=True)
class LanguagePreference:
    tag: str          # lower-case BCP 47 tag or '*'
    q: float          # 0..1
    written: str = ""  # the tag as the client wrote it (for messages and the expansion echo)


def parse_preferences(value: str | None) -> list[LanguagePreference]:
    """All entries of an Accept-Language style list, best first (a stable sort: equal weights keep their order;
    q=0 entries kept, last). A q that is no finite number ('x', 'inf', 'nan') counts as 1, as the reference
    servers read it."""
    if not value or not isinstance(value, str):
        return []
    prefs = []
    for i, part in enumerate(value.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 1.0
                if not math.isfinite(q):
                    q = 1.0
        prefs.append((-q, i, LanguagePreference(bits[0].lower(), max(0.0, min(q, 1.0)), bits[0])))
    return [p for _, _, p in sorted(prefs)]


def no_fallback(value: str | None) -> bool:
    """True when the list refuses other languages ('*;q=0'): then no display beats a wrong-language one."""
    return any(p.tag == "*" and p.q == 0 for p in parse_preferences(value))


def parse_languages(value: str | None) -> list[str]:
    """Wanted language tags, best first; '*' means any language; q=0 entries are left out."""
    return [p.tag for p in parse_preferences(value) if p.q > 0]


class InvalidDisplayLanguage(InvalidRequest):
    """A displayLanguage that is no language tag: the reference servers refuse the request (HTTP 400) with
    issue code `processing` and tx-issue-type `invalid-display`."""
    issue_code = "processing"

    def __init__(self, value: str):
        super().__init__(f"Invalid displayLanguage: '{value}'", tx_code="invalid-display")


def check_display_language(value: str | None) -> None:
    """Refuse a displayLanguage parameter with an entry that is not a registered BCP 47 tag ('xx-!!', 'zz'); '*',
    q-weights and empty entries are fine. Only the parameter is checked: a client's Accept-Language header (often
    written by a browser) or a value set's language is used for what it can give, never refused."""
    for part in value.split(",") if value else ():
        tag = part.split(";", 1)[0].strip()
        if tag and tag != "*" and not _valid_tag(tag):
            raise InvalidDisplayLanguage(value)


@lru_cache(maxsize=256)
def _valid_tag(tag: str) -> bool:
    from .bcp47 import tag_is_valid
    return tag_is_valid(tag)


def _written(tag: str, q: float) -> str:
    if q == 1:
        return tag
    return f"{tag}; q={int(q) if q == int(q) else q}"


def language_summary(value: str | None) -> str | None:
    """The wanted languages as $validate-code messages name them ("for the language(s) '...'"): best first, 'tag'
    or 'tag; q=0.5', joined ', ', without '*' entries (any language is no language to name). None for none."""
    if not value:
        return None
    return ", ".join(_written(p.written, p.q) for p in parse_preferences(value) if p.tag != "*")


def language_echo(value: str) -> str:
    """The wanted languages as an expansion echoes them (expansion.parameter displayLanguage): a weighted list
    best first, 'tag; q=0.5', joined ', ', '*' kept; a list without weights as given (as tx.fhir.org echoes
    'de,*')."""
    if ";" not in value:
        return value
    return ", ".join(_written(p.written, p.q) for p in parse_preferences(value))


# 'no' (Norwegian) is written in Bokmål or Nynorsk; Norwegian codebooks label Bokmål text 'nb' or 'no'
_MACRO = {"no": {"nb", "nn"}, "nb": {"no"}, "nn": {"no"}}


def in_language_range(lang_range: str, tag: str | None) -> bool:
    """RFC 4647 basic filtering: the range 'de' takes de, de-CH, de-DE; 'de-CH' takes de-CH (and de-CH-1996),
    not plain 'de'; '*' takes any tag. Case does not matter. 'no' (the macrolanguage Norwegian) and its members
    'nb' and 'nn' take each other's tags: Norwegian codebooks label Bokmål text either way.

    The one definition of "this tag is in the language asked for", for the $expand `designation` filter and
    (with the fallback `language_matches` adds) for $lookup's `lang.X` properties. Choosing and accepting displays
    by displayLanguage/Accept-Language (`_closeness`) also takes the language in another region."""
    if tag is None:
        return False
    r, t = lang_range.lower(), tag.lower()
    if r == "*" or r == t or t.startswith(r + "-"):
        return True
    return t.split("-", 1)[0] in _MACRO.get(r.split("-", 1)[0], ())


def language_matches(wanted: str, actual: str | None) -> bool:
    """'de' wants de, de-CH, de-DE; 'de-CH' also accepts plain 'de' (RFC 4647 lookup falls back to the shorter
    tag: a display in German beats none for a Swiss reader); 'no' accepts 'nb' and 'nn'."""
    if actual is None:
        return False
    return in_language_range(wanted, actual) or (actual != "*" and in_language_range(actual, wanted))


def is_display_designation(d: dict) -> bool:
    use = d.get("use")
    if not use:
        return True
    return (use.get("system"), use.get("code")) in _DISPLAY_USES


# SNOMED CT "preferred" (an acceptability some code systems put in designation.use): the reference servers list
# such a designation among the valid displays
_SCT_PREFERRED = ("http://snomed.info/sct", "900000000000548007")


def is_listed_display(d: dict) -> bool:
    """Whether a wrong-display message lists designation `d` as a valid display: one of no use, or a display use
    (preferredForLanguage, SNOMED CT preferred, and the display uses `is_display_designation` knows). Any
    designation is accepted as a display; one of another use (a definition, a code system's own 'olde-english')
    is just not offered."""
    use = d.get("use")
    if not use or not isinstance(use, dict):
        return True
    key = (use.get("system"), use.get("code"))
    return key in _DISPLAY_USES or key == _SCT_PREFERRED


def choose_display(concept, cs, languages: list[str] | None,
                   strict: bool = False) -> tuple[str | None, dict | None]:
    """(display, designation it came from or None when it is the concept's own display).

    With `strict` (the request said '*;q=0') a concept with no display in a
    wanted language gets none rather than its own. The rule is `pick_display`'s, over the code system's
    candidates only (a value set's entry adds its own: terminology/operations/display_choice.py).
    """
    display = getattr(concept, "display", None)
    own = display if display is not None else shown_display(concept)
    if not languages:
        return own, None
    cs_lang = getattr(cs, "language", None) if cs is not None else None
    if display is not None and cs_lang and exactly(languages[0], cs_lang):
        # the own display in exactly the first language wanted: the ranking's answer, without ranking every
        # designation (the common case: a code system asked for in its own language)
        return own, None
    got = pick_display(codesystem_candidates(concept, cs_lang), languages)
    if got is None:
        return (None, None) if strict else (own, None)
    if got is ANY_LANGUAGE:
        return own, None
    return got.value, got.designation


def shown_display(concept) -> str | None:
    """The display a concept is shown by when no language is asked for: its own; for one its code system gives
    none, its first designation of a display use (is_display_designation, as the ranking reads them), as the
    reference servers show it, rather than its bare code."""
    display = getattr(concept, "display", None)
    if display is not None:
        return display
    first = next(designation_candidates(getattr(concept, "designations", None), None, TIER_CS_DESIGNATION), None)
    return first.value if first is not None else None


def exactly(tag: str, lang: str | None) -> bool:
    """Whether `lang` is exactly the wanted `tag` (not '*'): a candidate in it is as close as any can be."""
    return lang is not None and tag != "*" and (tag == lang or tag.lower() == lang.lower())


# --- the one ranking of displays -----------------------------------------------------------------------------------
# Tiers, at equal closeness to a wanted language: the value set's display, its translations (the `translation`
# extension on `_display`: that display in another language), the code system's display, then designations,
# the value set's before the code system's. A display is what its author chose to show; a designation is an
# alternative, so it wins only in a language no display is in (or is in more exactly).
TIER_VS_DISPLAY, TIER_VS_TRANSLATION, TIER_CS_DISPLAY, TIER_VS_DESIGNATION, TIER_CS_DESIGNATION = range(5)


@dataclass(slots=True)
class DisplayCandidate:
    tier: int
    language: str | None        # the language it is in (a designation without one: its resource's)
    value: str
    designation: dict | None    # the designation (or translation) it is; None for a display
    preferred: bool = False     # a designation marked preferredForLanguage


# `pick_display`'s answer for '*' (any language): whatever is shown when no language is asked
ANY_LANGUAGE = DisplayCandidate(-1, None, "", None)


def pick_display(candidates, languages: list[str]) -> DisplayCandidate | None:
    """The candidate to show for the wanted `languages` (best first): for the first wanted tag any candidate
    answers, the closest (exact before a region more or less, nb before nn for 'no'), then the lowest tier,
    then one marked preferred for its language, then the first given. ANY_LANGUAGE for '*'; None when no
    candidate is in a wanted language (the caller falls back, or shows none under '*;q=0')."""
    cands = None
    for tag in languages:
        if tag == "*":
            return ANY_LANGUAGE
        if cands is None:
            cands = candidates if isinstance(candidates, list) else list(candidates)
        tag = tag.lower()
        best, best_rank = None, None
        for i, c in enumerate(cands):
            closeness = _closeness(tag, c.language)
            if closeness is None:
                continue
            rank = (closeness, c.tier, 0 if c.preferred else 1, i)
            if best_rank is None or rank < best_rank:
                best, best_rank = c, rank
        if best is not None:
            return best
    return None


def designation_candidates(designations, default_language: str | None, tier: int):
    """The designations that may stand for a display (a use of display, or none), each in its language or,
    without one, in its resource's (R4: "In the absence of a language, the resource language applies")."""
    for d in designations or ():
        if not isinstance(d, dict):
            continue
        value = d.get("value")
        if not value or not is_display_designation(d):
            continue
        use = d.get("use")
        yield DisplayCandidate(tier, d.get("language") or default_language, value, d,
                               isinstance(use, dict) and use.get("code") == PREFERRED_FOR_LANGUAGE["code"])


def codesystem_candidates(concept, cs_lang: str | None):
    """The code system's display and designations of `concept` (translations of its display are among the
    designations: the index puts them there)."""
    own = getattr(concept, "display", None)
    if own is not None and cs_lang:
        yield DisplayCandidate(TIER_CS_DISPLAY, cs_lang, own, None)
    yield from designation_candidates(getattr(concept, "designations", None), cs_lang, TIER_CS_DESIGNATION)


def _closeness(tag: str, lang: str | None) -> int | None:
    """How well language `lang` answers wanted `tag` (lower case): 0 exact, 1 a region more or less, 2 the same
    language in another region or script (de-AT -> de-CH: the reference servers fall back to the language
    subtag alone), 3-4 a sibling of a macrolanguage ('no' -> Bokmål before Nynorsk); None when it does not.
    On pick_display's hot path."""
    if not lang:
        return None
    lang = lang.lower()
    if lang == tag:
        return 0
    if lang.startswith(tag + "-") or tag.startswith(lang + "-"):
        return 1
    base, tag_base = lang.split("-", 1)[0], tag.split("-", 1)[0]
    if base == tag_base:
        return 2
    if base in _MACRO.get(tag_base, ()) or tag_base in _MACRO.get(base, ()):
        return 3 if base == "nb" else 4
    return None


def preferred_display(concept, cs, languages: list[str] | None) -> str | None:
    """The display of `concept` (from code system `cs`) for the wanted `languages`."""
    if not languages:
        # choose_display's first rule without its tuple: every $validate-code asks with no language (~0.2 us)
        display = getattr(concept, "display", None)
        if display is not None:
            return display
    return choose_display(concept, cs, languages)[0]


def displays_in(concept, cs, languages: list[str] | None,
                listed_only: bool = False) -> list[tuple[str | None, str]]:
    """Every (language, display text) the concept offers, restricted to `languages` when given (and with
    `listed_only` to the displays a wrong-display message lists: `is_listed_display`)."""
    cs_lang = getattr(cs, "language", None) if cs is not None else None
    return texts_in(concept.display, cs_lang, concept.designations, languages, listed_only)


def texts_in(display: str | None, language: str | None, designations,
             languages: list[str] | None, listed_only: bool = False) -> list[tuple[str | None, str]]:
    """Every (language, text) of a display in `language` and its `designations` (one without a language is in
    `language`: its resource's), restricted to `languages` when given (a text of no known language is kept; a
    language answers a wanted tag as it does in `pick_display`, a sibling region too). With `listed_only`,
    designations of a use that is not a display are left out."""
    out: list[tuple[str | None, str]] = []
    if display:
        out.append((language, display))
    for d in designations or ():
        value = d.get("value") if isinstance(d, dict) else None
        if isinstance(value, str) and value and (not listed_only or is_listed_display(d)):
            out.append((d.get("language") or language, value))
    if not languages or "*" in languages:
        return out
    wanted = [t.lower() for t in languages]
    return [(lang, text) for lang, text in out
            if lang is None or any(_closeness(t, lang) is not None for t in wanted)]


# extensions on a display string (`_display` in JSON) that say how to show it or give it in other languages:
# carried with the display into an expansion, never when a designation replaced it
DISPLAY_EXTENSIONS = frozenset("http://hl7.org/fhir/StructureDefinition/" + n for n in (
    "rendering-style", "rendering-xhtml", "rendering-markdown", "translation"))


def display_extensions(element: dict) -> list | None:
    """The DISPLAY_EXTENSIONS on `element`'s display (a concept of a CodeSystem or of a ValueSet compose, or
    an expansion entry), None when it has none."""
    ext = element.get("_display")
    if not ext or not isinstance(ext, dict):
        return None
    kept = [e for e in ext.get("extension") or () if isinstance(e, dict) and e.get("url") in DISPLAY_EXTENSIONS]
    return kept or None


TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"


def translations(extensions) -> list[dict]:
    """The displays the `translation` extensions among `extensions` (those on a `_display`) give, as designations
    ({"language", "value"}): the extension is "language translation from base language of resource to another
    language", so each is the display in its `lang`. Its `content` is a string or (R4 allows both) markdown. One
    without a language or a text says nothing; one repeating another (the language in any case) is left out."""
    out: list[dict] = []
    for e in extensions or ():
        if not isinstance(e, dict) or e.get("url") != TRANSLATION:
            continue
        parts = {p.get("url"): p for p in e.get("extension") or () if isinstance(p, dict)}
        lang = (parts.get("lang") or {}).get("valueCode")
        content = parts.get("content") or {}
        text = content.get("valueString")
        if text is None:
            text = content.get("valueMarkdown")
        if isinstance(lang, str) and lang and isinstance(text, str) and text:
            d = {"language": lang, "value": text}
            if not any(_same_text(d, o) for o in out):
                out.append(d)
    return out


def _same_text(translation: dict, d) -> bool:
    """Whether designation `d` says what `translation` says: the same text in the same language (any case)."""
    return isinstance(d, dict) and d.get("value") == translation["value"] and \
        (d.get("language") or "").lower() == translation["language"].lower()


def with_translations(designations: list, extensions) -> list:
    """`designations` with the translations of the display (from its `extensions`) before them, leaving out a
    translation a designation already says (`_same_text`): a new list when any is added."""
    extra = [t for t in translations(extensions) if not any(_same_text(t, d) for d in designations or ())]
    return extra + list(designations or ()) if extra else designations
