"""Seeds for what the nineteenth session changed: the `deprecated` filter asked as a flag (=, in, not-in, exists),
a concept without a display shown by its first display designation ($lookup, $expand, $validate-code), ValueSet
writes at a SNOMED CT `?fhir_vs` url (refused: reserved), the DELETE of a file NKPK edition a derived one replaces
(and of an ICD-10-NO edition, held back by its If-Match), "not a code of" from the Norwegian successions, and the
SNOMED CT lineages of a store with two extensions (the template's SE and NO editions beside the INT one)."""
from __future__ import annotations

import copy

from .corpus import ICD, Req, Seeds, _p, _params
from .seeds_snomed import SCT

DEP_URI = "http://hl7.org/fhir/concept-properties#deprecated"
DEP_CS = "http://example.org/fuzz/deprecated"
BARE_CS = "http://example.org/fuzz/bare"
NKPK = "urn:oid:2.16.578.1.12.4.1.1.7275"
NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"
NO_EDITION = SCT + "/51000202101/version/20250415"
SE_MODULE = SCT + "/45991000052106"

# a deprecated date in the past, one to come, a status, and a concept that says nothing: the flag is true, false,
# true, false
DEPRECATED_CODESYSTEM = {
    "resourceType": "CodeSystem", "url": DEP_CS, "version": "1", "status": "active", "content": "complete",
    "property": [{"code": "deprecated", "uri": DEP_URI, "type": "dateTime"}, {"code": "status", "type": "code"}],
    "concept": [
        {"code": "old", "display": "Old", "property": [{"code": "deprecated", "valueDateTime": "2020-01-01"}]},
        {"code": "soon", "display": "Soon", "property": [{"code": "deprecated", "valueDateTime": "2999-01-01"}]},
        {"code": "said", "display": "Said", "property": [{"code": "status", "valueCode": "deprecated"}]},
        {"code": "plain", "display": "Plain"}],
}

# no display: shown by the first designation meant as a display (not the FSN, not one of another use)
BARE_CODESYSTEM = {
    "resourceType": "CodeSystem", "url": BARE_CS, "version": "1", "status": "active", "content": "complete",
    "concept": [
        {"code": "bare", "designation": [
            {"use": {"system": SCT, "code": "900000000000003001"}, "value": "Bare (fully specified)"},
            {"use": {"system": "http://example.org/uses", "code": "olde-english"}, "value": "Baer"},
            {"language": "nb", "value": "Naken"},
            {"language": "en", "use": {"system": "http://terminology.hl7.org/CodeSystem/designation-usage",
                                       "code": "display"}, "value": "Bare"}]},
        {"code": "nothing"},
        {"code": "named", "display": "Named"}],
}


def _vs(url: str, include: dict) -> dict:
    return {"resourceType": "ValueSet", "url": url, "status": "active", "compose": {"include": [include]}}


def _dep_vs(op: str, value: str) -> dict:
    return _vs("http://example.org/fuzz/deprecated-vs",
               {"system": DEP_CS, "filter": [{"property": "deprecated", "op": op, "value": value}]})


def session19_seeds() -> list[Req]:
    P, R = "Parameters", Seeds()
    get, post = R.get, R.post
    dep = copy.deepcopy(DEPRECATED_CODESYSTEM)
    bare = copy.deepcopy(BARE_CODESYSTEM)

    post("/fhir/ValueSet/$expand", _params(_p("valueSet", resource=_dep_vs("=", "true")),
                                           _p("tx-resource", resource=dep)), ("ValueSet",), "deprecated-equals")
    post("/fhir/ValueSet/$expand", _params(_p("valueSet", resource=_dep_vs("not-in", "true,2020-01-01")),
                                           _p("tx-resource", resource=copy.deepcopy(dep)),
                                           _p("property", valueString="deprecated")),
         ("ValueSet",), "deprecated-not-in")
    post("/fhir/ValueSet/$validate-code", _params(_p("valueSet", resource=_dep_vs("exists", "false")),
                                                  _p("tx-resource", resource=copy.deepcopy(dep)),
                                                  _p("coding", valueCoding={"system": DEP_CS, "code": "soon"})),
         (P,), "deprecated-exists")
    post("/fhir/ValueSet/$expand", _params(_p("valueSet", resource=_vs(
        "http://example.org/fuzz/deprecated-icd", {"system": ICD, "filter": [
            {"property": "deprecated", "op": "in", "value": "false,true"}]})), _p("count", valueInteger=5)),
        ("ValueSet",), "deprecated-in-icd")

    post("/fhir/CodeSystem/$lookup", _params(_p("system", valueUri=BARE_CS), _p("code", valueCode="bare"),
                                             _p("tx-resource", resource=bare), _p("property", valueCode="designation")),
         (P,), "bare-lookup")
    post("/fhir/ValueSet/$expand", _params(_p("valueSet", resource=_vs("http://example.org/fuzz/bare-vs",
                                                                       {"system": BARE_CS})),
                                           _p("tx-resource", resource=copy.deepcopy(bare)),
                                           _p("includeDesignations", valueBoolean=True),
                                           _p("displayLanguage", valueCode="nb")), ("ValueSet",), "bare-expand")
    post("/fhir/CodeSystem/$validate-code", _params(_p("url", valueUri=BARE_CS), _p("code", valueCode="bare"),
                                                    _p("display", valueString="Naken"),
                                                    _p("tx-resource", resource=copy.deepcopy(bare))),
         (P,), "bare-validate", headers={"Accept-Language": "en"})

    # reserved urls: each write is refused (422), in every spelling the server keeps
    reserved = _vs(SCT + "?fhir_vs=isa/233604007", {"system": SCT, "concept": [{"code": "233604007"}]})
    post("/fhir/ValueSet", reserved, None, "fhir-vs-create")
    R.append(Req("PUT", "/fhir/ValueSet/fuzz-fhir-vs", body=reserved | {"id": "fuzz-fhir-vs",
                                                                        "url": NO_EDITION + "?fhir_vs"},
                 expect=None, origin="fhir-vs-update"))
    post("/fhir", {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "POST", "url": "ValueSet"},
         "resource": reserved | {"url": SE_MODULE + "?fhir_vs=refset"}},
        {"request": {"method": "PUT", "url": "ValueSet/fuzz-fhir-vs-batch"},
         "resource": reserved | {"id": "fuzz-fhir-vs-batch", "url": SCT + "?fhir_vs=ecl/<< 233604007"}},
        {"request": {"method": "GET", "url": "ValueSet/$expand?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs%3Disa"
                                             "%2F233604007&count=3"}}]}, ("Bundle",), "fhir-vs-batch")

    # the file NKPK 2016 gives way to the derived one (a warning says so); ICD-10-NO stays (its If-Match fails)
    R.append(Req("DELETE", "/fhir/CodeSystem/NKPK-2016", content_type=None, expect=None, origin="delete-nkpk-file"))
    R.append(Req("DELETE", "/fhir/CodeSystem/ICD10NO-2026", headers={"If-Match": 'W/"0-20200101000000"'},
                 content_type=None, expect=None, origin="delete-icd-if-match"))
    post("/fhir", {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "DELETE", "url": "CodeSystem/NKPK-2017"}},
        {"request": {"method": "DELETE", "url": "CodeSystem/ICD10NO-2026", "ifMatch": 'W/"0-20200101000000"'}},
        {"request": {"method": "GET", "url": "CodeSystem/NKPK-2017"}},
        {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={NKPK}&version=2017&code=AAA00"}}]},
        ("Bundle",), "delete-batch")

    get("/fhir/ConceptMap/$translate", [("system", NCMP), ("version", "2020"), ("code", "NOPE99"),
                                        ("targetsystem", NCMP), ("target-version", "2021")], (P,), "not-a-code-of")
    get("/fhir/CodeSystem/$code-history", [("system", SCT), ("code", "155574008")], (P,), "sct-code-history")
    get("/fhir/ConceptMap/$translate", [("system", SCT), ("code", "155574008"), ("version", NO_EDITION),
                                        ("targetsystem", SCT), ("target-version", SE_MODULE)], (P,), "sct-lineages")
    get("/fhir/ValueSet/$expand", [("url", SE_MODULE + "?fhir_vs=isa/138875005"), ("filter", "a")],
        ("ValueSet",), "sct-module-latest-filter")
    return R
