"""$expand shortcuts: value sets whose page or count comes straight from a code system index.

A value set that is exactly "all codes of one system" (`whole_system`) or "one system, one filter"
(`single_filter`) need not be walked member by member to cut a page from it or count it; expand.py asks these
first. Every other shape, and what they leave to the normal path (a text filter, an excluded system, a filter
missing its value), goes through `ComposeEvaluator.members`, which decides what the value set holds.
"""
from __future__ import annotations

from . import filters as _filters
from .compose import ComposeEvaluator, whole_system_include
from .compose_checks import FilterNotUnderstood, check_understood


def _only_include(vs: dict) -> dict | None:
    """The one include of a compose that has nothing else (no exclude, inactive codes not left out)."""
    compose = vs.get("compose") or {}
    incs = compose.get("include") or []
    if len(incs) != 1 or compose.get("exclude") or compose.get("inactive") is False:
        return None
    return incs[0]


def whole_system(ev: ComposeEvaluator, vs: dict):
    """The code system index when `vs` is exactly "all codes of one system" (paging shortcut), else None."""
    inc = _only_include(vs)
    if inc is None or not whole_system_include(inc):
        return None
    system = ev.catalog.canonical_system(inc["system"])
    if system in ev.exclude_systems:
        return None
    cs = ev.codesystem(system, inc.get("version"))
    if cs is None or cs.content in ("not-present", "supplement") or ev.text_hits is not None:
        return None
    return cs


def single_filter(ev: ComposeEvaluator, vs: dict):
    """(index, codes) when `vs` is exactly one include of one system with one filter: the codes come
    straight from the index (a SNOMED CT is-a answers a set of numbers), so a page or a count=0
    request need not build a concept per member. None for every other shape."""
    inc = _only_include(vs)
    if inc is None:
        return None
    flts = inc.get("filter") or []
    if not inc.get("system") or inc.get("concept") or inc.get("valueSet") or not flts:
        return None
    if any("value" not in f and f.get("op") != "exists" for f in flts):
        return None     # the normal path reports the broken filter
    system = ev.catalog.canonical_system(inc["system"])
    if system in ev.exclude_systems or ev.text_hits is not None:
        return None
    cs = ev.codesystem(system, inc.get("version"))
    if cs is None or cs.content in ("not-present", "supplement"):
        return None
    try:
        check_understood(inc, system, cs, "ValueSet.compose.include[0]")
    except FilterNotUnderstood as e:
        e.name_valueset(vs)
        raise
    numbers = getattr(cs, "filter_numbers", None)
    if numbers is not None:
        # an index that answers filters as sets of concept numbers intersects them without concepts
        found = None
        for f in flts:
            got = numbers(f.get("property"), f.get("op"), f.get("value"))
            found = got if found is None else found & got
        codes = cs.codes
        return cs, [codes[i] for i in sorted(found)]
    if len(flts) != 1:
        return None
    f = flts[0]
    codes = list(dict.fromkeys(_filters.codes_for(cs, f.get("property"), f.get("op"), f.get("value"),
                                                  ev.filter_day(inc))))
    return cs, codes
