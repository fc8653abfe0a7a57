"""SnomedIndex: one SNOMED CT edition held in memory in compact arrays.

A full edition (370,000 concepts, 1.6 million descriptions) must fit well
inside 2 GB, so concepts are numbered densely and everything hangs off those
numbers: flags in bytearrays, the hierarchy in CSR arrays (offsets + targets),
each concept's descriptions packed into one string, text search over one
folded blob. `Concept` objects, which the generic engine code expects, are
built on demand (and a few thousand cached) by the `concepts` mapping.

Flat concept rows written by the RF2 import (terminology/snomed/concept_rows.py):
    code, display, parents            as for every code system
    _s  [active, moduleId, effectiveTime, definedFlag]
    _d  descriptions by language refset: entries "term<TAB>language tag<TAB>F|S|D<TAB>P|A|"
        joined by line breaks (one string, so loading 1.6 million of them makes no lists)
    _st stated parents when they differ from the inferred ones
    _r  [[group, typeId, destinationId], ...]                  inferred attribute relationships
    _rs [refsetId, ...]                                        simple refset memberships
    _m  {refsetId: [[group, priority, rule, advice, target, correlationId, categoryId], ...]}
    _a  [[associationRefsetId, targetId], ...]                 historical associations
    _x  inactivation reason (value concept id)
"""
from __future__ import annotations

import bisect
import re
import threading
import weakref
from array import array
from collections import OrderedDict
from collections.abc import Mapping
from typing import Iterable

import orjson

from ..codesystem import CodeSystemIndex, Concept
from ..errors import InvalidRequest, NotSupported
from ..textsearch import Postings, fold, in_tiers, query_words
from . import constants as K

# RF2 terms never hold tabs or line breaks (the files are tab-separated lines), and both stay
# two-byte escapes in the stored JSON
_SEP_FIELD = "\t"
_SEP_ENTRY = "\n"
_WORD = re.compile(r"[^\W_]+")
_CACHE_SIZE = 20_000
_TEXT_BUILD = threading.Lock()
_NOT_TERM = re.compile(r"\t[^\n]*")     # everything after a packed description's term
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


def _flag(value) -> bool | None:
    """A boolean filter value (inactive, expressions) as tx.fhir.org reads it: true/false in any case."""
    text = value.strip().lower() if isinstance(value, str) else None
    return True if text == "true" else False if text == "false" else None

CODESYSTEM_PROPERTIES = [
    {"code": "inactive", "uri": "http://hl7.org/fhir/concept-properties#inactive", "type": "boolean",
     "description": "Whether the concept is inactive"},
    {"code": "parent", "uri": "http://hl7.org/fhir/concept-properties#parent", "type": "code",
     "description": "Direct (inferred) parent"},
    {"code": "child", "uri": "http://hl7.org/fhir/concept-properties#child", "type": "code",
     "description": "Direct (inferred) child"},
    {"code": "moduleId", "uri": "http://snomed.info/field/Concept.moduleId", "type": "code",
     "description": "Module the concept belongs to"},
    {"code": "effectiveTime", "uri": "http://snomed.info/field/Concept.effectiveTime", "type": "string",
     "description": "Date of the concept's last change (YYYYMMDD)"},
    {"code": "sufficientlyDefined", "uri": "http://snomed.info/field/Concept.definitionStatusId",
     "type": "boolean", "description": "True when the concept is fully defined"},
    {"code": "normalForm", "type": "string", "description": "Necessary normal form with terms"},
    {"code": "normalFormTerse", "type": "string", "description": "Necessary normal form, ids only"},
    {"code": "inactivationReason", "type": "code", "description": "Why an inactive concept was inactivated"},
]
CODESYSTEM_FILTERS = [
    {"code": "concept", "operator": ["is-a", "descendent-of", "in", "=", "is-not-a"], "value": "a SNOMED CT concept id or refset id"},
    {"code": "constraint", "operator": ["="], "value": "an ECL expression constraint (subset, see docs/snomed.md)"},
    {"code": "expression", "operator": ["="], "value": "an ECL expression constraint (alias of constraint)"},
    {"code": "inactive", "operator": ["="], "value": "true or false"},
    {"code": "moduleId", "operator": ["="], "value": "module concept id"},
]


def pack_descriptions(descs) -> str:
    """[[term, language tag, type letter, acceptability letter], ...] as one string (the `_d` row key)."""
    return _SEP_ENTRY.join(_SEP_FIELD.join(d) for d in descs)


def _designations(packed: str) -> list[dict]:
    out = []
    if not packed:
        return out
    for e in packed.split(_SEP_ENTRY):
        term, tag, typ, acc = e.split(_SEP_FIELD)
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
    __slots__ = ("_ix", "_des", "_props")

    def __init__(self, ix: "SnomedIndex", i: int):
        self._ix = ix
        self._des = None
        self._props = None
        self.seq = i
        # the base class's slots (there anyway): read on every $validate-code, so no properties
        self.code = ix.codes[i]
        self.display = ix.display[i]

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
    def inactive(self) -> bool:
        return not self._ix.active[self.seq]

    @property
    def abstract(self) -> bool:
        return False

    @property
    def deprecated(self) -> bool:
        return False    # SNOMED CT components are active or inactive; there is no deprecated state


class _Concepts(Mapping):
    """code -> Concept, built on demand from the compact arrays."""

    def __init__(self, index: "SnomedIndex"):
        self.ix = index
        self.cache: OrderedDict[int, Concept] = OrderedDict()

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
            if len(self.cache) > _CACHE_SIZE:
                self.cache.popitem(last=False)
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


class _TextIndexView:
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


def csr(n: int, pairs_src: array, pairs_dst: array) -> tuple[array, array]:
    """Compressed adjacency: start offsets per node and the neighbours in one array."""
    start = array("I", bytes(4 * (n + 1)))
    for s in pairs_src:
        start[s + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = array("I", start[:n])
    out = array("I", bytes(4 * len(pairs_src)))
    for s, d in zip(pairs_src, pairs_dst):
        out[fill[s]] = d
        fill[s] += 1
    return start, out


class SnomedIndex(CodeSystemIndex):
    """A SNOMED CT edition: compact concept table, is-a hierarchy, descriptions, refsets and maps."""

    @property
    def keep_filter_tests(self) -> bool:
        """Whether the tests filter_test makes may be kept across requests (compose.py keeps the compiled rules
        of value set includes): they read their members from the bounded filter cache instead of holding
        them, which every answer fits when the edition is no larger than the cache takes one answer to be."""
        return len(self.codes) <= _FILTER_CACHE_MEMBERS // 2

    def __init__(self, resource: dict, flat_concepts: Iterable[dict]):
        self.resource = {k: v for k, v in resource.items() if k != "concept"}
        self.url = resource.get("url")
        self.version = resource.get("version")
        self.case_sensitive = False
        self.content = resource.get("content", "complete")
        self.release = self._release_info(resource)
        self.codes: list[str] = []
        self.pos: dict[str, int] = {}
        self.active = bytearray()
        self.defined = bytearray()
        self.eff = array("I")
        self.module = array("H")
        self.modules: list[str] = []
        self.display: list[str | None] = []
        self.packed: list[str] = []
        self.stated: dict[int, list[str]] = {}
        self.rels: dict[int, list] = {}
        self.assoc: dict[int, list] = {}
        self.reason: dict[int, str] = {}
        self.refsets: dict[str, set[int]] = {}
        self.maps: dict[str, dict[int, list]] = {}
        parent_codes: list = []
        module_no: dict[str, int] = {}
        for f in flat_concepts:
            code = f.get("code")
            if code is None or code in self.pos:
                continue
            i = len(self.codes)
            self.pos[code] = i
            self.codes.append(code)
            s = f.get("_s") or [1, "", 0, 0]
            self.active.append(1 if s[0] else 0)
            self.defined.append(1 if s[3] else 0)
            self.eff.append(int(s[2] or 0))
            m = module_no.get(s[1])
            if m is None:
                m = module_no[s[1]] = len(self.modules)
                self.modules.append(s[1])
            self.module.append(m)
            self.display.append(f.get("display"))
            descs = f.get("_d")
            if isinstance(descs, str):
                self.packed.append(descs)
            else:
                if descs is None and f.get("designation"):
                    descs = [[d.get("value", ""), d.get("language", ""), "S", ""] for d in f["designation"]]
                self.packed.append(pack_descriptions(descs or ()))
            parent_codes.append(f.get("parents") or ())
            if "_st" in f:
                self.stated[i] = f["_st"]
            if "_r" in f:
                self.rels[i] = f["_r"]
            if "_a" in f:
                self.assoc[i] = f["_a"]
            if "_x" in f:
                self.reason[i] = f["_x"]
            for r in f.get("_rs") or ():
                self.refsets.setdefault(r, set()).add(i)
            for refset, rows in (f.get("_m") or {}).items():
                # rows stay the lists JSON gave: [group, priority, rule, advice, target, correlation, category]
                self.maps.setdefault(refset, {})[i] = rows
        n = len(self.codes)
        src, dst = array("I"), array("I")
        for i, ps in enumerate(parent_codes):
            for p in ps:
                j = self.pos.get(p)
                if j is not None:
                    src.append(i)
                    dst.append(j)
        del parent_codes
        self.p_start, self.p_list = csr(n, src, dst)
        self.c_start, self.c_list = csr(n, dst, src)
        del src, dst
        self._anc_cache: dict[int, frozenset] = {}
        self._text = None
        self._reverse: dict[str, dict[str, list]] = {}
        # terminology.textsearch.TextIndex.of(cs) finds this and uses it instead of building its own
        self._kodebro_text_index = _TextIndexView(self)
        self.concepts = _Concepts(self)
        self._folded = None
        self._ancestors = {}
        self._filter_cache: OrderedDict[tuple, frozenset] = OrderedDict()
        self._filter_cached = 0             # members held by _filter_cache, for its memory bound
        self._filter_lock = threading.Lock()
        self._attributes = None             # ECL refinements: relationships by type, built on first use
        self._attributes_lock = threading.Lock()

    @staticmethod
    def _release_info(resource: dict) -> dict:
        for e in resource.get("extension") or ():
            if e.get("url") == K.EXT_RELEASE:
                try:
                    return orjson.loads(e.get("valueString") or "{}")
                except orjson.JSONDecodeError:
                    break
        return {}

    # --- basic access -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self.codes)

    def number(self, code: str) -> int | None:
        return self.pos.get(code.strip() if isinstance(code, str) else str(code))

    def get(self, code: str) -> Concept | None:
        # the code as given first: $validate-code asks this once per call
        i = self.pos.get(code) if code.__class__ is str else None
        if i is None:
            i = self.number(code)
            if i is None:
                return None
        return self.concepts.by_number(i)

    def find(self, code: str):
        # SNOMED CT codes are digits: there is no other case or spelling of one to match
        return self.get(code), None

    def parents_of(self, i: int) -> array:
        return self.p_list[self.p_start[i]:self.p_start[i + 1]]

    def children_of(self, i: int) -> array:
        return self.c_list[self.c_start[i]:self.c_start[i + 1]]

    def descriptions(self, i: int) -> list[tuple[str, str, str, str]]:
        """(term, language tag, type letter, acceptability letter) of concept number i."""
        p = self.packed[i]
        if not p:
            return []
        return [tuple(e.split(_SEP_FIELD)) for e in p.split(_SEP_ENTRY)]

    def term(self, code: str, language: str | None = None) -> str | None:
        """Preferred term in a language ('nb', 'nn-NO', 'en'); the display when none is found."""
        i = self.pos.get(code)
        if i is None:
            return None
        if language:
            want = language.lower()
            if want in ("no", "nb", "nb-no", "no-no"):
                want = "nb-no"
            for t, tag, typ, acc in self.descriptions(i):
                tl = tag.lower()
                if typ == "S" and acc == "P" and (tl == want or tl.split("-")[0] == want.split("-")[0]):
                    return t
        return self.display[i]

    def designations_of(self, i: int) -> list[dict]:
        return _designations(self.packed[i])

    @staticmethod
    def fhir_concept(flat: dict) -> dict:
        """A stored flat row as a FHIR CodeSystem.concept (for reading the resource; keeps `parents`)."""
        out = {"code": flat["code"]}
        if flat.get("display") is not None:
            out["display"] = flat["display"]
        d = flat.get("_d")
        packed = d if isinstance(d, str) else pack_descriptions(d or ())
        designations = _designations(packed)
        definition = next((x["value"] for x in designations
                           if x["use"]["code"] == K.DEFINITION and x.get("language", "").startswith("en")), None)
        if definition:
            out["definition"] = definition
        if designations:
            out["designation"] = designations
        st = flat.get("_s") or [1, None, 0, 0]
        props = [{"code": "inactive", "valueBoolean": not st[0]}]
        if st[1]:
            props.append({"code": "moduleId", "valueCode": st[1]})
        props += [{"code": "effectiveTime", "valueString": str(st[2])},
                  {"code": "sufficientlyDefined", "valueBoolean": bool(st[3])}]
        if flat.get("_x"):
            props.append({"code": "inactivationReason", "valueCode": flat["_x"]})
        props += [{"code": r, "valueCode": t} for r, t in flat.get("_a") or ()]
        out["property"] = props
        if flat.get("parents"):
            out["parents"] = list(flat["parents"])
        return out

    def definition_of(self, i: int) -> str | None:
        if _SEP_FIELD + "D" + _SEP_FIELD not in self.packed[i]:
            return None
        for term, tag, typ, _acc in self.descriptions(i):
            if typ == "D" and tag.startswith("en"):
                return term
        return None

    def _make_concept(self, i: int) -> Concept:
        return SnomedConcept(self, i)

    # --- hierarchy --------------------------------------------------------------
    def ancestor_numbers(self, i: int) -> frozenset:
        got = self._anc_cache.get(i)
        if got is not None:
            return got
        out: set[int] = set()
        stack = list(self.parents_of(i))
        p_start, p_list = self.p_start, self.p_list
        while stack:
            p = stack.pop()
            if p in out:
                continue
            out.add(p)
            cached = self._anc_cache.get(p)
            if cached is not None:
                out |= cached
                continue
            stack.extend(p_list[p_start[p]:p_start[p + 1]])
        got = frozenset(out)
        if len(self._anc_cache) > 200_000:
            self._anc_cache.clear()
        self._anc_cache[i] = got
        return got

    def descendant_numbers(self, i: int) -> set[int]:
        out: set[int] = set()
        stack = [i]
        c_start, c_list = self.c_start, self.c_list
        while stack:
            n = stack.pop()
            for c in c_list[c_start[n]:c_start[n + 1]]:
                if c not in out:
                    out.add(c)
                    stack.append(c)
        return out

    def ancestors(self, code: str) -> frozenset:
        i = self.pos.get(code)
        if i is None:
            return frozenset()
        codes = self.codes
        return frozenset(codes[a] for a in self.ancestor_numbers(i))

    def descendants(self, code: str) -> list[str]:
        i = self.pos.get(code)
        if i is None:
            return []
        codes = self.codes
        return [codes[d] for d in sorted(self.descendant_numbers(i))]

    def subsumes(self, a: str, b: str) -> bool:
        if a == b:
            return True
        ia, ib = self.pos.get(a), self.pos.get(b)
        if ia is None or ib is None:
            return False
        return ia in self.ancestor_numbers(ib)

    def roots(self) -> list[Concept]:
        return [self.concepts.by_number(i) for i in range(len(self.codes))
                if self.p_start[i] == self.p_start[i + 1] and self.active[i]]

    # --- $lookup ------------------------------------------------------------------
    def normal_form(self, i: int, terse: bool) -> str:
        def name(cid: str) -> str:
            if terse:
                return cid
            return f"{cid} |{self.term(cid) or ''}|"
        op = "===" if self.defined[i] else "<<<"
        focus = " + ".join(name(self.codes[p]) for p in self.parents_of(i)) or name(self.codes[i])
        groups: dict[int, list] = {}
        for g, t, d in self.rels.get(i, ()):
            groups.setdefault(g, []).append(f"{name(str(t))} = {name(str(d))}")
        parts = []
        if 0 in groups:
            parts.append(", ".join(groups.pop(0)))
        parts += ["{ " + ", ".join(v) + " }" for _, v in sorted(groups.items())]
        return f"{op} {focus}" + (" : " + ", ".join(parts) if parts else "")

    def lookup_properties(self, concept, wanted=None) -> list:
        """SNOMED CT properties of a concept for $lookup (terminology.operations.lookup.LookupProperty).

        With no `property` in the request: everything except the normal forms, which
        cost term look-ups and are given when asked for by name (or '*').
        """
        from ..operations.lookup import LookupProperty as P
        code = concept.code if isinstance(concept, Concept) else str(concept)
        i = self.pos.get(code)
        if i is None:
            return []
        want = set(wanted) if wanted else None

        def ok(name: str) -> bool:
            return want is None or name in want or "*" in want

        codes, display = self.codes, self.display
        out = []
        if ok("inactive"):
            out.append(P("inactive", "valueBoolean", not self.active[i]))
        if ok("moduleId"):
            out.append(P("moduleId", "valueCode", self.modules[self.module[i]]))
        if ok("effectiveTime"):
            out.append(P("effectiveTime", "valueString", str(self.eff[i])))
        if ok("sufficientlyDefined"):
            out.append(P("sufficientlyDefined", "valueBoolean", bool(self.defined[i])))
        if ok("parent"):
            out += [P("parent", "valueCode", codes[p], display[p]) for p in self.parents_of(i)]
        if ok("child"):
            out += [P("child", "valueCode", codes[c], display[c]) for c in self.children_of(i)]
        if self.active[i] and want is not None:
            if ok("normalForm"):
                out.append(P("normalForm", "valueString", self.normal_form(i, False)))
            if ok("normalFormTerse"):
                out.append(P("normalFormTerse", "valueString", self.normal_form(i, True)))
        if i in self.reason and ok("inactivationReason"):
            out.append(P("inactivationReason", "valueCode", self.reason[i],
                         K.INACTIVATION_REASONS.get(self.reason[i])))
        for refset, target in self.assoc.get(i, ()):
            name = K.ASSOCIATIONS.get(refset, "historical association")
            if ok(refset) or ok(name):
                out.append(P(refset, "valueCode", target, name))
        for g, t, d in self.rels.get(i, ()):
            if ok(str(t)):
                out.append(P(str(t), "valueCode", str(d), self.term(str(d))))
        return out

    # --- text search -----------------------------------------------------------------
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

    # --- filters and ECL ----------------------------------------------------------------
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
            return _flag(value) is not None
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
        if prop == "inactive" and op == "=" and _flag(value) is not None:
            flag = _flag(value)
            return {i for i, a in enumerate(self.active) if bool(a) != flag}
        if prop == "moduleId" and op == "=":
            m = self.modules.index(value) if value in self.modules else -1
            return {i for i, mm in enumerate(self.module) if mm == m}
        if prop == "parent" and op == "=":
            return set(self.children_of(self._number_or_error(value)))
        if prop == "child" and op == "=":
            return set(self.parents_of(self._number_or_error(value)))
        if prop == "expressions" and op == "=" and _flag(value) is not None:
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
        if prop == "expressions" and op == "=" and _flag(value) is not None:
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

    # --- map refsets -----------------------------------------------------------------
    def map_refsets(self) -> list[str]:
        return list(self.maps)

    def map_rows(self, refset: str, code: str) -> list[tuple] | None:
        """Rows (group, priority, rule, advice, target, correlation, category), ordered; None if not mapped."""
        i = self.pos.get(code)
        per = self.maps.get(refset)
        if i is None or per is None:
            return None
        return per.get(i)

    def map_target_system(self, refset: str) -> str | None:
        info = (self.release.get("maps") or {}).get(refset) or {}
        return info.get("targetSystem") or K.MAP_TARGETS.get(refset) or (
            K.icd10_system(bool(self.release.get("norwegian"))) if refset == K.ICD10_MAP else None)

    def reverse_rows(self, refset: str, target: str) -> list[tuple[str, tuple]]:
        """(source code, row) pairs whose target is `target` (built once per refset)."""
        rev = self._reverse.get(refset)
        if rev is None:
            rev = {}
            for i, rows in (self.maps.get(refset) or {}).items():
                for row in rows:
                    if row[4]:
                        rev.setdefault(row[4], []).append((self.codes[i], row))
            self._reverse[refset] = rev
        return rev.get(target, [])
