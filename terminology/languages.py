"""Choosing the language of displays: displayLanguage, Accept-Language and designations.

A request names languages in HTTP Accept-Language form (`de, en;q=0.5, *;q=0`).
`parse_languages` turns that into an ordered list of tags; `preferred_display`
picks the display of a concept for that list: the code system's own display
when its language fits, else the first designation in a wanted language, else
the own display (a display in the wrong language beats none at all).

Both are used by $expand, $validate-code and $lookup, so their signatures are
kept stable.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

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
    q: float


def parse_preferences(value: str | None) -> list[LanguagePreference]:
    """All entries of an Accept-Language style list, best first (q=0 entries kept, last)."""
    if not value or not isinstance(value, str):
        return []
    prefs = []
    for i, part in enumerate(value.split(",")):
        bits = [b.strip() for b in part.split(";")]
        tag = bits[0].lower()
        if not tag:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        prefs.append((-q, i, LanguagePreference(tag, max(0.0, min(q, 1.0)))))
    return [p for _, _, p in sorted(prefs)]


def no_fallback(value: str | None) -> bool:
    """True when the list refuses other languages ('*;q=0'): then no display beats a wrong-language one."""
    return any(p.tag == "*" and p.q == 0 for p in parse_preferences(value))


def parse_languages(value: str | None) -> list[str]:
    """Wanted language tags, best first; '*' means any language; q=0 entries are left out."""
    return [p.tag for p in parse_preferences(value) if p.q > 0]


def normalise_header(value: str | None) -> str | None:
    """The list as servers echo it: entries joined by ', '."""
    if not value:
        return value
    return ", ".join(p.strip() for p in value.split(",") if p.strip())


# 'no' (Norwegian) is written in Bokmål or Nynorsk; Norwegian codebooks label Bokmål text 'nb' or 'no'
_MACRO = {"no": {"nb", "nn"}, "nb": {"no"}, "nn": {"no"}}


def in_language_range(lang_range: str, tag: str | None) -> bool:
    """RFC 4647 basic filtering: the range 'de' takes de, de-CH, de-DE; 'de-CH' takes de-CH (and de-CH-1996),
    not plain 'de'; '*' takes any tag. Case does not matter. 'no' (the macrolanguage Norwegian) and its members
    'nb' and 'nn' take each other's tags: Norwegian codebooks label Bokmål text either way.

    The one definition of "this tag is in the language asked for", for the $expand `designation` filter and
    (with the fallback `language_matches` adds) for choosing displays by displayLanguage/Accept-Language."""
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


def choose_display(concept, cs, languages: list[str] | None,
                   strict: bool = False) -> tuple[str | None, dict | None]:
    """(display, designation it came from or None when it is the concept's own display).

    With `strict` (the request said '*;q=0') a concept with no display in a
    wanted language gets none rather than its own.
    """
    own = getattr(concept, "display", None)
    if not languages:
        return own, None
    cs_lang = getattr(cs, "language", None) if cs is not None else None
    for tag in languages:
        if tag == "*":
            return own, None
        # the own display and the designations compete on closeness (en-US: an en-US designation before
        # an 'en' code system's display); at equal closeness the own display wins
        own_rank = _closeness(tag, cs_lang) if own is not None and cs_lang else None
        if own_rank == 0:
            return own, None
        best = _best_designation(concept, tag)
        if best is not None and (own_rank is None or _closeness(tag, best.get("language")) < own_rank):
            return best["value"], best
        if own_rank is not None:
            return own, None
    return (None, None) if strict else (own, None)


def _closeness(tag: str, lang: str | None) -> int | None:
    """How well language `lang` answers wanted `tag`: 0 exact, 1 a region more or less, 2-3 a sibling of a
    macrolanguage ('no' -> Bokmål before Nynorsk); None when it does not."""
    if not lang or not language_matches(tag, lang):
        return None
    lang, tag = lang.lower(), tag.lower()
    if lang == tag:
        return 0
    if lang.startswith(tag + "-") or tag.startswith(lang + "-"):
        return 1
    return 2 if lang.split("-", 1)[0] == "nb" else 3


def _best_designation(concept, tag: str) -> dict | None:
    """The display designation for one wanted tag: the exact language before a related one (nb-NO before
    nb, nb before nn for 'no'), and one marked preferred for its language before plain ones."""
    best, best_rank = None, None
    for i, d in enumerate(getattr(concept, "designations", None) or ()):
        lang = d.get("language")
        if not d.get("value") or not is_display_designation(d) or not language_matches(tag, lang):
            continue
        closeness = _closeness(tag, lang)
        preferred = 0 if (d.get("use") or {}).get("code") == PREFERRED_FOR_LANGUAGE["code"] else 1
        rank = (closeness, preferred, i)
        if best_rank is None or rank < best_rank:
            best, best_rank = d, rank
    return best


def preferred_display(concept, cs, languages: list[str] | None) -> str | None:
    """The display of `concept` (from code system `cs`) for the wanted `languages`."""
    return choose_display(concept, cs, languages)[0]


def has_language(concept, cs, tag: str) -> bool:
    """True when the concept has a display in language `tag` (own display or a designation)."""
    cs_lang = getattr(cs, "language", None) if cs is not None else None
    if concept.display and cs_lang and language_matches(tag, cs_lang):
        return True
    return any(language_matches(tag, d.get("language")) for d in concept.designations or ())


def displays_in(concept, cs, languages: list[str] | None) -> list[tuple[str | None, str]]:
    """Every (language, display text) the concept offers, restricted to `languages` when given."""
    cs_lang = getattr(cs, "language", None) if cs is not None else None
    out: list[tuple[str | None, str]] = []
    if concept.display:
        out.append((cs_lang, concept.display))
    for d in concept.designations or ():
        if d.get("value"):
            # a designation without a language is in the code system's language (when it has one)
            out.append((d.get("language") or cs_lang, d["value"]))
    if not languages or "*" in languages:
        return out
    return [(lang, text) for lang, text in out
            if lang is None or any(language_matches(t, lang) for t in languages)]


def choose_valueset_display(vs_display: str, vs_language: str, vs_designations, concept, cs, languages: list[str],
                            strict: bool = False) -> tuple[str | None, dict | None, bool]:
    """(display, designation it came from or None, True when it is the value set's own display) for a concept
    a value set lists with a display of its own, when the value set states its language and it is not the code
    system's. That display is then a display in the value set's language: it competes with the code system's
    display (in the code system's language) and the designations by the same closeness rules as any own
    display, so a German value set's display is not shown to an English reader, nor replaced by a code system
    designation for a German one."""
    cs_display = getattr(concept, "display", None)
    cs_lang = getattr(cs, "language", None) if cs is not None else None
    own_cs = {"language": cs_lang, "value": cs_display} if cs_display and cs_lang else None
    merged = SimpleNamespace(display=vs_display, designations=list(vs_designations or ()) + (
        [own_cs] if own_cs is not None else []) + list(getattr(concept, "designations", None) or ()))
    display, chosen = choose_display(merged, SimpleNamespace(language=vs_language), languages, strict)
    if chosen is own_cs and own_cs is not None:
        return cs_display, None, False
    return display, chosen, chosen is None and display is not None


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
