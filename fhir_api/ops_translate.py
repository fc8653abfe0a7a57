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
from terminology.errors import InvalidRequest
from terminology.identifiers import split_canonical
from terminology.snomed import ecl_budget

from .ops_lookup import coding_param, params_str
from .supplied import supplied_catalog
from .operations import operation
from .params import Params

_R5_NAMES = ("sourceCode", "sourceSystem", "sourceVersion", "sourceCoding", "sourceCodeableConcept",
             "targetCode", "targetCoding", "targetCodeableConcept", "targetSystem", "sourceScope", "targetScope")


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


def translate_requests(params: Params, instance: dict | None) -> tuple[list[TranslateRequest], bool]:
    """One TranslateRequest per source coding, and whether the request used R5 names."""
    r5 = any(n in params for n in _R5_NAMES)
    reverse = bool(params.bool("reverse", False))
    code = _str(params, "code", "sourceCode")
    codings = _codings(params, ("coding", "sourceCoding"), ("codeableConcept", "sourceCodeableConcept"))
    system = _str(params, "system", "sourceSystem")
    target_system = _str(params, "targetsystem", "targetSystem")
    target_code = params.str("targetCode")
    target_codings = _codings(params, ("targetCoding",), ("targetCodeableConcept",))
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
        system, target_system = params.str("system") or params.str("targetSystem"), params.str("sourceSystem")
        # R5 scopes name the map's sides: targetScope holds the code given, sourceScope the answers
        sides = (("source", "targetScope"), ("target", "sourceScope"))
    elif reverse:
        # R4 reverse "reverses the meaning of the source and target parameters": R4 `target` is then the value
        # set of the code given and R4 `source` that of the answers (as tx.fhir.org reads it); the R5 names
        # sourceScope/targetScope keep the meaning they have without reverse
        sides = (("target", "sourceScope"), ("source", "targetScope"))
    else:
        sides = (("source", "sourceScope"), ("target", "targetScope"))
    # TranslateRequest.source is the value set of the code given, .target that of the answers; each may be
    # named by an R4 or an R5 name, and the one the client used words the messages
    source_vs, target_vs = (_str(params, *names) for names in sides)
    scope_params = tuple(r4 if r4 in params else r5 for r4, r5 in sides)
    common = dict(version=_str(params, "version", "sourceVersion"),
                  source=source_vs, target=target_vs, scope_params=scope_params,
                  target_system=target_system, target_version=params.str("target-version"),
                  conceptmap_url=params.str("url"), conceptmap_version=params.str("conceptMapVersion"),
                  conceptmap=params.resource("conceptMap") if "conceptMap" in params else instance,
                  reverse=reverse, dependencies=_dependencies(params))
    if common["conceptmap"] is not None and common["conceptmap"].get("resourceType") != "ConceptMap":
        raise InvalidRequest("parameter 'conceptMap' must be a ConceptMap", location="conceptMap")
    _same_map(common["conceptmap"], common["conceptmap_url"], common["conceptmap_version"],
              "conceptMap" if "conceptMap" in params else "the ConceptMap of the URL")
    # a map of the server named by its id is that map alone, with the index kept for it, and judged as the
    # server's map (one that cannot be used is left out and said), not as one the client sent
    common["conceptmap_stored"] = "conceptMap" not in params and instance is not None
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
        raise InvalidRequest("$translate needs a code + system, a coding or a codeableConcept", location="code")
    for r in reqs:
        if not r.system:
            raise InvalidRequest("$translate needs the system of the code", location="system")
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


def _match(m, req: TranslateRequest, r5: bool) -> dict:
    parts = [{"name": "equivalence", "valueCode": m.equivalence}]
    if r5:
        parts.append({"name": "relationship",
                      "valueCode": EQUIVALENCE_TO_RELATIONSHIP.get(m.equivalence, "related-to")})
    found = _coding(m.system, m.code, m.version, m.display) if m.code is not None else None
    if r5 and req.reverse:
        parts.append({"name": "concept", "valueCoding": _coding(req.system, req.code, req.version, req.display)})
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


def prepared_requests(catalog, params, instance):
    """The request's catalog, its translate requests and whether it speaks R5. The codings of a
    codeableConcept share what is resolved once per request: the source and target value sets, and the index
    of the map the request brought (kept on the requests, never in a cache that outlives them)."""
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


@operation("ConceptMap", "translate")
def op_translate(catalog, params, instance):
    catalog, reqs, r5 = prepared_requests(catalog, params, instance)
    with ecl_budget.budget():       # the codings of a codeableConcept share one ECL work budget
        return render_translate([(r, translate(catalog, r)) for r in reqs], r5)
