"""Code systems defined by a grammar (BCP 47 language tags, UCUM units): every well-formed expression is a
code, so there is no list to store, only a rule that says whether a code is one and what it is called.

`GrammarIndex` puts such a rule behind the CodeSystemIndex interface. Concepts are made on demand for the
codes asked about (a bounded number kept); listing the codes is refused (NotEnumerable: 422 not-supported, as
the reference servers answer), so a value set that takes a grammar whole validates any code but cannot be
expanded.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Callable

from .codesystem import GRAMMARS, Concept, CodeSystemIndex
from .errors import NotEnumerable
from .versions import matches_version

_KEPT = 10_000                  # concepts made for the codes asked about, newest kept
MAX_CODE = 200                  # longer than any real tag or unit expression (a grammar may allow more)


class _Made(Mapping):
    """The concepts of the codes asked about so far."""

    def __init__(self, url: str, make: Callable[[str], Concept | None], max_code: int = MAX_CODE):
        self._url, self._make, self._max_code = url, make, max_code
        self._made: OrderedDict[str, Concept | None] = OrderedDict()

    def get(self, code, default=None):
        if not isinstance(code, str) or not code or len(code) > self._max_code:
            return default
        try:
            got = self._made[code]
            self._made.move_to_end(code)
        except KeyError:
            got = self._make(code)
            if got is None:
                # what is not a code is not kept: junk must not push the codes out that are costly to make
                return default
            self._made[code] = got
            if len(self._made) > _KEPT:
                try:
                    self._made.popitem(last=False)
                except KeyError:    # another thread emptied it first
                    pass
        return default if got is None else got

    def __getitem__(self, code):
        got = self.get(code)
        if got is None:
            raise KeyError(code)
        return got

    def __contains__(self, code) -> bool:
        return self.get(code) is not None

    def __iter__(self):
        raise NotEnumerable(f"The code system '{self._url}' cannot be expanded because its codes cannot be "
                            "iterated or enumerated in any meaningful sense", tx_code="not-supported",
                            diagnostics="It is defined by a grammar (every well-formed expression is a code): name "
                                        "the codes a value set takes in its compose")

    def __len__(self) -> int:
        return len(self._made)      # never the size of the grammar: no caller may take it as one


class GrammarIndex(CodeSystemIndex):
    """A grammar behind the CodeSystemIndex interface. `make(code)` is the concept of a code in its canonical
    form (None: not a code); `canonical(code)` writes a code in that form: another case (case-insensitive
    grammars), or another spelling of the same code (a media type's parameters in another order). `max_code`: the
    longest code asked about at all."""

    def __init__(self, resource: dict, make: Callable[[str], Concept | None],
                 canonical: Callable[[str], str] | None = None, max_code: int = MAX_CODE):
        super().__init__(resource, [])
        self.concepts = _Made(resource["url"], make, max_code)
        self.canonical_form = canonical

    def find(self, code: str):
        if not isinstance(code, str):
            return None, None
        canon = self.canonical_form(code) if self.canonical_form is not None else code
        c = self.concepts.get(canon)
        if c is None:
            return None, None
        if canon == code:
            return c, None
        # another case (a language tag, a unit), or another spelling of one code (a media type's parameter order)
        return c, "case" if canon.lower() == code.lower() else "normalised"

    def answers(self, version: str | None) -> bool:
        """Whether this grammar is the version asked for (any version it states, or none asked)."""
        return version is None or version == self.version or (
            self.version is not None and matches_version(version, self.version))


def register(index: GrammarIndex) -> GrammarIndex:
    GRAMMARS[index.url] = index
    return index
