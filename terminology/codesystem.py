"""In-memory index of one CodeSystem version: the hot structure every operation reads.

Built either from stored flat concept rows or from a FHIR CodeSystem resource
supplied with a request; both go through `flatten_concepts` so the two paths
cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Iterable, Iterator

from .identifiers import DOTTED_CODE_SYSTEMS, ICPC2

# the longest spelling of a dotted code find() remembers: a client's string is the key, and a code of a dotted
# codebook is at most 7 characters written with its dot (J12.8, I21.0b), so a longer one is not kept at all
_MEMO_SPELLING = 16
from .languages import display_extensions, with_translations

# status values that make a concept inactive; a deprecated concept is still active ("can still be used",
# R4 concept-properties) and only earns a warning. `withdrawn` comes from the standards-status extension
# (FHIRsmith's FHIR code systems count a withdrawn concept inactive)
_INACTIVE_STATUSES = {"retired", "inactive", "withdrawn"}
STANDARDS_STATUS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"
NOT_SELECTABLE_URI = "http://hl7.org/fhir/concept-properties#notSelectable"
STATUS_URI = "http://hl7.org/fhir/concept-properties#status"
INACTIVE_URI = "http://hl7.org/fhir/concept-properties#inactive"
DEPRECATED_URI = "http://hl7.org/fhir/concept-properties#deprecated"
# codes that mean "deprecated" unless the system declares them with another URI: R4's, and an older name of it
DEPRECATED_CODES = ("deprecated", "deprecationDate")
# the codes that mean "not selectable" unless a system gives them another meaning: the R4 code, and the older
# spellings code systems still use (R4's own v3 systems declare `abstract`; tx.fhir.org reads all three)
NOT_SELECTABLE_CODES = ("notSelectable", "not-selectable", "abstract")
# the largest index whose concepts CodeSystemIndex.all_current asks (once, on first use): a larger one asks each
# concept as it comes, so that no first request walks a very large system's statuses
MAX_CURRENT_WALK = 100_000


def _flag(value) -> bool | None:
    """A boolean property value (or its string form); None for anything else (an `abstract` that is a text)."""
    if isinstance(value, bool):
        return value
    if value == "true" or value == "false":
        return value == "true"
    return None


@dataclass(slots=True)
class Concept:
    code: str
    display: str | None = None
    definition: str | None = None
    designations: list = field(default_factory=list)   # FHIR designation dicts
    properties: list = field(default_factory=list)     # FHIR concept.property dicts
    extensions: list = field(default_factory=list)
    parents: list = field(default_factory=list)
    children: list = field(default_factory=list)
    seq: int = 0

    def property_values(self, code: str) -> list:
        return list(self._values((code,)))

    def _values(self, codes: tuple):
        """The value[x] of each property whose code is one of `codes`, in order, one at a time."""
        for p in self.properties:
            if p.get("code") in codes:
                for k, v in p.items():
                    if k.startswith("value"):
                        yield v

    def _first_value(self, code: str):
        """The first value of property `code` (read for every concept $validate-code answers: written out, a
        generator costs more than the rest of the call)."""
        for p in self.properties:
            if p.get("code") == code:
                for k, v in p.items():
                    if k.startswith("value"):
                        return v
        return None

    @property
    def status(self) -> str | None:
        """The status property (a code); one that is not a string (the store takes any value[x]) says nothing,
        as if not stated, so every reader of it may take it as text."""
        st = self._first_value("status")
        if not isinstance(st, str):
            return _withdrawn(self.extensions) if self.extensions else None
        return st

    @property
    def lifecycle(self) -> str | None:
        """The status property, else the standards-status extension (how FHIR's own systems deprecate)."""
        st = self.status
        if st is None:
            st = standards_status_code(self.extensions)
        return st

    @property
    def inactive(self) -> bool:
        # a stated `inactive` decides; the status only speaks when it is not stated
        v = self._first_value("inactive")
        if v is not None:
            return v is True or v == "true"
        st = self.status
        return st is not None and st.lower() in _INACTIVE_STATUSES

    @property
    def deprecated_by_status(self) -> bool:
        """Deprecated by its status alone, still active (callers ask only about concepts they know to be active);
        the whole rule, R4's `deprecated` property included, is concept_status.is_deprecated."""
        st = self.lifecycle
        return st is not None and st.lower() == "deprecated"

    def _not_selectable_codes(self) -> tuple:
        return NOT_SELECTABLE_CODES

    def not_selectable_values(self) -> list[bool]:
        """The notSelectable values the concept states, under whatever code its system gives that property.

        A concept that states none has no value: it is selectable, but it is not "notSelectable = false"."""
        if not self.properties:
            return []
        return [flag for v in self._values(self._not_selectable_codes()) if (flag := _flag(v)) is not None]

    @property
    def abstract(self) -> bool:
        """Not selectable (R4 concept-properties#notSelectable), the `abstract` of $lookup and expansions.

        Asked for every code an expansion lists: answered without building the list of values."""
        if not self.properties:
            return False
        # the rule of not_selectable_values, stopping at the first value that says so
        return any(_flag(v) is True for v in self._values(self._not_selectable_codes()))

    def to_flat(self) -> dict:
        d = {"code": self.code}
        if self.display is not None:
            d["display"] = self.display
        if self.definition is not None:
            d["definition"] = self.definition
        if self.designations:
            d["designation"] = self.designations
        if self.properties:
            d["property"] = self.properties
        if self.extensions:
            d["extension"] = self.extensions
        if self.parents:
            d["parents"] = self.parents
        return d


def standards_status_code(extensions) -> str | None:
    """The code of the first structuredefinition-standards-status extension with a code among `extensions` (of a
    resource, a concept or a designation), or None."""
    for e in extensions:
        if isinstance(e, dict) and e.get("url") == STANDARDS_STATUS and isinstance(e.get("valueCode"), str):
            return e["valueCode"]
    return None


def _withdrawn(extensions: list) -> str | None:
    """'withdrawn' when the standards-status extension says so: a concept without a status property is then
    withdrawn (its status) and inactive, as FHIRsmith (cs-cs.js isInactive/getStatus) reads FHIR code systems.
    Other standards statuses (deprecated, draft...) stay what `Concept.lifecycle` reads, not a status."""
    v = standards_status_code(extensions)
    return "withdrawn" if v is not None and v.lower() == "withdrawn" else None


class AliasedConcept(Concept):
    """A concept of a code system that gives the status, inactive or notSelectable property's URI a code of its own
    (`st` for http://hl7.org/fhir/concept-properties#status), or one of the usual codes another meaning: the
    codes the system gives those URIs count as `status`/`inactive`/`notSelectable`.

    Only such systems pay for it; `_names` is (status codes, inactive codes, notSelectable codes), shared by all
    their concepts."""
    __slots__ = ("_names",)

    def _not_selectable_codes(self) -> tuple:
        return self._names[2]

    def _first(self, codes: tuple) -> list:
        for code in codes:
            vals = self.property_values(code)
            if vals:
                return vals
        return []

    @property
    def status(self) -> str | None:
        vals = self._first(self._names[0])
        if vals and isinstance(vals[0], str):      # (Concept.status: one that is no string says nothing)
            return vals[0]
        return _withdrawn(self.extensions) if self.extensions else None

    @property
    def inactive(self) -> bool:
        for v in self._first(self._names[1]):
            return v is True or v == "true"
        st = self.status
        return st is not None and st.lower() in _INACTIVE_STATUSES


def property_aliases(property_definitions: list | None) -> tuple | None:
    """(status codes, inactive codes, notSelectable codes) when the system names the status, inactive or
    notSelectable URI with another code than the standard one, or declares one of NOT_SELECTABLE_CODES with
    another URI (then it means something else); None when the standard codes hold."""
    status = inactive = None
    declared = _declared(property_definitions)
    for code, uri in declared.items():
        if uri == STATUS_URI and code != "status":
            status = status or code
        elif uri == INACTIVE_URI and code != "inactive":
            inactive = inactive or code
    not_selectable = list(_codes_meaning(declared, NOT_SELECTABLE_URI, NOT_SELECTABLE_CODES))
    if status is None and inactive is None and set(not_selectable) == set(NOT_SELECTABLE_CODES):
        return None
    return (tuple(c for c in (status, "status") if c), tuple(c for c in (inactive, "inactive") if c),
            tuple(not_selectable))


def folded_codes(codes) -> dict:
    """casefolded code -> code. Codes that differ only in case (`mg` milligram, `Mg` magnesium) fold to None:
    an input in yet another case names neither, so for them the system is case-sensitive."""
    out: dict = {}
    for k in codes:
        f = k.casefold()
        out[f] = None if f in out else k
    return out


def _declared(property_definitions: list | None) -> dict:
    """code -> URI of each property a system declares (the first declaration of a code counts)."""
    declared: dict = {}
    for pd in property_definitions or ():
        if isinstance(pd, dict) and isinstance(pd.get("code"), str):
            declared.setdefault(pd["code"], pd.get("uri"))
    return declared


def _codes_meaning(declared: dict, uri: str, usual: tuple) -> tuple:
    """The property codes that mean `uri` in a system: a property is what its URI says, and a usual code declared
    without a URI keeps its usual meaning."""
    names = [c for c, u in declared.items() if u == uri]
    names += [c for c in usual if c not in names and declared.get(c) in (None, "", uri)]
    return tuple(names)


def _deprecation_names(property_definitions: list | None) -> tuple:
    """The codes a system's concepts say "deprecated" with."""
    return _codes_meaning(_declared(property_definitions), DEPRECATED_URI, DEPRECATED_CODES)


def _child_links(concepts, out: dict) -> dict:
    """{child code: [parent codes]} from `child` properties (R4 concept-properties: the inverse of parent)."""
    for c in concepts or ():
        if not isinstance(c, dict):
            continue
        for p in c.get("property") or ():
            if isinstance(p, dict) and p.get("code") == "child" and isinstance(p.get("valueCode"), str) \
                    and isinstance(c.get("code"), str):
                parents = out.setdefault(p["valueCode"], [])
                if c["code"] not in parents:
                    parents.append(c["code"])
        if c.get("concept"):
            _child_links(c["concept"], out)
    return out


def written_concepts(resource: dict) -> list[dict]:
    """The flat concepts of a CodeSystem about to be written: its `_flat_concepts` (an importer's stream, made a
    list kept on the resource, so that the store can read it again after a derivation has) or its nested
    `concept` flattened."""
    flat = resource.get("_flat_concepts")
    if flat is None:
        return list(flatten_concepts(resource.get("concept")))
    if not isinstance(flat, list):
        flat = resource["_flat_concepts"] = list(flat)
    return flat


def flatten_concepts(concepts: Iterable[dict] | None, parent: str | None = None,
                     _children: dict | None = None) -> Iterator[dict]:
    """Yield flat concept dicts (no nested `concept`, with `parents`) from FHIR nesting.

    Parents also come from `parent`/`subsumedBy` properties, which FHIR allows
    instead of (or besides) nesting, and from a `child` property of the parent
    (the R4 inverse of `parent`): D with child = E makes D a parent of E.
    """
    if _children is None:
        concepts = concepts if isinstance(concepts, list) else list(concepts or ())
        _children = _child_links(concepts, {})
    for c in concepts or ():
        flat = {k: v for k, v in c.items() if k != "concept"}
        parents = [parent] if parent is not None else []
        for p in c.get("property") or ():
            if p.get("code") in ("parent", "subsumedBy") and "valueCode" in p:
                if p["valueCode"] not in parents:
                    parents.append(p["valueCode"])
        code = c.get("code")
        for p in (_children.get(code) if isinstance(code, str) else None) or ():
            if p not in parents:
                parents.append(p)
        if parents:
            flat["parents"] = parents
        yield flat
        yield from flatten_concepts(c.get("concept"), c.get("code"), _children)


def nest_concepts(flat: Iterable[dict]) -> list[dict]:
    """Inverse of `flatten_concepts` for rendering: children nested under their first parent.

    A trusted importer's output is stored unchecked (loader.py), so its parents may loop; nested as they stand,
    the concepts of a loop would hang only from one another and vanish from the answer. Each loop is broken
    where a walk up the nesting parents first meets itself: that concept is shown at the top level."""
    nodes: dict[str, int] = {}
    order: list[tuple[dict, list]] = []
    for f in flat:
        node = {k: v for k, v in f.items() if k != "parents"}
        nodes[node["code"]] = len(order)
        order.append((node, f.get("parents") or []))
    # the nesting parent of each node: its first parent present, a concept being no parent of itself
    up: list[int] = []
    for node, parents in order:
        at = -1
        for p in parents:
            if p != node["code"]:
                i = nodes.get(p)
                if i is not None:
                    at = i
                    break
        up.append(at)
    # one walk up from each node not yet reached (iterative: hierarchies thousands deep are stored), every
    # node walked once; 1 = on this walk, 2 = done
    state = bytearray(len(order))
    walk: list[int] = []
    for start in range(len(order)):
        i = start
        while i >= 0 and not state[i]:
            state[i] = 1
            walk.append(i)
            i = up[i]
        if i >= 0 and state[i] == 1:
            up[i] = -1
        for j in walk:
            state[j] = 2
        walk.clear()
    roots = []
    for (node, _parents), at in zip(order, up):
        if at < 0:
            roots.append(node)
        else:
            nested_parent = order[at][0]
            # nesting shows the first parent, so its `parent` property would only repeat it
            nested_parent.setdefault("concept", []).append(node)
            props = [p for p in node.get("property") or ()
                     if not (p.get("code") == "parent" and p.get("valueCode") == nested_parent["code"])]
            if props:
                node["property"] = props
            else:
                node.pop("property", None)
    return roots


def normalise_code(system: str, code: str) -> str:
    """Canonical stored form for codebooks written with an optional dot (ICD-10-NO) or in capitals only (ICPC-2,
    case-insensitive: `k86` is K86), so maps and exclusions find a code in the spelling $validate-code accepts."""
    if system in DOTTED_CODE_SYSTEMS:
        return code.replace(".", "").upper().strip()
    if system == ICPC2:
        return code.upper().strip()
    return code


class CodeSystemIndex:
    """One CodeSystem version held in memory: concepts by code, hierarchy, metadata."""

    def __init__(self, resource: dict, flat_concepts: Iterable[dict]):
        self.resource = {k: v for k, v in resource.items() if k != "concept"}
        self.url: str | None = resource.get("url")
        self.version: str | None = resource.get("version")
        # R4 CodeSystem.caseSensitive: when it is not stated, "accept codes in any case" (Postel's law)
        self.case_sensitive: bool = resource.get("caseSensitive") is True
        self.content: str = resource.get("content", "complete")
        self.concepts: dict[str, Concept] = {}
        # a system that codes status/inactive its own way gets concepts that know those codes
        aliases = property_aliases(resource.get("property"))
        make = Concept if aliases is None else AliasedConcept
        # extensions on concepts' displays (`_display`: rendering, translations), by code; a public name, so
        # a supplemented copy shares it
        self.display_extensions: dict[str, list] = {}
        for seq, f in enumerate(flat_concepts):
            code = f.get("code")
            if code is None or code in self.concepts:
                continue
            c = self.concepts[code] = make(
                code=code, display=f.get("display"), definition=f.get("definition"),
                designations=f.get("designation") or [], properties=f.get("property") or [],
                extensions=f.get("extension") or [], parents=list(f.get("parents") or []), seq=seq)
            if aliases is not None:
                c._names = aliases
            if "_display" in f:
                exts = display_extensions(f)
                if exts:
                    self.display_extensions[code] = exts
                    # a translation of the display is the display in its language: a designation for every
                    # operation ($lookup lists it, $expand and $validate-code choose and accept it)
                    c.designations = with_translations(c.designations, exts)
        for c in self.concepts.values():
            for p in c.parents:
                parent = self.concepts.get(p)
                if parent is not None:
                    parent.children.append(c.code)
        self._folded: dict[str, str | None] | None = None
        self._deprecation_codes: tuple | None = None
        self._all_current: bool | None = None
        self._ancestors: dict[str, frozenset] = {}

    @classmethod
    def from_resource(cls, resource: dict) -> "CodeSystemIndex":
        return cls(resource, flatten_concepts(resource.get("concept")))

    # --- metadata -------------------------------------------------------------
    @property
    def name(self) -> str | None:
        return self.resource.get("name")

    @property
    def title(self) -> str | None:
        return self.resource.get("title")

    @property
    def status(self) -> str | None:
        return self.resource.get("status")

    @property
    def language(self) -> str | None:
        return self.resource.get("language")

    def property_definitions(self) -> list[dict]:
        return self.resource.get("property") or []

    def __len__(self) -> int:
        return len(self.concepts)

    # --- finding concepts -----------------------------------------------------
    def get(self, code: str) -> Concept | None:
        return self.concepts.get(code)

    def find(self, code: str) -> tuple[Concept | None, str | None]:
        """(concept, how) where `how` names a non-exact match: 'case' or 'normalised'."""
        c = self.concepts.get(code)
        if c is not None:
            return c, None
        if self.url in DOTTED_CODE_SYSTEMS:
            # a dotted code as coders write it (J12.8) is asked about again and again: the spelling it was found
            # under is kept (bounded), and trusted only while this index still holds that very concept under it
            kept = self.__dict__.get("_normalised_hits")
            hits = kept[1] if kept is not None and kept[0] is self.concepts else None
            if hits is not None:
                got = hits.get(code)
                if got is not None and self.concepts.get(got.code) is got:
                    return got, "normalised"
            # upper case is canonical, but some national codes end in a lower-case letter (I21.0b)
            undotted = code.replace(".", "").strip()
            for cand in (normalise_code(self.url, code), undotted):
                c = self.concepts.get(cand)
                if c is not None and len(code) <= _MEMO_SPELLING:
                    if hits is None:
                        hits = {}
                        self.__dict__["_normalised_hits"] = (self.concepts, hits)
                    elif len(hits) >= 4096:
                        hits.clear()
                    hits[code] = c
                if c is not None:
                    return c, "normalised"
            if not self.case_sensitive:
                # I21.0A: the upper-cased national letter only matches the stored I210a when folded undotted
                k = self.folded_codes().get(undotted.casefold())
                if k is not None:
                    return self.concepts[k], "normalised"
        if not self.case_sensitive:
            k = self.folded_codes().get(code.casefold())
            if k is not None:
                return self.concepts[k], "case"
        return None, None

    def holds_any(self, codes: Collection[str], folded: Collection[str] | None = None) -> bool:
        """Whether `find` finds any of `codes`; `folded`: their casefolded forms, when the caller has them.

        A search may bring 1,000 codes to try on every code system, so a system read by this class's own find
        and written without optional dots is answered with set operations (the rules of `find` for it: the
        code as given, else its folded form in a system that ignores case); any other asks its find."""
        if type(self).find is not CodeSystemIndex.find or self.url in DOTTED_CODE_SYSTEMS:
            return any(self.find(code)[0] is not None for code in codes)
        if not self.concepts.keys().isdisjoint(codes):
            return True
        if self.case_sensitive:
            return False
        held = self.folded_codes()
        if folded is None:
            folded = {code.casefold() for code in codes}
        # (None: codes that differ only in case, which an input in yet another case names neither of)
        return any(held[f] is not None for f in held.keys() & folded)

    def folded_codes(self) -> dict:
        """casefolded code -> code, of a system that ignores case (codes whose folded forms collide left out)."""
        folded = self._folded
        if not folded:      # (a supplemented copy starts from an emptied one)
            folded = self._folded = folded_codes(self.concepts)
        return folded

    # subclasses whose concepts are made on demand (SNOMED CT, grammars) have no deprecation property to look for,
    # and are not known to be all current: each concept is asked
    _deprecation_codes: tuple | None = ()
    _all_current: bool | None = False

    def deprecation_codes(self) -> tuple:
        """The property codes that say "deprecated" in this system (R4 concept-properties#deprecated, under
        whatever code the system gives it) and that some concept uses: empty for nearly every system, so
        $validate-code need not look at each concept's properties."""
        got = self._deprecation_codes
        if got is None:
            got = self._walk_statuses()
        return got

    def all_current(self) -> bool:
        """Whether no concept is inactive or deprecated, on any date (most code systems): $validate-code then
        need not ask the concept in hand. A concept is deprecated on a date only through a deprecation property
        (concept_status.is_deprecated), so a system none of whose concepts uses one answers alike for every
        date. Worked out in deprecation_codes' walk; False (each concept asked) past MAX_CURRENT_WALK concepts."""
        got = self._all_current
        if got is None:
            self._walk_statuses()
            got = self._all_current
        return got

    def _walk_statuses(self) -> tuple:
        """One walk of the concepts, once per index (a supplemented copy walks again: apply_supplements empties
        both): keeps the deprecation codes used and whether every concept is current; gives the former."""
        names = _deprecation_names(self.property_definitions())
        used: set = set()
        concepts = self.concepts
        current = type(concepts) is dict and len(concepts) <= MAX_CURRENT_WALK
        if type(concepts) is dict:
            for c in concepts.values():
                for p in c.properties:
                    if p.get("code") in names:
                        used.add(p["code"])
                # (a concept with neither properties nor extensions states no status)
                if current and (c.properties or c.extensions) and (c.inactive or c.deprecated_by_status):
                    current = False
        got = tuple(n for n in names if n in used)
        self._all_current = current and not got
        self._deprecation_codes = got
        return got

    # worked out on first use; a supplemented copy starts again (supplements.apply_supplements empties it)
    _languages: tuple | None = None

    def designation_languages(self) -> tuple:
        """The languages of the concepts' designations, sorted (CodeSystem?language=). Walking SNOMED CT's
        designations takes seconds, so it is done once per index, which the catalog keeps per resource
        revision: a write of another resource leaves it."""
        got = self._languages
        if got is None:
            got = self._languages = tuple(sorted({
                d["language"] for c in self.concepts.values() for d in c.designations
                if isinstance(d, dict) and isinstance(d.get("language"), str)}))
        return got

    def roots(self) -> list[Concept]:
        return [c for c in self.concepts.values() if not any(p in self.concepts for p in c.parents)]

    def ancestors(self, code: str) -> frozenset:
        got = self._ancestors.get(code)
        if got is not None:
            return got
        out: set[str] = set()
        stack = list(self.concepts[code].parents) if code in self.concepts else []
        while stack:
            p = stack.pop()
            if p in out:
                continue
            out.add(p)
            pc = self.concepts.get(p)
            if pc is not None:
                stack.extend(pc.parents)
        got = frozenset(out)
        self._ancestors[code] = got
        return got

    def descendants(self, code: str) -> list[str]:
        out: list[str] = []
        seen = {code}
        stack = list(reversed(self.concepts[code].children)) if code in self.concepts else []
        while stack:
            c = stack.pop()
            if c in seen:
                continue
            seen.add(c)
            out.append(c)
            stack.extend(reversed(self.concepts[c].children))
        return out

    def subsumes(self, a: str, b: str) -> bool:
        """True when concept `a` subsumes concept `b` (a is b or an ancestor of b)."""
        return a == b or a in self.ancestors(b)


# Code systems with their own index class (e.g. SNOMED CT) register here by canonical URL.
INDEX_CLASSES: dict[str, type] = {}

# Code systems defined by a grammar rather than stored concepts (terminology/grammar.py): canonical URL ->
# their index. The catalog answers with it when the store holds no CodeSystem of that URL.
GRAMMARS: dict[str, "CodeSystemIndex"] = {}


def build_index(resource: dict, flat_concepts: Iterable[dict] | None = None) -> CodeSystemIndex:
    cls = INDEX_CLASSES.get(resource.get("url"), CodeSystemIndex)
    if flat_concepts is None:
        flat_concepts = flatten_concepts(resource.get("concept"))
    return cls(resource, flat_concepts)
