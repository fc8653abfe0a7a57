"""The seed corpus the fuzzer mutates: every request of the shipped HL7 tests plus hand-made requests for each
route (operations GET and POST at type and instance level, batch, create/update/read/search; SNOMED CT, the
later routes and the nineteenth session's changes in seeds_snomed.py, seeds_routes.py and seeds_session19.py)."""
from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass, field

from tests.conformance import test_tx_ecosystem as tx

FJ = "application/fhir+json"
ICD = "http://hl7.org/fhir/sid/icd-10-no"
ICPC = "http://hl7.org/fhir/sid/icpc-2"
VS_URL = "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"
CM_URL = "https://kodebro.no/fhir/ConceptMap/icpc2-icd10"
FUZZ_CS = "http://example.org/fuzz/cs"


@dataclass
class Req:
    """One request, printable so a failure can be replayed by hand. `body` is a JSON value (sent with
    json.dumps, ensure_ascii so lone surrogates travel as escapes) or raw bytes/str (sent as is)."""
    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = FJ
    # what a 2xx body must be (resourceType), None for no check
    expect: tuple[str, ...] | None = None
    origin: str = ""

    def clone(self) -> "Req":
        return copy.deepcopy(self)

    def data(self):
        if self.body is None:
            return None
        if isinstance(self.body, (bytes, str)):
            return self.body
        # deep-nesting mutations go past the default recursion limit of the encoder, not of the server's parser
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 20_000))
        try:
            return json.dumps(self.body)
        finally:
            sys.setrecursionlimit(old)

    def describe(self, limit: int = 4000) -> str:
        data = self.data()
        if isinstance(data, bytes):
            data = data.decode("utf-8", "backslashreplace")
        if data is not None and len(data) > limit:
            data = data[:limit] + f"... [{len(data)} chars]"
        return (f"{self.method} {self.path} query={self.query!r} content_type={self.content_type!r} "
                f"headers={self.headers!r} origin={self.origin}\nbody: {data}")


def _p(name: str, **value) -> dict:
    return {"name": name, **value}


def _params(*ps: dict) -> dict:
    return {"resourceType": "Parameters", "parameter": list(ps)}


class Seeds(list):
    """Hand-made seed requests, added in the order they are to be played."""

    def get(self, path, query, expect, origin, headers=None):
        self.append(Req("GET", path, list(query), expect=expect, content_type=None, origin=origin,
                        headers=dict(headers or {})))

    def post(self, path, body, expect, origin, headers=None):
        self.append(Req("POST", path, body=body, expect=expect, origin=origin, headers=dict(headers or {})))


FUZZ_CODESYSTEM = {
    "resourceType": "CodeSystem", "url": FUZZ_CS, "version": "1", "status": "active", "content": "complete",
    "hierarchyMeaning": "is-a",
    "property": [{"code": "inactive", "type": "boolean"}, {"code": "colour", "type": "string"}],
    "concept": [
        {"code": "root", "display": "Root", "concept": [
            {"code": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "display": "Long a",
             "designation": [{"language": "nb", "value": "Lang a"}],
             "property": [{"code": "colour", "valueString": "red"}]},
            {"code": "child", "display": "Child", "property": [{"code": "inactive", "valueBoolean": True}]}]},
        {"code": "other", "display": "Other \u00e6\u00f8\u00e5"}],
}

FUZZ_VALUESET = {
    "resourceType": "ValueSet", "url": "http://example.org/fuzz/vs", "version": "1", "status": "active",
    "compose": {"include": [{"system": FUZZ_CS, "filter": [{"property": "concept", "op": "is-a", "value": "root"}]},
                            {"system": FUZZ_CS, "concept": [{"code": "other", "display": "Other"}]}],
                "exclude": [{"system": FUZZ_CS, "concept": [{"code": "child"}]}]},
}

FUZZ_CONCEPTMAP = {
    "resourceType": "ConceptMap", "url": "http://example.org/fuzz/cm", "version": "1", "status": "active",
    "sourceUri": "http://example.org/fuzz/vs", "targetUri": VS_URL,
    "group": [{"source": FUZZ_CS, "target": ICD, "element": [
        {"code": "root", "target": [{"code": "A00", "equivalence": "wider"}]},
        {"code": "other", "target": [{"code": "A01", "equivalence": "equivalent",
                                      "dependsOn": [{"property": "colour", "value": "red"}]}]}]}],
}


def _hand_made() -> list[Req]:
    cs, vs, cm = FUZZ_CODESYSTEM, FUZZ_VALUESET, FUZZ_CONCEPTMAP
    tx_cs, tx_vs, tx_cm = (_p("tx-resource", resource=r) for r in (cs, vs, cm))
    P, R = "Parameters", []

    def get(path, query, expect, origin):
        R.append(Req("GET", path, list(query), expect=expect, content_type=None, origin=origin))

    def post(path, body, expect, origin):
        R.append(Req("POST", path, body=body, expect=expect, origin=origin))

    get("/fhir/CodeSystem/$lookup", [("system", ICD), ("code", "A00"), ("property", "parent")], (P,), "lookup-get")
    post("/fhir/CodeSystem/$lookup", _params(_p("coding", valueCoding={"system": ICD, "code": "A00"}),
                                             _p("displayLanguage", valueCode="nb"), _p("property", valueCode="*")),
         (P,), "lookup-post")
    post("/fhir/CodeSystem/$lookup", _params(_p("system", valueUri=FUZZ_CS), _p("code", valueCode="child"),
                                             _p("property", valueCode="inactive"), tx_cs), (P,), "lookup-tx")
    get("/fhir/CodeSystem/ICD10NO-2026/$lookup", [("code", "A00")], (P,), "lookup-instance")
    get("/fhir/CodeSystem/$validate-code", [("url", ICD), ("code", "A00"), ("display", "Kolera")], (P,),
        "cs-vc-get")
    post("/fhir/CodeSystem/$validate-code", _params(
        _p("codeableConcept", valueCodeableConcept={"coding": [{"system": ICD, "code": "A00"},
                                                                {"system": FUZZ_CS, "code": "root"}]}),
        _p("codeSystem", resource=cs)), (P,), "cs-vc-post")
    get("/fhir/CodeSystem/ICD10NO-2026/$validate-code", [("code", "A00")], (P,), "cs-vc-instance")
    get("/fhir/ValueSet/$validate-code", [("url", VS_URL), ("system", ICD), ("code", "A00")], (P,), "vs-vc-get")
    post("/fhir/ValueSet/$validate-code", _params(
        _p("url", valueUri=vs["url"]), _p("coding", valueCoding={"system": FUZZ_CS, "code": "child"}),
        _p("activeOnly", valueBoolean=True), _p("lenient-display-validation", valueBoolean=True), tx_cs, tx_vs),
        (P,), "vs-vc-post")
    post("/fhir/ValueSet/$validate-code", _params(
        _p("valueSet", resource=vs), _p("code", valueCode="root"), _p("system", valueUri=FUZZ_CS),
        _p("systemVersion", valueString="1"), _p("abstract", valueBoolean=False), tx_cs), (P,), "vs-vc-valueset")
    expanded = {"resourceType": "ValueSet", "url": "http://example.org/fuzz/expanded", "status": "active",
                "expansion": {"timestamp": "2026-01-01T00:00:00Z", "total": 2, "contains": [
                    {"system": FUZZ_CS, "code": "root", "display": "Root", "contains": [
                        {"system": FUZZ_CS, "code": "child", "display": "Child", "inactive": True}]},
                    {"system": ICD, "code": "A00", "abstract": False, "designation": [{"value": "Kolera"}]}]}}
    post("/fhir/ValueSet/$validate-code", _params(
        _p("valueSet", resource=expanded), _p("code", valueCode="child"), _p("system", valueUri=FUZZ_CS), tx_cs),
        (P,), "vs-vc-expansion")
    R.append(Req("POST", "/fhir/CodeSystem/$lookup", body=f"system={ICD}&code=A00&property=display",
                 content_type="application/x-www-form-urlencoded", expect=(P,), origin="lookup-form"))
    get("/fhir/ValueSet/ICD10NOReportable-2026/$validate-code", [("system", ICD), ("code", "A00")], (P,),
        "vs-vc-instance")
    get("/fhir/ValueSet/$expand", [("url", VS_URL), ("filter", "kolera"), ("count", "10"), ("offset", "0")],
        ("ValueSet",), "expand-get")
    post("/fhir/ValueSet/$expand", _params(
        _p("valueSet", resource=vs), _p("includeDesignations", valueBoolean=True), _p("count", valueInteger=5),
        _p("excludeNested", valueBoolean=False), _p("property", valueString="colour"), tx_cs), ("ValueSet",),
        "expand-post")
    post("/fhir/ValueSet/$expand", _params(_p("url", valueUri=vs["url"]), tx_cs, tx_vs,
                                           _p("displayLanguage", valueCode="nb"),
                                           _p("system-version", valueCanonical=FUZZ_CS + "|1")),
         ("ValueSet",), "expand-tx")
    post("/fhir/ValueSet/$expand", copy.deepcopy(vs) | {"compose": {"include": [{"system": ICD}]}},
         ("ValueSet",), "expand-bare-resource")
    get("/fhir/ValueSet/ICD10NOMainCondition-2026/$expand", [("filter", "a0"), ("count", "3")], ("ValueSet",),
        "expand-instance")
    get("/fhir/CodeSystem/$subsumes", [("system", ICD), ("codeA", "A00"), ("codeB", "A00.0")], (P,),
        "subsumes-get")
    post("/fhir/CodeSystem/$subsumes", _params(_p("codingA", valueCoding={"system": FUZZ_CS, "code": "root"}),
                                               _p("codingB", valueCoding={"system": FUZZ_CS, "code": "child"}),
                                               tx_cs), (P,), "subsumes-post")
    get("/fhir/CodeSystem/ICD10NO-2026/$subsumes", [("codeA", "A00"), ("codeB", "A01")], (P,), "subsumes-inst")
    get("/fhir/ConceptMap/$translate", [("url", CM_URL), ("system", ICPC), ("code", "A01")], (P,),
        "translate-get")
    post("/fhir/ConceptMap/$translate", _params(
        _p("conceptMap", resource=cm), _p("coding", valueCoding={"system": FUZZ_CS, "code": "other"}),
        _p("targetsystem", valueUri=ICD),
        _p("dependency", part=[_p("element", valueUri="colour"), _p("concept", valueCodeableConcept={
            "coding": [{"code": "red"}]})])), (P,), "translate-post")
    post("/fhir/ConceptMap/$translate", _params(_p("url", valueUri=cm["url"]), tx_cm, _p("reverse", valueBoolean=True),
                                                _p("code", valueCode="A00"), _p("system", valueUri=ICD)),
         (P,), "translate-tx")
    get("/fhir/ConceptMap/ICPC2toICD10-2019/$translate", [("system", ICPC), ("code", "A01")], (P,),
        "translate-instance")
    for level in ("ValueSet", "CodeSystem"):
        post(f"/fhir/{level}/$batch-validate-code", _params(
            _p("url", valueUri=VS_URL if level == "ValueSet" else ICD),
            _p("validation", resource=_params(_p("code", valueCode="A00"), _p("system", valueUri=ICD))),
            _p("validation", resource=_params(_p("coding", valueCoding={"system": ICD, "code": "ZZZ"})))),
            (P,), f"batch-validate-{level}")
    post("/fhir", {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={ICD}&code=A00"}},
        {"request": {"method": "POST", "url": "ValueSet/$expand"}, "resource": _params(_p("valueSet", resource=vs),
                                                                                        tx_cs)},
        {"request": {"method": "GET", "url": "ValueSet/ICD10NOReportable-2026"}},
        {"request": {"method": "GET", "url": "CodeSystem?url=" + ICD}}]}, ("Bundle",), "batch")
    for rtype, res in (("CodeSystem", cs), ("ValueSet", vs), ("ConceptMap", cm)):
        post(f"/fhir/{rtype}", res, (rtype,), f"create-{rtype}")
        R.append(Req("PUT", f"/fhir/{rtype}/fuzz-{rtype.lower()}", body=copy.deepcopy(res) | {
            "id": f"fuzz-{rtype.lower()}", "version": "2"}, expect=(rtype,), origin=f"update-{rtype}"))
        get(f"/fhir/{rtype}", [("url", res["url"]), ("_count", "5"), ("_summary", "true")], ("Bundle",),
            f"search-{rtype}")
        get(f"/fhir/{rtype}/fuzz-{rtype.lower()}", [], (rtype,), f"read-{rtype}")
    get("/fhir/CodeSystem/ICD10NO-2026", [("_elements", "url,version")], ("CodeSystem",), "read-icd")
    R.append(Req("POST", "/fhir/ValueSet/_search", body="url=" + VS_URL, expect=("Bundle",),
                 content_type="application/x-www-form-urlencoded", origin="search-post"))
    return R


def _conformance() -> list[Req]:
    out = []
    for param in tx._cases():
        suite, test = param.values
        op = test["operation"]
        if op not in tx.ENDPOINTS:
            continue
        expect = ("ValueSet",) if op == "expand" else ("Parameters",)
        headers = {"Accept-Language": test["Accept-Language"]} if test.get("Accept-Language") else {}
        out.append(Req("POST", "/fhir/" + tx.ENDPOINTS[op], body=tx._request_body(suite, test), headers=headers,
                       expect=expect, origin=f"tx:{suite['name']}/{test['name']}"))
    return out


def seed_corpus() -> list[Req]:
    """Deterministic order: hand-made requests first (the first sessions', then SNOMED CT's, the later routes' and
    the nineteenth session's), then the conformance requests in test-cases.json order."""
    from .seeds_routes import route_seeds      # they build on this module's Req and resources
    from .seeds_session19 import session19_seeds
    from .seeds_snomed import snomed_seeds
    return _hand_made() + snomed_seeds() + route_seeds() + session19_seeds() + _conformance()
