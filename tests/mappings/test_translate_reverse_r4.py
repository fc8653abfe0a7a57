"""R4 $translate with reverse=true reads `source` and `target` as R4 says: reverse "reverses the meaning of the
source and target parameters", so R4 `target` is the value set of the code given and R4 `source` the one the
answers are sought in (tx.fhir.org, FHIRsmith, reads it so: notes/research-s10-translate.md). The R5 names
(sourceScope/targetScope, targetCode) keep their meaning. Setups: the HL7 translate test resources
(tests/conformance/tx-tests/translate, sent as tx-resource) and a small map written here."""
from tests.support.tx_requests import out, post
from tests.mappings.test_translate_messages import (
    A, B, MINE, SHIPPED, SRC, TGT, _answer, _match, _names, _no_map)

VS_SOURCE, VS_TARGET = "http://hl7.org/fhir/test/ValueSet/source", "http://hl7.org/fhir/test/ValueSet/target"
ASK = [("system", TGT), ("code", "code1"), ("reverse", True)]


def _concepts(b: dict) -> list[str]:
    return sorted(q["valueCoding"]["code"] for p in b["parameter"] if p["name"] == "match"
                  for q in p["part"] if q["name"] == "concept")


# --- R4 `target` is the value set of the code given ----------------------------------------------------------

def test_r4_target_holding_the_code_given_lets_the_map_answer(client):
    b = _answer(client, ASK + [("target", VS_TARGET)])
    assert out(b)["result"] is True
    assert _match(b)["concept"] == {"system": SRC, "code": "code-1"}


def test_r4_target_without_the_code_given_refuses_before_any_map(client):
    b = _answer(client, ASK + [("target", VS_SOURCE)])
    assert _no_map(b) == (f"'{TGT}#code1' is not in the value set '{VS_SOURCE}', so no ConceptMap can "
                          "translate it")


# --- R4 `source` is the value set the answers are sought in --------------------------------------------------

def test_r4_source_holding_the_answer_keeps_it(client):
    b = _answer(client, ASK + [("source", VS_SOURCE)])
    assert out(b)["result"] is True and _concepts(b) == ["code-1"]


def test_r4_source_without_the_answer_leaves_it_out(client):
    # before, `source` was checked against the code given (code1 is in ValueSet/target): result true
    b = _answer(client, ASK + [("source", VS_TARGET)])
    assert out(b)["result"] is False and _concepts(b) == []
    # said in the name the client used for that value set
    assert f"{SRC}#code-1 left out: not in the source value set '{VS_TARGET}'" in out(b)["message"]


def test_r4_source_and_target_together(client):
    b = _answer(client, ASK + [("target", VS_TARGET), ("source", VS_SOURCE)])
    assert out(b)["result"] is True and _concepts(b) == ["code-1"]
    # the same two value sets the forward way round: nothing fits
    b = _answer(client, ASK + [("target", VS_SOURCE), ("source", VS_TARGET)])
    assert _names(b) == ["message", "result"] and out(b)["result"] is False


def test_r4_reverse_with_a_small_map_and_value_sets_of_its_own(client):
    vs = lambda name, system, codes: {"resourceType": "ValueSet", "url": f"http://ex.org/rt/vs/{name}",
                                      "status": "active", "compose": {"include": [
                                          {"system": system, "concept": [{"code": c} for c in codes]}]}}
    setup = MINE + [vs("b1", B, ["b1"]), vs("a1", A, ["a1"]), vs("a2", A, ["a2"])]
    ask = [("system", B), ("code", "b1"), ("reverse", True), ("targetsystem", A)]
    b = _answer(client, ask + [("target", "http://ex.org/rt/vs/b1"), ("source", "http://ex.org/rt/vs/a1")], setup)
    assert out(b)["result"] is True and _concepts(b) == ["a1"]
    b = _answer(client, ask + [("source", "http://ex.org/rt/vs/a2")], setup)
    assert out(b)["result"] is False and _concepts(b) == []
    b = _answer(client, ask + [("target", "http://ex.org/rt/vs/a1")], setup)
    assert "is not in the value set 'http://ex.org/rt/vs/a1'" in _no_map(b)


# --- forward and R5 names are as before ----------------------------------------------------------------------

def test_forward_r4_source_is_still_the_value_set_of_the_code_given(client):
    b = _answer(client, [("system", SRC), ("code", "code-1"), ("target", VS_TARGET), ("source", VS_SOURCE)])
    assert out(b)["result"] is True and _concepts(b) == ["code1"]


def test_r5_scopes_with_reverse_keep_their_meaning(client):
    # sourceScope is still checked against the code given, targetScope against the answers
    b = _answer(client, ASK + [("sourceScope", VS_TARGET), ("targetScope", VS_SOURCE)])
    # R5 names get the R5 reverse match: `concept` is the code given, `source` the answer
    assert out(b)["result"] is True and _match(b)["source"] == {"system": SRC, "code": "code-1"}
    b = _answer(client, ASK + [("sourceScope", VS_SOURCE)])
    assert "is not in the value set" in _no_map(b)


def test_r5_target_code_scopes_name_the_maps_sides(client):
    ask = [("targetSystem", TGT), ("targetCode", "code1"), ("sourceSystem", SRC)]
    b = _answer(client, ask + [("targetScope", VS_TARGET), ("sourceScope", VS_SOURCE)])
    assert out(b)["result"] is True
    assert _match(b)["source"] == {"system": SRC, "code": "code-1"}
    b = _answer(client, ask + [("targetScope", VS_SOURCE)])
    assert "is not in the value set" in _no_map(b)


def test_review_two_names_for_one_side_that_differ_are_refused(client):
    # review: reverse=true with target and sourceScope (both the code given's side) kept one, dropped the other
    status, b = post(client, "ConceptMap/$translate",
                     ASK + [("target", VS_TARGET), ("sourceScope", "http://unknown/vs")], SHIPPED)
    assert status == 400, b
    text = b["issue"][0]["details"]["text"]
    assert "'target' and 'sourceScope'" in text and "http://unknown/vs" in text


def test_review_r4_and_r5_names_of_different_sides_are_not_confused(client):
    # in reverse, R4 `source` names the answers' side and R5 `sourceScope` the code's: both may be given
    b = _answer(client, ASK + [("source", "http://hl7.org/fhir/test/ValueSet/source"), ("sourceScope", VS_TARGET)])
    assert out(b)["result"] is True
