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
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")
# RFC 2045 §5.1: a value is a token (no spaces, controls or tspecials) or a quoted-string
_TOKEN = re.compile(r"[^\x00-\x20\x7f()<>@,;:\\\"/\[\]?=]+")
_QUOTED = re.compile(r'"(?:[^"\\\r\n]|\\.)*"')
_FOLDED_VALUES = frozenset({"charset"})

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
    head, *rest = code.split(";")
    kind, slash, sub = head.strip().partition("/")
    if not slash or not _NAME.fullmatch(kind) or not _NAME.fullmatch(sub):
        return None
    params = []
    for segment in rest:
        name, eq, value = segment.strip().partition("=")
        name, value = name.strip().lower(), value.strip()
        if not eq or not _NAME.fullmatch(name) or not (_TOKEN.fullmatch(value) or _QUOTED.fullmatch(value)):
            return None
        params.append((name, value.lower() if name in _FOLDED_VALUES else value))
    return f"{kind.lower()}/{sub.lower()}", sorted(params)


def _concept(code: str) -> Concept | None:
    if code != canonical_type(code) or _parse(code) is None:
        return None
    return Concept(code=code, display=code)


MEDIA_TYPES = register(GrammarIndex(RESOURCE, _concept, canonical_type))
