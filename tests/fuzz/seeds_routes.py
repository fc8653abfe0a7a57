"""Seeds for the routes and inputs sessions 16-17 added: $closure (initialise, add, replay), $related,
$code-history, _history, search by url|version, system, _tag and _id, conditional requests (If-Match,
If-None-Match, If-Modified-Since, If-None-Exist), and displayLanguage / Accept-Language beside date."""
from __future__ import annotations

import copy
from urllib.parse import urlencode

from .corpus import CM_URL, FUZZ_VALUESET, ICD, ICPC, VS_URL, Req, Seeds, _p, _params
from .seeds_snomed import SCT

TABLE = "fuzz-closure"
DEMO_TAG = "https://kodebro.no/fhir/CodeSystem/kodebro-tags|demo"
OLD_ETAG = 'W/"1-20260101000000"'


def route_seeds() -> list[Req]:
    P, R = "Parameters", Seeds()
    get, post = R.get, R.post

    # in this order: the table is initialised before codes are added and replayed
    post("/fhir/$closure", _params(_p("name", valueString=TABLE)), ("ConceptMap",), "closure-init")
    post("/fhir/$closure", _params(_p("name", valueString=TABLE),
                                   _p("concept", valueCoding={"system": ICD, "code": "J12.8"}),
                                   _p("concept", valueCoding={"system": ICD, "code": "J12"}),
                                   _p("concept", valueCoding={"system": SCT, "code": "75570004"}),
                                   _p("concept", valueCoding={"system": SCT, "code": "233604007"}),
                                   _p("concept", valueCoding={"system": ICPC, "code": "R81"})),
         ("ConceptMap",), "closure-add")
    get("/fhir/$closure", [("name", TABLE), ("version", "0")], ("ConceptMap",), "closure-replay")
    post("/fhir/ConceptMap/$closure", _params(_p("name", valueString=TABLE), _p("version", valueString="1")),
         ("ConceptMap",), "closure-cm-replay")

    rel = "/fhir/ValueSet/$related"
    get(rel, [("thisUrl", VS_URL), ("otherUrl", "https://kodebro.no/fhir/ValueSet/icd-10-no-main-condition")],
        (P,), "related-get")
    post(rel, _params(_p("thisValueSet", resource=copy.deepcopy(FUZZ_VALUESET)),
                      _p("otherUrl", valueUri=VS_URL), _p("valueSetVersion", valueString="2026")), (P,),
         "related-post")
    get("/fhir/CodeSystem/$code-history", [("system", ICD), ("code", "A00")], (P,), "code-history")
    get("/fhir/ValueSet/_history", [], None, "history-type")
    get("/fhir/CodeSystem/ICD10NO-2026/_history/1", [], None, "vread")

    get("/fhir/ValueSet", [("url", VS_URL + "|2026"), ("_count", "2")], ("Bundle",), "search-url-version")
    get("/fhir/CodeSystem", [("system", ICD + "|2026"), ("_summary", "true")], ("Bundle",), "search-system")
    get("/fhir/ConceptMap", [("_tag", DEMO_TAG), ("url", CM_URL)], ("Bundle",), "search-tag")
    get("/fhir/ValueSet", [("_id", "ICD10NOReportable-2026"), ("_elements", "url")], ("Bundle",), "search-id")

    get("/fhir/ValueSet/ICD10NOReportable-2026", [], ("ValueSet",), "read-conditional",
        headers={"If-None-Match": OLD_ETAG, "If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"})
    vs = copy.deepcopy(FUZZ_VALUESET) | {"id": "fuzz-conditional", "url": "http://example.org/fuzz/conditional"}
    R.append(Req("PUT", "/fhir/ValueSet/fuzz-conditional", body=vs, headers={"If-None-Match": "*"},
                 expect=("ValueSet",), origin="put-if-none-match"))
    R.append(Req("PUT", "/fhir/ValueSet/fuzz-conditional", body=vs | {"version": "2"}, headers={"If-Match": OLD_ETAG},
                 expect=None, origin="put-if-match"))
    post("/fhir/ValueSet", copy.deepcopy(FUZZ_VALUESET) | {"url": "http://example.org/fuzz/created"}, ("ValueSet",),
         "create-if-none-exist", headers={"If-None-Exist": "url=http://example.org/fuzz/created"})
    R.append(Req("DELETE", "/fhir/ValueSet/fuzz-conditional", headers={"If-Match": OLD_ETAG}, content_type=None,
                 expect=None, origin="delete-if-match"))

    post("/fhir", {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": "ValueSet/ICD10NOReportable-2026", "ifNoneMatch": OLD_ETAG,
                     "ifModifiedSince": "2026-01-01T00:00:00Z"}},
        {"request": {"method": "PUT", "url": "ValueSet/fuzz-batch", "ifMatch": OLD_ETAG},
         "resource": vs | {"id": "fuzz-batch", "url": "http://example.org/fuzz/batch"}},
        {"request": {"method": "POST", "url": "ValueSet", "ifNoneExist": "url=http://example.org/fuzz/batch2"},
         "resource": copy.deepcopy(FUZZ_VALUESET) | {"url": "http://example.org/fuzz/batch2"}},
        {"request": {"method": "GET", "url": "ConceptMap/$translate?" + urlencode(
            {"url": SCT + "?fhir_cm=900000000000526001", "system": SCT, "code": "155574008"})}},
        {"request": {"method": "DELETE", "url": "ValueSet/fuzz-batch"}}]}, ("Bundle",), "batch-conditional")
    get("/fhir/ValueSet/$expand", [("url", VS_URL), ("displayLanguage", "en"), ("date", "2026-06-01"),
                                   ("count", "5")], ("ValueSet",), "expand-language-date",
        headers={"Accept-Language": "nb-NO;q=0.9, en-GB;q=0.8, *;q=0.1"})
    get("/fhir/CodeSystem/$validate-code", [("url", ICD), ("code", "A00"), ("display", "Cholera"),
                                            ("displayLanguage", "en"), ("date", "2026-03-01T12:00:00+01:00")],
        (P,), "validate-language-date", headers={"Accept-Language": "en"})
    return R
