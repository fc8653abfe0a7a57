"""SNOMED CT through the operations: $lookup, $subsumes, $expand, $validate-code, and the term-bank workflow."""
from __future__ import annotations

import pytest

from terminology.implicit import resolve
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.lookup import LookupRequest, lookup
from terminology.operations.subsumes import subsumes
from .conftest import HANDMADE, SNOMED, client_at


def items_of(exp):
    out = []
    stack = list(exp.items)
    while stack:
        it = stack.pop(0)
        out.append(it)
        stack[:0] = it.children
    return out


def codes_of(exp):
    return [it.code for it in items_of(exp)]


def test_lookup_properties_and_norwegian_display(no_catalog):
    res = lookup(no_catalog, LookupRequest(code="75570004", system=SNOMED, languages=["nb"]))
    assert res.display == "viral lungebetennelse"
    props = {(p.code, p.value) for p in res.properties}
    assert ("parent", "233604007") in props
    assert ("inactive", False) in props and ("sufficientlyDefined", True) in props
    assert ("moduleId", "900000000000207008") in props and ("effectiveTime", "20250101") in props
    res = lookup(no_catalog, LookupRequest(code="233604007", system=SNOMED, properties=["normalForm", "child"]))
    got = {p.code: p for p in res.properties}
    assert got["normalForm"].value.startswith("<<< 64572001 |Disease|")
    assert "363698007" in got["normalForm"].value
    assert {p.value for p in res.properties if p.code == "child"} == {"75570004", "53084003"}
    assert lookup(no_catalog, LookupRequest(code="77386006", system=SNOMED, languages=["nn"])).display == "svangerskap"


def test_lookup_by_edition_version(no_catalog):
    res = lookup(no_catalog, LookupRequest(code="29857009", system=SNOMED,
                                           version="http://snomed.info/sct/51000202101/version/20250415"))
    assert res.display == "Chest pain"


def test_subsumes(no_catalog):
    assert subsumes(no_catalog, system=SNOMED, code_a="64572001", code_b="48194001") == "subsumes"
    assert subsumes(no_catalog, system=SNOMED, code_a="75570004", code_b="233604007") == "subsumed-by"
    assert subsumes(no_catalog, system=SNOMED, code_a="29857009", code_b="233604007") == "not-subsumed"
    assert subsumes(no_catalog, system=SNOMED, code_a="29857009", code_b="29857009") == "equivalent"


@pytest.mark.parametrize("url,expected", [
    (SNOMED + "?fhir_vs=isa/233604007", {"233604007", "75570004", "53084003"}),
    (SNOMED + "?fhir_vs=refset/68101000202102", {"233604007", "75570004", "29857009", "195967001", "38341003"}),
    (SNOMED + "?fhir_vs=ecl/%3C%3C%20233604007%20MINUS%2053084003", {"233604007", "75570004"}),
    (SNOMED + "?fhir_vs=ecl/<! 233604007", {"75570004", "53084003"}),
    (SNOMED + "/51000202101?fhir_vs=isa/38341003", {"38341003", "48194001"}),
])
def test_implicit_value_sets(no_catalog, url, expected):
    vs = resolve(no_catalog, url)
    assert set(codes_of(expand(no_catalog, ExpandRequest(valueset=vs)))) == expected


def test_all_concepts_value_set(no_catalog):
    vs = resolve(no_catalog, SNOMED + "?fhir_vs")
    exp = expand(no_catalog, ExpandRequest(valueset=vs, active_only=True, count=1000))
    assert exp.total == 20 and "155574008" not in codes_of(exp)


def test_compose_filters(no_catalog):
    def run(*filters):
        vs = {"resourceType": "ValueSet", "compose": {"include": [{"system": SNOMED, "filter": list(filters)}]}}
        return set(codes_of(expand(no_catalog, ExpandRequest(valueset=vs, exclude_nested=True))))
    assert run({"property": "concept", "op": "is-a", "value": "38341003"}) == {"38341003", "48194001"}
    assert run({"property": "concept", "op": "descendent-of", "value": "38341003"}) == {"48194001"}
    assert run({"property": "concept", "op": "in", "value": "88161000202101"},
               {"property": "concept", "op": "is-a", "value": "233604007"}) == {"233604007", "75570004", "53084003"}
    assert run({"property": "constraint", "op": "=", "value": "^ 88161000202101 MINUS << 233604007"}) == {
        "29857009", "195967001", "38341003", "18165001", "71000202107"}


def test_text_filter_norwegian_and_english(no_catalog):
    vs = resolve(no_catalog, SNOMED + "?fhir_vs=refset/88161000202101")
    exp = expand(no_catalog, ExpandRequest(valueset=vs, filter="lungebet", languages=["nb"]))
    assert codes_of(exp)[0] == "233604007"     # display starts with the word: ranked first
    assert set(codes_of(exp)) == {"233604007", "75570004", "53084003"}
    assert {it.display for it in items_of(exp)} == {"lungebetennelse", "viral lungebetennelse",
                                                "bakteriell lungebetennelse"}
    exp = expand(no_catalog, ExpandRequest(valueset=vs, filter="viral pneu"))
    assert codes_of(exp) == ["75570004"]
    exp = expand(no_catalog, ExpandRequest(valueset=vs, filter="seinfolgjer"))   # nynorsk, typed without ø
    assert codes_of(exp) == [] or codes_of(exp) == ["71000202107"]
    exp = expand(no_catalog, ExpandRequest(valueset=vs, filter="seinfølgjer"))
    assert codes_of(exp) == ["71000202107"]


def test_unsupported_ecl_is_a_clear_error(no_catalog):
    from terminology.errors import NotSupported
    vs = resolve(no_catalog, SNOMED + "?fhir_vs=ecl/<< 404684003 : { R 363698007 = << 39607008 }")
    with pytest.raises(NotSupported):
        expand(no_catalog, ExpandRequest(valueset=vs))


# --- over HTTP: the term-bank workflow ----------------------------------------------------------
@pytest.fixture
def sct_client(tmp_path):
    return client_at(tmp_path, HANDMADE)


def test_term_bank_workflow_over_http(sct_client):
    r = sct_client.get("/fhir/ValueSet/$expand", query_string={
        "url": SNOMED + "?fhir_vs=refset/88161000202101", "filter": "lungebet", "displayLanguage": "nb"})
    assert r.status_code == 200, r.get_json()
    contains = r.get_json()["expansion"]["contains"]
    assert [c["code"] for c in contains][0] == "233604007"
    assert contains[0]["display"] == "lungebetennelse"
    for c in contains:
        t = sct_client.post("/fhir/ConceptMap/$translate", json={"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": SNOMED + "?fhir_cm=447562003"},
            {"name": "system", "valueUri": SNOMED}, {"name": "code", "valueCode": c["code"]}]})
        assert t.status_code == 200, t.get_json()
        params = {p["name"]: p for p in t.get_json()["parameter"]}
        assert params["result"]["valueBoolean"] is True
    codes = [p for p in t.get_json()["parameter"] if p["name"] == "match"]
    assert codes


def test_translate_r5_dependency_over_http(sct_client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": SNOMED + "?fhir_cm=447562003"},
        {"name": "sourceCode", "valueCode": "8619003"}, {"name": "sourceSystem", "valueUri": SNOMED},
        {"name": "dependency", "part": [{"name": "attribute", "valueUri": "http://snomed.info/id/263495000"},
                                        {"name": "value", "valueCoding": {"system": SNOMED, "code": "248152002"}}]}]}
    r = sct_client.post("/fhir/ConceptMap/$translate", json=body)
    assert r.status_code == 200, r.get_json()
    matches = [p for p in r.get_json()["parameter"] if p["name"] == "match"]
    assert len(matches) == 1
    concept = next(p for p in matches[0]["part"] if p["name"] == "concept")["valueCoding"]
    assert concept["code"] == "N979"


def test_translate_r4_dependency_over_http(sct_client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": SNOMED + "?fhir_cm=447562003"},
        {"name": "code", "valueCode": "18165001"}, {"name": "system", "valueUri": SNOMED},
        {"name": "dependency", "part": [{"name": "element", "valueUri": "http://snomed.info/id/445518008"},
                                        {"name": "concept", "valueCodeableConcept": {"text": "10 d"}}]}]}
    r = sct_client.post("/fhir/ConceptMap/$translate", json=body)
    assert r.status_code == 200, r.get_json()
    matches = [p for p in r.get_json()["parameter"] if p["name"] == "match"]
    assert [next(p for p in m["part"] if p["name"] == "concept")["valueCoding"]["code"] for m in matches] == ["P599"]
    ext = matches[0]["extension"][0]
    assert ext["url"] == "https://kodebro.no/fhir/StructureDefinition/snomed-map-row"
    assert {"url": "evaluation", "valueCode": "matched"} in ext["extension"]


def test_lookup_and_subsumes_over_http(sct_client):
    r = sct_client.get("/fhir/CodeSystem/$lookup", query_string={"system": SNOMED, "code": "75570004",
                                                                 "displayLanguage": "nb"})
    assert r.status_code == 200, r.get_json()
    params = {p["name"]: p for p in r.get_json()["parameter"]}
    assert params["display"]["valueString"] == "viral lungebetennelse"
    r = sct_client.get("/fhir/CodeSystem/$subsumes", query_string={"system": SNOMED, "codeA": "233604007",
                                                                   "codeB": "75570004"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["parameter"][0]["valueCode"] == "subsumes"
    r = sct_client.get("/fhir/ValueSet/$expand", query_string={"url": SNOMED + "?fhir_vs=ecl/<< 404684003 : x"})
    assert r.status_code == 400


def test_validate_code_against_implicit_value_sets(sct_client):
    def check(url, code):
        r = sct_client.get("/fhir/ValueSet/$validate-code", query_string={"url": url, "system": SNOMED, "code": code})
        assert r.status_code == 200, r.get_json()
        return next(p["valueBoolean"] for p in r.get_json()["parameter"] if p["name"] == "result")
    assert check(SNOMED + "?fhir_vs=isa/233604007", "75570004") is True
    assert check(SNOMED + "?fhir_vs=isa/233604007", "29857009") is False
    assert check(SNOMED + "?fhir_vs=refset/88161000202101", "75570004") is True
    assert check(SNOMED + "?fhir_vs=refset/88161000202101", "8619003") is False
    assert check(SNOMED + "?fhir_vs=ecl/<< 38341003 OR << 77386006", "48194001") is True


def test_reading_the_codesystem_gives_fhir_concepts(sct_client):
    r = sct_client.get("/fhir/CodeSystem/sct-51000202101-20250415")
    assert r.status_code == 200
    cs = r.get_json()
    assert cs["version"] == "http://snomed.info/sct/51000202101/version/20250415"

    def walk(concepts):
        for c in concepts:
            yield c
            yield from walk(c.get("concept") or ())
    concepts = list(walk(cs["concept"]))
    assert len(concepts) == 21
    assert not [k for c in concepts for k in c if k.startswith("_") or k == "parents"]
    pneumonia = next(c for c in concepts if c["code"] == "233604007")
    assert {"language": "nb-NO", "value": "lungebetennelse"}.items() <= pneumonia["designation"][2].items()
    assert {"code": "sufficientlyDefined", "valueBoolean": False} in pneumonia["property"]
    from fhir.resources.R4B.codesystem import CodeSystem
    CodeSystem.model_validate(cs) if hasattr(CodeSystem, "model_validate") else CodeSystem.parse_obj(cs)
