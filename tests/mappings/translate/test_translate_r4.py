"""Probe 9, ConceptMap/$translate in R4 (OperationDefinition ConceptMap-translate; ConceptMapEquivalence):
source/target/targetsystem, reverse, dependency, unmapped modes, equivalences, product, several maps,
conceptMapVersion, a map supplied as conceptMap or tx-resource."""
import json

import pytest

from tests.support.tx_files import tx_file
from tests.support.tx_requests import cs, post

from tests.codesystem_operations.simple_requests import assert_outcome, first, named, parts, raw

TR = "ConceptMap/$translate"
SRC, TGT = "http://hl7.org/fhir/test/CodeSystem/source", "http://hl7.org/fhir/test/CodeSystem/target"
FULL = "http://hl7.org/fhir/test/ConceptMap/full"
TX = [tx_file("translate/" + f) for f in ("codesystem-source.json", "codesystem-target.json",
                                           "ConceptMap-full.json", "valueset-source.json", "valueset-target.json")]

A, B, C = "http://ex.org/p9/a", "http://ex.org/p9/b", "http://ex.org/p9/c"
CSA = cs(A, "1", [{"code": x, "display": "A " + x} for x in ("a1", "a2", "a3", "a4", "a5", "a6", "a7")])
CSB = cs(B, "1", [{"code": x, "display": "B " + x} for x in ("b1", "b2", "b3", "b4")])
CM1 = {"resourceType": "ConceptMap", "url": "http://ex.org/p9/cm1", "version": "1", "status": "active",
       "group": [{"source": A, "target": B, "element": [
           {"code": "a1", "target": [{"code": "b1", "equivalence": "equal"}]},
           {"code": "a2", "target": [{"code": "b2", "equivalence": "disjoint"}]},
           {"code": "a3", "target": [{"equivalence": "unmatched", "comment": "no counterpart"}]},
           {"code": "a4", "target": [
               {"code": "b1", "equivalence": "inexact",
                "dependsOn": [{"property": "http://ex.org/p9/prop", "system": C, "value": "c1"}]},
               {"code": "b2", "equivalence": "inexact",
                "dependsOn": [{"property": "http://ex.org/p9/prop", "system": C, "value": "c2"}]}]},
           {"code": "a5", "target": [{"code": "b3", "equivalence": "equivalent", "product": [
               {"property": "http://ex.org/p9/prod", "system": C, "value": "c9", "display": "C nine"}]}]},
           {"code": "a7", "target": [{"code": "b4", "equivalence": "subsumes"}]}],
           "unmapped": {"mode": "provided"}}]}
CM2 = {"resourceType": "ConceptMap", "url": "http://ex.org/p9/cm2", "version": "1", "status": "active",
       "group": [{"source": A, "target": B, "element": [
           {"code": "a1", "target": [{"code": "b4", "equivalence": "wider"}]}]}]}
OTHER = {"resourceType": "ConceptMap", "url": "http://ex.org/p9/other", "version": "1", "status": "active",
         "group": [{"source": A, "target": B, "element": [
             {"code": "a6", "target": [{"code": "b3", "equivalence": "equivalent"}]}]}]}
CHAIN1 = {"resourceType": "ConceptMap", "url": "http://ex.org/p9/chain", "version": "1", "status": "active",
          "group": [{"source": A, "target": B, "element": [
              {"code": "a1", "target": [{"code": "b1", "equivalence": "equivalent"}]}],
              "unmapped": {"mode": "other-map", "url": "http://ex.org/p9/other"}}]}
CHAIN2 = {**CHAIN1, "version": "2", "group": [{"source": A, "target": B, "element": [
    {"code": "a1", "target": [{"code": "b2", "equivalence": "equivalent"}]}]}]}
MINE = [CSA, CSB, CM1, CM2]


def matches(b: dict) -> list[dict]:
    return [parts(m) for m in named(b, "match")]


def concept_codes(b: dict) -> list:
    return sorted((m.get("concept") or {}).get("code") or "" for m in matches(b))


def translate(client, params, setup=MINE) -> dict:
    status, b = post(client, TR, params, setup)
    assert status == 200, b
    return b


def test_r4_match_parts_only(client):
    """R4 match parts are equivalence, concept, product, source (uri of the map); R5 names (relationship,
    originMap) do not belong in an answer to an R4 request."""
    b = translate(client, [("system", SRC), ("code", "code-1"), ("targetsystem", TGT)], TX)
    assert first(b, "result") is True
    (m,) = named(b, "match")
    assert [p["name"] for p in m["part"]] == ["equivalence", "concept", "source"]
    assert parts(m) == {"equivalence": "equivalent", "concept": {"system": TGT, "code": "code1"},
                        "source": FULL + "|0.1.0"}
    assert "valueUri" in m["part"][2]


@pytest.mark.parametrize("code,equivalence,target", [
    ("code-2", "narrower", "code2"),     # R5 source-is-broader-than-target: the target is narrower
    ("code-3", "wider", "code3"),        # R5 source-is-narrower-than-target: the target is wider
    ("code-5", "relatedto", "temp")])    # unmapped mode fixed, relationship related-to
def test_r5_relationships_read_as_r4_equivalence(client, code, equivalence, target):
    b = translate(client, [("system", SRC), ("code", code), ("targetsystem", TGT)], TX)
    assert [(m["equivalence"], m["concept"]["code"]) for m in matches(b)] == [(equivalence, target)]


def test_target_value_set_scopes_the_answer(client):
    b = translate(client, [("system", SRC), ("code", "code-1"),
                           ("target", "http://hl7.org/fhir/test/ValueSet/target")], TX)
    assert concept_codes(b) == ["code1"]


def test_code_outside_the_source_value_set_has_no_translation(client):
    b = translate(client, [("system", SRC), ("code", "code-6"),
                           ("source", "http://hl7.org/fhir/test/ValueSet/source")], TX)
    assert first(b, "result") is False and first(b, "message")


def test_reverse_answers_the_source_code(client):
    """reverse: 'return all the codes that might be mapped to this code'."""
    b = translate(client, [("system", TGT), ("code", "code1"), ("reverse", True)], TX)
    assert [m["concept"] for m in matches(b)] == [{"system": SRC, "code": "code-1"}]
    assert matches(b)[0]["equivalence"] == "equivalent"


def test_all_maps_that_apply_answer(client):
    """'If there's no target specified, the server should return all known translations, along with their
    source'."""
    b = translate(client, [("system", A), ("code", "a1")])
    got = sorted((m["concept"]["code"], m["equivalence"], m["source"]) for m in matches(b))
    assert got == [("b1", "equal", "http://ex.org/p9/cm1|1"), ("b4", "wider", "http://ex.org/p9/cm2|1")]


def test_url_limits_to_one_map(client):
    b = translate(client, [("url", "http://ex.org/p9/cm2"), ("system", A), ("code", "a1")])
    assert concept_codes(b) == ["b4"]


@pytest.mark.parametrize("equivalence,code", [("disjoint", "a2"), ("unmatched", "a3")])
def test_not_a_match_equivalences_give_result_false_but_are_listed(client, equivalence, code):
    """result: 'can only be true if at least one returned match has an equivalence which is not unmatched or
    disjoint'; 'the list of matches may include notes of codes for which mapping is specifically excluded'."""
    b = translate(client, [("url", "http://ex.org/p9/cm1"), ("system", A), ("code", code)])
    assert first(b, "result") is False
    assert [m["equivalence"] for m in matches(b)] == [equivalence]


def test_subsumes_equivalence_is_a_match(client):
    b = translate(client, [("url", "http://ex.org/p9/cm1"), ("system", A), ("code", "a7")])
    assert first(b, "result") is True and matches(b)[0]["equivalence"] == "subsumes"


def test_dependency_selects_the_conditional_target(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": "http://ex.org/p9/cm1"}, {"name": "system", "valueUri": A},
        {"name": "code", "valueCode": "a4"},
        {"name": "dependency", "part": [
            {"name": "element", "valueUri": "http://ex.org/p9/prop"},
            {"name": "concept", "valueCodeableConcept": {"coding": [{"system": C, "code": "c2"}]}}]}] +
        [{"name": "tx-resource", "resource": r} for r in MINE]}
    r = client.post("/fhir/" + TR, data=json.dumps(body), content_type="application/fhir+json")
    assert r.status_code == 200
    assert concept_codes(r.get_json()) == ["b2"]


def test_without_dependency_conditional_targets_are_all_listed(client):
    b = translate(client, [("url", "http://ex.org/p9/cm1"), ("system", A), ("code", "a4")])
    assert concept_codes(b) == ["b1", "b2"]


def test_product_is_element_and_concept(client):
    """match.product: element (uri) + concept (Coding)."""
    b = translate(client, [("url", "http://ex.org/p9/cm1"), ("system", A), ("code", "a5")])
    (m,) = named(b, "match")
    (prod,) = [p for p in m["part"] if p["name"] == "product"]
    assert parts(prod) == {"element": "http://ex.org/p9/prod",
                           "concept": {"system": C, "code": "c9", "display": "C nine"}}


def test_unmapped_provided_uses_the_code_given(client):
    """group.unmapped.mode provided: 'Use the code as provided in the $translate request'."""
    b = translate(client, [("url", "http://ex.org/p9/cm1"), ("system", A), ("code", "a6")])
    assert first(b, "result") is True
    assert [m["concept"]["code"] for m in matches(b)] == ["a6"]


def test_unmapped_other_map_is_followed(client):
    """group.unmapped.mode other-map: 'use the map identified by the canonical URL in the url element'."""
    b = translate(client, [("url", "http://ex.org/p9/chain"), ("conceptMapVersion", "1"), ("system", A),
                           ("code", "a6")], [CSA, CSB, OTHER, CHAIN1, CHAIN2])
    assert [(m["concept"]["code"], m["source"]) for m in matches(b)] == [("b3", "http://ex.org/p9/other|1")]


def test_concept_map_version_picks_the_version(client):
    setup = [CSA, CSB, OTHER, CHAIN1, CHAIN2]
    one = translate(client, [("url", "http://ex.org/p9/chain"), ("conceptMapVersion", "1"), ("system", A),
                             ("code", "a1")], setup)
    two = translate(client, [("url", "http://ex.org/p9/chain"), ("conceptMapVersion", "2"), ("system", A),
                             ("code", "a1")], setup)
    latest = translate(client, [("url", "http://ex.org/p9/chain"), ("system", A), ("code", "a1")], setup)
    assert (concept_codes(one), concept_codes(two), concept_codes(latest)) == (["b1"], ["b2"], ["b2"])


def test_unknown_concept_map_version_is_not_found(client):
    status, b = post(client, TR, [("url", FULL), ("conceptMapVersion", "9.9"), ("system", SRC),
                                  ("code", "code-1")], TX)
    assert_outcome(status, b, 404, "not-found", FULL, "9.9", tx="not-found")


def test_concept_map_parameter_is_the_only_map_used(client):
    """conceptMap: 'The concept map is provided directly as part of the request'."""
    b = translate(client, [("system", A), ("code", "a1"), ("conceptMap", CM2)], [CSA, CSB, CM1])
    assert concept_codes(b) == ["b4"]


def test_codeable_concept_translates_each_coding(client):
    """codeableConcept: 'The server can translate any of the coding values'."""
    cc = {"coding": [{"system": SRC, "code": "code-1"}, {"system": SRC, "code": "code-3"}]}
    b = translate(client, [("codeableConcept", cc), ("targetsystem", TGT)], TX)
    assert concept_codes(b) == ["code1", "code3"]


def test_coding_input(client):
    b = translate(client, [("coding", {"system": SRC, "code": "code-1"}), ("targetsystem", TGT)], TX)
    assert concept_codes(b) == ["code1"]


def test_target_system_with_no_map_is_result_false(client):
    b = translate(client, [("system", A), ("code", "a1"), ("targetsystem", C)])
    assert first(b, "result") is False and not named(b, "match") and first(b, "message")


def test_instance_level_and_get(stored):
    r = stored.get(f"/fhir/ConceptMap/full/$translate?system={SRC}&code=code-1")
    assert r.status_code == 200
    assert [m["concept"]["code"] for m in matches(r.get_json())] == ["code1"]
    r = stored.get(f"/fhir/ConceptMap/$translate?system={SRC}&code=code-3&targetsystem={TGT}")
    assert r.status_code == 200 and [m["equivalence"] for m in matches(r.get_json())] == ["wider"]


def test_missing_code(client):
    status, b = raw(client, TR, [{"name": "system", "valueUri": A}], MINE)
    assert_outcome(status, b, 400, "invalid", "code", tx="invalid-data")


def test_code_without_system(client):
    """code: 'If a code is provided, a system must be provided'."""
    status, b = raw(client, TR, [{"name": "code", "valueCode": "a1"}], MINE)
    assert_outcome(status, b, 400, "invalid", "system", tx="invalid-data")


def test_code_and_coding_together(client):
    """'One (and only one) of the in parameters (code, coding, codeableConcept) must be provided'."""
    status, b = raw(client, TR, [{"name": "code", "valueCode": "a1"}, {"name": "system", "valueUri": A},
                                 {"name": "coding", "valueCoding": {"system": A, "code": "a1"}}], MINE)
    assert_outcome(status, b, 400, "invalid", "code", "coding", tx="invalid-data")


def test_reverse_not_a_boolean(client):
    status, b = raw(client, TR, [{"name": "code", "valueCode": "a1"}, {"name": "system", "valueUri": A},
                                 {"name": "reverse", "valueString": "perhaps"}], MINE)
    assert_outcome(status, b, 400, "invalid", "reverse", tx="invalid-data")


def test_concept_map_parameter_of_another_type(client):
    status, b = raw(client, TR, [{"name": "code", "valueCode": "a1"}, {"name": "system", "valueUri": A},
                                 {"name": "conceptMap", "resource": CSA}], MINE)
    assert_outcome(status, b, 400, "invalid", "conceptMap", tx="invalid-data")


def test_dependency_without_parts(client):
    status, b = raw(client, TR, [{"name": "code", "valueCode": "a1"}, {"name": "system", "valueUri": A},
                                 {"name": "dependency", "valueString": "c1"}], MINE)
    assert_outcome(status, b, 400, "invalid", "dependency", tx="invalid-data")


def test_reverse_with_targetsystem_naming_the_answer_system(client):
    """reverse 'reverses the meaning of the source and target parameters': the codes found are in the map's
    source system, which targetsystem may name."""
    b = translate(client, [("system", TGT), ("code", "code1"), ("reverse", True), ("targetsystem", SRC)], TX)
    assert [m["concept"] for m in matches(b)] == [{"system": SRC, "code": "code-1"}]


def test_r5_not_related_to_reads_as_disjoint(client):
    """R5 not-related-to is R4 disjoint: listed, but result=false."""
    novs = tx_file("translate/ConceptMap-novs.json")
    b = translate(client, [("system", "http://hl7.org/fhir/test/CodeSystem/simple-mod"), ("code", "code-2b"),
                           ("conceptMap", novs)], [])
    assert first(b, "result") is False
    assert [(m["equivalence"], m["concept"]["code"]) for m in matches(b)] == [("disjoint", "code2b")]
