"""What one include's concept list and filters admit, compiled once per include and code system version
(`Rule`), and the codes a concept list names (`listed_codes`), with the store that keeps them across requests.
"""
from __future__ import annotations

import weakref

from . import filters as _filters
from .compose_checks import check_filters, check_source, check_understood


class Rule:
    """An include's concept list and filters applied to one code system version."""
    __slots__ = ("inc", "cs", "listed", "tests", "on")

    def __init__(self, inc: dict, system: str, cs, path: str, presumed: int = 0, listed=None, on: str | None = None):
        self.inc, self.cs = inc, cs      # kept: the cache keys on their ids
        self.on = on                     # the day a dated filter (filters.DATED_PROPERTIES) is judged on
        # codes the concept list names (None: the include lists none), as `ValueSetFacts.listed` keeps them
        self.listed = listed
        # one predicate per filter, all must hold; None until first needed
        self.tests = tests = []
        check_understood(inc, system, cs, path)
        if inc.get("concept") and inc.get("filter"):
            check_source(inc, path)     # vsd-3: refused, not read as an intersection
        for k, f in enumerate(inc.get("filter") or ()):
            if ("value" not in f and f.get("op") != "exists") or f.get("op") in ("regex", "exists"):
                check_filters(inc, system, path)    # says which one
            tests.append(None if k < presumed else _never if cs is None else
                         _filters.test_for(cs, f.get("property"), f.get("op"), f.get("value"), on))

    def admits(self, code: str, concept, presumed: int = 0) -> bool:
        if self.listed is not None and code not in self.listed:
            return False
        tests = self.tests
        if tests and concept is None:
            return False
        for k, t in enumerate(tests):
            if k < presumed:
                continue
            if t is None:
                t = tests[k] = self.test(k)
            if not t(concept):
                return False
        return True

    def test(self, k: int):
        if self.cs is None:
            return _never
        f = self.inc["filter"][k]
        return _filters.test_for(self.cs, f.get("property"), f.get("op"), f.get("value"), self.on)


ALL = Rule({}, "", None, "")


def _never(_concept) -> bool:
    return False    # a filter on a code system that is not loaded selects nothing


RULES_ATTR = "_kodebro_compose_rules"
MAX_KEPT_RULES = 512        # per index: includes of stored value sets, and of supplied ones until it fills


# content modes whose unheld listed codes are not members: the reference servers locate each listed code
# (FHIRsmith validate.js checkConceptSet, expand.js includeCodes; fhirserver TValueSetChecker) and drop it when the
# code system in hand does not hold it, a fragment (or an example of the system) too
LISTED_HELD_ONLY = frozenset(("complete", "fragment", "example"))


def listed_codes(inc: dict, cs) -> frozenset:
    """The codes an include lists, as the code system spells them. A code the system does not hold is not
    listed when the system is complete or partly held (fragment, example: the reference servers answer it so);
    it counts as listed when the system is not loaded at all, or holds no content (not-present), as nothing
    tells it is missing. Where the answer is kept is decided by
    `ValueSetFacts.listed` alone: here for the includes of stored value sets (`kept_listed_codes`), on the
    request's evaluator for those a request brought."""
    codes = set()
    for c in inc.get("concept") or ():
        code = c.get("code")
        if code is None:
            continue
        found = cs.find(code)[0] if cs is not None else None
        if found is not None:
            codes.add(found.code)
        elif cs is None or cs.content not in LISTED_HELD_ONLY:
            codes.add(code)
    return frozenset(codes)


# (id(include), id(index)) -> (include, weak ref to index, codes); the include is kept so its id stays its own.
# Not a revision_cache FactTable: the key is an include *and* an index, the index held weakly (see there).
_LISTED: dict[tuple, tuple] = {}
MAX_LISTED_INCLUDES = 2000
MAX_LISTED_CODES = 2_000_000    # the codes all kept lists hold together (stored lists only, but some are large)
_listed_total = 0


def kept_listed_codes(inc: dict, cs) -> frozenset:
    """`listed_codes`, computed once per include and index and kept across requests (for the includes of
    stored value sets only: the caller, `ValueSetFacts.listed`, sees to that)."""
    global _listed_total
    key = (id(inc), id(cs))
    got = _LISTED.get(key)
    if got is not None and got[0] is inc and got[1]() is cs:
        return got[2]
    frozen = listed_codes(inc, cs)
    if cs is None:
        return frozen
    if len(_LISTED) >= MAX_LISTED_INCLUDES or _listed_total + len(frozen) > MAX_LISTED_CODES:
        _LISTED.clear()
        _listed_total = 0
    try:   # a weak reference: a replaced (large) code system index must not be kept alive by this cache
        ref = weakref.ref(cs)
    except TypeError:
        return frozen
    _LISTED[key] = (inc, ref, frozen)
    _listed_total += len(frozen)
    return frozen
