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
    """Whether two versions a request gives for one thing can be one (0.1 in a parameter, 0.1.0 in the coding it
    goes with, fhir_api.ops_lookup.refuse_two_versions): not a rule for finding a resource by version, which is
    matches_version. Whether `requested` names `version` by its leading parts: "1.0" names 1.0.0 and 1.0.3 (not 1.00 or
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


def one_version(a: str, b: str) -> str | None:
    """Two versions a request gives for one thing (a parameter and its coding's): the more specific one where one
    names the other (0.1 and 0.1.0, 1.x and 1.2.0, by `partial_match` or `matches_version`); None when they
    cannot be one version (1.0 and 2.0)."""
    if a == b or partial_match(a, b) or matches_version(a, b):
        return b
    if partial_match(b, a) or matches_version(b, a):
        return a
    return None


def newest_named(requested: str | None, versions) -> str | None:
    """The version a wildcard (1.x, 1.0.*) or open (1?) version names among `versions` that do not hold it
    exactly: the newest it names, a release before any pre-release. None: it names none."""
    named = [v for v in versions if isinstance(v, str) and matches_version(requested, v)]
    releases = [v for v in named if not is_pre_release(v)]
    return latest(releases or named)


_WILD = ("x", "*", "X")


def is_pattern(version: str | None) -> bool:
    """Whether `version` is a pattern rather than a version: a wildcard segment (1.x, 1.0.*) or an open tail (1?)."""
    return bool(version) and (version.endswith("?") or any(s in _WILD for s in version.split(".")))


def matches_version(pattern: str, version: str | None) -> bool:
    """Whether the version `pattern` asks for names `version`: the one rule of every version a request or a
    reference gives (code systems and value sets alike), as the reference servers match them.

    Equal; or segment by segment (dots), where 'x', 'X' or '*' matches any one segment and a last wildcard any
    segments left ('1.x' names 1.2 and 1.0.0); a trailing '?' accepts whatever follows ('1?' names 1.0.0). A
    segment the pattern does not have, the version must not have either: '1' and '1.0' do not name 1.0.0.
    A SNOMED CT edition URI without a date names that edition's versions."""
    if version is None or not pattern:
        return False
    if pattern == version:
        return True
    if pattern.startswith("http://snomed.info/sct/") and "/version/" not in pattern:
        # a SNOMED CT edition URI without a date means that edition's latest loaded version
        return version.startswith(pattern.rstrip("/") + "/version/")
    open_tail = pattern.endswith("?")
    if open_tail:
        pattern = pattern[:-1]
        if not pattern:
            return True
    p = pattern.split(".")
    v = version.split(".")
    if not open_tail and not any(s in _WILD for s in p):
        return False
    for i, seg in enumerate(p):
        if i >= len(v):
            return False
        if seg in _WILD:
            if i == len(p) - 1:
                return True
            continue
        if v[i] != seg:
            return False
    return open_tail or len(v) == len(p)


def present_versions(versions) -> str:
    """A list of versions as the reference servers write it in messages: "1", "1 or 2", "1, 2 and 3"."""
    versions = [str(v) for v in versions]
    if len(versions) < 2:
        return "".join(versions)
    return f"{', '.join(versions[:-1])} {'or' if len(versions) == 2 else 'and'} {versions[-1]}"
