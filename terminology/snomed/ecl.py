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

Different binary operators may not be mixed without parentheses (as ECL says).
Everything else (refinements `:`, dot notation, cardinality, filters `{{ }}`,
descendant words such as `descendantOf`, concrete values, member fields) is
refused with NotSupported naming the construct, not silently ignored.

`parse` gives a small tuple tree; `evaluate(index, text)` returns the set of
concept numbers of a SnomedIndex.
"""
from __future__ import annotations

import re

from ..errors import InvalidRequest, NotSupported

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/)
  | (?P<term>\|[^|]*\|)
  | (?P<op><<!|>>!|<<|>>|<!|>!|!!<|!!>|<|>|\^)
  | (?P<id>\d+)
  | (?P<word>(?i:AND|OR|MINUS)\b)
  | (?P<star>\*)
  | (?P<lpar>\()
  | (?P<rpar>\))
  | (?P<comma>,)
  | (?P<unsupported>\{\{|:|\.|\[|\{|=|!=|\#|[A-Za-z]+|.)
""", re.X | re.S)

_UNSUPPORTED_NAMES = {
    ":": "refinements (':')",
    ".": "dot notation ('.')",
    "[": "cardinality ('[..]')",
    "{{": "filters ('{{ }}')",
    "{": "attribute groups ('{ }')",
    "=": "attribute comparison ('=')",
    "!=": "attribute comparison ('!=')",
    "#": "concrete values ('#')",
    "!!<": "bottom/top of set ('!!<', '!!>')",
    "!!>": "bottom/top of set ('!!<', '!!>')",
    "<<!": "'<<!' (child or self)",
    ">>!": "'>>!' (parent or self)",
}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        val = m.group()
        if kind in ("ws", "comment", "term"):
            continue
        if kind == "unsupported":
            what = _UNSUPPORTED_NAMES.get(val) or (f"the keyword '{val}'" if val.isalpha() else f"'{val}'")
            raise NotSupported(f"ECL: {what} at position {m.start()} is not supported by this server; "
                               "supported: < << <! > >> >! ^ * AND OR MINUS , ( ) and concept ids")
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
        op = None
        while self.peek()[0] == "bin":
            _, val, pos = self.take()
            if op is not None and val != op:
                raise InvalidRequest(f"ECL: '{op}' and '{val}' are mixed without parentheses at position {pos} "
                                     f"in '{_quote(self.text)}'")
            op = val
            operands.append(self.sub())
        # a chain is one node, evaluated left to right, however long it is
        return operands[0] if op is None else (op, *operands)

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


def evaluate(ix, text: str) -> set[int]:
    """Concept numbers of SnomedIndex `ix` that satisfy the expression constraint `text`."""
    return _eval(ix, parse(text))
