"""A subset of the SNOMED CT Expression Constraint Language (ECL 2.x), parsed and evaluated.

Supported:
    conceptId [|term|]        a concept
    *                         any (active) concept
    < x   << x   <! x         descendants, descendants or self, children
    > x   >> x   >! x         ancestors, ancestors or self, parents
    ^ x                       members of reference set x (x may be a nested constraint or *)
    a AND b, a , b            conjunction
    a OR b                    disjunction
    a MINUS b                 exclusion
    ( ... )                   nesting; a constraint operator may precede a nested expression
    focus : refinement        attribute refinement, evaluated on the inferred relationships:
        [card] attr = value       attr and value are sub-expressions (`<< 363698007`, `*`, `(a OR b)`),
        [card] attr != value      `!=`: some attr relationship whose value is outside `value`
        a , b   a AND b   a OR b  conjunction / disjunction of attributes, `( )` to nest
        [card] { a = x, b = y }   an attribute group: all of it satisfied within one relationship group

Cardinality is `[min..max]` (max may be `*`; the default is [1..*]). Outside a group it counts the
distinct attribute-value pairs a concept has across all its groups; inside a group, the relationships of
that group; before `{` the groups. Group 0 is no group: each of its relationships is a group of its own.

Different binary operators may not be mixed without parentheses (as ECL says), and a refined expression
is combined with others only inside parentheses. Everything else (dot notation, filters `{{ }}`, reverse
attributes `R`, concrete values `#`, descendant words such as `descendantOf`, member fields) is refused
with NotSupported naming the construct, not silently ignored.

`parse` gives a small tuple tree; `evaluate(index, text)` returns the set of
concept numbers of a SnomedIndex.
"""
from __future__ import annotations

import re
from bisect import bisect_left

from ..errors import InvalidRequest, NotSupported

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/)
  | (?P<term>\|[^|]*\|)
  | (?P<card>\[\s*\d+\s*\.\.\s*(?:\d+|\*)\s*\])
  | (?P<op><<!|>>!|<<|>>|<!|>!|!!<|!!>|<|>|\^)
  | (?P<cmp>!=|=)
  | (?P<id>\d+)
  | (?P<word>(?i:AND|OR|MINUS)\b)
  | (?P<star>\*)
  | (?P<lpar>\()
  | (?P<rpar>\))
  | (?P<comma>,)
  | (?P<colon>:)
  | (?P<lbrace>\{(?!\{))
  | (?P<rbrace>\}(?!\}))
  | (?P<unsupported>\{\{|\}\}|\.|\[|\#|[A-Za-z]+|.)
""", re.X | re.S)
_CARD = re.compile(r"\[\s*(\d+)\s*\.\.\s*(\d+|\*)\s*\]")

_UNSUPPORTED_NAMES = {
    ".": "dot notation ('.')",
    "[": "this cardinality or member field form ('[..]')",
    "{{": "filters ('{{ }}')",
    "}}": "filters ('{{ }}')",
    "#": "concrete values ('#')",
    "R": "reverse attributes ('R')",
    "!!<": "bottom/top of set ('!!<', '!!>')",
    "!!>": "bottom/top of set ('!!<', '!!>')",
    "<<!": "'<<!' (child or self)",
    ">>!": "'>>!' (parent or self)",
}
_SUPPORTED = ("supported: < << <! > >> >! ^ * AND OR MINUS , ( ) concept ids, and refinements "
              "': attr = value' with != , AND OR { } [min..max]")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        val = m.group()
        if kind in ("ws", "comment", "term"):
            continue
        if kind == "unsupported":
            what = (_UNSUPPORTED_NAMES.get(val) or _UNSUPPORTED_NAMES.get(val.upper())
                    or (f"the keyword '{val}'" if val.isalpha() else f"'{val}'"))
            raise NotSupported(f"ECL: {what} at position {m.start()} is not supported by this server; "
                               + _SUPPORTED)
        if kind == "op" and val in _UNSUPPORTED_NAMES:
            raise NotSupported(f"ECL: {_UNSUPPORTED_NAMES[val]} at position {m.start()} is not supported")
        if kind == "word":
            kind, val = "bin", val.upper()
        elif kind == "comma":
            kind, val = "bin", "AND"
        out.append((kind, val, m.start()))
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0
        self.in_group = False

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None, len(self.text))

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def fail(self, msg: str):
        _kind, _val, pos = self.peek()
        raise InvalidRequest(f"ECL: {msg} at position {pos} in '{_quote(self.text)}'")

    def expression(self):
        operands = [self.sub()]
        if self.peek()[0] == "colon":
            self.take()
            tree = ("refine", operands[0], self.refinement())
            if self.peek()[0] == "bin":
                self.fail("a refined expression must be in parentheses to be combined with "
                          f"'{self.peek()[1]}'")
            return tree
        op = None
        while self.peek()[0] == "bin":
            _, val, pos = self.take()
            if op is not None and val != op:
                raise InvalidRequest(f"ECL: '{op}' and '{val}' are mixed without parentheses at position {pos} "
                                     f"in '{_quote(self.text)}'")
            op = val
            operands.append(self.sub())
        if op is not None and self.peek()[0] == "colon":
            self.fail(f"put the '{op}' expression in parentheses before refining it with ':'")
        # a chain is one node, evaluated left to right, however long it is
        return operands[0] if op is None else (op, *operands)

    # --- refinements: the same tuple shapes, evaluated by _refine/_in_group instead of _eval -------
    def refinement(self):
        items = [self.sub_refinement()]
        op = None
        while self.peek()[0] == "bin":
            _, val, pos = self.peek()
            if val == "MINUS":
                self.fail("MINUS is not allowed inside a refinement")
            if op is not None and val != op:
                raise InvalidRequest(f"ECL: '{op}' and '{val}' are mixed without parentheses at position {pos} "
                                     f"in '{_quote(self.text)}'")
            self.take()
            op = val
            items.append(self.sub_refinement())
        return items[0] if op is None else (op, *items)

    def sub_refinement(self):
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            self.fail(f"nested more than {_MAX_DEPTH} levels deep")
        try:
            kind = self.peek()[0]
            after = self.toks[self.i + 1][0] if self.i + 1 < len(self.toks) else None
            if kind == "lbrace" or (kind == "card" and after == "lbrace"):
                return self.group()
            if kind == "lpar":
                # '(' opens either nested refinements or an attribute name such as (a OR b) = x: try the
                # first, fall back to the second
                start = self.i
                try:
                    self.take()
                    inner = self.refinement()
                    if self.peek()[0] == "rpar":
                        self.take()
                        return inner
                except NotSupported:
                    raise
                except InvalidRequest:
                    pass
                self.i = start
            return self.attribute()
        finally:
            self.depth -= 1

    def cardinality(self):
        if self.peek()[0] != "card":
            return None
        _, val, _ = self.take()
        m = _CARD.fullmatch(val)
        lo, hi = int(m.group(1)), (None if m.group(2) == "*" else int(m.group(2)))
        if hi is not None and hi < lo:
            raise InvalidRequest(f"ECL: cardinality {val} has its maximum below its minimum "
                                 f"in '{_quote(self.text)}'")
        return (lo, hi)

    def group(self):
        card = self.cardinality()
        if self.in_group:
            self.fail("attribute groups cannot be nested")
        self.take()     # '{'
        self.in_group = True
        try:
            inner = self.refinement()
        finally:
            self.in_group = False
        if self.peek()[0] != "rbrace":
            self.fail("expected '}'")
        self.take()
        return ("group", card, inner)

    def attribute(self):
        card = self.cardinality()
        if self.peek()[0] in ("lbrace", "card"):
            self.fail("expected an attribute")
        name = self.sub()
        kind, val, pos = self.peek()
        if kind == "cmp":
            self.take()
            return ("attr", card, name, val, self.sub())
        if kind == "op" and val in ("<", ">"):
            raise NotSupported(f"ECL: concrete value comparisons ('{val}') at position {pos} are not supported "
                               "by this server; " + _SUPPORTED)
        self.fail("expected '=' or '!=' after the attribute name")

    def sub(self):
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            self.fail(f"nested more than {_MAX_DEPTH} levels deep")
        try:
            return self._sub()
        finally:
            self.depth -= 1

    def _sub(self):
        kind, val, _ = self.peek()
        if kind == "op":
            self.take()
            if val == "^":
                return ("member", self.sub())
            return (val, self.sub())
        if kind == "id":
            self.take()
            if not 6 <= len(val) <= 18:
                raise InvalidRequest(f"ECL: '{val[:40]}' is not a SNOMED CT concept id (6 to 18 digits) "
                                     f"in '{_quote(self.text)}'")
            return ("id", val)
        if kind == "star":
            self.take()
            return ("any",)
        if kind == "lpar":
            self.take()
            inner = self.expression()
            if self.peek()[0] != "rpar":
                self.fail("expected ')'")
            self.take()
            return inner
        if kind is None:
            self.fail("the expression ends where a concept was expected")
        self.fail(f"unexpected '{val}'")

    def parse(self):
        if not self.toks:
            raise InvalidRequest("ECL: the expression is empty")
        tree = self.expression()
        if self.i < len(self.toks):
            self.fail(f"unexpected '{self.peek()[1]}'")
        return tree


_MAX_DEPTH = 100


def _quote(text: str) -> str:
    # messages quote the expression, but never echo a huge one back whole
    return text if len(text) <= 200 else text[:200] + "…"


def parse(text: str):
    """The expression as a tuple tree: ('id', x), ('any',), ('<<', t), ('member', t), ('AND', a, b, ...), ..."""
    if not isinstance(text, str):
        raise InvalidRequest("ECL: the expression must be a string")
    return _Parser(text).parse()


def _focus_numbers(ix, tree) -> set[int]:
    return _eval(ix, tree)


def _eval(ix, tree) -> set[int]:
    kind = tree[0]
    if kind == "id":
        i = ix.pos.get(tree[1])
        if i is None:
            raise InvalidRequest(f"ECL: concept {tree[1]} is not in SNOMED CT {ix.version}")
        return {i}
    if kind == "any":
        return ix.all_numbers(active_only=True)
    if kind in ("AND", "OR", "MINUS"):
        got = _eval(ix, tree[1])
        for operand in tree[2:]:
            b = _eval(ix, operand)
            got = got & b if kind == "AND" else (got | b if kind == "OR" else got - b)
        return got
    if kind == "refine":
        return _refine(ix, tree[2], _eval(ix, tree[1]))
    if kind == "member":
        inner = tree[1]
        if inner[0] == "any":
            return ix.refset_numbers("*")
        out: set[int] = set()
        for r in _eval(ix, inner):
            out |= ix.refset_numbers(ix.codes[r])
        return out
    focus_tree = tree[1]
    if focus_tree[0] == "any":
        everything = ix.all_numbers(active_only=True)
        if kind in ("<<", ">>"):
            return everything
        roots = {i for i in everything if ix.p_start[i] == ix.p_start[i + 1]}
        leaves = {i for i in everything if ix.c_start[i] == ix.c_start[i + 1]}
        return {"<": everything - roots, ">": everything - leaves,
                "<!": everything - roots, ">!": everything - leaves}[kind]
    out = set()
    for f in _eval(ix, focus_tree):
        if kind == "<":
            out |= ix.descendant_numbers(f)
        elif kind == "<<":
            out |= ix.descendant_numbers(f)
            out.add(f)
        elif kind == "<!":
            out.update(ix.children_of(f))
        elif kind == ">":
            out |= ix.ancestor_numbers(f)
        elif kind == ">>":
            out |= ix.ancestor_numbers(f)
            out.add(f)
        elif kind == ">!":
            out.update(ix.parents_of(f))
    return out


# --- refinements ---------------------------------------------------------------------------------
_ANY_COUNT = (1, None)


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
    if card == _ANY_COUNT:
        return {m[0] for m in _matches(ix, node, focus)}
    pairs = {(src, t, d) for src, _g, t, d in _matches(ix, node, focus)}
    counts = {}
    for src, _t, _d in pairs:
        counts[src] = counts.get(src, 0) + 1
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
    return {(src, g) for src in focus for g in ix.group_keys(src)
            if hi is None or counts.get((src, g), 0) <= hi}


def _within(focus: set[int], counts: dict[int, int], card) -> set[int]:
    lo, hi = card
    if lo == 0:
        return set(focus) if hi is None else {f for f in focus if counts.get(f, 0) <= hi}
    return {f for f, c in counts.items() if c >= lo and (hi is None or c <= hi)}


def _matches(ix, node, focus: set[int]):
    """(source, group key, type, destination) of every relationship of a focus concept that satisfies
    attribute `node`: its type among the attribute's, its destination in the value set (or, for '!=',
    outside it)."""
    _, _card, name, op, value = node
    table = ix.attribute_table()
    if name[0] == "any":
        types = [t for t in table if t != _IS_A]     # '*' stands for the defining attributes, not is-a
    elif name[0] == "id":
        # the relationships are the authority on attribute ids: a small extract may lack the type concept
        types = [int(name[1])]
    else:
        types = [int(c) for c in (ix.codes[i] for i in _eval(ix, name)) if c.isdigit()]
    values = None if value[0] == "any" else _eval(ix, value)
    negate = op == "!="
    if values is None and negate:
        return []
    out = []
    for t in types:
        rows = table.get(t)
        if rows is None:
            continue
        src, grp, dst = rows
        if len(focus) * 16 < len(src):
            # a small focus: find its rows by bisection (sources are ascending within a type)
            ks = []
            for f in focus:
                k = bisect_left(src, f)
                while k < len(src) and src[k] == f:
                    ks.append(k)
                    k += 1
        else:
            ks = [k for k, s in enumerate(src) if s in focus]
        for k in ks:
            d = dst[k]
            if values is None or (d in values) != negate:
                out.append((src[k], grp[k], t, d))
    return out


_IS_A = 116680003


def evaluate(ix, text: str) -> set[int]:
    """Concept numbers of SnomedIndex `ix` that satisfy the expression constraint `text`."""
    tree = parse(text)
    _unknown_concepts_first(ix, tree)
    return _eval(ix, tree)


_HIERARCHY = ("<", "<<", "<!", ">", ">>", ">!")


def _unknown_concepts_first(ix, tree) -> None:
    """Raise at once the error `_eval` raises for the first concept that is not in the edition: without this
    check, `<< 404684003 MINUS << 1234` builds the large set on the left before it finds the unknown concept,
    on every request (an error is never remembered). The ids are visited in `_eval`'s order, up to the first
    node whose evaluation can fail in another way (a refinement, a refset), so the error is the same."""
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
        if kind in _HIERARCHY:
            return walk(t[1])
        if kind in ("refine", "member"):
            walk(t[1])
        return False
    walk(tree)
