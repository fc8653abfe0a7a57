"""Ordering of code system versions, so that 'the latest loaded' means something.

Editions are years ("2021"), semantic versions ("1.2.0") or SNOMED CT version
URIs (".../version/20240131"); all sort by their numeric parts, and a semantic
version's pre-release ("1.2.0-beta") before its release, as semver orders them.
"""
from __future__ import annotations

import re
from functools import lru_cache

_NUM = re.compile(r"\d+|[^\d.\-/]+")
# a semantic version with a pre-release label and/or build metadata: "1.2.0-beta.1", "2.0.0+20240101"
# (a date such as "2023-04-01" has no dot before its first '-', so it is not read as one)
_SEMVER = re.compile(r"^(\d+(?:\.\d+)+)(?:-([0-9A-Za-z.\-]+))?(?:\+[0-9A-Za-z.\-]+)?$")
# every key ends with one of these: a pre-release sorts before its release ("1.0.0-rc" < "1.0.0"), and
# both before a longer version ("1.0" < "1.0.0"), whose next part is a number or a word
_PRE, _RELEASE = (-1, 0, ""), (-1, 1, "")


@lru_cache(maxsize=8192)   # a pure function of a string; catalogs sort the same few versions again and again
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


def is_pre_release(version: str) -> bool:
    m = _SEMVER.match(version)
    return bool(m and m.group(2))


def partial_match(requested: str | None, version: str | None) -> bool:
    """Whether `requested` names `version` by its leading parts: "1.0" names 1.0.0 and 1.0.3 (not 1.00 or
    1.0-beta), "2023" and "2023-04" name 2023-04-01, and "2023"/"202304" name the compact date 20230401.
    Parts, not characters: "1.1" does not name 1.10.0. An equal version is an exact match, not a partial one."""
    if not requested or not version or requested == version or not version.startswith(requested):
        return False
    rest = version[len(requested):]
    if rest[0] == ".":
        return True
    if rest[0] == "-":
        # after a dotted version a '-' starts a pre-release label, which is not a further part of it
        return "." not in requested
    return requested.isdecimal() and len(requested) in (4, 6) and version.isdecimal() and len(version) == 8


def resolve_partial(requested: str | None, versions) -> str | None:
    """The version that `requested`, a partial version, names among `versions`: the latest it names, a
    release before any pre-release (a partial version asks for what is published). None: it names none."""
    named = [v for v in versions if isinstance(v, str) and partial_match(requested, v)]
    releases = [v for v in named if not is_pre_release(v)]
    return latest(releases or named)


def newest_named(requested: str | None, versions) -> str | None:
    """The version a wildcard (1.x, 1.0.*) or partial (1.0, 2023) version names among `versions` that do not
    hold it exactly: the newest it names, a release before any pre-release. None: it names none."""
    named = [v for v in versions if isinstance(v, str) and matches_version(requested, v)]
    if not named:
        return resolve_partial(requested, versions)
    releases = [v for v in named if not is_pre_release(v)]
    return latest(releases or named)


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
