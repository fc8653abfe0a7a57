"""ValueSet.compose filters evaluated against one code system index.

`filter_codes(cs, property, op, value)` answers the codes a filter selects;
`filter_test(cs, property, op, value)` answers a predicate over concepts, so
that $validate-code can test one code without enumerating a whole system.
A CodeSystemIndex subclass (e.g. SNOMED CT) may define its own `filter_codes`
/ `filter_test` methods; the engine calls those when present.

Regular expressions come from clients: they are bounded in length and run
with a timeout (the `regex` package) so that a catastrophic pattern cannot
hold a worker.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable

from ..errors import InvalidRequest, TooCostly, shortened
from .concept_status import is_deprecated

# property names that stand for the concept itself (hierarchy filters, code lists)
CONCEPT_PROPERTIES = {"concept", "code", "parent", "child"}
OPERATORS = {"=", "is-a", "descendent-of", "is-not-a", "regex", "in", "not-in", "generalizes",
             "child-of", "descendent-leaf", "exists"}
# filters whose value is a concept in the hierarchy: only the concept-properties above take them
HIERARCHY_OPERATORS = {"is-a", "descendent-of", "is-not-a", "generalizes", "child-of", "descendent-leaf"}
# properties every code system has, declared or not (FHIR's concept-properties and the concept's own fields)
GENERIC_PROPERTIES = {"display", "definition", "inactive", "status", "notSelectable", "deprecated"}
MAX_PATTERN = 1000
# the `regex` package unrolls counted repeats when compiling: 'a{99999999}' or '(a{1000}){1000}' take gigabytes
# before any timeout can act, so the unrolled size is bounded first
MAX_UNROLLED = 100_000
REGEX_TIMEOUT_S = 0.5      # one code
REGEX_BUDGET_S = 5.0       # one filter, all codes

try:  # the `regex` package can stop a runaway match; `re` cannot
    import regex as _regex
except ImportError:  # pragma: no cover - fallback keeps the guard on the pattern shape
    _regex = None
import re as _re

# without `regex`, a repeated group ("(a|a)+", "(a+)*") is the shape of every catastrophic pattern: refuse it
_REPEATED_GROUP = _re.compile(r"(?<!\\)\)\s*(?:[+*]|\{\d*,?\d*\})")


def compile_pattern(pattern: str, location: str | None = None):
    """A compiled, anchored pattern; InvalidRequest (the value set is invalid: vs-invalid) when it is
    unusable or too risky. `location`: the filter's path, e.g. ValueSet.compose.include[0].filter[0]."""
    def invalid(text: str) -> InvalidRequest:
        return InvalidRequest(text, location=location, tx_code="vs-invalid")
    if not isinstance(pattern, str) or not pattern:
        raise invalid("a regex filter needs a pattern")
    if len(pattern) > MAX_PATTERN:
        raise invalid(f"the regex filter pattern is longer than {MAX_PATTERN} characters")
    if _unrolled_size(pattern) > MAX_UNROLLED:
        raise invalid(f"the regex pattern '{shortened(pattern)}' repeats too many times (counted repeats "
                      f"multiply to more than {MAX_UNROLLED})")
    if _regex is None and _REPEATED_GROUP.search(pattern):
        raise invalid(f"the regex pattern '{pattern}' repeats a group, which this server refuses")
    try:
        if _regex is not None:
            return _regex.compile(pattern)
        return _re.compile(pattern)
    except Exception as e:
        raise invalid(f"the regex pattern '{pattern}' is not valid: {e}")


_COUNT = _re.compile(r"\{(\d+)(?:,\d*)?\}")
_NOT_ATOMS = set("?:=!<>*+|^$")      # quantifiers, anchors and the marks of a group's kind, as in (?:...)


def _unrolled_size(pattern: str) -> int:
    """An upper bound of the pattern's size once counted repeats are unrolled: a group's size is the sum of
    its items, an item followed by {n}, {n,} or {n,m} counts n times (the lower bound is what gets copied)."""
    stack, items, i = [], [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            items.append(1)
            i += 2
            continue
        if ch == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            items.append(1)
            i = j + 1
            continue
        if ch == "(":
            stack.append(items)
            items = []
        elif ch == ")" and stack:
            inner = sum(items)
            items = stack.pop()
            items.append(max(inner, 1))
        elif ch == "{" and items and (m := _COUNT.match(pattern, i)):
            items[-1] *= max(int(m.group(1)), 1)
            i = m.end()
            continue
        elif ch not in _NOT_ATOMS:
            items.append(1)
        i += 1
    while stack:        # unbalanced: compile() will refuse it; count what is open anyway
        inner = sum(items)
        items = stack.pop()
        items.append(inner)
    return sum(items)


def understands(cs, prop, op, value=None) -> bool:
    """Whether a filter `prop op` means anything for `cs`: a known operator on one of the generic properties
    or on a property the code system (or a supplement applied to it) declares; hierarchy operators on the
    concept itself only. A property its concepts merely carry is not enough: the reference servers refuse
    a filter on an undeclared property as not understood, and a filter that silently selects by an
    undeclared name hides a typo. An index with filters of its own (SNOMED CT) and one made from a grammar
    (no concepts to look at) judge for themselves when the filter is evaluated."""
    if op not in OPERATORS or not isinstance(prop, str):
        return False
    judge = getattr(cs, "understands_filter", None)
    if judge is not None:       # an index with filters of its own that can tell (SNOMED CT: value too)
        return judge(prop, op, value)
    if getattr(cs, "filter_test", None) is not None or not isinstance(getattr(cs, "concepts", None), dict):
        return True
    if getattr(cs, "content", "complete") != "complete":
        return op in OPERATORS      # a fragment need not hold every property of the full system

    if prop in CONCEPT_PROPERTIES:
        return True
    if op in HIERARCHY_OPERATORS:
        return False
    if prop in GENERIC_PROPERTIES:
        return True
    return prop in _declared_properties(cs)


def _declared_properties(cs) -> frozenset:
    """The property codes `cs` declares, with those of the supplements applied to it, worked out once per
    index."""
    props = cs.property_definitions() if hasattr(cs, "property_definitions") else []
    got = getattr(cs, "_kodebro_filter_props", None)
    # keyed on the index itself: a supplemented copy carries the original's attributes, not its properties
    key = (id(cs), id(props) if props else 0)     # `[]` is a new list on every call
    if got is not None and got[0] == key:
        return got[1]
    codes = {pd.get("code") for pd in props if isinstance(pd, dict)}
    made_from = getattr(cs, "supplemented", None)
    if made_from is not None:
        base, supplements = made_from
        codes |= _declared_properties(base)
        for sup in supplements:
            codes.update(pd.get("code") for pd in sup.get("property") or () if isinstance(pd, dict))
    codes.discard(None)
    frozen = frozenset(codes)
    try:
        cs._kodebro_filter_props = (key, frozen)
    except AttributeError:
        pass
    return frozen


def check_filter(f: dict, location: str) -> None:
    """Refuse (with the filter's location) a filter whose value can never be evaluated: a bad regex."""
    if f.get("op") == "regex":
        compile_pattern(f.get("value"), location)


class _Budget:
    """Time left for one regex filter over all the codes it tests: a pattern that is merely slow on each
    of 100,000 codes must stop as surely as one that is catastrophic on a single code."""
    __slots__ = ("deadline",)

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


def regex_matches(compiled, text: str | None, budget: "_Budget | None" = None) -> bool:
    """The pattern matches the whole text (FHIR regex filters are anchored at both ends)."""
    if text is None:
        return False
    if _regex is not None:
        timeout = REGEX_TIMEOUT_S if budget is None else min(REGEX_TIMEOUT_S, budget.left())
        try:
            if timeout <= 0:
                raise TimeoutError
            return compiled.fullmatch(text, timeout=timeout) is not None
        except TimeoutError:
            raise TooCostly(f"The regex pattern '{compiled.pattern}' took too long to evaluate; "
                            f"use a simpler pattern")
    return compiled.fullmatch(text) is not None


def _str(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):  # Coding values compare by code
        return str(v.get("code"))
    return str(v)


# the concept-properties whose value is a neighbour in the hierarchy: `parent = X` selects X's children
NEIGHBOURS = {"parent": "parents", "child": "children"}


def _concept_values(concept, prop: str) -> list[str]:
    if prop in NEIGHBOURS:
        own = concept.property_values(prop)
        return [_str(v) for v in own] if own else list(getattr(concept, NEIGHBOURS[prop]))
    if prop == "display":
        return [concept.display] if concept.display else []
    if prop == "definition":
        return [concept.definition] if concept.definition else []
    if prop in ("inactive",) and not concept.property_values("inactive"):
        return ["true" if concept.inactive else "false"]
    if prop == "status" and not concept.property_values("status"):
        # a status under the code system's own code for it, or from the standards-status extension
        return [concept.lifecycle] if concept.lifecycle else []
    if prop == "notSelectable":
        # the values the concept states, under whatever code its system gives the property's URI; one that
        # states none has no value (R4 gives notSelectable no default): `= false` does not select it
        return [_str(v) for v in concept.not_selectable_values()]
    return [_str(v) for v in concept.property_values(prop)]


def _require(cs, code: str | None, prop: str, op: str):
    if code is None:
        raise InvalidRequest(f"the filter {prop} {op} needs a value")
    c, _how = cs.find(code)
    return c


def _code_of(cs, code: str) -> str:
    """A code as the system spells it (another case, an ICD-10 code without its dot), as filter_codes finds it."""
    c, _how = cs.find(code)
    return c.code if c is not None else code


# properties whose filter answers depend on the day a request is about (a deprecation date passes): a rule with
# such a filter is kept for one request only, and is given that day (`on`)
DATED_PROPERTIES = frozenset({"deprecated"})


def is_dated(inc: dict) -> bool:
    return any(isinstance(f, dict) and f.get("property") in DATED_PROPERTIES for f in inc.get("filter") or ())


def filter_test(cs, prop: str, op: str, value, on: str | None = None) -> Callable:
    """A predicate concept -> bool for one filter; `on`: the day the request is about (None: today)."""
    if op not in OPERATORS:
        raise InvalidRequest(f"the filter operator '{op}' is not supported; supported: {', '.join(sorted(OPERATORS))}")
    if prop in CONCEPT_PROPERTIES and op in HIERARCHY_OPERATORS:
        root = _require(cs, value, prop, op)
        rc = root.code if root is not None else None
        if op == "is-a":
            return lambda c: rc is not None and (c.code == rc or rc in cs.ancestors(c.code))
        if op == "descendent-of":
            return lambda c: rc is not None and c.code != rc and rc in cs.ancestors(c.code)
        if op == "is-not-a":
            return lambda c: rc is None or not (c.code == rc or rc in cs.ancestors(c.code))
        if op == "generalizes":
            return lambda c: rc is not None and (c.code == rc or c.code in cs.ancestors(rc))
        if op == "child-of":
            return lambda c: rc is not None and rc in c.parents
        return lambda c: rc is not None and not c.children and rc in cs.ancestors(c.code)
    if prop == "deprecated" and op in ("=", "in", "not-in", "exists"):
        return _deprecated_test(cs, op, value, on)
    if op == "exists":
        want = _str(value).lower() != "false"
        return lambda c: bool(_concept_values(c, prop)) == want
    if op == "regex":
        pat = compile_pattern(value)
        budget = _Budget(REGEX_BUDGET_S)
        if prop in ("code", "concept"):
            return lambda c: regex_matches(pat, c.code, budget)
        return lambda c: any(regex_matches(pat, v, budget) for v in _concept_values(c, prop))
    if value is None:
        raise InvalidRequest(f"the filter {prop} {op} needs a value")
    if op in ("in", "not-in"):
        wanted = _listed(value)
        if prop in NEIGHBOURS:
            wanted = {_code_of(cs, v) for v in wanted}
            attr = NEIGHBOURS[prop]
            hit = lambda c: any(v in wanted for v in getattr(c, attr))  # noqa: E731
        elif prop in CONCEPT_PROPERTIES:
            wanted = {_code_of(cs, v) for v in wanted}
            hit = lambda c: c.code in wanted  # noqa: E731
        else:
            hit = lambda c: any(v in wanted for v in _concept_values(c, prop))  # noqa: E731
        return hit if op == "in" else (lambda c: not hit(c))
    # "="
    if prop in NEIGHBOURS:
        code, attr = _code_of(cs, value), NEIGHBOURS[prop]
        return lambda c: code in getattr(c, attr)
    if prop in CONCEPT_PROPERTIES:
        code = _code_of(cs, value)
        return lambda c: c.code == code
    sval = _str(value)
    if prop not in _DERIVED_VALUES:
        return lambda c: _states(c, prop, sval)
    return lambda c: sval in _concept_values(c, prop)


# properties whose values _concept_values works out (neighbours, display, a status from elsewhere); the others
# are read as the concept states them
_DERIVED_VALUES = frozenset(NEIGHBOURS) | {"display", "definition", "inactive", "status", "notSelectable"}


def _deprecated_test(cs, op: str, value, on: str | None) -> Callable:
    """`deprecated` asked as a flag: true for a concept deprecated today (by its status or R4's deprecation
    date, concept_status.is_deprecated), false for every other; a stated value (a date) still matches itself.
    R4 makes the property a date, so a filter for "true"/"false" would otherwise select nothing."""
    if value is None:
        raise InvalidRequest(f"the filter deprecated {op} needs a value")
    if op == "exists":
        want = _str(value).lower() != "false"
        return lambda c: is_deprecated(c, on, cs) == want
    wanted = {_str(value)} if op == "=" else _listed(value)

    def hit(c) -> bool:
        flag = "true" if is_deprecated(c, on, cs) else "false"
        return flag in wanted or any(_str(v) in wanted for v in c.property_values("deprecated"))
    return hit if op != "not-in" else (lambda c: not hit(c))


def _listed(value) -> set[str]:
    """The values an `in`/`not-in` filter lists (comma-separated)."""
    return {v.strip() for v in str(value).split(",") if v.strip()}


def _states(concept, prop: str, sval: str) -> bool:
    """Whether the concept states property `prop` with the value `sval` (as _str writes it). Written out: a
    property filter is asked once per code on $validate-code's hot path, and a list of all values costs more."""
    for p in concept.properties:
        if p.get("code") == prop:
            for k, v in p.items():
                if k.startswith("value") and _str(v) == sval:
                    return True
    return False


def filter_codes(cs, prop: str, op: str, value, on: str | None = None) -> Iterable[str]:
    """Codes of `cs` selected by one filter, in code system order."""
    if prop in CONCEPT_PROPERTIES and op in ("is-a", "descendent-of") and value is not None:
        root, _how = cs.find(value)
        if root is None:
            return []
        out = cs.descendants(root.code)
        return [root.code] + out if op == "is-a" else out
    if prop in CONCEPT_PROPERTIES and op == "child-of" and value is not None:
        root, _how = cs.find(value)
        return list(root.children) if root is not None else []
    if prop in NEIGHBOURS and op == "=" and value is not None:
        # the concepts whose parent (child) is the one named: its children (parents)
        c, _how = cs.find(value)
        return list(getattr(c, "children" if prop == "parent" else "parents")) if c is not None else []
    if prop in CONCEPT_PROPERTIES and op == "=" and value is not None:
        c, _how = cs.find(value)
        return [c.code] if c is not None else []
    test = filter_test(cs, prop, op, value, on)
    return [c.code for c in cs.concepts.values() if test(c)]


def codes_for(cs, prop: str, op: str, value, on: str | None = None) -> Iterable[str]:
    fn = getattr(cs, "filter_codes", None)
    return fn(prop, op, value) if fn is not None else filter_codes(cs, prop, op, value, on)


def test_for(cs, prop: str, op: str, value, on: str | None = None) -> Callable:
    fn = getattr(cs, "filter_test", None)
    return fn(prop, op, value) if fn is not None else filter_test(cs, prop, op, value, on)
