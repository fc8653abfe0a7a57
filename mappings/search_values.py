"""How a FHIR search value is read, shared by fhir_api.search and mappings.conceptmap_search.

R4 search.html#escaping: `,` separates alternatives (OR), `|` separates a token's system and code, `$` the
halves of a composite, and `\\` escapes any of them and itself (`unescape`, `parse_token`: one rule for
CodeSystem/ValueSet and ConceptMap search). One rule for blanks everywhere: an alternative that is empty or
only spaces asks nothing and is dropped, and a repeated alternative is asked once.
"""
from __future__ import annotations

import re

from terminology.errors import InvalidRequest, shortened
from terminology.identifiers import split_canonical

from .scope import logical_id

# a search value with more alternatives is refused: each one is tried on every candidate resource
MAX_ALTERNATIVES = 1000

UNESCAPED_COMMA = re.compile(r"(?<!\\),")
UNESCAPED_BAR = re.compile(r"(?<!\\)\|")
_ESCAPED = re.compile(r"\\([\\,$|])")


def alternatives(raw: str, name: str = "the parameter") -> list[str]:
    """The distinct non-blank alternatives of `raw` (still escaped, but for `\\,`: commas split them)."""
    if raw.count(",") >= MAX_ALTERNATIVES * 2:       # refuse before splitting a huge value
        raise _too_many(name)
    out = list(dict.fromkeys(v for v in UNESCAPED_COMMA.split(raw) if v.strip()))
    if len(out) > MAX_ALTERNATIVES:
        raise _too_many(name)
    return out


def _too_many(name: str) -> InvalidRequest:
    return InvalidRequest(f"'{shortened(name)}' has more than {MAX_ALTERNATIVES} alternatives in one value; "
                          f"split the search", location=f"http.{shortened(name)}")


def unescape(v: str) -> str:
    """The text an escaped search value stands for: `\\,` `\\$` `\\|` and `\\\\` lose their backslash."""
    return _ESCAPED.sub(r"\1", v)


def parse_token(raw: str) -> tuple[str | None, str]:
    """(system, code) of one token alternative: `system|code`, `|code` (system ""), or `code` (system None)."""
    parts = UNESCAPED_BAR.split(raw, 1)
    if len(parts) == 2:
        return unescape(parts[0]), unescape(parts[1])
    return None, unescape(raw)


def canonical_reference(catalog, value: str, rtype: str) -> tuple[str | None, str | None, bool]:
    """(url, version, loose) a reference search value asks for: a canonical `url|version`, or `{rtype}/id`
    (also a bare id) read as the url of the resource held under that id -- then a reference to that url
    without a version fits too."""
    rid = logical_id(value, rtype)
    if rid:
        h = catalog.header_by_id(rtype, rid)
        if h is not None and h.url:
            return h.url, h.version, True
    url, version = split_canonical(value)
    return url, version, False


def canonical_fits(ref: str, want: tuple[str | None, str | None, bool]) -> bool:
    """Whether the canonical `ref` a resource holds is the one asked for: without a version asked, any version
    of the url fits; with one, that version (or, for a resource named by id, a reference without one)."""
    url, version, loose = want
    have_url, have_version = split_canonical(ref)
    if have_url != url:
        return False
    return not version or have_version == version or (loose and not have_version)
