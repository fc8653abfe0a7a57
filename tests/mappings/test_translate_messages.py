"""ConceptMap/$translate answers as the reference server (tx.fhir.org, FHIRsmith tx/workers/translate.js) gives
them: the closing `message` only when nothing matched at all, its wordings for "no map applies", and reverse
with a target concept refused (notes/research-s10-translate.md). Setups are the HL7 translate test resources
(tests/conformance/tx-tests/translate) sent as tx-resource, plus small maps written here."""
import pytest

from tests.support.tx_files import tx_file
from tests.support.tx_requests import out, post
from tests.support.resources import cs

TR = "ConceptMap/$translate"
SRC, TGT = "http://hl7.org/fhir/test/CodeSystem/source", "http://hl7.org/fhir/test/CodeSystem/target"
MOD, SIMPLE = "http://hl7.org/fhir/test/CodeSystem/simple-mod", "http://hl7.org/fhir/test/CodeSystem/simple"
FULL, VS_SOURCE = "http://hl7.org/fhir/test/ConceptMap/full", "http://hl7.org/fhir/test/ValueSet/source"
SHIPPED = [tx_file("translate/" + f) for f in (
    "codesystem-source.json", "codesystem-target.json", "ConceptMap-full.json", "ConceptMap-novs.json",
    "valueset-source.json", "valueset-target.json")]

A, B = "http://ex.org/rt/a", "http://ex.org/rt/b"
CSA = cs(A, "1", [{"code": c} for c in ("a1", "a2", "a3", "a4")])
CSB = cs(B, "1", [{"code": c} for c in ("b1", "b2")])
R4_MAP = {"resourceType": "ConceptMap", "url": "http://ex.org/rt/cm", "version": "1", "status": "active",
          "group": [{"source": A, "target": B, "element": [
              {"code": "a1", "target": [{"code": "b1", "equivalence": "equivalent"}]},
              {"code": "a2", "target": [{"code": "b2", "equivalence": "disjoint"}]},
              {"code": "a3", "target": [{"equivalence": "unmatched", "comment": "no counterpart"}]}]}]}
MINE = [CSA, CSB, R4_MAP]


def _answer(client, params, setup=SHIPPED) -> dict:
    status, b = post(client, TR, params, setup)
    assert status == 200 and b["resourceType"] == "Parameters", b
    return b


def _names(b: dict) -> list[str]:
    return sorted(p["name"] for p in b["parameter"])


def _match(b: dict) -> dict:
    (m,) = [p for p in b["parameter"] if p["name"] == "match"]
    return {p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in m["part"]}


def _no_map(b: dict) -> str:
    """The message of an answer that is result=false with no match."""
    assert _names(b) == ["message", "result"], b
    assert out(b)["result"] is False
    return out(b)["message"]


# --- 1. a match that is not a translation is still an answer: no closing message -----------------------------

def test_not_related_to_is_listed_without_a_message_r5_names(client):
    b = _answer(client, [("sourceSystem", MOD), ("sourceCode", "code-2b"), ("targetSystem", SIMPLE)])
    assert _names(b) == ["match", "result"], b
    assert out(b)["result"] is False
    m = _match(b)
    assert m["relationship"] == "not-related-to" and m["concept"] == {"system": SIMPLE, "code": "code2b"}
    assert m["originMap"] == FULL + "|0.1.0"


def test_not_related_to_is_listed_without_a_message_r4_names(client):
    b = _answer(client, [("system", MOD), ("code", "code-2b"), ("targetsystem", SIMPLE)])
    assert _names(b) == ["match", "result"], b
    assert out(b)["result"] is False and _match(b)["equivalence"] == "disjoint"


def test_not_related_to_in_reverse_has_no_message(client):
    b = _answer(client, [("targetSystem", SIMPLE), ("targetCode", "code2b"), ("sourceSystem", MOD)])
    assert _names(b) == ["match", "result"], b
    assert out(b)["result"] is False
    assert _match(b)["source"] == {"system": MOD, "code": "code-2b"}


@pytest.mark.parametrize("code,equivalence", [("a2", "disjoint"), ("a3", "unmatched")])
def test_r4_disjoint_and_unmatched_are_listed_without_a_message(client, code, equivalence):
    b = _answer(client, [("system", A), ("code", code), ("targetsystem", B)], MINE)
    assert _names(b) == ["match", "result"], b
    assert out(b)["result"] is False and _match(b)["equivalence"] == equivalence


def test_a_translation_has_no_message(client):
    b = _answer(client, [("system", A), ("code", "a1"), ("targetsystem", B)], MINE)
    assert _names(b) == ["match", "result"] and out(b)["result"] is True


# --- 2. the wording when no map applies --------------------------------------------------------------------

def test_no_map_at_all(client):
    b = _answer(client, [("system", "http://ex.org/none"), ("code", "x"), ("targetsystem", TGT)])
    assert _no_map(b) == f"No ConceptMap is available to translate from 'http://ex.org/none' to '{TGT}'"


def test_no_map_at_all_without_a_target(client):
    b = _answer(client, [("system", "http://ex.org/none"), ("code", "x")])
    assert _no_map(b) == "No ConceptMap is available to translate from 'http://ex.org/none' to '(unspecified)'"


def test_no_map_at_all_names_the_target_scope_when_there_is_no_target_system(client):
    b = _answer(client, [("system", "http://ex.org/none"), ("code", "x"),
                         ("targetScope", "http://hl7.org/fhir/test/ValueSet/target")])
    assert _no_map(b) == ("No ConceptMap is available to translate from 'http://ex.org/none' to "
                          "'http://hl7.org/fhir/test/ValueSet/target'")


def test_no_map_at_all_in_reverse_goes_from_the_answers_to_the_code_given(client):
    b = _answer(client, [("system", "http://ex.org/none"), ("code", "x"), ("reverse", True), ("targetsystem", A)])
    assert _no_map(b) == f"No ConceptMap is available to translate from '{A}' to 'http://ex.org/none'"


@pytest.mark.parametrize("extra", [[], [("url", FULL)]], ids=["found", "named by url"])
def test_the_code_is_outside_the_scope_of_every_map(client, extra):
    # ConceptMap-full declares sourceScope ValueSet/source: code-1..5, not code-6
    b = _answer(client, [("sourceSystem", SRC), ("sourceCode", "code-6"), ("targetSystem", TGT)] + extra)
    assert _no_map(b) == f"No ConceptMap that translates from '{SRC}' to '{TGT}' has '{SRC}#code-6' in scope"


def test_several_maps_out_of_scope_are_said_once(client):
    other = {**tx_file("translate/ConceptMap-full.json"), "id": "full2", "url": "http://ex.org/rt/full2"}
    b = _answer(client, [("sourceSystem", SRC), ("sourceCode", "code-6"), ("targetSystem", TGT)],
                SHIPPED + [other])
    assert _no_map(b) == f"No ConceptMap that translates from '{SRC}' to '{TGT}' has '{SRC}#code-6' in scope"


@pytest.mark.parametrize("name", ["sourceScope", "source"])
def test_the_code_is_outside_the_requested_source_scope(client, name):
    b = _answer(client, [("sourceSystem", SRC), ("sourceCode", "code-6"), ("targetSystem", TGT),
                         (name, VS_SOURCE)])
    assert _no_map(b) == f"'{SRC}#code-6' is not in the value set '{VS_SOURCE}', so no ConceptMap can translate it"


def test_a_map_that_applies_but_has_nothing_for_the_code(client):
    b = _answer(client, [("system", A), ("code", "a4"), ("targetsystem", B)], MINE)
    assert _no_map(b) == "No translations found"


def test_a_map_that_applies_but_has_nothing_for_the_code_in_reverse(client):
    b = _answer(client, [("system", B), ("code", "b9"), ("reverse", True), ("targetsystem", A)], MINE)
    assert _no_map(b) == "No translations found"


# --- 5. reverse=true names the code given as a target code; with targetCode too it is a contradiction --------

@pytest.mark.parametrize("given", [
    [("targetCode", "code2b"), ("targetSystem", SIMPLE)],
    [("targetCoding", {"system": SIMPLE, "code": "code2b"})],
    [("targetCodeableConcept", {"coding": [{"system": SIMPLE, "code": "code2b"}]})]],
    ids=["targetCode", "targetCoding", "targetCodeableConcept"])
def test_reverse_with_a_target_concept_is_refused(client, given):
    status, b = post(client, TR, given + [("reverse", True), ("sourceSystem", MOD)], SHIPPED)
    assert status == 400 and b["resourceType"] == "OperationOutcome", b
    (issue,) = b["issue"]
    assert issue["severity"] == "error" and issue["code"] == "invalid"
    assert issue["details"]["text"] == ("The 'reverse' parameter cannot be combined with targetCode, targetCoding "
                                        "or targetCodeableConcept")


def test_reverse_false_with_a_target_code_is_the_r5_reverse(client):
    b = _answer(client, [("targetCode", "code2b"), ("targetSystem", SIMPLE), ("reverse", False),
                         ("sourceSystem", MOD)])
    assert _names(b) == ["match", "result"], b


# --- 3. a map named by url that the server does not have -------------------------------------------------------

@pytest.mark.parametrize("extra,text", [
    ([], "ConceptMap not found: http://ex.org/rt/nope"),
    ([("conceptMapVersion", "2")], "ConceptMap not found: http://ex.org/rt/nope version 2")])
def test_an_unknown_map_url(client, extra, text):
    status, b = post(client, TR, [("url", "http://ex.org/rt/nope"), ("system", A), ("code", "a1")] + extra, MINE)
    assert status == 404 and b["resourceType"] == "OperationOutcome", b
    (issue,) = b["issue"]
    assert issue["code"] == "not-found" and issue["details"]["text"] == text


def test_an_empty_code_is_a_400_naming_it():
    """`code=` (empty or blank) is no code: a 400 at `code`, not 'ConceptMap not found' for a map that exists."""
    import tempfile
    from fhir_api import create_app
    client = create_app({"DB": tempfile.mktemp(suffix=".db"), "DEMO": True}).test_client()
    for code in ("", "  "):
        r = client.get("/fhir/ConceptMap/$translate", query_string={
            "url": "https://kodebro.no/fhir/ConceptMap/icpc2-icd10", "system": "http://hl7.org/fhir/sid/icpc-2",
            "code": code})
        assert r.status_code == 400, r.get_data(as_text=True)
        assert "code to translate is empty" in r.get_json()["issue"][0]["details"]["text"]


def test_an_empty_target_code_is_a_400_naming_it():
    import tempfile
    from fhir_api import create_app
    client = create_app({"DB": tempfile.mktemp(suffix=".db"), "DEMO": True}).test_client()
    r = client.get("/fhir/ConceptMap/$translate", query_string={
        "targetCode": " ", "targetSystem": "http://hl7.org/fhir/sid/icd-10-no"})
    assert r.status_code == 400, r.get_data(as_text=True)
    assert "target code is empty" in r.get_json()["issue"][0]["details"]["text"]


# --- a code its complete code system lacks is in no scope of that system (research-translate #1) ----------------

def test_reverse_of_a_code_the_target_system_lacks_is_out_of_every_maps_scope(client):
    # the full map's target scope takes the whole target code system; 'temp' (the map's own unmapped code) and
    # 'nope' are not codes of it, so no map has them in scope, as $validate-code of them against it says
    for code in ("temp", "nope"):
        msg = _no_map(_answer(client, [("sourceSystem", SRC), ("targetCode", code), ("targetSystem", TGT)]))
        assert msg.startswith(f"No ConceptMap that translates from '{SRC}' to '{TGT}' has '{TGT}#{code}' in scope"), msg


def test_r5_reverse_names_the_asked_concept_by_system_and_code_only(client):
    # a targetCoding that carries a display and a version: the answer's concept is the concept asked about, as the
    # reference servers write it ({system, code}); its display and version are the client's, not the answer's
    coding = {"system": TGT, "code": "code1", "display": "Display 1", "version": "0.1.0"}
    status, b = post(client, TR, [("targetCoding", coding), ("sourceSystem", SRC)], SHIPPED)
    assert status == 200, b
    m = _match(b)
    assert m["concept"] == {"system": TGT, "code": "code1"}, b
    assert m["source"]["system"] == SRC, b


def test_a_map_entry_for_a_code_its_complete_source_system_lacks_is_out_of_the_maps_scope(client):
    # forward too: a map whose source scope is the whole (complete) source code system does not hold a code that
    # system lacks, whatever row the map writes for it (FHIRsmith's filterMapsByScope asks $validate-code so)
    src = cs("http://ex.org/rt/src", "1", [{"code": "s1"}, {"code": "s2"}])
    tgt = cs("http://ex.org/rt/tgt", "1", [{"code": "t1"}])
    cm = {"resourceType": "ConceptMap", "url": "http://ex.org/rt/scoped", "status": "active",
          "sourceUri": src["url"] + "?fhir_vs", "targetUri": tgt["url"] + "?fhir_vs",
          "group": [{"source": src["url"], "target": tgt["url"], "element": [
              {"code": c, "target": [{"code": "t1", "equivalence": "equivalent"}]} for c in ("s1", "zz")]}]}
    setup = [src, tgt, cm]
    ok = _answer(client, [("url", cm["url"]), ("system", src["url"]), ("code", "s1")], setup)
    assert out(ok)["result"] is True
    msg = _no_map(_answer(client, [("url", cm["url"]), ("system", src["url"]), ("code", "zz")], setup))
    assert "has 'http://ex.org/rt/src#zz' in scope" in msg, msg
