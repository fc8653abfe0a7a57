"""urn:ietf:bcp:13 as a code system: media types (MIME types), `type/subtype` with optional parameters.

FHIR binds Attachment.contentType (documents, images, lab reports in PDF) and Binary.contentType to BCP 13
with a required binding, so a FHIR validator asks the terminology server whether `application/pdf` or
`text/plain; charset=utf-8` is a code. Media types are a grammar, not a list: every well-formed media type
is a code, so the system answers $lookup and $validate-code (and value sets that include it) but cannot be
expanded whole. Type, subtype and parameter names are case-insensitive (RFC 2045 §5.1), as are the values of
`charset` (RFC 2046 §4.1.2); other parameter values keep their case. The canonical form, and the display,
is the media type in that case with its parameters in name order, as the reference servers write it.
"""
from __future__ import annotations

import re

from .codesystem import Concept
from .grammar import GrammarIndex, register

MIMETYPES = "urn:ietf:bcp:13"

# RFC 6838 §4.2: restricted-name = restricted-name-first *126restricted-name-chars
_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_TYPE = re.compile(rf"[ \t]*({_NAME})/({_NAME})[ \t]*")
# RFC 2045 §5.1: `; attribute=value`, a value a token (ASCII, no spaces, controls or tspecials) or a quoted-string
# (ASCII; a backslash quotes the next character), which may hold a ';'
_PARAMETER = re.compile(rf'[ \t]*;[ \t]*({_NAME})=([!#$%&\'*+.^_`|~0-9A-Za-z-]+|"(?:[\t\x20\x21\x23-\x5b\x5d-\x7e]|\\[\t\x20-\x7e])*")[ \t]*')
_FOLDED_VALUES = frozenset({"charset"})
MAX_MEDIA_TYPE = 1000       # type and subtype are 127 characters at most; parameters add a file name or two

RESOURCE = {
    "resourceType": "CodeSystem", "id": "mimetypes", "url": MIMETYPES, "name": "MimeTypes",
    "title": "Media types (BCP 13)", "status": "active", "experimental": False,
    "publisher": "IETF", "language": "en", "caseSensitive": False, "content": "complete",
    "description": "Media types (RFC 6838, RFC 2045): type/subtype with optional parameters, valid when "
                   "well-formed. Its codes cannot be listed, so a value set must name the media types it takes.",
}


def canonical_type(code: str) -> str:
    """'Text/Plain;Charset=UTF-8' -> 'text/plain; charset=utf-8'; the code as it is when it is not well-formed."""
    parsed = _parse(code)
    if parsed is None:
        return code
    base, params = parsed
    return "; ".join([base, *(f"{name}={value}" for name, value in params)])


def _parse(code: str) -> tuple[str, list] | None:
    """(type/subtype in lower case, [(name, value)] in name order), or None when `code` is not a media type."""
    if not isinstance(code, str):
        return None
    head = _TYPE.match(code)
    if head is None:
        return None
    params, at = {}, head.end()
    while at < len(code):
        m = _PARAMETER.match(code, at)
        name = m and m.group(1).lower()
        if m is None or name in params:       # RFC 6838 §4.3: a parameter given twice is an error
            return None
        params[name] = m.group(2).lower() if name in _FOLDED_VALUES else m.group(2)
        at = m.end()
    return f"{head.group(1).lower()}/{head.group(2).lower()}", sorted(params.items())


def _concept(code: str) -> Concept | None:
    if code != canonical_type(code) or _parse(code) is None:
        return None
    return Concept(code=code, display=code)


MEDIA_TYPES = register(GrammarIndex(RESOURCE, _concept, canonical_type, max_code=MAX_MEDIA_TYPE))
