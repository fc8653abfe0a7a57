"""$translate over SNOMED CT map reference sets: the implicit ConceptMaps http://snomed.info/sct?fhir_cm=<refset>.

Answers for `http://snomed.info/sct?fhir_cm=447562003` (ICD-10 extended map),
`?fhir_cm=68101000202102` (ICPC-2 simple map) and any other map refset the
loaded edition holds (`by_url`: mappings.snomed_implicit_maps reads every
`?fhir_cm=` URL and picks its edition, then hands a map refset here); also,
as a provider, when no map is named and the source is SNOMED CT (then every
map refset whose target system fits `targetsystem`, or all).

Every target carries, machine-readably, one complex extension `snomed-map-row`
on the match with refset, mapGroup, mapPriority, mapRule, mapAdvice,
mapCategory, correlation, one `condition` (attribute + value) per rule clause
- sex (attribute http://snomed.info/id/263495000, value 248152002/248153007),
age at onset (…/445518008, value "< 19 years"), another finding
(…/404684003, value the concept id) - and `evaluation` (`matched` = the rule
held for the given context, `needs-context` = the rule could not be decided
from what the request said, `reverse` for reverse look-ups). The same
conditions are also in Match.depends_on (ConceptMap dependsOn shape) for
renderers that speak R5 (`dependsOn` is an R5 $translate output part) and
Match.comment holds the advice and which rule matched.
Why not `product`: R4 defines product as further *outputs* of the mapping
(other elements the map sets), whereas group/priority/rule/advice describe the
map row itself and R4's $translate output has no dependsOn; a complex
extension keeps them together, typed, and survives in R4 answers.
"""
from __future__ import annotations

import weakref

from terminology.codesystem import normalise_code
from terminology.errors import InvalidRequest, NotFound
from terminology.identifiers import ICD10_NO, KODEBRO_BASE, SNOMED
from terminology.snomed import constants as K
from terminology.snomed.constants import MAP_CATEGORIES
from terminology.snomed.implicit import map_edition, map_url_of

from .icd10_targets import check as check_icd10_targets
from .snomed_history import inactive_note
from .snomed_rules import context_from, evaluate_rows, rule_conditions
from .translate import NO_TRANSLATIONS, Match, TranslateRequest, TranslateResult, provider

EXT_ROW = KODEBRO_BASE + "/StructureDefinition/snomed-map-row"
REVERSE_WARNING = ("Reverse SNOMED CT map lookup: the map is one-way and was built from SNOMED CT to the "
                   "classification; the SNOMED CT concepts listed are those whose map rows name this code and "
                   "are NOT medically safe substitutes for it")
CORRELATION_EQUIVALENCE = {
    "447557004": "equivalent",      # exact match
    "447559001": "narrower",        # broad to narrow
    "447558009": "wider",           # narrow to broad
    "447560006": "inexact",         # partial overlap
    "447556008": "unmatched",       # not mappable
    "447561005": "relatedto",       # correlation not specified (the ICD-10 map uses this throughout)
}
# index -> {refset: {target: [(source code, row), ...]}}, built per refset on the first reverse look-up. Held
# here, not on the index: only reverse $translate reads it, and a weak key lets it go with the edition's index
_REVERSE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _snomed_index(catalog, version: str | None):
    cs = catalog.codesystem(SNOMED, version)   # an edition URI without a date means its latest version
    return cs if cs is not None and hasattr(cs, "maps") else None


def edition_asked(catalog, req: TranslateRequest):
    """The edition whose reference sets (map refsets, and the associations mappings.snomed_implicit_maps reads)
    answer a request that names no map: the SNOMED CT `version` of the code given
    (forward only: in reverse the code is an ICD-10 or ICPC-2 one) or a SNOMED CT conceptMapVersion, by the rule the
    url path follows (terminology.snomed.implicit.map_edition: one not loaded is a 404 naming the loaded ones),
    else the default edition. A conceptMapVersion that is no SNOMED CT edition URI may be meant for a stored map."""
    cmv = req.conceptmap_version if (req.conceptmap_version or "").startswith(SNOMED) else None
    code_version = None if req.reverse else req.version
    if cmv or code_version:
        return map_edition(catalog, conceptmap_version=cmv, code_version=code_version)
    return _snomed_index(catalog, None)


# --- the map reference sets of a SnomedIndex (its `maps`: refset -> {concept number: rows}) --------------------
def map_refsets(cs) -> list[str]:
    return list(cs.maps)


def map_rows(cs, refset: str, code: str) -> list[tuple] | None:
    """Rows (group, priority, rule, advice, target, correlation, category), ordered; None if not mapped."""
    i = cs.pos.get(code)
    per = cs.maps.get(refset)
    if i is None or per is None:
        return None
    return per.get(i)


def map_target_system(cs, refset: str) -> str | None:
    info = (cs.release.get("maps") or {}).get(refset) or {}
    return info.get("targetSystem") or K.MAP_TARGETS.get(refset) or (
        K.icd10_system(bool(cs.release.get("norwegian"))) if refset == K.ICD10_MAP else None)


def kept_per_refset(kept: weakref.WeakKeyDictionary, cs, refset: str, build):
    """`build()` for one index and refset, built once and kept in `kept` (weak-keyed: it goes with the index)."""
    built = kept.get(cs)
    if built is None:
        built = kept.setdefault(cs, {})
    got = built.get(refset)
    if got is None:
        got = built[refset] = build()
    return got


def reverse_rows(cs, refset: str, target: str) -> list[tuple[str, tuple]]:
    """(source code, row) pairs whose target is `target` (built once per index and refset)."""
    def build():
        rev: dict = {}
        for i, rows in (cs.maps.get(refset) or {}).items():
            for row in rows:
                if row[4]:
                    rev.setdefault(row[4], []).append((cs.codes[i], row))
        return rev
    return kept_per_refset(_REVERSE, cs, refset, build).get(target, [])


def _row_extension(refset: str, row: tuple, status: str) -> dict:
    group, priority, rule, advice, _target, corr, cat = row
    parts = [{"url": "refset", "valueCanonical": map_url_of(refset)},
             {"url": "mapGroup", "valueInteger": int(group)},
             {"url": "mapPriority", "valueInteger": int(priority)}]
    if rule:
        parts.append({"url": "mapRule", "valueString": rule})
    if advice:
        parts.append({"url": "mapAdvice", "valueString": advice})
    if cat:
        parts.append({"url": "mapCategory", "valueCoding": {"system": SNOMED, "code": cat,
                                                           "display": MAP_CATEGORIES.get(cat)}})
    if corr:
        parts.append({"url": "correlation", "valueCoding": {"system": SNOMED, "code": corr}})
    for c in rule_conditions(rule) if rule else ():
        value = ({"url": "value", "valueCoding": {"system": c["system"], "code": c["value"]}} if c.get("system")
                 else {"url": "value", "valueString": c["value"]})
        parts.append({"url": "condition", "extension": [{"url": "attribute", "valueUri": c["property"]}, value]})
    parts.append({"url": "evaluation", "valueCode": status})
    return {"url": EXT_ROW, "extension": parts}


def _target_code(system: str | None, target: str) -> str:
    return normalise_code(system, target) if system == ICD10_NO else target


def _display(catalog, system: str | None, code: str | None, cache: dict) -> str | None:
    if not system or not code:
        return None
    if system not in cache:
        cache[system] = catalog.codesystem(system)
    cs = cache[system]
    if cs is None:
        return None
    c, _ = cs.find(code)
    return c.display if c is not None else None


def _equivalence(refset_kind: str, row: tuple) -> str:
    if not row[4]:
        return "unmatched"
    if refset_kind == "simple":
        return "wider"
    return CORRELATION_EQUIVALENCE.get(row[5], "relatedto")


def _refsets_for(cs, req: TranslateRequest, catalog) -> list[str]:
    """The map refsets whose target system fits the request's targetsystem, or the system whose implicit value set
    (`{system}?fhir_vs…`) is its `target` (all, without either): a SNOMED CT target asks the associations, not these."""
    target = req.target_system or (req.target.partition("?fhir_vs")[0] if req.target and "?fhir_vs" in req.target
                                   else None)
    want = catalog.canonical_system(target) if target else None
    return [r for r in map_refsets(cs) if want is None or map_target_system(cs, r) == want]


def forward(catalog, cs, refsets: list[str], code: str, req: TranslateRequest) -> TranslateResult:
    ctx = context_from(req.dependencies)
    matches: list[Match] = []
    notes: list[str] = []
    cache: dict = {}
    subsumes = cs.subsumes
    known = cs.get(code) is not None
    for refset in refsets:
        rows = map_rows(cs, refset, code)
        if not rows:
            continue
        kind = (cs.release.get("maps") or {}).get(refset, {}).get("kind", "extended")
        system = map_target_system(cs, refset)
        outcomes = evaluate_rows(rows, ctx, subsumes) if kind != "simple" else [
            _SimpleOutcome(r) for r in rows]
        if any(o.status == "needs-context" for o in outcomes):
            notes.append(f"the map {map_url_of(refset)} has rules for {code} that need patient context "
                         "(sex, age at onset or another finding, given as dependency); all candidates are listed")
        for o in outcomes:
            row = o.row
            target = row[4]
            tcode = _target_code(system, target) if target else None
            comment = row[3] or None
            if o.status == "matched" and row[2] not in ("", "TRUE"):
                comment = f"rule matched: {row[2]}" + (f"; {row[3]}" if row[3] else "")
            elif o.status == "needs-context":
                comment = f"needs context: {row[2]}" + (f"; {row[3]}" if row[3] else "")
            m = Match(equivalence=_equivalence(kind, row), system=system if target else None, code=tcode,
                      display=_display(catalog, system, tcode, cache), source=map_url_of(refset),
                      comment=comment, depends_on=rule_conditions(row[2]) if kind != "simple" else [],
                      extensions=[_row_extension(refset, row, o.status)])
            if tcode and target != tcode:
                m.extensions.append({"url": KODEBRO_BASE + "/StructureDefinition/source-code-form",
                                     "valueString": target})
            matches.append(m)
    # the ICD-10 map targets WHO categories; NPR takes only the codes ICD-10-NO reports (R17 → R17.0, R17.9)
    notes.extend(check_icd10_targets(catalog, req, matches))
    message = None
    if not known:
        message = f"'{code}' is not a concept of SNOMED CT {cs.version}"
    elif not matches:
        message = f"SNOMED CT concept {code} has no rows in " + ", ".join(map_url_of(r) for r in refsets)
        inactive = inactive_note(cs, code, lambda c: [r[4] for ref in refsets for r in map_rows(cs, ref, c) or ()
                                                      if r[4]])
        if inactive:
            message = f"{message}; {inactive}"
    elif notes:
        message = "; ".join(notes)
    return TranslateResult(result=any(m.code for m in matches), message=message, matches=matches)


class _SimpleOutcome:
    __slots__ = ("row", "status")

    def __init__(self, row):
        self.row, self.status = row, "matched"


def reverse(catalog, cs, refsets: list[str], code: str, req: TranslateRequest) -> TranslateResult:
    matches: list[Match] = []
    for refset in refsets:
        system = map_target_system(cs, refset)
        forms = {code}
        if system == ICD10_NO:
            canon = normalise_code(ICD10_NO, code)
            forms |= {canon, f"{canon[:3]}.{canon[3:]}" if len(canon) > 3 else canon}
        for form in forms:
            for source, row in reverse_rows(cs, refset, form):
                matches.append(Match(
                    equivalence="relatedto", system=SNOMED, code=source, display=cs.display[cs.pos[source]],
                    version=cs.version, source=map_url_of(refset),
                    comment="NOT MEDICALLY SAFE: reverse lookup of a one-way map" + (
                        f"; rule {row[2]}" if row[2] not in ("", "TRUE") else ""),
                    depends_on=rule_conditions(row[2]),
                    extensions=[_row_extension(refset, row, "reverse")]))
    return TranslateResult(result=bool(matches), message=REVERSE_WARNING, matches=matches)


def by_url(catalog, req: TranslateRequest, cs, refset: str, canonical: str) -> TranslateResult:
    """$translate by the url of map refset `refset` of edition `cs` (which the url and the request picked)."""
    canon = catalog.canonical_system
    target = map_target_system(cs, refset)
    if req.reverse:
        # the code given is a target code (ICD-10, ICPC-2); the answers are SNOMED CT concepts
        if req.target_system and canon(req.target_system) != SNOMED:
            return not_served(canonical, f"maps SNOMED CT to {target}, so its sources are not {req.target_system}")
        if not req.code:
            return TranslateResult(result=False, message=REVERSE_WARNING)
        return reverse(catalog, cs, [refset], req.code.strip(), req)
    if req.system and canon(req.system) != SNOMED:
        # one coding of a codeableConcept may be of another system: the others are still translated
        return not_served(canonical, f"maps SNOMED CT codes, not {req.system}")
    if req.target_system and canon(req.target_system) != target:
        return not_served(canonical, f"maps SNOMED CT to {target}, not to {req.target_system}")
    if not req.code:
        raise InvalidRequest("$translate needs a code", location="code")
    return forward(catalog, cs, [refset], req.code.strip(), req)


def not_served(canonical: str, why: str) -> TranslateResult:
    # a stored map's words for a request its groups do not serve (mappings.conceptmap): 200, result false
    return TranslateResult(result=False, message=f"{NO_TRANSLATIONS} (the ConceptMap {canonical} {why})")


@provider
def snomed_map_provider(catalog, req: TranslateRequest):
    """SNOMED CT to (or, in reverse, from) the map refsets' systems when no map is named."""
    if req.conceptmap_url:
        return None     # a named map: mappings.snomed_implicit_maps reads a ?fhir_cm= url and calls by_url
    canon = catalog.canonical_system
    source_system = canon(req.system) if req.system else None
    if req.reverse:
        # the code is a target (ICD-10, ICPC-2); the answer is SNOMED CT concepts
        if not req.code or (canon(req.target_system) if req.target_system else None) != SNOMED:
            return None
    elif source_system != SNOMED:
        return None
    try:
        cs = edition_asked(catalog, req)
    except NotFound:
        default = _snomed_index(catalog, None)
        if default is not None and _refsets(catalog, default, req, source_system):
            raise       # a request these maps would answer, in an edition that is not here
        return None
    if cs is None:
        return None
    refsets = _refsets(catalog, cs, req, source_system)
    if not refsets:
        return None
    if req.reverse:
        return reverse(catalog, cs, refsets, req.code.strip(), req)
    if not req.code:
        raise InvalidRequest("$translate needs a code", location="code")
    return forward(catalog, cs, refsets, req.code.strip(), req)


def _refsets(catalog, cs, req: TranslateRequest, source_system: str | None) -> list[str]:
    """The map refsets of `cs` that fit the request: by its target system, or in reverse its source system."""
    if not req.reverse:
        return _refsets_for(cs, req, catalog)
    return [r for r in map_refsets(cs) if source_system is None or map_target_system(cs, r) == source_system]
