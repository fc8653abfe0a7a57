"""Text search over a SnomedIndex: word postings over displays and every description term.

A mixin of SnomedIndex (terminology.snomed.index): it reads the index's `codes`, `display` and `packed`
(the packed descriptions, terminology.snomed.concept_view) and keeps its postings in `_text`, built on
first use. It answers terminology.textsearch's rule (concept_view.TextIndexView hands it to
TextIndex.of) and the word look-ups of ECL term filters (terminology.snomed.ecl_filters).
"""
from __future__ import annotations

import bisect
import re
import threading

from ..textsearch import Postings, fold, in_tiers, query_words

_WORD = re.compile(r"[^\W_]+")
_TEXT_BUILD = threading.Lock()
_NOT_TERM = re.compile(r"\t[^\n]*")     # everything after a packed description's term


class SnomedText:
    """Text search of SnomedIndex (see module docstring)."""

    # (all terms', displays', displays' first word postings), built on first use by _text_index
    _text: tuple | None = None

    def _build_text(self) -> None:
        """Word postings over displays and all terms, folded as terminology.textsearch folds them.

        Built on first use (a few seconds for a national edition). Non-ASCII words are
        folded once each through a cache, since the vocabulary is far smaller than the text.
        """
        cache: dict[str, str] = {}
        findall = _WORD.findall

        def toks(text: str) -> list[str]:
            out = []
            for w in findall(text.casefold()):
                if not w.isascii():
                    f = cache.get(w)
                    if f is None:
                        f = cache[w] = fold(w)
                    w = f
                out.append(w)
            return out

        every: dict[str, list] = {}
        disp: dict[str, list] = {}
        first: dict[str, list] = {}
        for i, p in enumerate(self.packed):
            dw = toks(self.display[i] or "")
            if dw:
                first.setdefault(dw[0], []).append(i)
            seen = set(dw)
            for w in seen:
                disp.setdefault(w, []).append(i)
            if p:
                seen.update(toks(_NOT_TERM.sub("", p)))
            for w in seen:
                every.setdefault(w, []).append(i)
        self._text = (Postings(every), Postings(disp), Postings(first))
        self._sorted_codes = sorted(range(len(self.codes)), key=self.codes.__getitem__)

    def search_numbers(self, text: str) -> list[int]:
        """Concept numbers matching `text` by the rule of terminology.textsearch, best first.

        Tiers: exact code, code prefix, display starting with the first word, all words
        in the display, all words among the concept's terms; each tier in concept order.
        """
        every, disp, first = self._text_index()
        q = text.strip()
        exact: set[int] = set()
        prefix: set[int] = set()
        if q.isdigit():
            codes, keys = self.codes, self._sorted_codes
            lo = bisect.bisect_left(keys, q, key=codes.__getitem__)
            for j in range(lo, len(keys)):
                c = codes[keys[j]]
                if not c.startswith(q):
                    break
                (exact if c == q else prefix).add(keys[j])
        qw = query_words(q)
        if not qw:
            return in_tiers(exact, prefix)
        all_words = every.match_all(qw)
        in_disp = disp.match_all(qw) if all_words else set()
        start = in_disp & first.match_any(qw[0]) if in_disp else set()
        return in_tiers(exact, prefix, start, in_disp, all_words)

    def search(self, text: str) -> list[str]:
        codes = self.codes
        return [codes[i] for i in self.search_numbers(text)]

    def term_words_cost(self, query: list[set[str]]) -> int:
        """How many postings `term_word_numbers(query)` reads (each word's prefix slices): what an ECL term
        filter is charged before it reads them. Builds the word index on first use."""
        every = self._word_postings()
        return 1 + sum(b - a for variants in query for a, b in map(every._range, variants))

    def term_word_numbers(self, query: list[set[str]]) -> set[int]:
        """Concepts having every word of `query` (textsearch.query_words: one set of spellings per word) as a
        word prefix somewhere among all their terms: a superset of those with one description holding them
        all, found in the word index instead of by reading every concept's descriptions."""
        return self._word_postings().match_all(query)

    def _word_postings(self):
        return self._text_index()[0]

    def _text_index(self) -> tuple:
        """(all terms', displays', displays' first word postings), built on first use by one thread."""
        if self._text is None:
            with _TEXT_BUILD:
                if self._text is None:
                    self._build_text()
        return self._text

