"""OperationDefinitions Kodebro serves for what it adds to FHIR ($code-history, $translate's target-version, ...) and
for how it answers a core operation whose definition leaves choices to the server ($closure).

Read at /fhir/OperationDefinition/{id}, searched at /fhir/OperationDefinition. `definition_url` names the
definition the CapabilityStatement points at: Kodebro's own where it has one, else the FHIR core one.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint

from terminology.errors import InvalidRequest, NotFound
from terminology.identifiers import KODEBRO_BASE, canonical_url

from .params import query_pairs, query_value
from .render import fhir_base, fhir_response
from .resource_views import MANDATORY, REQUIRED, elements_arg, summary_arg
from .search import strict_handling

bp = Blueprint("opdefs", __name__)

BASE = KODEBRO_BASE + "/OperationDefinition/"
SD = KODEBRO_BASE + "/StructureDefinition/"


def _p(name, use, lo, hi, type_=None, doc=None, parts=None):
    d = {"name": name, "use": use, "min": lo, "max": str(hi)}
    if type_:
        d["type"] = type_
    if doc:
        d["documentation"] = doc
    if parts:
        d["part"] = parts
    return d


def _opdef(oid, code, resources, title, description, parameters, base=None, type_=True, instance=False):
    d = {"resourceType": "OperationDefinition", "id": oid, "url": BASE + oid, "version": "1.0.0",
         "name": oid.replace("-", ""), "title": title, "status": "active", "kind": "operation",
         "publisher": "Kodebro", "description": description, "affectsState": False, "code": code,
         "resource": resources, "system": False, "type": type_, "instance": instance, "parameter": parameters}
    if base:
        d["base"] = base
    return d


_EDITION_PARTS = [
    _p("edition", "out", 1, 1, "string", "The edition (CodeSystem.version) in which the change took effect"),
    _p("kind", "out", 1, 1, "code", "new | retired | text | replaced | merged | split | moved | reactivated")]

CODE_HISTORY = _opdef(
    "CodeSystem-code-history", "code-history", ["CodeSystem"], "A code's history across editions",
    "The editions a code was in, its texts over time with the edition of each change, and the codes it came "
    "from and went to (any number of steps, across codebooks), from the loaded editions and change lists. "
    "See docs/successions.md.",
    [_p("system", "in", 1, 1, "uri", "The codebook (canonical URL or OID)"),
     _p("code", "in", 1, 1, "code", "The code"),
     _p("system", "out", 1, 1, "uri"), _p("code", "out", 1, 1, "code"),
     _p("summary", "out", 1, 1, "string", "The history as lines of text, for a person"),
     _p("edition", "out", 0, "*", "string", "A loaded edition that has the code (active)"),
     _p("loadedEdition", "out", 0, "*", "string", "Every loaded edition of the codebook"),
     _p("text", "out", 0, "*", None, "A text of the code from an edition on", [
         _p("edition", "out", 1, 1, "string"), _p("text", "out", 1, 1, "string"),
         _p("part", "out", 1, 1, "code", "display (kodetekst) | subtext (undertekst)"),
         _p("source", "out", 1, 1, "string", "edition | change list")]),
     _p("event", "out", 0, "*", None, "A change to the code, oldest first", _EDITION_PARTS + [
         _p("from", "out", 0, 1, "Coding", "The predecessor (successions into this code)"),
         _p("to", "out", 0, 1, "Coding", "The successor (successions from this code)"),
         _p("alternatives", "out", 0, 1, "integer", "How many alternatives a split or move offers"),
         _p("oldText", "out", 0, 1, "string"), _p("newText", "out", 0, 1, "string"),
         _p("note", "out", 0, 1, "string"),
         _p("derived", "out", 0, 1, "boolean", "Found by comparing loaded editions, not stated in a change list")]),
     _p("predecessor", "out", 0, "*", None, "A code that became this one (one step)",
        [_p("concept", "out", 1, 1, "Coding")] + _EDITION_PARTS),
     _p("successor", "out", 0, "*", None, "A code this one became (one step)",
        [_p("concept", "out", 1, 1, "Coding")] + _EDITION_PARTS),
     _p("earlier", "out", 0, "*", "Coding", "Every code this one descends from, any number of steps"),
     _p("later", "out", 0, "*", "Coding", "Every code this one led to, any number of steps")])

_TRANSLATE_STD = [
    _p("url", "in", 0, 1, "uri"), _p("conceptMap", "in", 0, 1, "ConceptMap"),
    _p("conceptMapVersion", "in", 0, 1, "string"), _p("code", "in", 0, 1, "code"),
    _p("system", "in", 0, 1, "uri"),
    _p("version", "in", 0, 1, "string", "The edition of the source code. With target-version (or alone, for a "
                                          "codebook with change lists) it makes the request an edition question"),
    _p("source", "in", 0, 1, "uri"), _p("coding", "in", 0, 1, "Coding"),
    _p("codeableConcept", "in", 0, 1, "CodeableConcept"), _p("target", "in", 0, 1, "uri"),
    _p("targetsystem", "in", 0, 1, "uri", "The target codebook: the same one, or one its codes moved to"),
    _p("target-version", "in", 0, 1, "string",
       "Kodebro: the edition of the target codebook to translate into. Default: the one in force today (with "
       "reverse=true: the earliest). Earlier than version means a walk back in time."),
    _p("dependency", "in", 0, "*", None, None, [_p("element", "in", 0, 1, "uri"),
                                               _p("concept", "in", 0, 1, "CodeableConcept")]),
    _p("reverse", "in", 0, 1, "boolean", "Walk back in time: which older codes became this one"),
    _p("result", "out", 1, 1, "boolean", "False when no code follows, e.g. a code retired without successor; "
                                          "the message names the edition"),
    _p("message", "out", 0, 1, "string"),
    _p("match", "out", 0, "*", None,
       "Edition answers carry extensions: " + SD + "succession-outcome (identity | text | replaced | merged | "
       "alternative | moved | reactivated | retired), " + SD + "succession-ambiguous (boolean), " + SD +
       "succession-editions (from..to) and one " + SD + "succession-step per change walked (edition, kind, "
       "from, to, alternatives, note, derived)",
       [_p("equivalence", "out", 0, 1, "code"), _p("concept", "out", 0, 1, "Coding"),
        _p("product", "out", 0, "*"), _p("source", "out", 0, 1, "uri")]),
]

TRANSLATE = _opdef(
    "ConceptMap-translate", "translate", ["ConceptMap"], "Concept translation, with editions (Kodebro)",
    "The R4 $translate with one added input parameter, target-version, for version-aware translation over the "
    "succession graph (docs/successions.md).", _TRANSLATE_STD,
    base="http://hl7.org/fhir/OperationDefinition/ConceptMap-translate", instance=True)

BATCH_VALIDATE = _opdef(
    "batch-validate-code", "batch-validate-code", ["ValueSet", "CodeSystem"], "Many $validate-code checks at once",
    "Each 'validation' input is a Parameters of $validate-code inputs; every other input is shared by all "
    "checks unless a check gives its own (tx-resources add up). Each check is answered by a 'validation' "
    "output in the same order: the $validate-code Parameters, or an OperationOutcome if that one check could "
    "not be made. At ValueSet a check without a value set is a code system check.",
    [_p("validation", "in", 1, "*", "Parameters", "The inputs of one $validate-code"),
     _p("url", "in", 0, 1, "uri", "Shared: the value set (ValueSet) or code system (CodeSystem)"),
     _p("valueSet", "in", 0, 1, "ValueSet", "Shared: a value set to check against"),
     _p("tx-resource", "in", 0, "*", "Resource", "Shared: code systems and value sets used by every check"),
     _p("validation", "out", 1, "*", "Resource", "Parameters (the $validate-code answer) or OperationOutcome")],
    instance=True)

RELATED = _opdef(
    "ValueSet-related", "related", ["ValueSet"], "How two value sets' codes relate",
    "Compares the codes of two value sets (for example two editions of a reporting list): same, subset, "
    "superset, overlapping, disjoint or empty, by system and code; indeterminate when that cannot be told (a "
    "value set without a compose, or more than 100,000 codes to enumerate). An include of a whole code system "
    "is compared by name, never enumerated.",
    [_p("thisUrl", "in", 0, 1, "uri", "The first value set (url or url|version); or the instance"),
     _p("thisValueSet", "in", 0, 1, "ValueSet"),
     _p("otherUrl", "in", 0, 1, "uri", "The value set compared with it (url or url|version)"),
     _p("otherValueSet", "in", 0, 1, "ValueSet"),
     _p("valueSetVersion", "in", 0, 1, "string",
        "Version of both value sets named by url; wins over a |version in them"),
     _p("tx-resource", "in", 0, "*", "Resource", "Code systems and value sets used for this request only"),
     _p("result", "out", 1, 1, "code", "same | subset | superset | overlapping | disjoint | empty | indeterminate: "
                                       "how the first value set relates to the other"),
     _p("message", "out", 1, 1, "string", "The relation (or why it cannot be told) in words")],
    instance=True)

CLOSURE = {**_opdef(
    "ConceptMap-closure", "closure", ["ConceptMap"], "Closure table maintenance",
    "The R4 $closure (terminology-service.html#closure) at [base]/$closure (also [base]/ConceptMap/$closure, as "
    "the R4 page spells it). The name alone initialises a table (an existing one is emptied and started again); "
    "concepts add codes and answer the new pairs, within one code system, by $subsumes's rule: source the narrower "
    "code, target the broader, equivalence subsumes (the target subsumes the source), or equal for two codes of one "
    "concept; version replays every entry added after it (0: the whole table). A code system's pairs are worked "
    "out in the edition of the table's first code of it (the coding's version, else the edition a request naming none reads: the one in force today for a yearly codebook); when that "
    "edition is removed the table must be initialised again (422). Tables are kept in the store. Changes are made "
    "with POST; GET only replays. At most 1000 concepts per call. See docs/closure.md.",
    [_p("name", "in", 1, 1, "string", "The closure table: at most 64 characters, no spaces (a UUID is a good name)"),
     _p("concept", "in", 0, "*", "Coding", "Concepts to add to the table (system and code; version optional)"),
     _p("version", "in", 0, 1, "string", "Replay every entry added after this version (0: the whole table)"),
     _p("return", "out", 1, 1, "ConceptMap", "The new entries (code/system --> code/system): equivalence subsumes "
                                             "(the target subsumes the source) or equal")],
    base="http://hl7.org/fhir/OperationDefinition/ConceptMap-closure", type_=False),
    "system": True, "affectsState": True}

DEFINITIONS: dict[str, dict] = {d["id"]: d for d in (CODE_HISTORY, TRANSLATE, BATCH_VALIDATE, RELATED, CLOSURE)}
CORE = "http://hl7.org/fhir/OperationDefinition/"


def definition_url(rtype: str, name: str) -> str:
    """The OperationDefinition of `$name` at `rtype`: Kodebro's if it defines or extends it, else FHIR's."""
    for d in DEFINITIONS.values():
        if d["code"] == name and rtype in d["resource"]:
            return d["url"]
    return f"{CORE}{rtype}-{name}"


@bp.route("/OperationDefinition/<oid>", methods=["GET"])
def read(oid: str):
    d = DEFINITIONS.get(oid)
    if d is None:
        raise NotFound(f"OperationDefinition/{oid} is not known; this server defines {', '.join(sorted(DEFINITIONS))}")
    return fhir_response(d)


@bp.route("/OperationDefinition", methods=["GET"])
def search():
    """Searched by url only (the definitions are few and fixed). The self link says what was used
    (search.html#conformance); anything else is ignored, or refused under Prefer: handling=strict
    (search.html#errors), as the resource searches do. _summary=count and _elements shape the answer; the
    other _summary values give the whole definitions (they are small)."""
    used, ignored = [], []
    for key, value in query_pairs():
        if key in ("url", "_count", "_summary", "_elements"):
            used.append((key, value))
        elif key not in ("_format", "_pretty"):
            ignored.append(key)
    if ignored and strict_handling():
        raise InvalidRequest(f"'{ignored[0]}' is not a search parameter of OperationDefinition; this server "
                             "knows url (the request asked for 'Prefer: handling=strict')")
    url = query_value("url")
    summary, elements = summary_arg(query_value("_summary")), elements_arg(query_value("_elements"))
    found = [d for d in DEFINITIONS.values() if not url or d["url"] == canonical_url(url)]
    if elements:
        keep = set(elements) | MANDATORY | REQUIRED["OperationDefinition"]
        found = [{k: v for k, v in d.items() if k in keep} for d in found]
    base = fhir_base() + "/OperationDefinition"
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(found),
              "link": [{"relation": "self", "url": base + ("?" + urlencode(used) if used else "")}]}
    if summary != "count" and found:
        bundle["entry"] = [{"fullUrl": f"{base}/{d['id']}", "resource": d, "search": {"mode": "match"}}
                           for d in found]
    return fhir_response(bundle)


# ---- what each operation takes in: the R4 core definitions' input parameters (name, type, max), and
# Kodebro's own definitions above. fhir_api.params checks each request against them (value[x] type, max=1,
# the body); names not listed (the tx-ecosystem and R5 extras) pass unchecked.

_CORE_INPUTS = {
    ("CodeSystem", "lookup"): "code:code system:uri version:string coding:Coding date:dateTime displayLanguage:code "
                              "property:code:*",
    ("CodeSystem", "subsumes"): "codeA:code codeB:code system:uri version:string codingA:Coding codingB:Coding",
    ("CodeSystem", "validate-code"): "url:uri codeSystem:CodeSystem code:code version:string display:string "
                                     "coding:Coding codeableConcept:CodeableConcept date:dateTime abstract:boolean "
                                     "displayLanguage:code",
    ("ValueSet", "validate-code"): "url:uri context:uri valueSet:ValueSet valueSetVersion:string code:code system:uri "
                                   "systemVersion:string display:string coding:Coding "
                                   "codeableConcept:CodeableConcept date:dateTime abstract:boolean "
                                   "displayLanguage:code",
    ("ValueSet", "expand"): "url:uri valueSet:ValueSet valueSetVersion:string context:uri contextDirection:code "
                            "filter:string date:dateTime offset:integer count:integer includeDesignations:boolean "
                            "designation:string:* includeDefinition:boolean activeOnly:boolean "
                            "excludeNested:boolean excludeNotForUI:boolean excludePostCoordinated:boolean "
                            "displayLanguage:code exclude-system:canonical:* system-version:canonical:* "
                            "check-system-version:canonical:* force-system-version:canonical:*",
}

# the value[x] keys a declared type accepts. Primitives are one family: a query string has no types, clients
# (the HL7 tx tests among them) send valueUri, valueCanonical, valueCode and valueString for one another, and a
# number or a boolean where text is declared is read as its text (`filter` = 2 is '2')
_TEXT = frozenset("value" + t for t in ("String", "Code", "Uri", "Url", "Canonical", "Id", "Oid", "Uuid", "Markdown",
                                       "DateTime", "Date", "Instant"))
_PRIMITIVE = _TEXT | {"valueBoolean", "valueInteger", "valueUnsignedInt", "valuePositiveInt", "valueDecimal"}
_ACCEPTS = {
    "Coding": _TEXT | {"valueCoding"},          # text: the `system|code` shorthand
    "CodeableConcept": frozenset({"valueCodeableConcept"}),
}
_DATATYPES = frozenset({"Coding", "CodeableConcept", "Quantity", "Period", "Identifier", "Reference", "Attachment",
                        "boolean", "integer", "decimal", "string", "code", "uri", "url", "canonical", "id", "oid",
                        "uuid", "markdown", "dateTime", "date", "instant", "time", "unsignedInt", "positiveInt"})


class OpInputs:
    """One operation's declared inputs, precomputed: a request is checked by dict and set look-ups only."""
    __slots__ = ("accepts", "expected", "single", "body_param", "body_type")

    def __init__(self, inputs: list[tuple[str, str | None, bool]]):
        self.accepts: dict[str, frozenset | None] = {}   # name -> value[x] keys; "resource" for a resource
        self.expected: dict[str, str] = {}
        self.single = frozenset(n for n, _t, many in inputs if not many)
        resources = []
        for name, type_, _many in inputs:
            if type_ is None or type_ == "Parameters":
                # parts; or $batch-validate-code's checks, each refused on its own ("one bad check never fails
                # the batch")
                continue
            self.expected[name] = type_
            if type_ in _DATATYPES:
                self.accepts[name] = _ACCEPTS.get(type_, _PRIMITIVE)
            else:
                self.accepts[name] = frozenset({"resource"})
                if name != "tx-resource":
                    resources.append((name, type_))
        # R4 operations.html: only an operation with a single resource input may take that resource as the body
        self.body_param, self.body_type = resources[0] if len(resources) == 1 else (None, None)


def _inputs_of(d: dict) -> list[tuple[str, str | None, bool]]:
    return [(p["name"], p.get("type"), p["max"] != "1") for p in d["parameter"] if p["use"] == "in"]


def _core(text: str) -> list[tuple[str, str | None, bool]]:
    out = []
    for spec in text.split():
        name, type_, *many = spec.split(":")
        out.append((name, type_, bool(many)))
    return out


def _all_inputs() -> dict[tuple[str, str], OpInputs]:
    tables = {key: _core(text) for key, text in _CORE_INPUTS.items()}
    for d in DEFINITIONS.values():
        for rtype in d["resource"]:
            tables[(rtype, d["code"])] = _inputs_of(d)
    return {key: OpInputs(inputs + [("tx-resource", "Resource", True)]) for key, inputs in tables.items()}


INPUTS: dict[tuple[str, str], OpInputs] = _all_inputs()
