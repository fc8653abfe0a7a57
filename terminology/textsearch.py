"""Text search over concepts: the matcher behind $expand `filter`.

Matching rule (one rule, two implementations that must agree):
  - the filter matches when it is a prefix of the code (case-insensitive, with
    or without the dots of ICD-10 style codes), or
  - every word of the filter is a prefix of some word of the display or of a
    designation, in any order.

Folding: case-insensitive; diacritics are dropped (é→e, ü→u) but the Norwegian
letters æ, ø, å stay letters of their own, because "fore" and "føre" are
different words. Typists without those keys write "ae", "oe", "aa" (or the
Swedish/German ä, ö): a filter word is also tried with those spellings turned
back into æ, ø, å.

`TextFilter` tests one concept at a time (small systems, composed value sets).
`TextIndex` answers the same question for a whole code system from a sorted
word list and prefix ranges, so a search costs set operations in C instead of
a Python loop over every concept; it is built on first use and kept on the
CodeSystemIndex it describes.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from itertools import product

_WORD = re.compile(r"[^\W_]+")
_NORDIC = "æøå"
# spellings of æ/ø/å without those keys; tried on filter words only
_SPELLINGS = (("ae", "æ"), ("oe", "ø"), ("aa", "å"))
_MAX_VARIANT_SITES = 3

# indexes at least this large are taken out of the cyclic GC once built

# rank tiers, best first
EXACT_CODE, CODE_PREFIX, DISPLAY_START, DISPLAY_WORDS, DESIGNATION = range(5)


def _fold_char(ch: str) -> str:
    if ch in _NORDIC:
        return ch
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case without diacritics, keeping æ, ø and å."""
    s = text.casefold()
    if s.isascii():
        return s
    return "".join(c if c.isascii() else _fold_char(c) for c in s)


def words(text: str | None) -> list[str]:
    return _WORD.findall(fold(text)) if text else []


def _code_key(code: str) -> str:
    return code.casefold()


def _spelling_variants(word: str) -> set[str]:
    """`word` plus the forms where ae/oe/aa stand for æ/ø/å."""
    sites = []
    for plain, letter in _SPELLINGS:
        start = word.find(plain)
        while start != -1 and len(sites) < _MAX_VARIANT_SITES:
            sites.append((start, plain, letter))
            start = word.find(plain, start + 2)
    if not sites:
        return {word}
    sites.sort()
    out = set()
    for choice in product((False, True), repeat=len(sites)):
        pieces, pos, ok = [], 0, True
        for (start, plain, letter), use in zip(sites, choice):
            if not use:
                continue
            if start < pos:          # overlapping sites ("aae"): skip that combination
                ok = False
                break
            pieces.append(word[pos:start])
            pieces.append(letter)
            pos = start + len(plain)
        if ok:
            pieces.append(word[pos:])
            out.add("".join(pieces))
    return out


def query_words(text: str) -> list[set[str]]:
    """Each filter word as the set of spellings it may stand for."""
    raw = text.casefold()
    out = []
    for w in _WORD.findall(raw):
        forms = {fold(w)}
        if "ä" in w or "ö" in w:
            forms.add(fold(w.replace("ä", "æ").replace("ö", "ø")))
        variants = set()
        for f in forms:
            variants |= _spelling_variants(f)
        out.append(variants)
    return out


def _code_forms(text: str) -> tuple[str, ...]:
    q = _code_key(text.strip())
    if not q:
        return ()
    plain = q.replace(".", "")
    return (q,) if plain == q or not plain else (q, plain)


def any_prefix(variants, pool) -> bool:
    """Whether a word of `pool` starts with one of `variants` (a query word's spellings): the text filter's
    word rule, which ECL's `term` filter shares."""
    return any(w.startswith(v) for w in pool for v in variants)


class TextFilter:
    """A parsed `filter`; `matches` and `rank` judge one concept."""

    def __init__(self, text: str | None):
        self.text = (text or "").strip()
        self.words = query_words(self.text)
        self.code_forms = _code_forms(self.text)

    @property
    def empty(self) -> bool:
        return not self.text

    def _code_tier(self, code: str) -> int | None:
        k = _code_key(code)
        if k in self.code_forms:
            return EXACT_CODE
        if any(k.startswith(f) for f in self.code_forms):
            return CODE_PREFIX
        return None

    def _words_tier(self, concept) -> int | None:
        if not self.words:
            return None
        disp = words(concept.display)
        if disp and all(any_prefix(v, disp) for v in self.words):
            first = disp[0]
            return DISPLAY_START if any(first.startswith(v) for v in self.words[0]) else DISPLAY_WORDS
        pool = list(disp)
        for d in concept.designations or ():
            pool.extend(words(d.get("value")))
        if pool and all(any_prefix(v, pool) for v in self.words):
            return DESIGNATION
        return None

    def tier(self, concept) -> int | None:
        if self.empty:
            return DISPLAY_START
        t = self._code_tier(concept.code)
        return t if t is not None else self._words_tier(concept)

    def matches(self, concept) -> bool:
        return self.tier(concept) is not None

    def rank(self, concept) -> tuple:
        """Sort key: exact code, code prefix, display starting with the filter, display, designations."""
        t = self.tier(concept)
        return (DESIGNATION + 1 if t is None else t, getattr(concept, "seq", 0), concept.code)


class TextIndex:
    """Word-prefix index over one code system version (see module docstring)."""

    ATTR = "_kodebro_text_index"

    def __init__(self, cs):
        # ordinals follow the code system's order, so sorting ordinals sorts hits in that order
        concepts = sorted(cs.concepts.values(), key=lambda c: getattr(c, "seq", 0))
        self.codes = [c.code for c in concepts]
        code_keys = sorted((_code_key(c), i) for i, c in enumerate(self.codes))
        self._code_keys = [k for k, _ in code_keys]
        self._code_ords = array("I", (i for _, i in code_keys))
        first: dict[str, list[int]] = {}
        disp: dict[str, list[int]] = {}
        every: dict[str, list[int]] = {}
        for i, c in enumerate(concepts):
            dw = words(c.display)
            if dw:
                first.setdefault(dw[0], []).append(i)
            seen = set()
            for w in dw:
                if w not in seen:
                    seen.add(w)
                    disp.setdefault(w, []).append(i)
                    every.setdefault(w, []).append(i)
            for d in c.designations or ():
                for w in words(d.get("value")):
                    if w not in seen:
                        seen.add(w)
                        every.setdefault(w, []).append(i)
        self._first = Postings(first)
        self._disp = Postings(disp)
        self._every = Postings(every)

    @classmethod
    def of(cls, cs) -> "TextIndex":
        """The index of `cs`, built on first use and kept on the CodeSystemIndex."""
        idx = getattr(cs, cls.ATTR, None)
        if idx is None:
            idx = cls(cs)
            # not frozen here: an index may belong to a per-request copy (tx-resource, supplements),
            # and freezing would keep it forever; Catalog.warm freezes the long-lived ones
            setattr(cs, cls.ATTR, idx)
        return idx

    def _code_matches(self, forms) -> tuple[set[int], set[int]]:
        exact, prefix = set(), set()
        keys, ords = self._code_keys, self._code_ords
        for f in forms:
            lo = bisect_left(keys, f)
            mid = bisect_right(keys, f, lo)
            hi = bisect_left(keys, f + "\uffff", mid)
            exact.update(ords[lo:mid])
            prefix.update(ords[mid:hi])
        return exact, prefix - exact

    def search_ordinals(self, text: str) -> list[int]:
        flt = TextFilter(text)
        if flt.empty:
            return list(range(len(self.codes)))
        exact, prefix = self._code_matches(flt.code_forms)
        every = self._every.match_all(flt.words)
        disp = self._disp.match_all(flt.words) if every else set()
        start = disp & self._first.match_any(flt.words[0]) if disp else set()
        return in_tiers(exact, prefix, start, disp, every)

    def search(self, text: str) -> list[str]:
        """Codes matching `text`, best first (the order of `TextFilter.rank`)."""
        return list(map(self.codes.__getitem__, self.search_ordinals(text)))


def in_tiers(*tiers: set[int]) -> list[int]:
    """Ordinals tier by tier (best tier first), each tier sorted, none twice."""
    out: list[int] = []
    taken: set[int] = set()
    for tier in tiers:
        tier = tier - taken
        out.extend(sorted(tier))
        taken |= tier
    return out


class Postings:
    """Sorted words with their concept ordinals in one array: a prefix is one slice."""

    def __init__(self, by_word: dict[str, list[int]]):
        self.words = sorted(by_word)
        self.offsets = array("Q", [0])
        flat = array("I")
        for w in self.words:
            flat.extend(by_word[w])
            self.offsets.append(len(flat))
        self.flat = flat

    def _range(self, prefix: str) -> tuple[int, int]:
        lo = bisect_left(self.words, prefix)
        hi = bisect_left(self.words, prefix + "\uffff", lo)
        return self.offsets[lo], self.offsets[hi]

    def match_any(self, variants: set[str]) -> set[int]:
        out: set[int] = set()
        for v in variants:
            a, b = self._range(v)
            out.update(self.flat[a:b])
        return out

    def match_all(self, query: list[set[str]]) -> set[int]:
        if not query:
            return set()
        # cheapest word first: the candidate set only shrinks from there
        sized = sorted(query, key=lambda vs: sum(b - a for a, b in map(self._range, vs)))
        got = self.match_any(sized[0])
        for vs in sized[1:]:
            if not got:
                break
            got &= self.match_any(vs)
        return got


def search_codes(cs, text: str) -> list[str]:
    """Codes of `cs` matching `text`, best first, through the cached index."""
    return TextIndex.of(cs).search(text)


def ranked_hits(cs, text: str) -> dict[str, int]:
    """{code: position among the hits, best first} through the cached index of `cs`.

    For $expand over a value set that takes (part of) a large system: keep the
    members whose code is in the answer and sort them by its value, instead of
    testing every member with a TextFilter.
    """
    idx = TextIndex.of(cs)
    return dict(zip(map(idx.codes.__getitem__, idx.search_ordinals(text)), itertools.count()))
