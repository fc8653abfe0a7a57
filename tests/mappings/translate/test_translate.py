"""ConceptMap/$translate over ConceptMap resources (stored, supplied, tx-resource)."""
from __future__ import annotations

import copy
import os

import pytest

from mappings.translate import TranslateRequest, translate

from tests.conftest import DATA

from tests.codesystem_operations.conftest import ICD10, ICPC2, data, params, post

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
    assert p["result"] == [False] and p["message"][0] == "No translations found" and "match" not in p


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
    # a value set neither held nor declared by any map: 404, as $validate-code answers an unknown url
    r = cs_client.get(f"/fhir/ConceptMap/$translate?{q}&source=http://example.org/other-vs")
    assert r.status_code == 404 and "http://example.org/other-vs" in r.get_data(as_text=True)
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


# --- `source` and `target` value sets: membership of the code given and of each match ---------------------

TR = "/fhir/ConceptMap/$translate"
VS_BASE = "http://example.org/fhir/ValueSet/"


def _vs(name: str, system: str, codes=(), filters=(), imports=()) -> dict:
    inc: dict = {"system": system} if system else {}
    if codes:
        inc["concept"] = [{"code": c} for c in codes]
    if filters:
        inc["filter"] = list(filters)
    if imports:
        inc["valueSet"] = list(imports)
    return {"resourceType": "ValueSet", "url": VS_BASE + name, "status": "active", "compose": {"include": [inc]}}


def _translate(client, *parts, supply=()):
    r = post(client, TR, *parts, *({"name": "tx-resource", "resource": v} for v in supply))
    return r, (r.get_json() if r.is_json else None)


def _code(system, code):
    return [{"name": "system", "valueUri": system}, {"name": "code", "valueCode": code}]


def _uri(name, value):
    return {"name": name, "valueUri": value}


def test_target_value_set_keeps_only_member_matches(cs_client):
    ear = _vs("ear", ICD10, ["H660", "H938"])
    r, body = _translate(cs_client, *_code(ICPC2, "H71"), _uri("target", VS_BASE + "ear"), supply=[ear])
    p = params(body)
    assert r.status_code == 200 and p["result"] == [True] and [m["concept"]["code"] for m in p["match"]] == ["H660"]
    # K90 maps to I64, which the value set does not hold: no translation, and the message says why
    r, body = _translate(cs_client, *_code(ICPC2, "K90"), _uri("target", VS_BASE + "ear"), supply=[ear])
    p = params(body)
    assert p["result"] == [False] and "match" not in p
    assert "I64" in p["message"][0] and VS_BASE + "ear" in p["message"][0]


def test_target_value_set_with_a_filter_and_each_coding(cs_client):
    # chapter VIII (diseases of the ear) by a code pattern, asked code by code, never expanded
    ear = _vs("ear-chapter", ICD10, filters=[{"property": "code", "op": "regex", "value": "H[6-9].*"}])
    cc = {"coding": [{"system": ICPC2, "code": "K90"}, {"system": ICPC2, "code": "H71"},
                     {"system": ICPC2, "code": "H13"}]}
    r, body = _translate(cs_client, {"name": "codeableConcept", "valueCodeableConcept": cc},
                         _uri("target", VS_BASE + "ear-chapter"), supply=[ear])
    assert sorted(m["concept"]["code"] for m in params(body)["match"]) == ["H660", "H938"]


def test_target_as_a_relative_reference(cs_client):
    ear = {**_vs("ear-by-id", ICD10, ["H660"]), "id": "ear-by-id"}
    r, body = _translate(cs_client, *_code(ICPC2, "H71"), _uri("target", "ValueSet/ear-by-id"), supply=[ear])
    assert params(body)["result"] == [True]
    r, body = _translate(cs_client, *_code(ICPC2, "K90"), _uri("target", "ValueSet/ear-by-id"), supply=[ear])
    assert params(body)["result"] == [False]


def test_target_names_the_code_systems_implicit_value_set(cs_client):
    r = cs_client.get(f"{TR}?system={ICPC2}&code=K90&target={ICD10}?fhir_vs")
    p = params(r.get_json())
    assert p["result"] == [True] and p["match"][0]["concept"]["code"] == "I64"
    r = cs_client.get(f"{TR}?system={ICPC2}&code=K90&target={ICPC2}?fhir_vs")
    assert params(r.get_json())["result"] == [False]


def test_source_value_set_must_hold_the_code(cs_client):
    k = _vs("icpc-k", ICPC2, ["K90", "K29"])
    r, body = _translate(cs_client, *_code(ICPC2, "K90"), _uri("source", VS_BASE + "icpc-k"), supply=[k])
    assert params(body)["result"] == [True]
    r, body = _translate(cs_client, *_code(ICPC2, "H71"), _uri("source", VS_BASE + "icpc-k"), supply=[k])
    p = params(body)
    assert r.status_code == 200 and p["result"] == [False] and "match" not in p
    assert "H71" in p["message"][0] and "is not in the value set" in p["message"][0]


def test_reverse_swaps_the_roles(cs_client):
    # R4 reverse "reverses the meaning of the source and target parameters": the code given is an ICD-10 code
    # (checked against `target`); the answers are ICPC-2 codes (checked against `source`)
    h13 = _vs("icpc-h13", ICPC2, ["H13"])
    icd = _vs("icd-h938", ICD10, ["H938"])
    base = [*_code(ICD10, "H93.8"), {"name": "reverse", "valueBoolean": True}]
    r, body = _translate(cs_client, *base, _uri("source", VS_BASE + "icpc-h13"), _uri("target", VS_BASE + "icd-h938"),
                         supply=[h13, icd])
    assert [m["concept"]["code"] for m in params(body)["match"]] == ["H13"]
    r, body = _translate(cs_client, *base, _uri("target", VS_BASE + "icpc-h13"), supply=[h13])
    assert params(body)["result"] == [False]


def test_r5_scopes_name_the_maps_sides_in_reverse(cs_client):
    k90 = _vs("icpc-k90", ICPC2, ["K90"])
    h71 = _vs("icpc-h71", ICPC2, ["H71"])
    i64 = _vs("icd-i64", ICD10, ["I64"])
    ask = [_uri("sourceSystem", ICPC2), {"name": "targetCode", "valueCode": "I64"}, _uri("targetSystem", ICD10)]
    r, body = _translate(cs_client, *ask, _uri("sourceScope", VS_BASE + "icpc-k90"),
                         _uri("targetScope", VS_BASE + "icd-i64"), supply=[k90, i64])
    assert params(body)["result"] == [True] and params(body)["match"][0]["source"]["code"] == "K90"
    r, body = _translate(cs_client, *ask, _uri("sourceScope", VS_BASE + "icpc-h71"), supply=[h71])
    assert params(body)["result"] == [False]
    r, body = _translate(cs_client, *ask, _uri("targetScope", VS_BASE + "icpc-h71"), supply=[h71])
    assert params(body)["result"] == [False] and "is not in the value set" in params(body)["message"][0]


def _scoped_map(url: str, target_scope: str | None, target_code: str) -> dict:
    cm = {"resourceType": "ConceptMap", "url": url, "version": "1", "status": "active",
          "group": [{"source": ICPC2, "target": ICD10,
                     "element": [{"code": "K90", "target": [{"code": target_code, "equivalence": "wider"}]}]}]}
    if target_scope:
        cm["targetUri"] = target_scope
    return cm


def test_maps_declared_for_another_scope_answer_when_their_targets_are_members(cs_client):
    other = _scoped_map("http://example.org/cm/other-scope", "http://example.org/fhir/ValueSet/other", "I64")
    stroke = _vs("stroke", ICD10, ["I64"])
    r, body = _translate(cs_client, *_code(ICPC2, "K90"), _uri("target", VS_BASE + "stroke"), supply=[other, stroke])
    sources = sorted(m["source"] for m in params(body)["match"])
    assert sources == ["http://example.org/cm/other-scope|1", ICPC_MAP + "|2019"]


def test_unknown_target_declared_by_a_map_uses_only_that_map(cs_client):
    declared = VS_BASE + "not-held-anywhere"
    cm = _scoped_map("http://example.org/cm/declared", declared, "Z99")
    r, body = _translate(cs_client, *_code(ICPC2, "K90"), _uri("target", declared), supply=[cm])
    p = params(body)
    assert r.status_code == 200 and [m["concept"]["code"] for m in p["match"]] == ["Z99"]


def test_unknown_value_sets_are_404_naming_them(cs_client):
    for name in ("target", "source"):
        r = cs_client.get(f"{TR}?system={ICPC2}&code=K90&{name}=http://example.org/fhir/ValueSet/nowhere")
        body = r.get_json()
        assert r.status_code == 404 and body["resourceType"] == "OperationOutcome"
        text = body["issue"][0]["details"]["text"]
        assert "'http://example.org/fhir/ValueSet/nowhere'" in text and f"which is the {name} parameter" in text


def test_target_value_set_that_cannot_be_evaluated_is_an_answer(cs_client):
    broken = _vs("broken", None, imports=["http://example.org/fhir/ValueSet/missing-import"])
    r, body = _translate(cs_client, *_code(ICPC2, "K90"), _uri("target", VS_BASE + "broken"), supply=[broken])
    p = params(body)
    assert r.status_code == 200 and p["result"] == [False] and "missing-import" in p["message"][0]


def test_target_value_set_in_the_engine_without_http(catalog):
    ear = _vs("ear-engine", ICD10, ["H660"])
    cat = catalog.overlay([ear])
    res = translate(cat, TranslateRequest(code="H71", system=ICPC2, target=ear["url"]))
    assert res.result and [m.code for m in res.matches] == ["H660"]
    res = translate(cat, TranslateRequest(code="K90", system=ICPC2, target=ear["url"]))
    assert not res.result and res.matches == []


def test_get_with_a_dependency_is_told_to_post(cs_client):
    r = cs_client.get(f"{TR}?system={ICPC2}&code=K90&dependency=http://example.org/x")
    body = r.get_json()
    assert r.status_code == 400 and body["resourceType"] == "OperationOutcome"
    assert "POST" in body["issue"][0]["details"]["text"]


# --- the same filter on the edition walks (demo content) and the SNOMED CT map refsets ----------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from fhir_api import create_app
    app = create_app({"DB": str(tmp_path_factory.mktemp("demo") / "demo.db"), "DEMO": True})
    return app.test_client()


def test_edition_successors_filtered_by_the_target_value_set(demo):
    from terminology.identifiers import NCRP
    # NCRP SAA0AP (2017) came from SAA0AE and SAA0AF (2016): keep the one the value set holds
    only_ae = _vs("ncrp-ae", NCRP, ["SAA0AE"])
    ask = [*_code(NCRP, "SAA0AP"), {"name": "version", "valueString": "2017"},
           {"name": "target-version", "valueString": "2016"}, {"name": "reverse", "valueBoolean": True}]
    # (R4 reverse: `source` is the value set the answers are sought in)
    r, body = _translate(demo, *ask, _uri("source", VS_BASE + "ncrp-ae"), supply=[only_ae])
    p = params(body)
    assert r.status_code == 200 and p["result"] == [True] and [m["concept"]["code"] for m in p["match"]] == ["SAA0AE"]
    # forward to the successor, but only if the successor is in the value set
    fwd = [*_code(NCRP, "SAA0AE"), {"name": "version", "valueString": "2016"},
           {"name": "target-version", "valueString": "2017"}]
    r, body = _translate(demo, *fwd, _uri("target", VS_BASE + "ncrp-ae"), supply=[only_ae])
    p = params(body)
    assert p["result"] == [False] and "SAA0AP" in p["message"][0]
    r = demo.get(TR, query_string={"system": NCRP, "code": "SAA0AE", "version": "2016", "target-version": "2017",
                                   "target": f"{NCRP}?fhir_vs"})
    assert [m["concept"]["code"] for m in params(r.get_json())["match"]] == ["SAA0AP"]


def test_snomed_map_matches_filtered_by_the_target_value_set(tmp_path_factory):
    from tests.snomed.conftest import HANDMADE, SNOMED, _catalog
    catalog = _catalog(tmp_path_factory, "no-scope", HANDMADE)
    g01 = _vs("icd-g01", ICD10, ["G01"])
    url = SNOMED + "?fhir_cm=447562003"
    cat = catalog.overlay([g01])
    res = translate(cat, TranslateRequest(code="58437007", system=SNOMED, conceptmap_url=url))
    assert [m.code for m in res.matches] == ["A170", "G01"]
    res = translate(cat, TranslateRequest(code="58437007", system=SNOMED, conceptmap_url=url, target=g01["url"]))
    assert res.result and [m.code for m in res.matches] == ["G01"]
