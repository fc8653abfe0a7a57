"""ConceptMap/$translate over ConceptMap resources (stored, supplied, tx-resource)."""
from __future__ import annotations

import copy
import os

from mappings.translate import TranslateRequest, translate

from tests.conftest import DATA

from .conftest import ICD10, ICPC2, data, params, post

ADDRESS_USE = "http://hl7.org/fhir/address-use"
V3_ADDRESS_USE = "http://terminology.hl7.org/CodeSystem/v3-AddressUse"
ICPC_MAP = "https://kodebro.no/fhir/ConceptMap/test-icpc2-icd10"


def _matches(body):
    return [{q["name"]: next(v for k, v in q.items() if k.startswith("value")) for q in m["part"]
             if q["name"] != "product"} for m in params_of(body, "match")]


def params_of(body, name):
    return [p for p in body["parameter"] if p["name"] == name]


def test_icpc2_to_icd10_forward(cs_client):
    r = cs_client.get(f"/fhir/ConceptMap/$translate?system={ICPC2}&code=K90&targetsystem={ICD10}")
    body = r.get_json()
    assert r.status_code == 200 and params(body)["result"] == [True]
    (m,) = _matches(body)
    assert m["concept"] == {"system": ICD10, "code": "I64"}
    assert m["equivalence"] == "inexact" and m["source"] == ICPC_MAP + "|2019"


def test_reverse_finds_every_source_code(cs_client):
    r = cs_client.get(f"/fhir/ConceptMap/$translate?system={ICD10}&code=H93.8&targetsystem={ICPC2}&reverse=true")
    codes = sorted(m["concept"]["code"] for m in _matches(r.get_json()))
    assert codes == ["H13", "H99"]           # many-to-one in the conversion file; dotted input accepted


def test_no_map_gives_result_false_with_message(cs_client):
    r = cs_client.get(f"/fhir/ConceptMap/$translate?system={ICPC2}&code=ZZZ&targetsystem={ICD10}")
    p = params(r.get_json())
    assert p["result"] == [False] and "ZZZ" in p["message"][0] and "match" not in p


def test_disjoint_match_is_not_a_result(cs_client):
    r = cs_client.get(f"/fhir/ConceptMap/$translate?system={ADDRESS_USE}&code=old&targetsystem={V3_ADDRESS_USE}")
    p = params(r.get_json())
    assert p["result"] == [False] and p["match"][0]["equivalence"] == "disjoint"


def test_product_is_rendered(cs_client):
    r = cs_client.get("/fhir/ConceptMap/$translate?system=http://terminology.hl7.org/CodeSystem/v2-0487&code=ACNFLD")
    (match,) = params_of(r.get_json(), "match")
    product = next(p for p in match["part"] if p["name"] == "product")
    assert product["part"][0] == {"name": "element", "valueUri": "TypeModifier"}
    assert product["part"][1]["valueCoding"] == {"system": "http://snomed.info/sct", "code": "47002008"}


def test_source_and_target_scope_and_url(cs_client):
    q = f"system={ADDRESS_USE}&code=home"
    assert params(cs_client.get(f"/fhir/ConceptMap/$translate?{q}&source=http://hl7.org/fhir/ValueSet/address-use")
                  .get_json())["result"] == [True]
    assert params(cs_client.get(f"/fhir/ConceptMap/$translate?{q}&source=http://example.org/other-vs")
                  .get_json())["result"] == [False]
    assert params(cs_client.get(f"/fhir/ConceptMap/$translate?{q}&target=http://terminology.hl7.org/ValueSet/v3-AddressUse")
                  .get_json())["result"] == [True]
    r = cs_client.get(f"/fhir/ConceptMap/$translate?{q}&url=http://hl7.org/fhir/ConceptMap/101&conceptMapVersion=4.0.1")
    assert params(r.get_json())["result"] == [True]
    r = cs_client.get(f"/fhir/ConceptMap/$translate?{q}&url=http://hl7.org/fhir/ConceptMap/101&conceptMapVersion=9")
    assert r.status_code == 404
    r = cs_client.get(f"/fhir/ConceptMap/$translate?{q}&url=http://example.org/no-such-map")
    assert r.status_code == 404 and r.get_json()["resourceType"] == "OperationOutcome"


def test_instance_level_uses_that_map(cs_client, catalog):
    h = catalog.find_header("ConceptMap", "http://hl7.org/fhir/ConceptMap/101")
    r = cs_client.get(f"/fhir/ConceptMap/{h.id}/$translate?system={ADDRESS_USE}&code=work")
    assert _matches(r.get_json())[0]["concept"]["code"] == "WP"


def _dep_map():
    cm = data("ConceptMap-example2.json", folder=os.path.join(DATA, "fhir"))
    cm["url"] = "http://example.org/dep-map"
    return cm


def test_depends_on_with_and_without_the_dependency(cs_client):
    cm = _dep_map()
    base = [{"name": "conceptMap", "resource": cm}, {"name": "system", "valueUri": "http://example.org/fhir/example1"},
            {"name": "code", "valueCode": "code"}]
    dep = lambda code: {"name": "dependency", "part": [  # noqa: E731
        {"name": "element", "valueUri": "http://example.org/fhir/property-value/example"},
        {"name": "concept", "valueCodeableConcept": {"coding": [{"system": "http://example.org/fhir/example3",
                                                                 "code": code}]}}]}
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", *base, dep("some-code")).get_json())
    assert p["result"] == [True] and p["match"][0]["concept"]["code"] == "code2"
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", *base, dep("other-code")).get_json())
    assert p["result"] == [False]
    # without the dependency the match is given, with a note that it depends on it
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", *base).get_json())
    assert p["result"] == [True] and "some-code" in p["message"][0]
    # R5 form: attribute + value[x]
    r5 = {"name": "dependency", "part": [
        {"name": "attribute", "valueUri": "http://example.org/fhir/property-value/example"},
        {"name": "value", "valueCoding": {"system": "http://example.org/fhir/example3", "code": "some-code"}}]}
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", *base, r5).get_json())
    assert p["result"] == [True] and "message" not in p


def _unmapped_map(mode_part: dict) -> dict:
    return {"resourceType": "ConceptMap", "url": "http://example.org/unmapped-" + mode_part["mode"], "version": "1",
            "status": "active", "group": [{"source": "http://example.org/a", "target": "http://example.org/b",
                                           "element": [{"code": "x", "target": [{"code": "y", "equivalence": "equal"}]}],
                                           "unmapped": mode_part}]}


def test_unmapped_modes(cs_client):
    def run(cm, code, extra=()):
        return params(post(cs_client, "/fhir/ConceptMap/$translate", {"name": "conceptMap", "resource": cm},
                           {"name": "system", "valueUri": "http://example.org/a"},
                           {"name": "code", "valueCode": code}, *extra).get_json())
    p = run(_unmapped_map({"mode": "provided"}), "q")
    assert p["match"][0]["concept"]["code"] == "q" and p["result"] == [True]
    p = run(_unmapped_map({"mode": "fixed", "code": "other", "display": "Other"}), "q")
    assert p["match"][0]["concept"] == {"system": "http://example.org/b", "code": "other", "display": "Other"}
    assert run(_unmapped_map({"mode": "fixed", "code": "other"}), "x")["match"][0]["concept"]["code"] == "y"
    # other-map: the unmapped code goes through a second map, supplied as a tx-resource
    second = _unmapped_map({"mode": "provided"})
    second["url"] = "http://example.org/second"
    second["group"][0]["element"] = [{"code": "q", "target": [{"code": "from-second", "equivalence": "wider"}]}]
    first = _unmapped_map({"mode": "other-map", "url": "http://example.org/second"})
    p = run(first, "q", [{"name": "tx-resource", "resource": second}])
    assert [m["concept"]["code"] for m in p["match"]] == ["from-second"]
    # a map pointing at itself stops instead of looping
    loop = _unmapped_map({"mode": "other-map", "url": "http://example.org/loop"})
    loop["url"] = "http://example.org/loop"
    p = run(loop, "q", [{"name": "tx-resource", "resource": loop}])
    assert p["result"] == [False]


def test_several_maps_all_matches(cs_client):
    a = _unmapped_map({"mode": "provided"})
    a["url"] = "http://example.org/m1"
    del a["group"][0]["unmapped"]
    b = copy.deepcopy(a)
    b["url"] = "http://example.org/m2"
    b["group"][0]["element"][0]["target"] = [{"code": "z", "equivalence": "wider"}]
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", {"name": "tx-resource", "resource": a},
                    {"name": "tx-resource", "resource": b}, {"name": "system", "valueUri": "http://example.org/a"},
                    {"name": "code", "valueCode": "x"}).get_json())
    assert sorted(m["concept"]["code"] for m in p["match"]) == ["y", "z"]
    assert sorted(m["source"] for m in p["match"]) == ["http://example.org/m1|1", "http://example.org/m2|1"]


def test_codeable_concept_translates_each_coding(cs_client):
    cc = {"coding": [{"system": ICPC2, "code": "K90"}, {"system": ICPC2, "code": "H71"}]}
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", {"name": "codeableConcept", "valueCodeableConcept": cc},
                    {"name": "targetsystem", "valueUri": ICD10}).get_json())
    assert sorted(m["concept"]["code"] for m in p["match"]) == ["H660", "I64"]


def test_r5_names_answer_with_r5_parts(cs_client):
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", {"name": "sourceSystem", "valueUri": ICPC2},
                    {"name": "sourceCode", "valueCode": "K90"}, {"name": "targetSystem", "valueUri": ICD10}).get_json())
    m = p["match"][0]
    assert m["relationship"] == "related-to" and m["originMap"] == ICPC_MAP + "|2019" and "source" not in m
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", {"name": "sourceSystem", "valueUri": ICPC2},
                    {"name": "targetCode", "valueCode": "I64"}, {"name": "targetSystem", "valueUri": ICD10}).get_json())
    m = p["match"][0]
    assert m["concept"]["code"] == "I64" and m["source"] == {"system": ICPC2, "code": "K90"}


def test_bad_requests_are_400(cs_client):
    for q in ("code=K90", "system=x", f"system={ICPC2}&code=K90&reverse=maybe"):
        r = cs_client.get("/fhir/ConceptMap/$translate?" + q)
        assert r.status_code == 400 and r.get_json()["resourceType"] == "OperationOutcome"
    r = post(cs_client, "/fhir/ConceptMap/$translate", {"name": "conceptMap", "resource": {"resourceType": "ValueSet"}},
             {"name": "system", "valueUri": ICPC2}, {"name": "code", "valueCode": "K90"})
    assert r.status_code == 400
    r = post(cs_client, "/fhir/ConceptMap/$translate", {"name": "dependency", "valueString": "x"},
             {"name": "system", "valueUri": ICPC2}, {"name": "code", "valueCode": "K90"})
    assert r.status_code == 400


def test_engine_translate_without_http(catalog):
    res = translate(catalog, TranslateRequest(code="H71", system=ICPC2, target_system=ICD10))
    assert res.result and [m.code for m in res.matches] == ["H660"]
    assert res.matches[0].source == ICPC_MAP + "|2019"


def test_other_map_that_is_not_loaded_leaves_the_code_unmapped(cs_client):
    cm = _unmapped_map({"mode": "other-map", "url": "http://example.org/not-loaded"})
    p = params(post(cs_client, "/fhir/ConceptMap/$translate", {"name": "conceptMap", "resource": cm},
                    {"name": "system", "valueUri": "http://example.org/a"}, {"name": "code", "valueCode": "q"})
               .get_json())
    assert p["result"] == [False] and "match" not in p
