"""Seeds that reach SNOMED CT (the three small editions of the fuzz template, tests/fuzz/conftest.py): implicit
ConceptMaps `?fhir_cm=` by url, edition path, version, reverse, instance and search; SNOMED CT -> SNOMED CT without
a url; implicit value sets `?fhir_vs=isa/…`, `refset/…`, `ecl/…` and ECL compose filters in $expand and
$validate-code. Each is a sound request, so that one mutation away from it the engine still gets to work."""
from __future__ import annotations

from .corpus import ICD, Req, Seeds, _p, _params

SCT = "http://snomed.info/sct"
NO_MODULE = "51000202101"
NO_2025 = f"{SCT}/{NO_MODULE}/version/20250415"
INT_2018 = f"{SCT}/900000000000207008/version/20180731"
REPLACED_BY = f"{SCT}?fhir_cm=900000000000526001"
SAME_AS_INT = f"{INT_2018}?fhir_cm=900000000000527005"
ICD_MAP = f"{SCT}?fhir_cm=447562003"
ICPC_MAP = f"{SCT}/{NO_MODULE}/version/20250415?fhir_cm=68101000202102"
REPLACED_BY_ID = "sct-cm-900000000000526001.51000202101-20250415"
TERM_BANK = "88161000202101"
SEX, AGE = "http://snomed.info/id/263495000", "http://snomed.info/id/445518008"
ECL_REFINED = "<< 404684003 |Clinical finding| : { 363698007 |Finding site| = * }"
ECL_FILTERED = 'descendantOrSelfOf 404684003 {{ term = "lungebet", language = no }}'
ECL_DOTTED = "((< 404684003 . 363698007) OR (< 404684003 : R 42752001 = << 38341003)) MINUS 53084003"


def snomed_seeds() -> list[Req]:
    P, R = "Parameters", Seeds()
    get, post = R.get, R.post

    tr = "/fhir/ConceptMap/$translate"
    get(tr, [("url", REPLACED_BY), ("system", SCT), ("code", "155574008")], (P,), "sct-cm-get")
    get(tr, [("url", SAME_AS_INT), ("system", SCT), ("code", "246188002"), ("conceptMapVersion", INT_2018)], (P,),
        "sct-cm-edition")
    get(tr, [("url", REPLACED_BY + "|" + NO_2025), ("system", SCT), ("code", "75570004"), ("reverse", "true")],
        (P,), "sct-cm-reverse")
    get(tr, [("url", ICPC_MAP), ("system", SCT), ("code", "75570004"), ("target-version", NO_2025)], (P,),
        "sct-cm-icpc")
    post(tr, _params(_p("url", valueUri=ICD_MAP), _p("sourceSystem", valueUri=SCT),
                     _p("sourceCode", valueCode="8619003"),
                     _p("dependency", part=[_p("attribute", valueUri=SEX), _p("value", valueCoding={
                         "system": SCT, "code": "248153007"})]),
                     _p("dependency", part=[_p("element", valueUri=AGE), _p("concept", valueCodeableConcept={
                         "text": "15 a"})]),
                     _p("date", valueDateTime="2026-06-01")), (P,), "sct-cm-icd-post")
    post(tr, _params(_p("url", valueUri=ICD_MAP), _p("reverse", valueBoolean=True),
                     _p("coding", valueCoding={"system": ICD, "code": "J12.9"}), _p("targetsystem", valueUri=SCT)),
         (P,), "sct-cm-icd-reverse")
    post(tr, _params(_p("url", valueUri=REPLACED_BY), _p("conceptMapVersion", valueString=NO_2025),
                     _p("codeableConcept", valueCodeableConcept={"coding": [
                         {"system": SCT, "code": "155574008", "version": INT_2018}, {"system": ICD, "code": "A00"}]}),
                     _p("target", valueUri=SCT + "?fhir_vs")), (P,), "sct-cm-codeable")
    get(tr, [("system", SCT), ("targetsystem", SCT), ("code", "155574008"), ("target-version", NO_2025)], (P,),
        "sct-to-sct")
    get(tr, [("system", SCT), ("code", "75570004"), ("targetsystem", ICD), ("conceptMapVersion", NO_2025)], (P,),
        "sct-to-icd")
    get(f"/fhir/ConceptMap/{REPLACED_BY_ID}/$translate", [("system", SCT), ("code", "155574008")], (P,),
        "sct-cm-instance")
    get(f"/fhir/ConceptMap/{REPLACED_BY_ID}", [], ("ConceptMap",), "sct-cm-read")
    get("/fhir/ConceptMap", [("url", REPLACED_BY + "|" + NO_2025), ("_count", "3")], ("Bundle",), "sct-cm-search")
    R.append(Req("POST", "/fhir/ConceptMap/_search", body="url=" + SAME_AS_INT.replace("?", "%3F").replace("=", "%3D"),
                 content_type="application/x-www-form-urlencoded", expect=("Bundle",), origin="sct-cm-search-post"))

    ex, vc = "/fhir/ValueSet/$expand", "/fhir/ValueSet/$validate-code"
    get(ex, [("url", f"{SCT}?fhir_vs=ecl/{ECL_REFINED}"), ("count", "10"), ("displayLanguage", "nb")],
        ("ValueSet",), "sct-ecl-expand")
    get(ex, [("url", f"{SCT}/{NO_MODULE}?fhir_vs=refset/{TERM_BANK}"), ("filter", "lungebet")], ("ValueSet",),
        "sct-refset-expand", headers={"Accept-Language": "nn-NO, nb;q=0.8, en;q=0.1"})
    get(vc, [("url", f"{SCT}?fhir_vs=isa/233604007"), ("system", SCT), ("code", "75570004"),
             ("date", "2026-01-01"), ("displayLanguage", "nb-NO")], (P,), "sct-isa-validate")
    post(vc, _params(_p("url", valueUri=f"{SCT}?fhir_vs=ecl/{ECL_FILTERED}"),
                     _p("coding", valueCoding={"system": SCT, "code": "75570004", "version": NO_2025,
                                               "display": "viral lungebetennelse"}),
                     _p("displayLanguage", valueCode="nb")), (P,), "sct-ecl-validate")
    ecl_vs = {"resourceType": "ValueSet", "url": "http://example.org/fuzz/ecl", "status": "active", "compose": {
        "include": [{"system": SCT, "filter": [{"property": "constraint", "op": "=", "value": ECL_DOTTED}]},
                    {"valueSet": [f"{SCT}?fhir_vs=refset/{TERM_BANK}"]}],
        "exclude": [{"system": SCT, "version": NO_2025, "filter": [{"property": "concept", "op": "is-a",
                                                                    "value": "53084003"}]}]}}
    post(ex, _params(_p("valueSet", resource=ecl_vs), _p("count", valueInteger=20), _p("date", valueDateTime="2026"),
                     _p("includeDesignations", valueBoolean=True)), ("ValueSet",), "sct-ecl-compose")
    post(vc, _params(_p("valueSet", resource=ecl_vs), _p("code", valueCode="233604007"), _p("system", valueUri=SCT)),
         (P,), "sct-ecl-compose-validate")
    get("/fhir/CodeSystem/$lookup", [("system", SCT), ("code", "75570004"), ("property", "normalForm"),
                                     ("property", "900000000000526001"), ("displayLanguage", "nn")], (P,),
        "sct-lookup")
    get("/fhir/CodeSystem/$subsumes", [("system", SCT), ("codeA", "233604007"), ("codeB", "75570004"),
                                       ("version", NO_2025)], (P,), "sct-subsumes")
    post("/fhir/ValueSet/$batch-validate-code", _params(
        _p("url", valueUri=f"{SCT}?fhir_vs=ecl/<< 233604007"),
        _p("validation", resource=_params(_p("code", valueCode="75570004"), _p("system", valueUri=SCT))),
        _p("validation", resource=_params(_p("coding", valueCoding={"system": SCT, "code": "155574008"})))),
        (P,), "sct-batch-validate")
    return R
