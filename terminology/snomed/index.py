"""SnomedIndex: one SNOMED CT edition held in memory in compact arrays.

A full edition (370,000 concepts, 1.6 million descriptions) must fit well
inside 2 GB, so concepts are numbered densely and everything hangs off those
numbers: flags in bytearrays, the hierarchy in CSR arrays (offsets + targets),
each concept's descriptions packed into one string, text search over one
folded blob. `Concept` objects, which the generic engine code expects, are
built on demand (and a few thousand cached) by the `concepts` mapping.

The class is put together from mixins, one file each: text search
(index_text.SnomedText) and compose filters + ECL entry points
(index_filters.SnomedFilters); the Concept views are in concept_view.py.
This file keeps the arrays, the hierarchy and $lookup. Map reference sets
are data here (`maps`); reading them for $translate is mappings/snomed_maps.py.

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

from array import array
from typing import Iterable

import orjson

from ..codesystem import CodeSystemIndex, Concept
from . import constants as K
from .concept_view import (SEP_ENTRY, SEP_FIELD, Concepts, SnomedConcept, TextIndexView, pack_descriptions,
                           packed_designations)
from .index_filters import SnomedFilters
from .index_text import SnomedText

_LookupProperty = None      # operations.lookup.LookupProperty, once lookup_properties has run


def _every(_name: str) -> bool:
    return True


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



class SnomedIndex(SnomedFilters, SnomedText, CodeSystemIndex):
    """A SNOMED CT edition: compact concept table, is-a hierarchy, descriptions, refsets and maps."""

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
        # terminology.textsearch.TextIndex.of(cs) finds this and uses it instead of building its own
        self._kodebro_text_index = TextIndexView(self)
        self.concepts = Concepts(self)
        self._folded = None
        self._ancestors = {}
        self._start_filters()

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
        if code.__class__ is str:
            c = self.concepts.by_code.get(code)     # (a view made lately: its code is this very key of `pos`)
            if c is not None:
                return c
            i = self.pos.get(code)
        else:
            i = None
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
        return [tuple(e.split(SEP_FIELD)) for e in p.split(SEP_ENTRY)]

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
        return packed_designations(self.packed[i])

    @staticmethod
    def fhir_concept(flat: dict) -> dict:
        """A stored flat row as a FHIR CodeSystem.concept (for reading the resource; keeps `parents`)."""
        out = {"code": flat["code"]}
        if flat.get("display") is not None:
            out["display"] = flat["display"]
        d = flat.get("_d")
        packed = d if isinstance(d, str) else pack_descriptions(d or ())
        designations = packed_designations(packed)
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
        if SEP_FIELD + "D" + SEP_FIELD not in self.packed[i]:
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
        global _LookupProperty
        P = _LookupProperty
        if P is None:     # (lookup.py imports this package: bound on first use, not per call)
            from ..operations.lookup import LookupProperty as P
            _LookupProperty = P
        code = concept.code if isinstance(concept, Concept) else str(concept)
        i = self.pos.get(code)
        if i is None:
            return []
        want = set(wanted) if wanted else None
        if want is None or "*" in want:
            ok = _every     # (asked for every relationship of the concept: no test per name)
        else:
            ok = want.__contains__

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
        term = self.term
        for g, t, d in self.rels.get(i, ()):
            t = str(t)
            if ok(t):
                d = str(d)
                out.append(P(t, "valueCode", d, term(d)))
        return out

