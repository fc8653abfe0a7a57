"""CodeSystem/$lookup: what a code means, in which edition, with which properties.

`lookup(catalog, req)` answers a `LookupRequest` with a `LookupResult` of plain
values; `fhir_api.ops_lookup` renders it as Parameters. Properties come from
`cs.lookup_properties(concept, wanted)` when a CodeSystemIndex subclass
defines it (SNOMED CT adds its own), else from `concept_properties` below,
which subclasses may call and extend.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from ..identifiers import ICD10_NO, canonical, split_canonical
from ..norway.properties import from_who
from ..editions import day_of, edition_for_date, not_in_force
from ..elements import typed_value
from ..errors import InvalidRequest, NotFound, NotHeld
from ..languages import PREFERRED_FOR_LANGUAGE, choose_display, language_matches
from ..supplements import SupplementSet, supplied_lang_packs
from .concept_status import is_abstract
from .version_rules import unknown_system

# property codes that are answered from the hierarchy or the concept itself, not concept.property
HIERARCHY = ("parent", "child")
ALL = "*"


@dataclass
class LookupRequest:
    code: str | None = None
    system: str | None = None
    version: str | None = None
    date: str | None = None
    languages: list = field(default_factory=list)     # wanted display languages, best first
    properties: list = field(default_factory=list)    # requested property codes; empty = server's choice
    supplements: list = field(default_factory=list)   # canonical URLs (url|version) of supplements to apply


@dataclass
class LookupProperty:
    code: str
    value_type: str | None = None        # FHIR value[x] key, e.g. "valueCode"
    value: object = None
    description: str | None = None
    subproperties: list = field(default_factory=list)   # LookupProperty items


@dataclass
class LookupResult:
    code: str
    system: str | None
    version: str | None
    name: str | None
    display: str | None
    definition: str | None = None
    abstract: bool | None = None          # None: not asked for (a `property` list that names neither it nor *)
    designations: list = field(default_factory=list)    # FHIR designation dicts (+ "source" canonical)
    properties: list = field(default_factory=list)      # LookupProperty
    messages: list = field(default_factory=list)        # notes for the client (e.g. normalised code)
    used_supplements: list = field(default_factory=list)


def wants(requested: list, name: str) -> bool:
    """With no `property` in the request the server answers everything it has."""
    return not requested or name in requested or ALL in requested


def _designation_languages(wanted: list) -> list[str]:
    """The X of each requested `lang.X` property: designations in language X (R4 CodeSystem-lookup)."""
    return [w[5:].lower() for w in wanted or () if isinstance(w, str) and w.startswith("lang.") and len(w) > 5]


def _in_languages(language: str | None, languages: list[str]) -> bool:
    return any(language_matches(x, language) for x in languages)


def concept_properties(cs, concept, wanted: list) -> list[LookupProperty]:
    """The default property answer: hierarchy, status flags and the concept's own properties."""
    out: list[LookupProperty] = []
    if wants(wanted, "parent"):
        for p in concept.parents:
            pc = cs.get(p)
            out.append(LookupProperty("parent", "valueCode", p, pc.display if pc else None))
    if wants(wanted, "child"):
        for ch in concept.children:
            cc = cs.get(ch)
            out.append(LookupProperty("child", "valueCode", ch, cc.display if cc else None))
    own = {p.get("code") for p in concept.properties}
    if wants(wanted, "inactive") and "inactive" not in own:
        out.append(LookupProperty("inactive", "valueBoolean", concept.inactive))
    # status is derived only when asked by name: the code system may not define one. The concept's lifecycle
    # (a status property under any code with the status URI, else the standards-status extension) comes
    # first, as in $expand; only a concept without one is called active or inactive
    if wanted and "status" in wanted and "status" not in own:
        status = concept.lifecycle
        if status is None:
            status = "inactive" if concept.inactive else "active"
        out.append(LookupProperty("status", "valueCode", status))
    out.extend(_own_properties(concept.properties, wanted))
    if wanted and "notSelectable" in wanted and "notSelectable" not in own:
        # asked for by its standard code of a system that states it under a code of its own
        out.extend(LookupProperty("notSelectable", "valueBoolean", v) for v in concept.not_selectable_values())
    return out


def resolve_codesystem(catalog, system: str, version: str | None, date: str | None = None,
                       purpose: str = "the code cannot be looked up"):
    """The CodeSystemIndex for system (+version, or the edition in force on `date`); NotFound otherwise
    (`purpose` ends its message: what cannot be done without the system)."""
    system, version = split_canonical(system, version)
    if date:
        date = day_of(date)
        # one rule for a date ($validate-code and $expand apply it too): a date before the first loaded edition of
        # a codebook with dated editions, or before the edition named, is answered by none of them
        late = not_in_force(catalog, system, version, date)
        if late:
            raise NotHeld(late, tx_code="not-found")
        if version is None:
            version = edition_for_date(catalog, system, date)
    cs = catalog.codesystem(system, version)
    if cs is not None and cs.content == "supplement":
        canon = canonical(cs.url, cs.version)
        # the reference servers' text (CODESYSTEM_CS_NO_SUPPLEMENT) exactly, as clients compare it; the way out
        # goes to diagnostics
        raise InvalidRequest(f"CodeSystem {canon} is a supplement, so can't be used as a value in Coding.system",
                             location="system", tx_code="invalid-data",
                             diagnostics=f"look the code up in {cs.resource.get('supplements') or 'its base code system'}"
                                         f" with useSupplement={canon}")
    if cs is not None:
        return cs
    # the wording $validate-code and $expand use for a system or version that is not there
    # (a definition not held: 422, errors.NotHeld, as the reference server answers $lookup)
    raise unknown_system(catalog, system, version, purpose=purpose)


def _supplements(catalog, cs, refs: list, packs: list = ()) -> tuple:
    """(SupplementSet, [(position, canonical)]): each supplement must supplement this version of the
    system, matched as $expand and $validate-code match it; language packs of it go with them."""
    try:
        ss = SupplementSet(catalog, refs, {cs.url}, packs)
        matching = ss.matching(cs)
        found = {i for i, _canon in matching}
        for _ref, i in ss.refs:
            if i not in found:
                raise ss.unusable(i, [cs.version])
    except NotFound as err:
        # a supplement named beside the code: 400 not-found, as the reference server answers a $lookup (ops_valueset
        # makes $expand's 422 the same way)
        err.status = 400
        raise
    return ss, matching


def _who_origin(concept, cs) -> bool:
    """The concept's origin property (Kodebro's ICD-10-NO import) says it comes from WHO ICD-10 (English text)."""
    return cs.url == ICD10_NO and from_who(concept)


def _own_properties(props: list, wanted: list) -> list[LookupProperty]:
    out = []
    for p in props:
        code = p.get("code")
        if not code or code in HIERARCHY or not wants(wanted, code):
            continue
        typed = typed_value(p)
        if typed is not None:
            k, v = typed
            desc = v.get("display") if k == "valueCoding" and isinstance(v, dict) else None
            out.append(LookupProperty(code, k, v, desc))
    return out


def lookup(catalog, req: LookupRequest) -> LookupResult:
    if not req.code or not req.system:
        # the reference servers' wording, for a missing code and a missing system alike
        raise InvalidRequest("Must provide either coding parameter, or system and code parameters",
                             location="system" if req.code else "code")
    cs = resolve_codesystem(catalog, req.system, req.version, req.date)
    concept, how = cs.find(req.code)
    if concept is None:
        v = f" version '{cs.version}'" if cs.version else ""
        if cs.content == "not-present":
            # the code may well exist: this server holds none of the system's concepts (as $validate-code says)
            raise NotFound(f"Unable to look up code '{req.code}' in {cs.url}{v}: the code system's content is not "
                           "held by this server (content = not-present)", location="code", tx_code="not-found")
        # the reference's wording (FHIRsmith doLookup): the version unquoted, "unknown" when the system has none;
        # the code is not found rather than invalid, so no expression and the not-found issue type
        raise NotFound(f"Unable to find code '{req.code}' in {cs.url} version {cs.version or 'unknown'}",
                       tx_code="not-found")
    packs = supplied_lang_packs(catalog)       # applied unasked, as the reference servers apply them
    ss, supplements = _supplements(catalog, cs, req.supplements, packs) if req.supplements or packs else (None, [])
    extra = [d for i, _canon in supplements for d in ss.designations(i, concept.code)]
    if extra and req.languages:
        # a supplement's designations may hold the only display in the wanted language. Only the one concept
        # is merged: a supplemented copy of the whole index is not worth building for one code
        merged = SimpleNamespace(display=concept.display, designations=list(concept.designations) + extra)
        display, _ = choose_display(merged, cs, req.languages)
    else:
        display, _ = choose_display(concept, cs, req.languages)
    res = LookupResult(code=concept.code, system=cs.url, version=cs.version, name=cs.name or cs.title or cs.url,
                       display=display, abstract=is_abstract(concept) if wants(req.properties, "abstract") else None)
    if how is not None and how != "case":
        # a written form (J12.8) answered by the stored code (J128): say so. A case-insensitive system's
        # match needs no note: the answer's `code` shows the code's own case.
        res.messages.append(f"{req.code} was matched in its canonical form as {concept.code}")
    wanted = req.properties
    if wants(wanted, "definition"):
        res.definition = concept.definition
    languages = _designation_languages(wanted)
    if wants(wanted, "designation") or languages:
        if concept.display and cs.language:
            # a WHO grouping added to ICD-10-NO (origin = who) has the English WHO text: not the nb preferred term
            # (it carries that text as its own en designation already: then nothing is added)
            if not _who_origin(concept, cs):
                res.designations.append({"language": cs.language, "use": PREFERRED_FOR_LANGUAGE,
                                         "value": concept.display})
            elif not any(d.get("value") == concept.display and language_matches("en", d.get("language"))
                         for d in concept.designations):
                res.designations.append({"language": "en", "use": PREFERRED_FOR_LANGUAGE, "value": concept.display})
        res.designations.extend(concept.designations)
        if languages and not wants(wanted, "designation"):
            res.designations = [d for d in res.designations if _in_languages(d.get("language"), languages)]
    fn = getattr(cs, "lookup_properties", None)
    res.properties = fn(concept, wanted) if fn is not None else concept_properties(cs, concept, wanted)
    for i, canon in supplements:
        res.used_supplements.append(canon)
        sc = ss.concept(i, concept.code)
        if sc is None:
            continue
        if wants(wanted, "designation") or languages:
            res.designations.extend({**d, "source": canon} for d in ss.designations(i, concept.code)
                                    if wants(wanted, "designation") or _in_languages(d.get("language"), languages))
        res.properties.extend(p for p in _own_properties(sc.get("property") or (), wanted)
                              if p.code not in ("inactive", "parent", "child"))
    return res
