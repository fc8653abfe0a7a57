"""How SnomedIndex shows one concept to the generic engine: the packed description string and views over it.

A concept's descriptions are packed into one string (the `_d` row key, see terminology.snomed.index):
entries "term<TAB>language tag<TAB>F|S|D<TAB>P|A|" joined by line breaks, so that loading 1.6 million
of them makes no lists. `SnomedConcept` is the `Concept` the engine code expects, unpacked only when
read; `Concepts` is the code -> Concept mapping (`SnomedIndex.concepts`), and `TextIndexView` answers
terminology.textsearch.TextIndex from the index's own word postings (terminology.snomed.index_text).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..codesystem import Concept
from . import constants as K

if TYPE_CHECKING:
    from .index import SnomedIndex

# RF2 terms never hold tabs or line breaks (the files are tab-separated lines), and both stay
# two-byte escapes in the stored JSON
SEP_FIELD = "\t"
SEP_ENTRY = "\n"
_CACHE_SIZE = 20_000


def pack_descriptions(descs) -> str:
    """[[term, language tag, type letter, acceptability letter], ...] as one string (the `_d` row key)."""
    return SEP_ENTRY.join(SEP_FIELD.join(d) for d in descs)


def packed_designations(packed: str) -> list[dict]:
    """A packed description string as FHIR designations (use and acceptability as SNOMED CT codings)."""
    out = []
    if not packed:
        return out
    for e in packed.split(SEP_ENTRY):
        term, tag, typ, acc = e.split(SEP_FIELD)
        d = {"language": tag, "use": {"system": K.SNOMED, "code": K.TYPE_CODES[typ],
                                      "display": K.TYPE_NAMES[typ]}, "value": term}
        if acc:
            d["extension"] = [{"url": K.EXT_ACCEPTABILITY, "valueCoding": {
                "system": K.SNOMED, "code": K.PREFERRED if acc == "P" else K.ACCEPTABLE,
                "display": "Preferred" if acc == "P" else "Acceptable"}}]
        out.append(d)
    return out


class SnomedConcept(Concept):
    """A Concept whose properties, hierarchy, designations and definition are unpacked only when read.

    Expanding a large hierarchy builds one of these per member just to count and
    test it, so construction does nothing but note the concept number, code and display.
    """
    # `inactive` a slot, set when the view is made: $validate-code reads it on every call, and the property it
    # replaces (the edition's bytearray, read again each time) cost ~0.1 us there; an index never changes
    __slots__ = ("_ix", "_des", "_props", "inactive")

    def __init__(self, ix: "SnomedIndex", i: int):
        self._ix = ix
        self._des = None
        self._props = None
        self.seq = i
        # the base class's slots (there anyway): read on every $validate-code, so no properties
        self.code = ix.codes[i]
        self.display = ix.display[i]
        self.inactive = not ix.active[i]

    extensions = property(lambda self: [], lambda self, v: None)

    @property
    def parents(self) -> list:
        ix = self._ix
        return [ix.codes[p] for p in ix.parents_of(self.seq)]

    @parents.setter
    def parents(self, value) -> None:
        pass

    @property
    def children(self) -> list:
        ix = self._ix
        return [ix.codes[c] for c in ix.children_of(self.seq)]

    @children.setter
    def children(self, value) -> None:
        pass

    @property
    def properties(self) -> list:
        if self._props is None:
            ix, i = self._ix, self.seq
            props = [{"code": "inactive", "valueBoolean": not ix.active[i]},
                     {"code": "moduleId", "valueCode": ix.modules[ix.module[i]]},
                     {"code": "effectiveTime", "valueString": str(ix.eff[i])},
                     {"code": "sufficientlyDefined", "valueBoolean": bool(ix.defined[i])}]
            if i in ix.reason:
                props.append({"code": "inactivationReason", "valueCode": ix.reason[i]})
            for refset, target in ix.assoc.get(i, ()):
                props.append({"code": refset, "valueCode": target})
            self._props = props
        return self._props

    @properties.setter
    def properties(self, value) -> None:
        self._props = value

    @property
    def designations(self) -> list:
        if self._des is None:
            self._des = self._ix.designations_of(self.seq)
        return self._des

    @designations.setter
    def designations(self, value) -> None:
        self._des = value

    @property
    def definition(self) -> str | None:
        return self._ix.definition_of(self.seq)

    @definition.setter
    def definition(self, value) -> None:
        pass

    @property
    def abstract(self) -> bool:
        return False

    @property
    def deprecated_by_status(self) -> bool:
        return False    # SNOMED CT components are active or inactive; there is no deprecated state


class Concepts(Mapping):
    """code -> Concept, built on demand from the compact arrays."""

    def __init__(self, index: "SnomedIndex"):
        self.ix = index
        self.cache: OrderedDict[int, Concept] = OrderedDict()
        # code -> the view `cache` holds for it, so that SnomedIndex.get (every $validate-code) finds a recent
        # concept in one look at this small dict, not in the edition's code -> number map (370,000 codes, mostly
        # out of the processor's caches) and then `cache`
        self.by_code: dict[str, Concept] = {}

    def __getitem__(self, code: str) -> Concept:
        i = self.ix.pos.get(code)
        if i is None:
            raise KeyError(code)
        return self.by_number(i)

    def by_number(self, i: int) -> Concept:
        c = self.cache.get(i)
        if c is None:
            c = self.ix._make_concept(i)
            self.cache[i] = c
            by_code = self.by_code
            if len(by_code) > _CACHE_SIZE:
                by_code.clear()     # (only threads racing here can leave a view there that `cache` dropped)
            by_code[c.code] = c
            if len(self.cache) > _CACHE_SIZE:
                _i, old = self.cache.popitem(last=False)
                by_code.pop(old.code, None)
        return c

    def get(self, code, default=None):
        i = self.ix.pos.get(code)
        return default if i is None else self.by_number(i)

    def __contains__(self, code) -> bool:
        return code in self.ix.pos

    def __iter__(self):
        return iter(self.ix.codes)

    def __len__(self) -> int:
        return len(self.ix.codes)


class TextIndexView:
    """The interface of terminology.textsearch.TextIndex, answered from the SNOMED blob."""

    def __init__(self, index: "SnomedIndex"):
        self.ix = index

    @property
    def codes(self) -> list[str]:
        return self.ix.codes

    def search_ordinals(self, text: str) -> list[int]:
        return self.ix.search_numbers(text)

    def search(self, text: str) -> list[str]:
        return self.ix.search(text)
