"""Ordering of code system versions, so that 'the latest loaded' means something.

Editions are years ("2021"), semantic versions ("1.2.0") or SNOMED CT version
URIs (".../version/20240131"); all sort by their numeric parts, and a semantic
version's pre-release ("1.2.0-beta") before its release, as semver orders them.
"""
from __future__ import annotations

import re

_NUM = re.compile(r"\d+|[^\d.\-/]+")
# a semantic version with a pre-release label and/or build metadata: "1.2.0-beta.1", "2.0.0+20240101"
# (a date such as "2023-04-01" has no dot before its first '-', so it is not read as one)
_SEMVER = re.compile(r"^(\d+(?:\.\d+)+)(?:-([0-9A-Za-z.\-]+))?(?:\+[0-9A-Za-z.\-]+)?$")
# every key ends with one of these: a pre-release sorts before its release ("1.0.0-rc" < "1.0.0"), and
# both before a longer version ("1.0" < "1.0.0"), whose next part is a number or a word
_PRE, _RELEASE = (-1, 0, ""), (-1, 1, "")


def version_key(version: str | None) -> tuple:
    if version is None:
        return ((0, 0),)
    v = version.rsplit("/version/", 1)[-1]
    label = None
    m = _SEMVER.match(v)
    if m:
        v, label = m.group(1), m.group(2)
    # isdecimal, not isdigit: '²' is a digit that int() refuses, and it is a word here
    parts = [(1, int(tok), "") if tok.isdecimal() else (0, 0, tok) for tok in _NUM.findall(v)]
    if label is None:
        return (*parts, _RELEASE)
    # semver precedence of labels: part by part, numbers numerically and below words
    return (*parts, _PRE, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in label.split(".")))


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
