"""Compose filters and ECL over a SnomedIndex: what a filter selects, as concept numbers, and tests of membership.

A mixin of SnomedIndex (terminology.snomed.index): it reads the index's arrays (`codes`, `pos`, `active`,
`module`, `modules`, `rels`, `refsets`, `maps`, `release`) and hierarchy (`parents_of`, `children_of`,
`ancestor_numbers`, `descendant_numbers`, the CSR offsets), and keeps what it evaluated in a bounded
per-index cache (an index never changes once built). ECL itself is terminology.snomed.ecl; it calls back
into `attribute_table`, `group_keys`, `refset_numbers` and `all_numbers` here.
"""
from __future__ import annotations

import re
import threading
import weakref
from array import array
from collections import OrderedDict

from ..errors import InvalidRequest, NotSupported
from . import constants as K
from .concept_view import SnomedConcept

# evaluated filters kept per index: at most this many, holding at most this many concept numbers
# in all (about 60 bytes each in a frozenset, so under 100 MB)
_FILTER_CACHE_ENTRIES = 256
_FILTER_CACHE_MEMBERS = 1_500_000
# with "=", not kept: one concept or its neighbours (cheap), or "expressions", every active concept (enumerated
# when asked; kept, it would push the useful answers out)
_UNKEPT_FILTERS = {"concept", "code", "parent", "child", "expressions"}
# hierarchy and membership operators on the concept itself (tx.fhir.org lacks is-not-a; kept, it harms nobody)
_CONCEPT_FILTER_OPS = {"is-a", "descendent-of", "is-not-a", "=", "generalizes", "child-of"}
_SCTID = re.compile(r"[1-9][0-9]{5,17}")


def _is_sctid(text) -> bool:
    return isinstance(text, str) and _SCTID.fullmatch(text) is not None


def _filter_flag(value) -> bool | None:
    """A boolean filter value (inactive, expressions) as tx.fhir.org reads it: true/false in any case."""
    text = value.strip().lower() if isinstance(value, str) else None
    return True if text == "true" else False if text == "false" else None


CODESYSTEM_FILTERS = [
    {"code": "concept", "operator": ["is-a", "descendent-of", "in", "=", "is-not-a"], "value": "a SNOMED CT concept id or refset id"},
    {"code": "constraint", "operator": ["="], "value": "an ECL expression constraint (subset, see docs/snomed.md)"},
    {"code": "expression", "operator": ["="], "value": "an ECL expression constraint (alias of constraint)"},
    {"code": "inactive", "operator": ["="], "value": "true or false"},
    {"code": "moduleId", "operator": ["="], "value": "module concept id"},
]


class SnomedFilters:
    """Filters, refsets and ECL entry points of SnomedIndex (see module docstring)."""

    def _start_filters(self) -> None:
        """The per-index state of this mixin (SnomedIndex.__init__ calls it)."""
        self._filter_cache: OrderedDict[tuple, frozenset] = OrderedDict()
        self._filter_cached = 0             # members held by _filter_cache, for its memory bound
        self._filter_lock = threading.Lock()
        self._attributes = None             # ECL refinements: relationships by type, built on first use
        self._attributes_lock = threading.Lock()

    @property
    def keep_filter_tests(self) -> bool:
        """Whether the tests filter_test makes may be kept across requests (compose.py keeps the compiled rules
        of value set includes): they read their members from the bounded filter cache instead of holding
        them, which every answer fits when the edition is no larger than the cache takes one answer to be."""
        return len(self.codes) <= _FILTER_CACHE_MEMBERS // 2

    def all_numbers(self, active_only: bool = True) -> set[int]:
        if active_only:
            return {i for i, a in enumerate(self.active) if a}
        return set(range(len(self.codes)))

    def refset_numbers(self, refset: str) -> set[int]:
        if refset == "*":
            out: set[int] = set()
            for members in self.refsets.values():
                out |= members
            for per in self.maps.values():
                out |= set(per)
            return out
        got = self.refsets.get(refset)
        if got is None and refset in self.maps:
            return set(self.maps[refset])
        return set(got or ())

    def loaded_refsets(self) -> list[str]:
        """The reference sets whose members the edition holds (simple and map refsets), in id order (as numbers:
        an SCTID is one, and 446609009 comes before 1000000000000)."""
        ids = {*self.refsets, *self.maps, *((self.release or {}).get("refsets") or ())}
        return sorted(ids, key=lambda i: (0, int(i), "") if str(i).isdigit() else (1, 0, str(i)))

    def is_refset(self, code: str) -> bool | None:
        """Whether `code` is a reference set of this edition: True when its members are loaded or it is below
        900000000000455006 |Reference set|; False when the edition holds that hierarchy and `code` is not in it
        (or not in the edition at all); None when the edition lacks the hierarchy (an extract), so that only a
        refset with members can be told."""
        code = str(code).strip()
        if self._declared_refset(code):
            return True
        root = self.pos.get(K.REFSET_ROOT)
        if root is None or self.c_start[root] == self.c_start[root + 1]:
            return None
        i = self.pos.get(code)
        return i is not None and i != root and root in self.ancestor_numbers(i)

    def attribute_table(self) -> dict[int, tuple[array, array, array]]:
        """Inferred relationships by type id, for ECL refinements: typeId -> (source numbers, group keys,
        destination numbers, -1 when the destination is not in the edition). Is-a (from the hierarchy)
        is there too, in group 0. Sources are ascending within a type, so a small focus set is looked up
        by bisection instead of a scan. Group 0 is not a group: each of its relationships gets a key of
        its own (negative, see group_keys), as ECL treats them as self-grouped. Built once, on first use
        (the index never changes); 12 bytes a relationship."""
        got = self._attributes
        if got is not None:
            return got
        with self._attributes_lock:
            if self._attributes is None:
                self._attributes = self._build_attribute_table()
            return self._attributes

    def _build_attribute_table(self) -> dict[int, tuple[array, array, array]]:
        table: dict[int, tuple[array, array, array]] = {}
        pos = self.pos
        for i in sorted(self.rels):
            for j, (g, t, d) in enumerate(self.rels[i]):
                rows = table.get(int(t))
                if rows is None:
                    rows = table[int(t)] = (array("I"), array("i"), array("i"))
                rows[0].append(i)
                rows[1].append(g if g else -1 - j)
                dn = pos.get(str(d))
                rows[2].append(-1 if dn is None else dn)
        isa = (array("I"), array("i"), array("i"))
        p_start, p_list, rels = self.p_start, self.p_list, self.rels
        for i in range(len(self.codes)):
            first = p_start[i]
            if first == p_start[i + 1]:
                continue
            base = len(rels.get(i, ()))
            for k in range(first, p_start[i + 1]):
                isa[0].append(i)
                isa[1].append(-1 - base - (k - first))
                isa[2].append(p_list[k])
        table[int(K.IS_A)] = isa
        return table

    def group_keys(self, i: int) -> set[int]:
        """Every relationship group key of concept i, as attribute_table numbers them."""
        rels = self.rels.get(i, ())
        keys = {g if g else -1 - j for j, (g, _t, _d) in enumerate(rels)}
        keys.update(-1 - len(rels) - k for k in range(self.p_start[i + 1] - self.p_start[i]))
        return keys

    def _number_or_error(self, code: str) -> int:
        i = self.pos.get(str(code).strip())
        if i is None:
            raise InvalidRequest(f"SNOMED CT concept '{code}' is not in {self.version}")
        return i

    def filter_numbers(self, prop: str, op: str, value: str) -> frozenset[int]:
        """Concept numbers a filter selects, remembered: the index never changes once built, and a
        $validate-code or $expand against an ECL value set would otherwise evaluate the constraint over
        the whole edition on every call. Errors are never remembered, so an invalid filter raises
        afresh each time."""
        if not isinstance(value, str) or (op == "=" and prop in _UNKEPT_FILTERS):
            return frozenset(self._filter_numbers(prop, op, value))
        key = (prop, op, value)
        cache = self._filter_cache
        with self._filter_lock:
            got = cache.get(key)
            if got is not None:
                cache.move_to_end(key)
                return got
        got = frozenset(self._filter_numbers(prop, op, value))
        if len(got) > _FILTER_CACHE_MEMBERS // 2:
            return got          # bigger than half the budget: it would only push everything else out
        with self._filter_lock:
            if key not in cache:
                cache[key] = got
                self._filter_cached += len(got)
                while len(cache) > _FILTER_CACHE_ENTRIES or self._filter_cached > _FILTER_CACHE_MEMBERS:
                    _, old = cache.popitem(last=False)
                    self._filter_cached -= len(old)
        return got

    def understands_filter(self, prop: str, op: str, value) -> bool:
        """Whether a compose filter means anything here (tx.fhir.org's doesFilter): a refusal is the value
        set's fault, so compose_checks reports it as not understood, at the filter. The concept a hierarchy
        filter names must be in this version; `inactive` and `expressions` take true or false only. A missing
        value is not judged here (compose_checks.check_filters says what is wrong with it)."""
        if not isinstance(value, str):
            return True
        value = value.strip()
        if prop in ("concept", "code"):
            if op == "in":
                names = [r.strip() for r in value.split(",")]
                return all(r == "*" or r in self.pos or self._declared_refset(r) for r in names)
            return op in _CONCEPT_FILTER_OPS and value in self.pos
        if op != "=":
            return False
        if prop in ("constraint", "expression"):
            return True         # the ECL parser says what is wrong with a constraint, and where
        if prop in ("inactive", "expressions"):
            return _filter_flag(value) is not None
        if prop == "moduleId":
            return value.isdigit()
        if prop in ("parent", "child"):
            return value in self.pos
        return _is_sctid(prop) and _is_sctid(value)      # <attribute> = <value>

    def _declared_refset(self, refset: str) -> bool:
        """Whether the edition holds members of `refset` or its release declares it (members or none): either
        way `concept in` it answers, empty when nothing is loaded."""
        return refset in self.refsets or refset in self.maps or \
            refset in ((self.release or {}).get("refsets") or ())

    def _filter_numbers(self, prop: str, op: str, value: str) -> set[int]:
        if isinstance(value, str):
            value = value.strip()       # as understands_filter judged it
        if prop in ("concept", "code"):
            if op == "child-of":
                return set(self.children_of(self._number_or_error(value)))
            if op == "is-a":
                i = self._number_or_error(value)
                return self.descendant_numbers(i) | {i}
            if op == "descendent-of":
                return self.descendant_numbers(self._number_or_error(value))
            if op == "is-not-a":
                i = self._number_or_error(value)
                return self.all_numbers() - self.descendant_numbers(i) - {i}
            if op == "in":
                out: set[int] = set()
                for r in str(value).split(","):
                    out |= self.refset_numbers(r.strip())
                return out
            if op == "=":
                return {self._number_or_error(value)}
            if op == "generalizes":
                i = self._number_or_error(value)
                return set(self.ancestor_numbers(i)) | {i}
        if prop in ("constraint", "expression") and op == "=":
            from .ecl import evaluate
            return evaluate(self, value)
        if prop == "inactive" and op == "=" and _filter_flag(value) is not None:
            flag = _filter_flag(value)
            return {i for i, a in enumerate(self.active) if bool(a) != flag}
        if prop == "moduleId" and op == "=":
            m = self.modules.index(value) if value in self.modules else -1
            return {i for i, mm in enumerate(self.module) if mm == m}
        if prop == "parent" and op == "=":
            return set(self.children_of(self._number_or_error(value)))
        if prop == "child" and op == "=":
            return set(self.parents_of(self._number_or_error(value)))
        if prop == "expressions" and op == "=" and _filter_flag(value) is not None:
            # whether post-coordinated expressions are members: an enumeration holds concepts only, all of them
            return self.all_numbers()
        if op == "=" and _is_sctid(prop) and _is_sctid(value):
            return self.attribute_numbers(int(prop), int(value))
        raise NotSupported(f"SNOMED CT filter '{prop} {op}' is not supported; supported: concept is-a, "
                           "descendent-of, is-not-a, child-of, in, =, generalizes; constraint = <ECL>; inactive =; "
                           "expressions =; moduleId =; parent =; child =; <attribute id> = <concept id>")

    def attribute_numbers(self, type_id: int, target: int) -> set[int]:
        """Concepts with an inferred relationship of type `type_id` to exactly `target` (any group): the
        value is not read with its descendants, as on tx.fhir.org. The target need not be a concept of the
        edition (a relationship may point outside a national extract), so it is matched by id."""
        rows = self.attribute_table().get(type_id)
        if rows is None:
            return set()
        dn = self.pos.get(str(target))
        if dn is not None:
            return {src for src, d in zip(rows[0], rows[2]) if d == dn}
        rels = self.rels
        return {src for src, d in zip(rows[0], rows[2]) if d == -1 and
                any(int(t) == type_id and int(dd) == target for _g, t, dd in rels.get(src, ()))}

    def filter_test(self, prop: str, op: str, value: str):
        """A predicate concept -> bool for one filter (membership tests without enumerating)."""
        pos = self.pos
        if prop in ("concept", "code") and op in ("is-a", "descendent-of", "is-not-a", "generalizes"):
            root = self._number_or_error(value)
            anc = self.ancestor_numbers
            if op == "is-a":
                return lambda c: (i := pos.get(c.code)) is not None and (i == root or root in anc(i))
            if op == "descendent-of":
                return lambda c: (i := pos.get(c.code)) is not None and i != root and root in anc(i)
            if op == "is-not-a":
                return lambda c: (i := pos.get(c.code)) is not None and i != root and root not in anc(i)
            above = set(anc(root)) | {root}
            return lambda c: pos.get(c.code) in above
        if prop == "expressions" and op == "=" and _filter_flag(value) is not None:
            # every active concept (as enumerated): asked about one, never built
            active = self.active
            return lambda c: (i := pos.get(c.code)) is not None and active[i] == 1
        names = [r.strip() for r in str(value).split(",")] if prop in ("concept", "code") and op == "in" else []
        if names and "*" not in names:
            # the members as held (a set, or a map refset's dict): asked about one concept, never copied
            refsets = [self.refsets.get(r) or self.maps.get(r) or () for r in names]
            return lambda c: (i := pos.get(c.code)) is not None and any(i in r for r in refsets)
        members = self.filter_numbers(prop, op, value)
        if not isinstance(value, str) or (op == "=" and prop in _UNKEPT_FILTERS) or \
                len(members) > _FILTER_CACHE_MEMBERS // 2:
            # held: one concept or its neighbours, or an answer the cache does not take (only in an edition
            # too large for keep_filter_tests, so such a test lives for one request)
            return lambda c: pos.get(c.code) in members
        return self._cached_members_test((prop, op, value), members)

    def _cached_members_test(self, key: tuple, members: frozenset):
        """A test of membership in filter_numbers(*key) that holds the members by a weak reference only: they
        stay the bounded filter cache's to keep or drop, so a test kept across requests (compose.py keeps an
        include's compiled rule per index: keep_filter_tests) pins no memory. Dropped members are
        evaluated (and cached) again on the next question."""
        pos = self.pos
        ref = weakref.ref(members)

        def test(c) -> bool:
            nonlocal ref
            got = ref()
            if got is None:
                got = self.filter_numbers(*key)
                ref = weakref.ref(got)
            # a concept of this index carries its number; any other is looked up by code
            return (c.seq if c.__class__ is SnomedConcept and c._ix is self else pos.get(c.code)) in got
        return test

    def filter_codes(self, prop: str, op: str, value: str) -> list[str]:
        codes = self.codes
        return [codes[i] for i in sorted(self.filter_numbers(prop, op, value))]
