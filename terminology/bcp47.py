"""urn:ietf:bcp:47 as a code system: language tags, checked against the IANA language subtag registry.

FHIR binds the language of resources, attachments and patients' communication to BCP 47, and FHIR
validators ask the terminology server about such codes (nb, nn, se, en-GB, ...). The codes are a grammar,
not a list: every well-formed tag whose subtags are registered is a code, so the system answers $lookup
and $validate-code (and value sets that include it) but cannot be expanded whole. Tags are case-insensitive;
the canonical form is the registry's (language lower case, script title case, region upper case).
Displays are the CLDR names langcodes ships: English, with designations in Norwegian Bokmål and Nynorsk
and in Northern Sami.
"""
from __future__ import annotations

from .codesystem import Concept
from .grammar import GrammarIndex, register

BCP47 = "urn:ietf:bcp:47"
_DESIGNATION_LANGUAGES = ("nb", "nn", "se")

RESOURCE = {
    "resourceType": "CodeSystem", "id": "bcp-47", "url": BCP47, "name": "BCP47",
    "title": "Tags for the Identification of Languages (BCP 47)", "status": "active", "experimental": False,
    "publisher": "IETF", "language": "en", "caseSensitive": False, "content": "complete",
    "description": "Language tags (RFC 5646), valid when every subtag is in the IANA language subtag registry. "
                   "Answered from the registry and the CLDR names in the langcodes package; its codes cannot be "
                   "listed, so a value set must name the tags it takes.",
}


def canonical_tag(tag: str) -> str:
    """The registry's case for each subtag: 'EN-us' -> 'en-US', 'zh-hant-tw' -> 'zh-Hant-TW'; extension and
    private-use subtags lower case."""
    out = []
    extension = False
    for i, sub in enumerate(tag.split("-")):
        low = sub.lower()
        if i == 0 or extension or len(sub) == 1:
            # after a singleton (an extension such as -u- or -t-, or private use -x-) every subtag is
            # lower case: 'en-US-u-ca-gregory', never 'en-US-u-CA-gregory'
            extension = extension or len(sub) == 1
            out.append(low)
        elif len(sub) == 4 and sub.isalpha():
            out.append(low.title())
        elif len(sub) == 2 and sub.isalpha() or len(sub) == 3 and sub.isdigit():
            out.append(sub.upper())
        else:
            out.append(low)
    return "-".join(out)


def tag_is_valid(tag: str) -> bool:
    """Whether `tag` (any case) is a well-formed tag whose subtags are registered: 'de-CH', 'zh-Hans', 'en-AU' are,
    'xx', 'xx-!!', 'de-CH-!' and 'de_DE' are not (RFC 5646 separates subtags with hyphens only; langcodes reads an
    underscore as one, which would answer de_DE as German where the reference servers refuse it)."""
    import langcodes
    return bool(tag) and "_" not in tag and langcodes.tag_is_valid(tag)


def _concept(code: str) -> Concept | None:
    import langcodes
    if code != canonical_tag(code) or not tag_is_valid(code):
        return None
    lang = langcodes.Language.get(code)
    return Concept(code=code, display=lang.display_name("en"),
                   designations=[{"language": t, "value": lang.display_name(t)} for t in _DESIGNATION_LANGUAGES])


LANGUAGE_TAGS = register(GrammarIndex(RESOURCE, _concept, canonical_tag))
