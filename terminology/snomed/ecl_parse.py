"""ECL text -> tuple tree (the grammar half of terminology/snomed/ecl.py; see its docstring for the subset).

Tree shapes:
    ('id', '404684003')  ('any',)
    (op, t)              op in < << <! <<! > >> >! >>! !!< !!>  (long-syntax words become these symbols)
    ('member', t)        ^ / memberOf
    ('AND'|'OR'|'MINUS', a, b, ...)
    ('refine', focus, refinement)
    ('dot', t, attribute)                               t . attribute
    ('filter', t, (block, ...))                         t {{ ... }}; blocks from ecl_filters.parse_block
  refinements:
    ('attr', card, name, '='|'!=', value)   ('rattr', ...) the same with R (reverse)
    ('group', card, refinement)             ('AND'|'OR', r1, r2, ...)
"""
from __future__ import annotations

import re

from ..errors import InvalidRequest, NotSupported
from .ecl_budget import quote
from .ecl_filters import parse_block

_MAX_DEPTH = 100        # nesting of ( ), operators, dots and refinements together: bounds recursion and work

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/)
  | (?P<term>\|[^|]*\|)
  | (?P<card>\[\s*\d+\s*\.\.\s*(?:\d+|\*)\s*\])
  | (?P<filter>\{\{(?:"(?:[^"\\]|\\.)*"|[^"}]|\}(?!\}))*\}\})
  | (?P<op><<!|>>!|!!<|!!>|<<|>>|<!|>!|<|>|\^)
  | (?P<cmp>!=|=)
  | (?P<id>\d+)
  | (?P<word>[A-Za-z]+)
  | (?P<star>\*)
  | (?P<lpar>\()
  | (?P<rpar>\))
  | (?P<comma>,)
  | (?P<colon>:)
  | (?P<dot>\.)
  | (?P<lbrace>\{(?!\{))
  | (?P<rbrace>\}(?!\}))
  | (?P<unsupported>\{\{|\}\}|\[|\#|.)
""", re.X | re.S)
_CARD = re.compile(r"\[\s*(\d+)\s*\.\.\s*(\d+|\*)\s*\]")

# long syntax (case-insensitive) -> the token it stands for
_WORDS = {
    "and": ("bin", "AND"), "or": ("bin", "OR"), "minus": ("bin", "MINUS"),
    "descendantof": ("op", "<"), "descendantorselfof": ("op", "<<"),
    "childof": ("op", "<!"), "childorselfof": ("op", "<<!"),
    "ancestorof": ("op", ">"), "ancestororselfof": ("op", ">>"),
    "parentof": ("op", ">!"), "parentorselfof": ("op", ">>!"),
    "memberof": ("op", "^"), "any": ("star", "*"),
    "r": ("rev", "R"), "reverseof": ("rev", "R"),
}
_UNSUPPORTED_NAMES = {
    "{{": "an unterminated filter ('{{' without '}}')",
    "}}": "'}}' without '{{'",
    "[": "member field selection ('^ [fields]') or this cardinality form ('[..]')",
    "#": "concrete values ('#')",
}
SUPPORTED = ("supported: < << <! <<! > >> >! >>! !!< !!> ^ * (and their long-syntax words) AND OR MINUS , ( ) "
             "concept ids, dot notation, refinements ': [R] attr = value' with != , AND OR { } [min..max], "
             "and the description and concept filters '{{ D term/language/type/dialect/active = ... }}', "
             "'{{ C active/definitionStatus/moduleId/effectiveTime ... }}'")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        val = m.group()
        if kind in ("ws", "comment", "term"):
            continue
        if kind == "unsupported":
            what = _UNSUPPORTED_NAMES.get(val) or f"'{val}'"
            cls = InvalidRequest if val in ("{{", "}}") else NotSupported
            raise cls(f"ECL: {what} at position {m.start()} is not supported by this server; " + SUPPORTED
                      if cls is NotSupported else f"ECL: {what} at position {m.start()}")
        if kind == "word":
            got = _WORDS.get(val.lower())
            if got is None:
                raise NotSupported(f"ECL: the keyword '{val[:40]}' at position {m.start()} is not supported by "
                                   "this server; " + SUPPORTED)
            kind, val = got
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
        self.dots_taken = False     # whether the last dotted() read a dot (a dotted expression is not refined)

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None, len(self.text))

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def fail(self, msg: str):
        _kind, _val, pos = self.peek()
        raise InvalidRequest(f"ECL: {msg} at position {pos} in '{quote(self.text)}'")

    def deeper(self):
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            self.fail(f"nested more than {_MAX_DEPTH} levels deep")

    def expression(self):
        operands = [self.dotted()]
        if self.peek()[0] == "colon":
            if self.dots_taken:
                self.fail("put the dotted expression in parentheses before refining it with ':'")
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
                                     f"in '{quote(self.text)}'")
            op = val
            operands.append(self.dotted())
        if op is not None and self.peek()[0] == "colon":
            self.fail(f"put the '{op}' expression in parentheses before refining it with ':'")
        # a chain is one node, evaluated left to right, however long it is
        return operands[0] if op is None else (op, *operands)

    def dotted(self):
        """sub ( . attribute )*: each dot navigates to the attribute values of what is left of it."""
        tree = self.sub()
        depth = self.depth
        self.dots_taken = False
        try:
            while self.peek()[0] == "dot":
                self.take()
                self.dots_taken = True
                self.deeper()       # a chain nests its tree one level a dot
                tree = ("dot", tree, self.sub())
        finally:
            self.depth = depth
        return tree

    # --- refinements -------------------------------------------------------------------------------
    def refinement(self):
        items = [self.sub_refinement()]
        op = None
        while self.peek()[0] == "bin":
            _, val, pos = self.peek()
            if val == "MINUS":
                self.fail("MINUS is not allowed inside a refinement")
            if op is not None and val != op:
                raise InvalidRequest(f"ECL: '{op}' and '{val}' are mixed without parentheses at position {pos} "
                                     f"in '{quote(self.text)}'")
            self.take()
            op = val
            items.append(self.sub_refinement())
        return items[0] if op is None else (op, *items)

    def sub_refinement(self):
        self.deeper()
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
                                 f"in '{quote(self.text)}'")
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
        kind = "attr"
        if self.peek()[0] == "rev":
            _, _, pos = self.take()
            if self.in_group:
                raise NotSupported(f"ECL: reverse attributes inside an attribute group ('{{ R ... }}') at position "
                                   f"{pos} are not supported by this server: the group belongs to the other "
                                   "concept; write the reverse attribute outside '{ }'")
            kind = "rattr"
        if self.peek()[0] in ("lbrace", "card"):
            self.fail("expected an attribute")
        name = self.sub()
        tok, val, pos = self.peek()
        if tok == "cmp":
            self.take()
            return (kind, card, name, val, self.sub())
        if tok == "op" and val in ("<", ">", "<<", ">>"):
            raise NotSupported(f"ECL: concrete value comparisons ('{val}') at position {pos} are not supported "
                               "by this server; " + SUPPORTED)
        self.fail("expected '=' or '!=' after the attribute name")

    # --- sub-expressions ----------------------------------------------------------------------------
    def sub(self, filters: bool = True):
        self.deeper()
        try:
            tree = self._sub()
            if filters and self.peek()[0] == "filter":
                # filters apply to the whole sub-expression, its constraint operator included
                blocks = []
                while self.peek()[0] == "filter":
                    _, body, pos = self.take()
                    blocks.append(parse_block(body, pos, self.text))
                tree = ("filter", tree, tuple(blocks))
            return tree
        finally:
            self.depth -= 1

    def _sub(self):
        kind, val, _ = self.peek()
        if kind == "op":
            self.take()
            return ("member" if val == "^" else val, self.sub(filters=False))
        if kind == "id":
            self.take()
            if not 6 <= len(val) <= 18:
                raise InvalidRequest(f"ECL: '{val[:40]}' is not a SNOMED CT concept id (6 to 18 digits) "
                                     f"in '{quote(self.text)}'")
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
        if kind == "rev":
            self.fail("'R' (reverse) is allowed only before an attribute name in a refinement")
        self.fail(f"unexpected '{val}'")

    def parse(self):
        if not self.toks:
            raise InvalidRequest("ECL: the expression is empty")
        tree = self.expression()
        if self.i < len(self.toks):
            self.fail(f"unexpected '{self.peek()[1]}'")
        return tree


def parse(text: str):
    """The expression as a tuple tree (shapes in this module's docstring)."""
    if not isinstance(text, str):
        raise InvalidRequest("ECL: the expression must be a string")
    return _Parser(text).parse()
