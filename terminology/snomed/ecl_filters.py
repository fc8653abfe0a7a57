"""ECL filters `{{ ... }}`: description filters (`{{ term = "heart att" }}`, `{{ D language = no, type = syn }}`)
and concept filters (`{{ C active = true }}`), parsed from the filter's text and applied to a set of concept
numbers of a SnomedIndex.

A description filter keeps a concept when ONE of its descriptions meets every condition of the block (ECL:
the conditions of one `{{ D }}` describe one description). The index keeps the active descriptions with their
term, language refset tag, type (FSN / synonym / definition) and acceptability, so `term`, `language`, `type`,
`typeId`, `dialect`, `dialectId` (with an acceptability) and `active = true` can be answered; description `id`,
`moduleId` and `effectiveTime` are not kept and are refused by name, as are `active = false` (only active
descriptions are kept), member filters (`{{ M }}`) and history supplements (`{{ +HISTORY }}`). The index holds
one line per language refset a description is in; a block is checked against a description's lines together.

`term = "heart att"` matches as the $expand text filter does: every word of the search term is a prefix of a
word of the one description (case and diacritics folded, æ/ø/å typed as ae/oe/aa accepted);
`term = wild:"*itis"` is a whole-term wildcard match (a backslash-escaped star is a literal one; folded as
`match` folds), by a linear glob matcher; `("a" "b")` any of several.
"""
from __future__ import annotations

import re

from ..errors import InvalidRequest, NotSupported
from ..textsearch import any_prefix, fold, query_words, words
from . import constants as K
from .ecl_budget import charge, quote

_FTOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<cmp>!=|<=|>=|=|<|>)
  | (?P<word>[A-Za-z][A-Za-z0-9_-]*)
  | (?P<id>\d+)
  | (?P<term>\|[^|]*\|)
  | (?P<punct>[(),:+])
  | (?P<other>.)
""", re.X | re.S)
_TYPE_TOKENS = {"fsn": "F", "syn": "S", "def": "D"}
_TYPE_IDS = {"900000000000003001": "F", "900000000000013009": "S", "900000000000550004": "D"}
_ACCEPT_TOKENS = {"prefer": "P", "accept": "A", K.PREFERRED: "P", K.ACCEPTABLE: "A"}
_DEFINED = {"defined": 1, "primitive": 0, "900000000000073002": 1, "900000000000074008": 0}
_D_FIELDS = ("term", "language", "type", "typeid", "dialect", "dialectid", "active")
_C_FIELDS = ("active", "definitionstatus", "definitionstatusid", "moduleid", "effectivetime")
_NOT_KEPT = ("id", "moduleid", "effectivetime")
_FILTER_HELP = ("supported filters: {{ [D] term = \"words\" | wild:\"pat*\" | (\"a\" \"b\"), language =, type = "
                "syn|fsn|def, typeId =, dialect = en-us [(prefer|accept)], dialectId =, active = }} and "
                "{{ C active =, definitionStatus = primitive|defined, definitionStatusId =, moduleId =, "
                "effectiveTime =|!=|<|<=|>|>= \"YYYYMMDD\" }}")


class _Reader:
    def __init__(self, body: str, pos: int, text: str):
        self.pos0 = pos
        self.text = text
        self.toks = []
        for m in _FTOKEN.finditer(body):
            if m.lastgroup in ("ws", "term"):
                continue
            self.toks.append((m.lastgroup, m.group(), pos + m.start()))
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None, self.pos0)

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def fail(self, msg: str):
        pos = self.peek()[2]
        raise InvalidRequest(f"ECL: {msg} in the filter at position {pos} in '{quote(self.text)}'; " + _FILTER_HELP)

    def refuse(self, what: str):
        raise NotSupported(f"ECL: {what} at position {self.peek()[2]} is not supported by this server; "
                           + _FILTER_HELP)

    def values(self, one):
        """One value or a parenthesised, space-separated set of them."""
        if self.peek()[1] == "(":
            self.take()
            out = []
            while self.peek()[1] != ")":
                if self.peek()[0] is None:
                    self.fail("expected ')'")
                out.append(one())
            self.take()
            if not out:
                self.fail("an empty value set")
            return out
        return [one()]


def parse_block(raw: str, pos: int, text: str) -> tuple:
    """('D'|'C', ((field, op, values), ...)) for the text of one `{{ ... }}`."""
    r = _Reader(raw[2:-2], pos + 2, text)
    kind, val, _ = r.peek()
    if val == "+":
        r.refuse("history supplements ('{{ +HISTORY }}')")
    which = "D"
    if kind == "word" and val.upper() in ("C", "D", "M") and r.toks[1:2] and r.toks[1][0] == "word":
        which = val.upper()
        r.take()
    if which == "M":
        r.refuse("member filters ('{{ M ... }}')")
    conds = [_condition(r, which)]
    while r.peek()[1] == ",":
        r.take()
        conds.append(_condition(r, which))
    if r.peek()[0] is not None:
        r.fail(f"unexpected '{r.peek()[1]}'")
    return (which, tuple(conds))


def _condition(r: _Reader, which: str) -> tuple:
    kind, name, _ = r.peek()
    if kind != "word":
        r.fail("expected a filter name")
    field = name.lower()
    if which == "D" and field in _NOT_KEPT:
        r.refuse(f"the description filter '{name}' (this server does not keep description {name}s)")
    if field not in (_D_FIELDS if which == "D" else _C_FIELDS):
        if field in (_C_FIELDS if which == "D" else _D_FIELDS):
            r.fail(f"'{name}' is a {'concept' if which == 'D' else 'description'} filter: write "
                   f"'{{{{ {'C' if which == 'D' else 'D'} {name} ... }}}}'")
        r.refuse(f"the filter '{name}'")
    r.take()
    _, op, _ = r.take()
    if op is None or op not in ("=", "!=", "<", "<=", ">", ">="):
        r.fail(f"expected '=' or '!=' after '{name}'")
    if op not in ("=", "!=") and field != "effectivetime":
        r.fail(f"'{op}' is allowed only for effectiveTime")
    return (field, op, _value(r, which, field, op))


def _string(r: _Reader, raw: bool = False) -> str:
    """A quoted string's text; `raw` keeps the escapes (a wild pattern tells `\\*` from `*`)."""
    kind, val, _ = r.take()
    if kind != "str":
        r.i -= 1
        r.fail("expected a quoted string")
    return val[1:-1] if raw else re.sub(r"\\(.)", r"\1", val[1:-1])


def _word_or_id(r: _Reader) -> str:
    kind, val, _ = r.take()
    if kind not in ("word", "id"):
        r.i -= 1
        r.fail("expected a code or concept id")
    return val.lower()


_ID_FIELDS = ("typeid", "dialectid", "moduleid", "definitionstatusid")
_CONSTRAINT_START = ("<", ">", "<=", ">=", "^", "*", "!")


def _named(r, names: dict, what: str) -> frozenset:
    """The values of a filter that takes known words or ids (`names`: word or id -> what it stands for)."""
    vals = r.values(lambda: _word_or_id(r))
    bad = [v for v in vals if v not in names]
    if bad:
        r.fail(f"'{bad[0]}' is not {what}")
    return frozenset(names[v] for v in vals)


def _value(r: _Reader, which: str, field: str, op: str = "="):
    if field in _ID_FIELDS:
        # ECL allows a subexpression constraint here (`typeId = << 900000000000446008`): valid, so refused by
        # name (not a 400 for a malformed filter)
        first = r.peek()[1]
        nxt = r.toks[r.i + 1][1] if r.i + 1 < len(r.toks) else None
        if first in _CONSTRAINT_START or (first == "(" and (nxt in _CONSTRAINT_START or nxt == "(")):
            r.refuse(f"a constraint as the value of the filter '{field}' (give concept ids)")
    if field == "term":
        def one():
            kind, val, _ = r.peek()
            if kind == "word" and val.lower() in ("match", "wild") and r.toks[r.i + 1:r.i + 2] \
                    and r.toks[r.i + 1][1] == ":":
                r.take()
                r.take()
                if val.lower() == "wild":
                    return ("wild", _wild(_string(r, raw=True)))
                return ("match", _string(r))
            return ("match", _string(r))
        got = r.values(one)
        return tuple((k, s if k == "wild" else tuple(map(frozenset, query_words(s)))) for k, s in got)
    if field in ("active",):
        v = _word_or_id(r)
        if v not in ("true", "false", "1", "0"):
            r.fail("active takes true or false")
        flag = v in ("true", "1")
        if which == "D" and flag != (op == "="):
            # the index keeps active descriptions only: an answer here would be an empty set, not the truth
            r.refuse("the description filter 'active = false' (this server keeps active descriptions only)")
        return flag
    if field in ("type", "typeid"):
        names = _TYPE_TOKENS if field == "type" else _TYPE_IDS
        return _named(r, names, f"a description {field} this server knows ({', '.join(names)})")
    if field == "language":
        return frozenset(r.values(lambda: _word_or_id(r)))
    if field in ("dialect", "dialectid"):
        def one():
            v = _word_or_id(r)
            tag = K.LANGUAGE_REFSETS.get(v, v) if field == "dialectid" else v
            acc = None
            if r.peek()[1] == "(" and r.toks[r.i + 1:r.i + 2] and r.toks[r.i + 1][1].lower() in _ACCEPT_TOKENS:
                acc = frozenset(_ACCEPT_TOKENS[a] for a in r.values(lambda: _accept(r)))
            return (tag.lower(), acc)
        got = r.values(one)
        if r.peek()[1] == "(":          # one acceptability after the whole set applies to each
            acc = frozenset(_ACCEPT_TOKENS[a] for a in r.values(lambda: _accept(r)))
            got = [(t, a or acc) for t, a in got]
        return tuple(got)
    if field in ("definitionstatus", "definitionstatusid"):
        return _named(r, _DEFINED, "a definition status (primitive, defined or their ids)")
    if field == "moduleid":
        vals = r.values(lambda: _word_or_id(r))
        if not all(v.isdigit() for v in vals):
            r.refuse("a moduleId filter other than concept ids")
        return frozenset(vals)
    if field == "effectivetime":
        vals = r.values(lambda: _string(r))
        if not all(re.fullmatch(r"\d{8}", v) for v in vals):
            r.fail("effectiveTime takes \"YYYYMMDD\"")
        return tuple(int(v) for v in vals)
    raise AssertionError(field)


def _accept(r: _Reader) -> str:
    v = _word_or_id(r)
    if v not in _ACCEPT_TOKENS:
        r.fail(f"'{v}' is not an acceptability (prefer, accept or their ids)")
    return v


_ESCAPE_OR_STAR = re.compile(r"\\(.)|\*", re.S)
_NORDIC = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def _wild_fold(text: str) -> str:
    """Folded as `match:` folds (case, diacritics) with æ/ø/å spelt ae/oe/aa, so that a wild pattern typed
    either way meets a term written either way."""
    return fold(text).translate(_NORDIC)


def _wild(pattern: str) -> tuple[str, ...]:
    """The literal pieces between the wildcards of a raw wild pattern (escapes kept: `\\*` is a literal
    star), folded; a run of stars is one wildcard, so the pieces between them are never empty."""
    pieces, cur, last = [], [], 0
    for m in _ESCAPE_OR_STAR.finditer(pattern):
        cur.append(pattern[last:m.start()])
        last = m.end()
        if m.group(1) is not None:
            cur.append(m.group(1))
        else:
            pieces.append("".join(cur))
            cur = []
    cur.append(pattern[last:])
    pieces.append("".join(cur))
    pieces = [_wild_fold(p) for p in pieces]
    # collapse runs of '*': drop the empty middle pieces they leave (the ends mark an anchor or none)
    return (pieces[0], *[p for p in pieces[1:-1] if p], pieces[-1]) if len(pieces) > 1 else tuple(pieces)


def _wild_matches(pieces: tuple[str, ...], text: str) -> bool:
    """Whole-text glob match in linear time: the first piece a prefix, the last a suffix, the middle ones
    found left to right in between (taking each at its first place never loses a match, since a '*' sits
    on each side of it); a regex of '.*' pieces backtracks exponentially in the number of stars."""
    if len(pieces) == 1:
        return text == pieces[0]
    first, last = pieces[0], pieces[-1]
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    at = len(first)
    for p in pieces[1:-1]:
        k = text.find(p, at, end)
        if k < 0:
            return False
        at = k + len(p)
    return True


# --- evaluation ----------------------------------------------------------------------------------
def apply_block(ix, numbers: set[int], block: tuple) -> set[int]:
    which, conds = block
    if which == "C":
        charge(len(numbers))
        return {i for i in numbers if all(_concept_ok(ix, i, c) for c in conds)}
    candidates = numbers
    for field, op, value in conds:
        if field == "term" and op == "=" and all(k == "match" for k, _ in value):
            found = _term_candidates(ix, value)
            charge(min(len(candidates), len(found)))
            candidates = candidates & found
    # a concept's descriptions, split and matched one by one: against each term of a term set in turn
    terms = sum(len(value) * (1 + sum(k == "wild" for k, _ in value)) for field, _op, value in conds
                if field == "term")
    charge(32 * max(1, terms) * len(candidates))
    packed = ix.packed
    out = set()
    # a description has one line per language refset it is in, all with its term: each term is matched once
    # per concept (`seen`), not once per line, and only on lines the cheap conditions let through
    conds = sorted(conds, key=lambda c: c[0] == "term")
    matching_terms = any(field == "term" for field, _op, _v in conds)
    if all(op == "=" and field not in ("dialect", "dialectid") for field, op, _v in conds):
        # every condition reads what all lines of one description share (term, type, language family):
        # a line that meets them all is a description that does, with no grouping to pay for
        units, holds = _lines, _line_has
    else:
        units, holds = _descriptions, _description_ok
    for i in candidates:
        p = packed[i]
        if p:
            seen = {} if matching_terms else None
            if any(all(holds(u, c, seen) for c in conds) for u in units(p)):
                out.add(i)
    return out


def _lines(packed: str):
    return (tuple(e.split("\t")) for e in packed.split("\n"))


def _descriptions(packed: str) -> list[list[tuple[str, ...]]]:
    """A concept's packed lines grouped by description: the index writes one line per language refset a
    description is in (same term and type, its own tag and acceptability), and ECL's conditions of one block
    describe one description, so `dialect = nb-no, dialect = nn-no` needs both of one description's lines and
    `dialect != en-us` none of them. Lines are told apart by term and type: the index keeps no description
    id, so two descriptions of one concept with the same term and type count as one."""
    by: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for e in packed.split("\n"):
        line = tuple(e.split("\t"))
        by.setdefault((line[0], line[2]), []).append(line)
    return list(by.values())


def _term_candidates(ix, value) -> set[int]:
    """Concepts that have every word of one of the search terms somewhere among their terms: a superset of the
    answer, found in the edition's word index instead of by reading every concept's descriptions."""
    out: set[int] = set()
    for _k, qw in value:
        if qw:
            # each search term's own word-index slices (match_all reads every slice of every word), not one
            # charge for the whole set of terms
            charge(ix.term_words_cost(qw))
            got = ix.term_word_numbers(qw)
        else:
            got = set(range(len(ix.codes)))
        charge(len(got))
        out |= got
    return out


def _term_matches(term: str, value) -> bool:
    pool = wild = None
    for kind, q in value:
        if kind == "wild":
            if wild is None:
                wild = _wild_fold(term)
            if _wild_matches(q, wild):
                return True
            continue
        if pool is None:
            pool = words(term)        # as the $expand text filter reads a display
        if all(any_prefix(variants, pool) for variants in q):
            return True
    return False


def _description_ok(lines: list[tuple[str, ...]], cond, seen: dict | None = None) -> bool:
    """Whether one description (its lines, one per language refset) meets `cond`; `!=` holds when no line
    has the value."""
    got = any(_line_has(line, cond, seen) for line in lines)
    return got if cond[1] == "=" else not got


def _line_has(line: tuple[str, ...], cond, seen: dict | None = None) -> bool:
    """Whether one line has `cond`'s value; `seen` remembers term matches ((term, condition) -> answer) across
    the lines of one concept, whose descriptions repeat their term on each of their lines."""
    field, _op, value = cond
    term, tag, typ, acc = line
    if field == "term":
        if seen is None:
            return _term_matches(term, value)
        key = (term, id(value))
        got = seen.get(key)
        if got is None:
            got = seen[key] = _term_matches(term, value)
    elif field == "language":
        lang = tag.split("-")[0].lower()
        # RF2 writes Norwegian descriptions as 'no'; their language refsets tag them bokmål or nynorsk
        got = lang in value or ("no" in value and lang in ("nb", "nn"))
    elif field in ("type", "typeid"):
        got = typ in value
    elif field in ("dialect", "dialectid"):
        got = any(tag.lower() == t and (a is None or acc in a) for t, a in value)
    elif field == "active":
        got = value            # only active descriptions are kept (`active = false` is refused when parsed)
    else:
        raise AssertionError(field)
    return got


def _concept_ok(ix, i: int, cond) -> bool:
    field, op, value = cond
    if field == "active":
        got = bool(ix.active[i]) == value
    elif field in ("definitionstatus", "definitionstatusid"):
        got = ix.defined[i] in value
    elif field == "moduleid":
        got = ix.modules[ix.module[i]] in value
    else:   # effectiveTime
        t = ix.eff[i]
        cmp = {"=": t.__eq__, "!=": t.__eq__, "<": t.__lt__, "<=": t.__le__, ">": t.__gt__, ">=": t.__ge__}[op]
        got = any(cmp(v) for v in value)
        return not got if op == "!=" else got
    return got if op == "=" else not got
