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

from collections import OrderedDict
from collections.abc import Mapping

from .codesystem import GRAMMARS, Concept, CodeSystemIndex
from .errors import TooCostly

BCP47 = "urn:ietf:bcp:47"
_DESIGNATION_LANGUAGES = ("nb", "nn", "se")
_MAX_TAG = 100                  # longer than any registered tag with extensions a client would send
_KEPT = 10_000                  # concepts made for tags asked about, newest kept

RESOURCE = {
    "resourceType": "CodeSystem", "id": "bcp-47", "url": BCP47, "name": "BCP47",
    "title": "Tags for the Identification of Languages (BCP 47)", "status": "active", "experimental": False,
    "publisher": "IETF", "language": "en", "caseSensitive": False, "content": "complete",
    "description": "Language tags (RFC 5646), valid when every subtag is in the IANA language subtag registry. "
                   "Answered from the registry and the CLDR names in the langcodes package; its codes cannot be "
                   "listed, so a value set must name the tags it takes.",
}


def canonical_tag(tag: str) -> str:
    """The registry's case for each subtag: 'EN-us' -> 'en-US', 'zh-hant-tw' -> 'zh-Hant-TW'."""
    out = []
    private = False
    for i, sub in enumerate(tag.split("-")):
        low = sub.lower()
        if i == 0 or private or len(sub) == 1:
            private = private or low == "x"
            out.append(low)
        elif len(sub) == 4 and sub.isalpha():
            out.append(low.title())
        elif len(sub) == 2 and sub.isalpha() or len(sub) == 3 and sub.isdigit():
            out.append(sub.upper())
        else:
            out.append(low)
    return "-".join(out)


class _Tags(Mapping):
    """The concepts of the tags asked about so far; any valid tag is a member, so none is listed whole."""

    def __init__(self):
        self._made: OrderedDict[str, Concept | None] = OrderedDict()

    def get(self, code, default=None):
        if not isinstance(code, str) or not code or len(code) > _MAX_TAG:
            return default
        if code in self._made:
            self._made.move_to_end(code)
            got = self._made[code]
        else:
            got = self._made[code] = _concept(code)
            if len(self._made) > _KEPT:
                try:
                    self._made.popitem(last=False)
                except KeyError:    # another thread emptied it first
                    pass
        return default if got is None else got

    def __getitem__(self, code):
        got = self.get(code)
        if got is None:
            raise KeyError(code)
        return got

    def __contains__(self, code) -> bool:
        return self.get(code) is not None

    def __iter__(self):
        raise TooCostly(f"The code system {BCP47} is defined by a grammar (every valid language tag is a code), so "
                        "its codes cannot be listed: name the tags a value set takes in its compose",
                        tx_code="too-costly")

    def __len__(self) -> int:
        return len(self._made)      # never the size of the grammar: no caller may take it as one


def _concept(code: str) -> Concept | None:
    import langcodes
    if code != canonical_tag(code) or not langcodes.tag_is_valid(code):
        return None
    lang = langcodes.Language.get(code)
    return Concept(code=code, display=lang.display_name("en"),
                   designations=[{"language": t, "value": lang.display_name(t)} for t in _DESIGNATION_LANGUAGES])


class LanguageTags(CodeSystemIndex):
    """The BCP 47 grammar behind the CodeSystemIndex interface."""

    def __init__(self):
        super().__init__(RESOURCE, [])
        self.concepts = _Tags()

    def find(self, code: str):
        if not isinstance(code, str):
            return None, None
        canon = canonical_tag(code)
        c = self.concepts.get(canon)
        if c is None:
            return None, None
        return c, None if canon == code else "case"

    def __len__(self) -> int:
        return 0


GRAMMARS[BCP47] = LanguageTags()
