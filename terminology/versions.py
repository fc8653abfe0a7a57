"""Ordering of code system versions, so that 'the latest loaded' means something.

Editions are years ("2021"), semantic versions ("1.2.0") or SNOMED CT version
URIs (".../version/20240131"); all sort by their numeric parts.
"""
from __future__ import annotations

import re

_NUM = re.compile(r"\d+|[^\d.\-/]+")


def version_key(version: str | None) -> tuple:
    if version is None:
        return ((0, 0),)
    v = version.rsplit("/version/", 1)[-1]
    parts = []
    for tok in _NUM.findall(v):
        parts.append((1, int(tok), "") if tok.isdigit() else (0, 0, tok))
    return tuple(parts)


def latest(versions) -> str | None:
    versions = [v for v in versions]
    if not versions:
        return None
    return max(versions, key=version_key)


def matches_version(pattern: str, version: str | None) -> bool:
    """FHIR version wildcards: '1.x', '1.*', '1.0.x' match by prefix segments."""
    if version is None:
        return False
    if pattern == version:
        return True
    if pattern.startswith("http://snomed.info/sct/") and "/version/" not in pattern:
        # a SNOMED CT edition URI without a date means that edition's latest loaded version
        return version.startswith(pattern.rstrip("/") + "/version/")
    p = pattern.split(".")
    v = version.split(".")
    if not any(s in ("x", "*", "X") for s in p):
        return False
    for i, seg in enumerate(p):
        if seg in ("x", "*", "X"):
            return True
        if i >= len(v) or v[i] != seg:
            return False
    return len(v) == len(p)
