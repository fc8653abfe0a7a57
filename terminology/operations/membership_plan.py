"""`ComposeEvaluator.contains` compiled, for a stored value set and one code system index: what its excludes and
includes ask of a code, worked out once per store revision instead of on every $validate-code.

Most value sets checked against (a yearly codebook's rule sets: "every reportable code but these") have the
same shape: includes and excludes of code systems only, no value set imports, each naming the version in hand
or none. For those, everything `contains` decides before it looks at the code (which excludes are list-only and
the union of the codes they list, which other excludes reach the version in hand, which include rule belongs
to which include) depends on the body, the index and the store alone. A `MembershipPlan` keeps those decisions;
asking it about a code makes exactly the tests `contains` makes, in the same order, on the same rule objects.

A value set of any other shape, or a request whose rules, date, supplements or exclude-system could change
those decisions, gets no plan (None): `contains` then decides as it always did.
"""
from __future__ import annotations

from .compose_checks import compose_path
from .include_rules import ALL
from .revision_cache import FactTable

# (id(value set), system) -> {id(index): (index, plan or None)}: kept per store revision (the plan reads which
# versions of a system the store holds, for excludes that name another one); none is made while a version rule
# or a date is in force, so `rules="all"` only says so
MEMBERSHIP_PLANS = FactTable("membership-plans", reads_catalog=True, rules="all")

MAX_KEPT_INDEXES = 8        # versions of a system asked about one value set
# concepts of an index whose members a plan works out when it is made: 1-3 us each, paid by one request after
# every store write, so a yearly codebook (ICD-10-NO: 21,443) but not a 100,000-concept system (~280 ms)
MAX_MEMBER_WALK = 30_000
MAX_MEMBER_CODES = 2_000_000    # concepts the plans of one store revision walk (and hold codes of) together
_BUDGET_KEY = "kodebro.compose.membership-plan-codes"      # its Catalog.derived key


class _Budget:
    """The concepts the plans of one store revision may still walk (a Catalog.derived value)."""
    __slots__ = ("left",)

    def __init__(self, _catalog=None):
        self.left = MAX_MEMBER_CODES


class MembershipPlan:
    """`contains(vs, system, code, concept, cs)` for the codes of one index, with its code-independent decisions
    made: `holds(code, concept)` is the rest of it. For an index of at most MAX_MEMBER_WALK concepts in a plain
    dict, the answer for each of its own concepts is worked out once, when the plan is made (`members`)."""
    __slots__ = ("active_only", "listed_out", "excluded", "included", "concepts", "members")

    def __init__(self, active_only: bool, listed_out: frozenset, excluded: list, included: list, cs,
                 budget: _Budget | None = None):
        self.active_only = active_only      # compose.inactive is false: an inactive concept is no member
        self.listed_out = listed_out        # the codes the list-only excludes reaching the index list
        self.excluded = excluded            # a test per other exclude reaching the index, in order
        self.included = included            # a test per include of the system, in order
        # the index's concepts, and the codes of those that are members (None: not worked out): the tests are pure
        # functions of code and concept (rules kept on the index), so each concept's answer holds while the
        # index holds that very concept under that code
        self.concepts = concepts = cs.concepts
        self.members = None
        # (bounded per store revision: every value set over a system may walk its MAX_MEMBER_WALK concepts)
        if type(concepts) is dict and budget is not None and len(concepts) <= min(MAX_MEMBER_WALK, budget.left):
            budget.left -= len(concepts)
            try:
                self.members = frozenset(code for code, concept in concepts.items() if self.tests(code, concept))
            except Exception:   # noqa: BLE001 (whatever it is, it is raised again where `contains` raised it)
                pass        # a test that fails for some concept fails when that concept is asked about

    def holds(self, code: str, concept) -> bool:
        members = self.members
        if members is not None and concept is not None and self.concepts.get(code) is concept:
            return code in members
        return self.tests(code, concept)

    def tests(self, code: str, concept) -> bool:
        if self.active_only and concept is not None and concept.inactive:
            return False
        if code in self.listed_out:
            return False
        for admits in self.excluded:
            if admits(code, concept):
                return False
        for admits in self.included:
            if admits(code, concept):
                return True
        return False


def plain_request(ev) -> bool:
    """Whether nothing in the request can change what a plan decided: the root evaluator, no version rule, no
    date, no supplements, no exclude-system."""
    r = ev.rules
    # the system rules and SystemVersionRules.valueset_rule_in_force written out (asked every $validate-code;
    # the property calls cost ~0.3 us): change them together
    return ev.root is ev and ev.date is None and ev.supplements is None and not ev.exclude_systems and \
        r.date is None and not (r.force or r.default or r.check or r.vs_force or r.vs_default or r.vs_check)


def membership_plan(ev, vs: dict, system: str, cs) -> MembershipPlan | None:
    """The plan of stored value set `vs` (seen in this request) for the codes of `system` in index `cs`, kept per
    store revision; None when it has none (its shape, or the request: `plain_request`, which the caller asks
    first, as a request with rules would make a plan, and walk the index, for itself alone)."""
    kept = MEMBERSHIP_PLANS.get(ev, vs, vs, (id(vs), system), dict)
    got = kept.get(id(cs))
    if got is not None and got[0] is cs:
        return got[1]
    plan = _make_plan(ev, vs, vs.get("compose"), system, cs)
    if len(kept) >= MAX_KEPT_INDEXES:
        kept.clear()
    kept[id(cs)] = (cs, plan)       # (the index is held: its id is not reused while the entry lives)
    return plan


def _make_plan(ev, vs: dict, compose: dict, system: str, cs) -> MembershipPlan | None:
    if cs is None or not compose or not isinstance(compose, dict):
        return None
    includes, excludes = compose.get("include") or [], compose.get("exclude") or []
    if not isinstance(includes, list) or not isinstance(excludes, list):
        return None
    version = cs.version
    catalog = ev.catalog
    for part in (*includes, *excludes):
        # a part without a system (or with imports) reads other value sets, and what it reads is noted per code
        if not isinstance(part, dict) or not isinstance(part.get("system"), str) or not part["system"] or \
                part.get("valueSet"):
            return None
    try:
        listed_out: frozenset = frozenset()
        decided: frozenset = frozenset()
        if excludes:
            listing = ev.listing_excludes(excludes, vs)
            if listing:
                listed_out = ev._listed_codes(listing, compose, system, cs, version)
            decided = listing.ids
        excluded = []
        for i, exc in enumerate(excludes):
            if id(exc) in decided or not ev._exclude_reaches(compose, exc, system, version):
                continue
            test = _selects(ev, exc, compose_path("exclude", i), system, cs)
            if test is False:
                return None
            if test is not None:
                excluded.append(test)
        included = []
        for i, inc in enumerate(includes):
            test = _selects(ev, inc, compose_path("include", i), system, cs)
            if test is False:
                return None
            if test is not None:
                included.append(test)
    except Exception:   # noqa: BLE001 (a part `contains` may never reach for some codes raises there, if reached)
        return None
    return MembershipPlan(compose.get("inactive") is False, listed_out, excluded, included, cs,
                          catalog.derived(_BUDGET_KEY, _Budget))


def _selects(ev, part: dict, path: str, system: str, cs):
    """`ComposeEvaluator.selects` of a part naming a system, for the codes of `system` in `cs`: a test of
    (code, concept); None when it selects none of them; False when only `selects` itself can tell (a part that
    names another version than the index's, or whose rule is kept for one request only)."""
    named = part["system"]
    if named != system and ev.catalog.canonical_system(named) != system:
        return None
    pinned = part.get("version")
    if pinned is not None and cs.version is not None and pinned != cs.version:
        return False
    if not part.get("filter"):
        if not part.get("concept"):
            return ALL.admits
        return _in_codes(ev.listed(part, cs))
    if not ev.keeps_rule(part, cs):
        return False
    return ev.rule(part, system, cs, path).admits


def _in_codes(codes: frozenset):
    def admits(code, _concept):
        return code in codes
    return admits
