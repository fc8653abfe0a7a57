"""ConceptMap/$translate: R4 (and R5-named) parameters in, `mappings.translate` call, Parameters out.

The answer speaks the dialect of the question: a request with R4 names
(`code`, `system`, `targetsystem`, `reverse`) gets the R4 match parts
(`equivalence`, `concept`, `product`, `source` = the map); a request with R5
names (`sourceCode`, `targetCode`, `sourceSystem`, `targetSystem`, ...) also
gets `relationship` and `originMap`, and in reverse `source` is the coding
that maps to the given one, as R5 servers answer.
"""
from __future__ import annotations

from mappings.conceptmap import EQUIVALENCE_TO_RELATIONSHIP, sent_map
from mappings.scope import Scopes
from mappings.translate import TranslateRequest, translate
from terminology.elements import typed_value
from terminology.errors import InvalidRequest, TerminologyError
from terminology.identifiers import canonical, split_canonical
from terminology.snomed import ecl_budget
from terminology.snomed.implicit import map_url

from .canonicals import CODE_SYSTEM, CONCEPT_MAP, VALUE_SET, refuse_names_nothing
from .ops_lookup import coding_param, params_str
from .supplied import supplied_catalog
from .operations import operation
from .params import Params, refuse_blank_code

_R5_NAMES = ("sourceCode", "sourceSystem", "sourceVersion", "sourceCoding", "sourceCodeableConcept",
             "targetCode", "targetcode", "targetCoding", "targetCodeableConcept", "targetSystem", "sourceScope",
             "targetScope")

_TARGET_CONCEPT = ("targetCode", "targetcode", "targetCoding", "targetCodeableConcept")


def _str(params: Params, *names: str) -> str | None:
    """The value of whichever of `names` (R4 and R5 names of one input) the request gives. Two of them with
    different values are refused: silently keeping one would answer a question the client did not ask."""
    given = [(n, v) for n in names if (v := params.str(n)) is not None]
    if len({v for _n, v in given}) > 1:
        raise InvalidRequest(f"'{given[0][0]}' and '{given[1][0]}' say the same thing here and differ "
                             f"('{given[0][1]}', '{given[1][1]}'); give one of them")
    return given[0][1] if given else None


def _codings(params: Params, coding_names: tuple, cc_names: tuple) -> list[dict]:
    for n in coding_names:
        c = coding_param(params, n)
        if c is not None:
            if not c.get("code"):
                raise InvalidRequest(f"parameter '{n}' has no code to translate", location=n)
            return [c]
    for n in cc_names:
        cc = params.get(n)
        if cc is None:
            continue
        if not isinstance(cc, dict) or not isinstance(cc.get("coding", []), list):
            raise InvalidRequest(f"parameter '{n}' must be a CodeableConcept", location=n)
        if not cc.get("coding"):
            # the reference servers' words
            raise InvalidRequest(f"{n} must contain at least one coding", location=n)
        codings = [c for c in cc.get("coding") or () if isinstance(c, dict) and c.get("code")]
        if not codings:
            raise InvalidRequest(f"parameter '{n}' has no coding with a code", location=n)
        return codings
    return []


def _dependencies(params: Params) -> list[tuple[str, object]]:
    out = []
    for d in params.all("dependency"):
        if isinstance(d, str):
            # a query string (or form) has no way to carry the parts; ignoring it would translate
            # without the condition the client meant to give
            raise InvalidRequest("parameter 'dependency' needs parts (element + concept, or attribute + value), "
                                 "which a query string or form cannot carry: send the request as a POST with a "
                                 "Parameters body", location="dependency")
        if not isinstance(d, Params):
            raise InvalidRequest("parameter 'dependency' needs parts (element + concept, or attribute + value)",
                                 location="dependency")
        element = d.get("element") or d.get("attribute")
        value = next((v for n, v in d.items if n in ("concept", "value")), None)
        if element is None or value is None:
            raise InvalidRequest("each dependency needs element (or attribute) and concept (or value)",
                                 location="dependency")
        out.append((params_str(element, "dependency.element"), value))
    return out


def _same_map(cm: dict | None, url: str | None, version: str | None, what: str) -> None:
    """`url` (+ `conceptMapVersion`) beside a map given in full must name that map: R4 has them as two ways
    to say which map to use, and translating with one while the client named another would answer a
    question that was not asked."""
    if cm is None or (url is None and version is None):
        return
    url, version = split_canonical(url, version)
    if url is not None and cm.get("url") != url:
        raise InvalidRequest(f"parameter 'url' ({url}) does not name {what} ({cm.get('url') or 'no url'}): "
                             "give one map", location="url")
    if version is not None and cm.get("version") != version:
        raise InvalidRequest(f"parameter 'conceptMapVersion' ({version}) is not the version of {what} "
                             f"({cm.get('version') or 'no version'})", location="conceptMapVersion")


def _target_concept_systems(params: Params, target_code: str | None, codings: list[dict]) -> tuple:
    """(system of the target code given, system the answers should come from) of an R5-shaped reverse request.

    R5 gives a bare target code its system in `targetSystem` and names the system of the source concept -- the
    answers -- `system` (the reference server also takes `sourceSystem`, and the lower-case `targetsystem`).
    Kodebro read `system` as the target code's system before; when no targetSystem gives that system, or
    `system` repeats it, that reading stays, so older clients keep their answers. A targetCoding carries its
    own system; a targetSystem that is not that system names the answers', as the reference server reads it."""
    named = _str(params, "targetSystem", "targetsystem")
    system, source_system = params.str("system"), params.str("sourceSystem")
    carried = {c["system"] for c in codings if c.get("system")}
    bare = target_code is not None or any(not c.get("system") for c in codings)
    fallback, consumed = (named, "targetSystem") if named is not None else (system, "system")
    if not bare:
        fallback, consumed = None, None
    elif fallback is None and target_code is not None:
        raise InvalidRequest("targetSystem parameter is required when using targetCode",     # FHIRsmith's words
                             location="targetSystem")
    code_systems = carried | ({fallback} if fallback else set())
    answers = [("sourceSystem", source_system)] if source_system is not None else []
    if system is not None and consumed != "system" and system not in code_systems:
        answers.append(("system", system))
    if named is not None and consumed != "targetSystem" and named not in code_systems:
        answers.append(("targetSystem", named))
    differ = [(n, v) for n, v in answers[1:] if v != answers[0][1]]
    if differ:
        (n1, v1), (n2, v2) = answers[0], differ[0]
        why = (f" ('{named}' is not the system of the target code, {', '.join(sorted(carried))}, so it can only "
               "name the system of the answers)") if "targetSystem" in (n1, n2) else ""
        raise InvalidRequest(f"'{n1}' and '{n2}' both name the system the answers should come from and differ "
                             f"('{v1}', '{v2}'){why}; give one of them", location=n2)
    return fallback, answers[0][1] if answers else None


def _target_concept_versions(params: Params, version: str | None, target_version: str | None) -> tuple:
    """(version of the target code given, version of the answers) of an R5-shaped reverse request.
    `targetVersion` is the target code's version (the reference server reads it so); `version` then goes with
    `system`, the answers' system, as R5 pairs them. Without targetVersion, `version` stays the target code's
    version as Kodebro read it before."""
    code_version = params.str("targetVersion")
    if code_version is None or version is None:
        return code_version or version, target_version
    if target_version is not None and version != target_version:
        raise InvalidRequest(f"with 'targetVersion' for the target code, 'version' is the version of the answers' "
                             f"system, and it differs from 'target-version' ('{version}', '{target_version}'); "
                             "give one of them", location="version")
    return code_version, version


def _date(params) -> str | None:
    """`date`, checked here: only a map with ICD-10-NO targets reads it, and a bad one is a 400 on any map."""
    from terminology.editions import day_of
    on = params.str("date") or None
    if on is not None:
        day_of(on)
    return on


def translate_requests(params: Params, instance: dict | None) -> tuple[list[TranslateRequest], bool]:
    """One TranslateRequest per source coding, and whether the request used R5 names."""
    r5 = any(n in params for n in _R5_NAMES)
    reverse = bool(params.bool("reverse", False))
    code = refuse_blank_code(_str(params, "code", "sourceCode"), "code", "the code to translate")
    codings = _codings(params, ("coding", "sourceCoding"), ("codeableConcept", "sourceCodeableConcept"))
    target_code = refuse_blank_code(_str(params, "targetCode", "targetcode"), "targetCode", "the target code")
    target_codings = _codings(params, ("targetCoding",), ("targetCodeableConcept",))
    version, target_version = _str(params, "version", "sourceVersion"), params.str("target-version")
    if target_code is not None or target_codings:
        if reverse:
            # R4's reverse turns the code given into a target code; R5 names a target code directly. Both at
            # once leaves unclear which code is which (the reference server refuses it in these words)
            raise InvalidRequest("The 'reverse' parameter cannot be combined with targetCode, targetCoding or "
                                 "targetCodeableConcept", location="reverse")
        # R5 reverse: the code given is a target code; the answer is in the source system
        reverse = True
        code = target_code
        codings = target_codings
        system, target_system = _target_concept_systems(params, target_code, codings)
        version, target_version = _target_concept_versions(params, version, target_version)
        # R5 scopes name the map's sides: targetScope holds the code given, sourceScope the answers
        sides = (("source", "targetScope"), ("target", "sourceScope"))
    else:
        system = _str(params, "system", "sourceSystem")
        target_system = _str(params, "targetsystem", "targetSystem")
        if reverse:
            # R4 reverse "reverses the meaning of the source and target parameters": R4 `target` is then the
            # value set of the code given and R4 `source` that of the answers (as tx.fhir.org reads it); the R5
            # names sourceScope/targetScope keep the meaning they have without reverse
            sides = (("target", "sourceScope"), ("source", "targetScope"))
        else:
            sides = (("source", "sourceScope"), ("target", "targetScope"))
    # TranslateRequest.source is the value set of the code given, .target that of the answers; each may be
    # named by an R4 or an R5 name, and the one the client used words the messages
    source_vs, target_vs = (_str(params, *names) for names in sides)
    scope_params = tuple(r4 if r4 in params else r5 for r4, r5 in sides)
    common = dict(version=version,
                  source=source_vs, target=target_vs, scope_params=scope_params,
                  target_system=target_system, target_version=target_version,
                  conceptmap_url=params.str("url"), conceptmap_version=params.str("conceptMapVersion"),
                  conceptmap=params.resource("conceptMap") if "conceptMap" in params else instance,
                  reverse=reverse, dependencies=_dependencies(params),
                  # not an R4 input: picks the ICD-10-NO edition a map's targets are checked against
                  date=_date(params))
    if common["conceptmap"] is not None and common["conceptmap"].get("resourceType") != "ConceptMap":
        raise InvalidRequest("parameter 'conceptMap' must be a ConceptMap", location="conceptMap")
    _same_map(common["conceptmap"], common["conceptmap_url"], common["conceptmap_version"],
              "conceptMap" if "conceptMap" in params else "the ConceptMap of the URL")
    # a map of the server named by its id is that map alone, with the index kept for it, and judged as the
    # server's map (one that cannot be used is left out and said), not as one the client sent
    common["conceptmap_stored"] = "conceptMap" not in params and instance is not None
    if common["conceptmap_stored"] and _rows_read_by_url(instance):
        common.update(conceptmap_url=canonical(instance["url"], instance.get("version")), conceptmap=None,
                      conceptmap_stored=False)
    reqs = []
    if code is not None:
        if codings:
            raise InvalidRequest("give the code either as code + system or as a coding, not both", location="code")
        reqs.append(TranslateRequest(code=code, system=system, **common))
    for c in codings:
        if not c.get("system") and not system:
            raise InvalidRequest("the coding to translate has no system", location="coding")
        reqs.append(TranslateRequest(code=c.get("code"), system=c.get("system") or system,
                                     display=c.get("display"), **{**common, "version": c.get("version") or common["version"]}))
    if not reqs:
        # the reference server's words (FHIRsmith translate.js), R4 and R5 names alike
        raise InvalidRequest("Must provide sourceCode+(source)system, sourceCoding, or sourceCodeableConcept, or "
                             "targetCode+targetSystem), targetCoding, or targetCodeableConcept", location="code")
    for r in reqs:
        if not r.system:
            raise InvalidRequest("system parameter is required when using code/sourceCode", location="system")
    return reqs, r5


def _coding(system, code, version=None, display=None) -> dict:
    c = {}
    if system:
        c["system"] = system
    if version:
        c["version"] = version
    c["code"] = code
    if display:
        c["display"] = display
    return c


def _no_map(m) -> bool:
    """A map element that says there is no target (noMap, or no target at all): an `unmatched` match with no
    system, where an R4 target `unmatched` without a code still names the group's target system."""
    return m.equivalence == "unmatched" and m.code is None and m.system is None and not m.product


def _match(m, req: TranslateRequest, r5: bool) -> dict:
    if r5 and _no_map(m):
        # R5 says it as the map does (noMap), as the reference server answers; R4 has no noMap, and an
        # R4-named request keeps R4's `unmatched`
        parts = [{"name": "noMap", "valueBoolean": True}]
        if m.comment:
            parts.append({"name": "sourceComment", "valueString": m.comment})
        if m.source:
            parts.append({"name": "originMap", "valueCanonical": m.source})
        return {"name": "match", "part": parts, **({"extension": m.extensions} if m.extensions else {})}
    parts = [{"name": "equivalence", "valueCode": m.equivalence}]
    if r5:
        parts.append({"name": "relationship",
                      "valueCode": EQUIVALENCE_TO_RELATIONSHIP.get(m.equivalence, "related-to")})
    found = _coding(m.system, m.code, m.version, m.display) if m.code is not None else None
    if r5 and req.reverse:
        # the concept asked about, as the reference servers name it: system and code only
        parts.append({"name": "concept", "valueCoding": _coding(req.system, req.code, None, None)})
        if found:
            parts.append({"name": "source", "valueCoding": found})
    elif found:
        parts.append({"name": "concept", "valueCoding": found})
    for p in m.product:
        if r5:
            parts.append({"name": "product", "part": _attribute_parts(p)})
        else:
            parts.append({"name": "product", "part": [
                {"name": "element", "valueUri": p.get("property")},
                {"name": "concept", "valueCoding": _coding(p.get("system"), p.get("value"), None, p.get("display"))}]})
    if r5:
        # R4's match has no place for the conditions or the comment; R5's has dependsOn and message
        for d in m.depends_on:
            dep = _attribute_parts(d)
            if dep:
                parts.append({"name": "dependsOn", "part": dep})
    if m.source:
        parts.append({"name": "originMap", "valueCanonical": m.source} if r5
                     else {"name": "source", "valueUri": m.source})
    if r5 and m.comment:
        parts.append({"name": "message", "valueString": m.comment})
    out = {"name": "match", "part": parts}
    if m.extensions:
        out["extension"] = m.extensions
    return out


def _attribute_parts(d: dict) -> list[dict]:
    """An R5 dependsOn/product pair (attribute + value[x]) from an R4 (property, system, value, display)
    or an R5 (attribute, value[x]) shaped condition."""
    attribute = d.get("attribute") or d.get("property")
    if attribute is None:
        return []
    out = [{"name": "attribute", "valueUri": attribute}]
    typed = typed_value(d)
    if typed is not None:
        out.append({"name": "value", typed[0]: typed[1]})
    elif d.get("value") is not None:
        if d.get("system"):
            out.append({"name": "value", "valueCoding": _coding(d["system"], d["value"], None, d.get("display"))})
        else:
            out.append({"name": "value", "valueString": str(d["value"])})
    return out


def render_translate(answers: list[tuple[TranslateRequest, object]], r5: bool) -> dict:
    """Parameters for the answers to each source coding: one result, messages joined, every match."""
    result = any(res.result for _, res in answers)
    out = [{"name": "result", "valueBoolean": result}]
    messages = []
    for _, res in answers:
        # a codeableConcept is translated when one of its codings is (R4: "the server can translate any of
        # the coding values"): the codings that found nothing do not make the answer read as a failure
        if result and not res.result and not res.matches:
            continue
        if res.message and res.message not in messages:
            messages.append(res.message)
    if messages:
        out.append({"name": "message", "valueString": "; ".join(messages)})
    seen = set()
    for req, res in answers:
        for m in res.matches:
            rendered = _match(m, req, r5)
            key = repr(rendered)
            if key not in seen:
                seen.add(key)
                out.append(rendered)
    return {"resourceType": "Parameters", "parameter": out}


# each input that names a code system, value set or map by its canonical, in R4's and R5's names
_CANONICALS = {"url": CONCEPT_MAP, "system": CODE_SYSTEM, "sourceSystem": CODE_SYSTEM,
               "targetsystem": CODE_SYSTEM, "targetSystem": CODE_SYSTEM, "source": VALUE_SET, "target": VALUE_SET,
               "sourceScope": VALUE_SET, "targetScope": VALUE_SET}
_CODINGS = ("coding", "sourceCoding", "targetCoding", "codeableConcept", "sourceCodeableConcept",
            "targetCodeableConcept")


def prepared_requests(catalog, params, instance):
    """The request's catalog, its translate requests and whether it speaks R5. The codings of a
    codeableConcept share what is resolved once per request: the source and target value sets, and the index
    of the map the request brought (kept on the requests, never in a cache that outlives them)."""
    # a canonical of '|' alone: no map from or to it is sought (a coding's named by its parameter, as the other
    # faults of a coding to translate are)
    refuse_names_nothing(params, _CANONICALS, {n: n for n in _CODINGS})
    catalog = supplied_catalog(catalog, params)
    reqs, r5 = translate_requests(params, instance)
    if len(reqs) > 1 and (reqs[0].source or reqs[0].target):
        shared = Scopes(catalog, reqs[0])
        for r in reqs:
            r.scopes = shared
    if len(reqs) > 1 and reqs[0].conceptmap is not None and not reqs[0].conceptmap_stored:
        idx = sent_map(catalog, reqs[0])
        for r in reqs:
            r.sent_map_index = idx
    return catalog, reqs, r5


def _rows_read_by_url(cm: dict) -> bool:
    """Whether the server's map `cm` is a SNOMED CT implicit ConceptMap's header (ConceptMap/<id>/$translate): it
    holds no rows, so it is asked by its url|version, as the provider that holds its rows reads it. No stored map
    has such a url (a write refuses it), so a header without groups at one is served, never stored."""
    if cm.get("group"):
        return False
    try:
        return map_url(cm.get("url")) is not None
    except InvalidRequest:
        return False


def _not_in_its_system(catalog, req: TranslateRequest, res) -> None:
    """A target code that found nothing because it is not a code of the system it was given in says so: with
    R5's reading of `system` (the answers' system) a client that meant the older one -- or sent a source code
    as the target code -- would otherwise only hear "No translations found"."""
    if res.result or res.matches or not req.system:
        return
    try:
        cs = catalog.codesystem(req.system, req.version)
        if cs is None or getattr(cs, "content", "complete") != "complete" or cs.find(req.code)[0] is not None:
            return
    except TerminologyError:
        return
    version = f" version '{cs.version}'" if getattr(cs, "version", None) else ""
    answers = f" (the answers were sought in '{req.target_system}')" if req.target_system else ""
    why = (f"'{req.system}#{req.code}' is not a code of the CodeSystem '{req.system}'{version}, the system of the "
           f"target code{answers}")
    res.message = f"{res.message}; {why}" if res.message else why


@operation("ConceptMap", "translate")
def op_translate(catalog, params, instance):
    catalog, reqs, r5 = prepared_requests(catalog, params, instance)
    target_concept = any(n in params for n in _TARGET_CONCEPT)
    with ecl_budget.budget():       # the codings of a codeableConcept share one ECL work budget
        answers = [(r, translate(catalog, r)) for r in reqs]
    if target_concept:
        for r, res in answers:
            _not_in_its_system(catalog, r, res)
    return render_translate(answers, r5)
