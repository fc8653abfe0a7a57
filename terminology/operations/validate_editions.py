"""A code that a fragment edition of a yearly codebook does not hold, but a later loaded edition introduces:
not "maybe valid in another fragment" but not yet valid (JAGD55 is new in NCMP 2021, so not a 2020 code).

Only the code's own validFrom in the later edition is evidence of that. A fragment is "a subset of the code
system concepts" (R4 CodeSystem.content): its silence about a code says nothing, so that the first loaded edition
listing the code starts after the date does not make the code new then (A09.9, an old WHO code, is not
"introduced in ICD-10-NO 2027" because the 2026 slice leaves it out and a small 2025 list lacks it). Without a
validFrom the fragment rule answers: valid as far as can be told, with the fragment warning -- the rule
successions apply too ("a fragment's silence is no event", docs/successions.md)."""
from __future__ import annotations

from ..editions import dated_editions
from ..identifiers import codebook_label
from ..versions import version_key
from .concept_status import VALID_FROM


def short_name(cs) -> str:
    """The codebook's name for messages ("NCMP", "ICD-10-NO", an uploaded one's title)."""
    return codebook_label(cs.url, cs.resource, cs.name)


def introduced_later(catalog, cs, code: str, on: str | None) -> str | None:
    """Why `code`, absent from edition `cs`, is not valid on date `on` (None: in `cs`'s edition): the first
    loaded edition of the same codebook that holds it gives it a validFrom after that day. None when no such
    edition exists, when that edition gives the code no validFrom (an edition's start is no evidence against a
    fragment), or the code system has no dated editions (HL7 fragments keep the fragment rule)."""
    if cs.version is None:
        return None
    starts = dated_editions(catalog, cs.url)
    if not starts:
        return None
    ref = on[:10] if on else dict(starts).get(cs.version)
    if ref is None:
        return None
    for v, _start in sorted(starts, key=lambda vs: version_key(vs[0])):
        if v == cs.version:
            continue
        other = catalog.codesystem(cs.url, v)
        concept = other.find(code)[0] if other is not None else None
        if concept is None:
            continue
        since = next((x[:10] for k in VALID_FROM for x in concept.property_values(k) if isinstance(x, str)), None)
        if since is None or since <= ref:
            return None         # no validFrom, or held since before the date: the fragment rule applies
        name = short_name(cs)
        return (f"{concept.code} is not in {name} {cs.version}: it is introduced in {short_name(other)} {v} "
                f"(valid from {since})")
    return None
