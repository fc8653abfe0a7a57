"""R5-shaped reverse $translate: a target code (`targetCode`, alias `targetcode`, or a targetCoding) sent with
`targetSystem` (alias `targetsystem`) is a code OF that system, and `sourceSystem` -- or R5's own name `system`,
"the system for the code that is to be translated" -- names the system the answers come from, as the reference
server reads it (FHIRsmith tx/workers/translate.js handleTypeLevelTranslate; notes/research-s15-translate-status.md
T1). Without targetSystem the older lenient reading stays (`system` is the target code's system). R4 requests
(code + system + reverse=true, `targetsystem` the wanted system; R4 has no targetCode) are untouched.
Setups: the HL7 translate test resources (tests/conformance/tx-tests/translate) sent as tx-resource, and a small
map written here."""
import pytest

from tests.support.tx_requests import out, post
from tests.support.resources import cs
from tests.mappings.test_translate_messages import SHIPPED, SRC, TGT, TR, _answer, _match, _names

FULL = "http://hl7.org/fhir/test/ConceptMap/full|0.1.0"
ELSEWHERE = "http://ex.org/s15/elsewhere"
R5_MATCH = {"equivalence": "equivalent", "relationship": "equivalent", "concept": {"system": TGT, "code": "code1"},
            "source": {"system": SRC, "code": "code-1"}, "originMap": FULL}


def _one_match(b: dict) -> dict:
    assert _names(b) == ["match", "result"], b
    assert out(b)["result"] is True
    return _match(b)


def _refused(client, params, setup=SHIPPED) -> dict:
    status, b = post(client, TR, params, setup)
    assert status == 400 and b["resourceType"] == "OperationOutcome", b
    (issue,) = b["issue"]
    assert issue["severity"] == "error" and issue["code"] == "invalid"
    return issue


# --- the researcher's probe: R5 `system` is the answers' system -------------------------------------------------

def test_r5_system_with_target_code_and_target_system_gives_the_match(client):
    b = _answer(client, [("system", SRC), ("targetCode", "code1"), ("targetSystem", TGT)])
    assert _one_match(b) == R5_MATCH


def test_the_shipped_reverse_request_is_unchanged(client):
    b = _answer(client, [("sourceSystem", SRC), ("targetCode", "code1"), ("targetSystem", TGT)])
    assert _one_match(b) == R5_MATCH


@pytest.mark.parametrize("given", [
    [("sourceSystem", SRC), ("targetcode", "code1"), ("targetsystem", TGT)],
    [("system", SRC), ("targetcode", "code1"), ("targetSystem", TGT)],
    [("targetCode", "code1"), ("targetsystem", TGT)]],
    ids=["targetcode+targetsystem", "targetcode+system", "targetCode+targetsystem"])
def test_lower_case_aliases(client, given):
    assert _one_match(_answer(client, given)) == R5_MATCH


def test_system_restricts_the_answers_to_that_system(client):
    b = _answer(client, [("system", ELSEWHERE), ("targetCode", "code1"), ("targetSystem", TGT)])
    assert _names(b) == ["message", "result"] and out(b)["result"] is False
    assert out(b)["message"] == f"No ConceptMap is available to translate from '{ELSEWHERE}' to '{TGT}'"


# --- today's lenient reading without targetSystem is kept ---------------------------------------------------------

@pytest.mark.parametrize("given", [
    [("system", TGT), ("targetCode", "code1")],
    [("system", TGT), ("targetCode", "code1"), ("sourceSystem", SRC)],
    # `system` naming the target code's own system beside targetSystem is that old reading, not a wanted system
    [("system", TGT), ("targetCode", "code1"), ("targetSystem", TGT)],
    [("system", TGT), ("targetCode", "code1"), ("targetSystem", TGT), ("sourceSystem", SRC)]],
    ids=["system", "system+sourceSystem", "system=targetSystem", "system=targetSystem+sourceSystem"])
def test_system_as_the_target_codes_system_works(client, given):
    assert _one_match(_answer(client, given)) == R5_MATCH


# --- conflicts get a clear answer, never a 500 -------------------------------------------------------------------

def test_a_code_that_is_not_in_the_target_system_says_so(client):
    # code-1 is a code of the source system: read as a code of the target system, no map has it
    status, b = post(client, TR, [("system", SRC), ("targetCode", "code-1"), ("targetSystem", TGT)], SHIPPED)
    assert status == 200 and _names(b) == ["message", "result"] and out(b)["result"] is False, b
    text = out(b)["message"]
    assert f"'{TGT}#code-1'" in text and f"'{SRC}'" in text


def test_source_system_and_system_naming_different_answer_systems_are_refused(client):
    issue = _refused(client, [("sourceSystem", SRC), ("system", ELSEWHERE), ("targetCode", "code1"),
                              ("targetSystem", TGT)])
    text = issue["details"]["text"]
    assert "'sourceSystem'" in text and "'system'" in text and SRC in text and ELSEWHERE in text


def test_a_target_coding_whose_system_differs_from_target_system_and_an_answer_system_is_refused(client):
    issue = _refused(client, [("targetCoding", {"system": TGT, "code": "code1"}), ("targetSystem", ELSEWHERE),
                              ("system", SRC)])
    assert "'targetSystem'" in issue["details"]["text"] and ELSEWHERE in issue["details"]["text"]


def test_reverse_true_with_targetcode_is_still_refused(client):
    issue = _refused(client, [("targetcode", "code1"), ("targetSystem", TGT), ("reverse", True)])
    assert issue["details"]["text"].startswith("The 'reverse' parameter cannot be combined with targetCode")


# --- targetCoding / targetCodeableConcept carry their own system ------------------------------------------------

@pytest.mark.parametrize("name,value", [
    ("targetCoding", {"system": TGT, "code": "code1"}),
    ("targetCodeableConcept", {"coding": [{"system": TGT, "code": "code1"}]})])
def test_system_beside_a_target_coding_names_the_answers_system(client, name, value):
    assert _one_match(_answer(client, [(name, value), ("system", SRC)])) == R5_MATCH
    b = _answer(client, [(name, value), ("system", ELSEWHERE)])
    assert out(b)["result"] is False and "match" not in out(b)
    assert out(b)["message"] == f"No ConceptMap is available to translate from '{ELSEWHERE}' to '{TGT}'"


def test_target_coding_with_target_system_of_its_own_or_of_the_answers(client):
    coding = ("targetCoding", {"system": TGT, "code": "code1"})
    assert _one_match(_answer(client, [coding, ("targetSystem", TGT), ("system", SRC)])) == R5_MATCH
    # a targetSystem that is not the coding's names the answers' system, as the reference server reads it
    assert _one_match(_answer(client, [coding, ("targetSystem", SRC)])) == R5_MATCH
    b = _answer(client, [coding, ("targetSystem", ELSEWHERE)])
    assert out(b)["result"] is False and "match" not in out(b)
    # a systemless targetCoding takes targetSystem as its system
    b = _answer(client, [("targetCoding", {"code": "code1"}), ("targetSystem", TGT), ("system", SRC)])
    assert _one_match(b) == R5_MATCH


# --- targetVersion: the version of the target code ---------------------------------------------------------------

A, B = "http://ex.org/s15/a", "http://ex.org/s15/b"
# the group names the target edition only: with both editions named the map also reads as an edition succession,
# which answers versioned requests by its own rules (mappings.succession_translate)
VERSIONED = [cs(A, "1", [{"code": "a1"}]), cs(B, "2", [{"code": "b1"}]),
             {"resourceType": "ConceptMap", "url": "http://ex.org/s15/cm", "version": "1", "status": "active",
              "group": [{"source": A, "target": B, "targetVersion": "2", "element": [
                  {"code": "a1", "target": [{"code": "b1", "relationship": "equivalent"}]}]}]}]


def test_target_version_is_the_version_of_the_target_code(client):
    ask = [("system", A), ("targetCode", "b1"), ("targetSystem", B)]
    m = _one_match(_answer(client, ask + [("targetVersion", "2")], VERSIONED))
    # the concept asked about is named by system and code only, as the reference servers answer (FHIRsmith)
    assert m["concept"] == {"system": B, "code": "b1"} and m["source"]["code"] == "a1"
    b = _answer(client, ask + [("targetVersion", "3")], VERSIONED)
    assert out(b)["result"] is False
    assert "The ConceptMap http://ex.org/s15/cm|1 maps version 2 of http://ex.org/s15/b, not version 3" in \
        out(b)["message"]


def test_with_target_version_version_goes_with_the_answers_system(client):
    ask = [("system", A), ("targetCode", "b1"), ("targetSystem", B), ("targetVersion", "2")]
    # version 1 is A's: read as the target code's version it would miss the map (which maps B version 2)
    m = _one_match(_answer(client, ask + [("version", "1")], VERSIONED))
    assert m["source"]["code"] == "a1"
    issue = _refused(client, ask + [("version", "1"), ("target-version", "9")], VERSIONED)
    assert "'target-version'" in issue["details"]["text"]


def test_without_target_version_version_stays_the_target_codes(client):
    ask = [("sourceSystem", A), ("targetCode", "b1"), ("targetSystem", B)]
    assert _one_match(_answer(client, ask + [("version", "2")], VERSIONED))["source"]["code"] == "a1"
    # version 3 of the target code is not what the map maps
    assert out(_answer(client, ask + [("version", "3")], VERSIONED))["result"] is False


# --- R4 requests are untouched ----------------------------------------------------------------------------------

R4_MATCH = {"equivalence": "equivalent", "concept": {"system": SRC, "code": "code-1"}, "source": FULL}


@pytest.mark.parametrize("extra", [[], [("targetsystem", SRC)], [("version", "0.1.0")]],
                         ids=["plain", "targetsystem", "version"])
def test_r4_reverse_is_unchanged(client, extra):
    b = _answer(client, [("system", TGT), ("code", "code1"), ("reverse", True)] + extra)
    assert _one_match(b) == R4_MATCH


def test_r4_reverse_targetsystem_is_the_wanted_system(client):
    b = _answer(client, [("system", TGT), ("code", "code1"), ("reverse", True), ("targetsystem", TGT)])
    assert out(b)["result"] is False
    assert out(b)["message"] == f"No ConceptMap is available to translate from '{TGT}' to '{TGT}'"


def test_r4_forward_is_unchanged(client):
    b = _answer(client, [("system", SRC), ("code", "code-1"), ("targetsystem", TGT)])
    assert _one_match(b) == {"equivalence": "equivalent", "concept": {"system": TGT, "code": "code1"},
                             "source": FULL}
