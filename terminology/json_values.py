"""When two parsed JSON values are the same JSON: one rule for the whole engine.

Python's == takes `true` for `1` and `1` for `1.0`, which JSON and FHIR's types keep apart (an index reads
caseSensitive `1` as not true; a decimal `1.0` is not the integer `1`), so values are compared by their
canonical JSON: orjson's text with keys sorted and no spaces. Two values are the same JSON when they would
be written as the same canonical text, so key order does not count and a tuple is the list it is written as,
while `true`/`1`/`1.0`, `-0.0`/`0.0` and differently composed unicode strings stay apart.

A value with no canonical form (an integer over 64 bits, a lone surrogate, a key that is not a string, a NaN
or an infinity, which JSON cannot write and orjson writes as `null`) is the same JSON only as itself (the same
object): it has no content key, so it is never kept by content (index cache, shape verdicts), and it is never
taken for a stored body (the store then writes it, and orjson refuses it there as it would anyway).

Callers: `index_cache` (content digest of supplied CodeSystems), `catalog`/`index_cache.IndexShelf` and
`fhir_api.supplied` (copies of one resource in a request), `store.sql` (is an import's body the stored one).
"""
from __future__ import annotations

import hashlib
import math

import orjson


def canonical_bytes(value) -> bytes | None:
    """The canonical JSON of a parsed JSON value (keys sorted, no spaces), or None when it has none."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    # orjson writes NaN and infinities as null: such a value would be written as another's
    if b"null" in text and _has_non_finite(value):
        return None
    return text


def content_digest(value) -> bytes | None:
    """SHA-256 of `canonical_bytes(value)`: one key for the shape check's verdict and the index cache."""
    text = canonical_bytes(value)
    return None if text is None else hashlib.sha256(text).digest()


def same_json(a, b) -> bool:
    """Whether two parsed JSON values are the same JSON (see the module docstring)."""
    if a is b:
        return True
    canon = canonical_bytes(a)
    return canon is not None and canon == canonical_bytes(b)


def _has_non_finite(value) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float):
            if not math.isfinite(v):
                return True
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
    return False
