"""Evaluation of an ECL tuple tree (terminology/snomed/ecl_parse.py) over a SnomedIndex: sets of concept numbers.

Hierarchy operators walk the CSR parents/children; refinements, reverse attributes and dot notation read the
index's attribute table (relationships by type, sources ascending); filters are in ecl_filters.py.
"""
from __future__ import annotations

from bisect import bisect_left

from ..errors import InvalidRequest
from .ecl_budget import budget, charge
from .ecl_filters import apply_block
from .ecl_parse import parse

_IS_A = 116680003
_ANY_COUNT = (1, None)
_HIERARCHY = ("<", "<<", "<!", "<<!", ">", ">>", ">!", ">>!", "!!<", "!!>")


def _eval(ix, tree) -> set[int]:
    kind = tree[0]
    if kind == "id":
        i = ix.pos.get(tree[1])
        if i is None:
            raise InvalidRequest(f"ECL: concept {tree[1]} is not in SNOMED CT {ix.version}")
        charge(1)
        return {i}
    if kind == "any":
        charge(len(ix.codes))
        return ix.all_numbers(active_only=True)
    if kind in ("AND", "OR", "MINUS"):
        got = _eval(ix, tree[1])
        for operand in tree[2:]:
            b = _eval(ix, operand)
            charge(len(got) + len(b))       # a new set: both operands are read (and the left one copied)
            got = got & b if kind == "AND" else (got | b if kind == "OR" else got - b)
        return got
    if kind == "refine":
        return _refine(ix, tree[2], _eval(ix, tree[1]))
    if kind == "dot":
        return _attribute_values(ix, _eval(ix, tree[1]), tree[2])
    if kind == "filter":
        got = _eval(ix, tree[1])
        for block in tree[2]:
            got = apply_block(ix, got, block)
        return got
    if kind == "member":
        inner = tree[1]
        if inner[0] == "any":
            got = ix.refset_numbers("*")
            charge(len(got))
            return got
        out: set[int] = set()
        for r in _eval(ix, inner):
            members = ix.refset_numbers(ix.codes[r])
            charge(len(members) + 1)        # the refset added, not the running total (that is quadratic)
            out |= members
        return out
    if kind == "!!>":
        return _top(ix, _eval(ix, tree[1]))
    if kind == "!!<":
        return _bottom(ix, _eval(ix, tree[1]))
    focus_tree = tree[1]
    self_too = kind in ("<<", ">>", "<<!", ">>!")
    if focus_tree[0] == "any":
        charge(2 * len(ix.codes))           # every concept read, then (all but roots or leaves) kept
        everything = ix.all_numbers(active_only=True)
        if self_too:
            return everything
        if kind in ("<", "<!"):
            return {i for i in everything if ix.p_start[i] != ix.p_start[i + 1]}     # all but the roots
        return {i for i in everything if ix.c_start[i] != ix.c_start[i + 1]}         # all but the leaves
    out = set()
    for f in _eval(ix, focus_tree):
        if kind in ("<", "<<"):
            got = ix.descendant_numbers(f)
        elif kind in ("<!", "<<!"):
            got = ix.children_of(f)
        elif kind in (">", ">>"):
            got = ix.ancestor_numbers(f)
        else:   # >! >>!
            got = ix.parents_of(f)
        charge(len(got) + 1)
        out.update(got)
        if self_too:
            out.add(f)
    return out


def _bottom(ix, members: set[int]) -> set[int]:
    """The members none of whose descendants is a member: the members minus every proper ancestor of one,
    found by one walk up from the members (each concept visited once)."""
    above: set[int] = set()
    stack = [p for m in members for p in ix.parents_of(m)]
    charge(len(members) + len(stack))
    while stack:
        n = stack.pop()
        if n not in above:
            above.add(n)
            stack.extend(ix.parents_of(n))
    charge(len(above))
    return members - above


def _top(ix, members: set[int]) -> set[int]:
    """The members none of whose ancestors is a member, by one memoised walk up (each concept visited once)."""
    reaches: dict[int, bool] = {}       # concept -> it or one of its ancestors is a member
    parents_of = ix.parents_of

    def reach(n: int) -> bool:
        # iterative post-order, so neither a deep hierarchy nor a cycle in bad data can recurse without end
        stack, busy = [n], set()
        while stack:
            c = stack[-1]
            if c in reaches:
                stack.pop()
                continue
            if c in members:
                reaches[c] = True
                stack.pop()
                continue
            busy.add(c)
            pending = [p for p in parents_of(c) if p not in reaches and p not in busy]
            if pending:
                stack.extend(pending)
                continue
            reaches[c] = any(reaches.get(p, False) for p in parents_of(c))
            stack.pop()
        return reaches[n]
    got = {m for m in members if not any(reach(p) for p in parents_of(m))}
    charge(len(members) + len(reaches))
    return got


# --- refinements ---------------------------------------------------------------------------------
def _refine(ix, node, focus: set[int]) -> set[int]:
    """The members of `focus` that satisfy refinement `node`."""
    kind = node[0]
    if kind == "AND":
        got = focus
        for item in node[1:]:
            got = _refine(ix, item, got)     # each conjunct only looks at what the previous ones kept
        return got
    if kind == "OR":
        out: set[int] = set()
        for item in node[1:]:
            out |= _refine(ix, item, focus)
        return out
    if kind == "group":
        counts: dict[int, int] = {}
        for src, _g in _in_group(ix, node[2], focus):
            counts[src] = counts.get(src, 0) + 1
        return _within(focus, counts, node[1] or _ANY_COUNT)
    _, card, _name, _op, _value = node
    card = card or _ANY_COUNT
    matches = _reverse_matches(ix, node, focus) if kind == "rattr" else _matches(ix, node, focus)
    if card == _ANY_COUNT:
        return {m[0] for m in matches}
    # a concept's distinct attribute-value pairs (reverse: the distinct attribute-source pairs)
    pairs = {(f, t, other) for f, _g, t, other in matches}
    counts = {}
    for f, _t, _o in pairs:
        counts[f] = counts.get(f, 0) + 1
    return _within(focus, counts, card)


def _in_group(ix, node, focus: set[int]) -> set[tuple[int, int]]:
    """(concept, group key) pairs of `focus` whose group satisfies `node` on its own."""
    kind = node[0]
    if kind == "AND":
        got = _in_group(ix, node[1], focus)
        for item in node[2:]:
            if not got:
                break
            got &= _in_group(ix, item, {src for src, _g in got})
        return got
    if kind == "OR":
        out: set[tuple[int, int]] = set()
        for item in node[1:]:
            out |= _in_group(ix, item, focus)
        return out
    card = node[1] or _ANY_COUNT
    counts: dict[tuple[int, int], int] = {}
    for src, g, _t, _d in _matches(ix, node, focus):
        counts[(src, g)] = counts.get((src, g), 0) + 1
    lo, hi = card
    if lo > 0:
        return {k for k, c in counts.items() if c >= lo and (hi is None or c <= hi)}
    # [0..n]: groups without any match count too, so every group of every focus concept is a candidate
    charge(len(focus))
    return {(src, g) for src in focus for g in ix.group_keys(src)
            if hi is None or counts.get((src, g), 0) <= hi}


def _within(focus: set[int], counts: dict[int, int], card) -> set[int]:
    lo, hi = card
    charge(len(focus) if lo == 0 else len(counts))
    if lo == 0:
        return set(focus) if hi is None else {f for f in focus if counts.get(f, 0) <= hi}
    return {f for f, c in counts.items() if c >= lo and (hi is None or c <= hi)}


def _types(ix, table, name) -> list[int]:
    if name[0] == "any":
        charge(len(table))
        return [t for t in table if t != _IS_A]     # '*' stands for the defining attributes, not is-a
    if name[0] == "id":
        # the relationships are the authority on attribute ids: a small extract may lack the type concept
        return [int(name[1])]
    names = _eval(ix, name)
    charge(len(names))          # each turned into an id and looked up in the table by the caller
    return [int(c) for c in (ix.codes[i] for i in names) if c.isdigit()]


def _rows_from(src, sources: set[int]):
    """Indexes of the rows (of one type) whose source is in `sources`: by bisection for a few sources
    (sources are ascending within a type), by one scan for many."""
    if len(sources) * 16 < len(src):
        charge(len(sources))
        for f in sources:
            k = bisect_left(src, f)
            while k < len(src) and src[k] == f:
                yield k
                k += 1
    else:
        charge(len(src))
        for k, s in enumerate(src):
            if s in sources:
                yield k


def _attribute_parts(ix, node):
    """(type, (sources, groups, destinations)) of each type attribute `node` names, the set its value
    constraint selects (None: any) and whether it is negated ('!='); None when it can select nothing."""
    _, _card, name, op, value = node
    table = ix.attribute_table()
    types = _types(ix, table, name)
    wanted = None if value[0] == "any" else _eval(ix, value)
    negate = op == "!="
    if wanted is None and negate:
        return None
    return [(t, table[t]) for t in types if t in table], wanted, negate


def _matches(ix, node, focus: set[int]):
    """(source, group key, type, destination) of every relationship of a focus concept that satisfies
    attribute `node`: its type among the attribute's, its destination in the value set (or, for '!=',
    outside it)."""
    parts = _attribute_parts(ix, node)
    if parts is None:
        return []
    rows_by_type, values, negate = parts
    out = []
    for t, (src, grp, dst) in rows_by_type:
        for k in _rows_from(src, focus):
            d = dst[k]
            if values is None or (d in values) != negate:
                out.append((src[k], grp[k], t, d))
    return out


def _reverse_matches(ix, node, focus: set[int]):
    """(focus concept, group key, type, source) of every relationship whose DESTINATION is a focus concept,
    of the attribute's type, from a source in the value set (or, for '!=', outside it)."""
    parts = _attribute_parts(ix, node)
    if parts is None:
        return []
    rows_by_type, sources, negate = parts
    out = []
    for t, (src, grp, dst) in rows_by_type:
        if sources is None or negate:
            charge(len(src))
            ks = range(len(src))
        else:
            ks = _rows_from(src, sources)
        for k in ks:
            d = dst[k]
            if d in focus and (sources is None or (src[k] in sources) != negate):
                out.append((d, grp[k], t, src[k]))
    return out


def _attribute_values(ix, focus: set[int], name) -> set[int]:
    """Dot notation: the destinations of the `name` relationships of the focus concepts (those in the edition
    and active)."""
    table = ix.attribute_table()
    out: set[int] = set()
    for t in _types(ix, table, name):
        rows = table.get(t)
        if rows is None:
            continue
        src, _grp, dst = rows
        out.update(dst[k] for k in _rows_from(src, focus))
    out.discard(-1)
    charge(len(out))
    active = ix.active
    # ECL's values range over active concepts (as `*` does): an inactive destination is no answer
    return {d for d in out if active[d]}


def evaluate(ix, text: str) -> set[int]:
    """Concept numbers of SnomedIndex `ix` that satisfy the expression constraint `text`."""
    tree = parse(text)
    unknown_concepts_first(ix, tree)
    with budget(text):
        return _eval(ix, tree)


def unknown_concepts_first(ix, tree) -> None:
    """Raise at once the error `_eval` raises for the first concept that is not in the edition: without this
    check, `<< 404684003 MINUS << 1234` builds the large set on the left before it finds the unknown concept,
    on every request (an error is never remembered). The ids are visited in `_eval`'s order, up to the first
    node whose evaluation can fail in another way (a refinement, a refset, a dot), so the error is the same."""
    def walk(t) -> bool:        # False: stop, what follows is left to _eval
        kind = t[0]
        if kind == "id":
            if ix.pos.get(t[1]) is None:
                raise InvalidRequest(f"ECL: concept {t[1]} is not in SNOMED CT {ix.version}")
            return True
        if kind == "any":
            return True
        if kind in ("AND", "OR", "MINUS"):
            return all(walk(operand) for operand in t[1:])
        if kind in _HIERARCHY or kind == "filter":
            return walk(t[1])
        if kind in ("refine", "member", "dot"):
            walk(t[1])
        return False
    walk(tree)
