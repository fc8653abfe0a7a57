"""$validate-code of a codeableConcept as the reference servers (tx.fhir.org: FHIRsmith, fhirserver) answer it
(notes: research-s9-codeable.md, ranked items 1-3; research-s9-versions.md item 6):

1. one system (or system|version) unknown in several codings is reported once: one not-found error at the first
   coding's `.system`, one x-unknown-system / x-caused-by-unknown-system value;
2. CodeSystem/$validate-code judges a coding of another system in its own code system (no issue when it holds
   the code, the usual Unknown code / unknown system errors otherwise);
3. a codeableConcept without codings (only `text`, or `coding: []`) is an answer, not a 400;
and CodeSystem/$validate-code with a `version` that differs from the coding's: a version mismatch answer."""
import json

from tests.support.tx_files import tx_file
from tests.support.tx_requests import FJ, body, issues, post, tx_codes

from tests.support.resources import cs

S = "http://hl7.org/fhir/test/CodeSystem/simple"
SX = "http://hl7.org/fhir/test/CodeSystem/simplex"
VER = "http://hl7.org/fhir/test/CodeSystem/version"
ALL = "http://hl7.org/fhir/test/ValueSet/simple-all"
SETUP = [tx_file("simple/codesystem-simple.json"), tx_file("simple/valueset-all.json"),
         tx_file("version/codesystem-version-1.json")]
NO_VALID = f"No valid coding was found for the value set '{ALL}|5.0.0'"


def _params(b: dict, name: str) -> list:
    return [next(v for k, v in p.items() if k.startswith("value")) for p in b.get("parameter") or []
            if p["name"] == name]


def _one(b: dict, name: str):
    got = _params(b, name)
    assert len(got) == 1, (name, b)
    return got[0]


def _cc(*codings, **extra) -> tuple:
    return ("codeableConcept", {"coding": list(codings), **extra})


def _validate_vs(client, *codings) -> dict:
    status, b = post(client, "ValueSet/$validate-code", [("url", ALL), _cc(*codings)], SETUP)
    assert status == 200, b
    return b


def _post_cc(client, op: str, params, cc: dict) -> tuple[int, dict]:
    """A request whose codeableConcept may have no codings (the `_tx` helpers would send it as a Coding)."""
    b = body(params, SETUP)
    b["parameter"].insert(0, {"name": "codeableConcept", "valueCodeableConcept": cc})
    r = client.post("/fhir/" + op, data=json.dumps(b), content_type=FJ)
    return r.status_code, r.get_json()


def _validate_cs(client, params, setup=SETUP) -> dict:
    status, b = post(client, "CodeSystem/$validate-code", params, setup)
    assert status == 200, b
    return b


# --- 1. one unknown system in several codings ----------------------------------------------------------------------

def test_an_unknown_system_in_two_codings_is_reported_once(client):
    b = _validate_vs(client, {"system": SX, "code": "a"}, {"system": SX, "code": "b"})
    assert _one(b, "result") is False
    assert _one(b, "x-unknown-system") == SX
    assert not _params(b, "x-caused-by-unknown-system")
    found = [i for i in issues(b) if "not-found" in tx_codes(i)]
    assert len(found) == 1, b
    assert found[0]["severity"] == "error" and found[0]["expression"] == ["CodeableConcept.coding[0].system"]
    assert found[0]["details"]["text"] == (f"A definition for CodeSystem {SX} could not be found, so the code "
                                           "cannot be validated")
    info = [i for i in issues(b) if "this-code-not-in-vs" in tx_codes(i)]
    assert [i["expression"] for i in info] == [["CodeableConcept.coding[0].code"], ["CodeableConcept.coding[1].code"]]
    general = [i for i in issues(b) if "not-in-vs" in tx_codes(i)]
    assert [i["details"]["text"] for i in general] == [NO_VALID]
    assert _one(b, "message") == "; ".join(sorted([found[0]["details"]["text"], NO_VALID]))


def test_an_unknown_version_in_two_codings_is_reported_once(client):
    b = _validate_vs(client, {"system": S, "version": "9.9", "code": "code1"},
                     {"system": S, "version": "9.9", "code": "code3"})
    assert _one(b, "result") is False
    assert _one(b, "x-caused-by-unknown-system") == f"{S}|9.9"
    assert not _params(b, "x-unknown-system")
    found = [i for i in issues(b) if "not-found" in tx_codes(i)]
    assert len(found) == 1, b
    assert found[0]["expression"] == ["CodeableConcept.coding[0].system"]
    assert "version '9.9' could not be found" in found[0]["details"]["text"]
    texts = [i["details"]["text"] for i in issues(b)]
    assert len(texts) == len(set(texts)), b


def test_two_different_unknown_systems_are_each_reported(client):
    b = _validate_vs(client, {"system": "http://x/u1", "code": "a"}, {"system": "http://x/u2", "code": "b"},
                     {"system": "http://x/u1", "code": "c"})
    assert _params(b, "x-unknown-system") == ["http://x/u1", "http://x/u2"]
    found = [i for i in issues(b) if "not-found" in tx_codes(i)]
    assert [i["expression"] for i in found] == [["CodeableConcept.coding[0].system"],
                                                ["CodeableConcept.coding[1].system"]]


# --- 2. CodeSystem/$validate-code: codings of another system -------------------------------------------------------

def test_a_known_coding_of_another_system_adds_no_issue(client):
    b = _validate_cs(client, [("url", S), _cc({"system": S, "code": "code1"}, {"system": VER, "code": "code1"})])
    assert _one(b, "result") is True
    assert _one(b, "code") == "code1" and _one(b, "system") == S
    assert not _params(b, "issues") and not _params(b, "message"), b


def test_an_unknown_system_beside_a_valid_coding_was_only_not_checked(client):
    """A valid coding makes the concept valid; a coding of a system not loaded beside it was not checked, which is a
    warning, not a veto (FHIRsmith's checkCodeableConcept after hapifhir/org.hl7.fhir.core#2272; was: false with
    x-caused-by-unknown-system). The answer names no missing system: it caused nothing."""
    b = _validate_cs(client, [("url", S), _cc({"system": "http://x/u1", "code": "a"}, {"system": S, "code": "code1"})])
    assert _one(b, "result") is True
    assert not _params(b, "x-caused-by-unknown-system") and not _params(b, "x-unknown-system")
    assert _one(b, "code") == "code1"
    (issue,) = issues(b)
    text = ("A definition for the code system 'http://x/u1' could not be found, so this coding was not checked. "
            "The CodeableConcept is still valid: another coding is in the value set")
    assert issue["severity"] == "warning" and issue["code"] == "not-found" and tx_codes(issue) == ["not-found"]
    assert issue["expression"] == ["CodeableConcept.coding[0].system"]
    assert issue["details"]["text"] == text and _one(b, "message") == text


def test_an_unknown_system_beside_a_valid_coding_with_another_error_is_the_cause(client):
    """The same, with an error of the valid coding (a wrong display): the answer is false, the missing system (here
    with the coding's version) was still only not checked, and it is named as x-caused-by-unknown-system."""
    b = _validate_cs(client, [("url", S), _cc({"system": "http://x/u1", "version": "2", "code": "a"},
                                               {"system": S, "code": "code1", "display": "not its display"})])
    assert _one(b, "result") is False
    assert _params(b, "x-caused-by-unknown-system") and not _params(b, "x-unknown-system")
    warned = [i for i in issues(b) if i["severity"] == "warning" and "not checked" in i["details"]["text"]]
    assert len(warned) == 1 and warned[0]["expression"] == ["CodeableConcept.coding[0].system"]
    assert "'http://x/u1|2'" in warned[0]["details"]["text"]


def test_an_unknown_code_of_another_system_is_the_usual_unknown_code(client):
    b = _validate_cs(client, [("url", S), _cc({"system": S, "code": "code1"}, {"system": VER, "code": "nope"})])
    assert _one(b, "result") is False
    (issue,) = issues(b)
    text = f"Unknown code 'nope' in the CodeSystem '{VER}' version '1.0.0'"
    assert issue["details"]["text"] == text and tx_codes(issue) == ["invalid-code"]
    assert issue["expression"] == ["CodeableConcept.coding[1].code"]
    assert _one(b, "message") == text


def test_only_an_unknown_system_of_another_system(client):
    b = _validate_cs(client, [("url", S), _cc({"system": "http://x/u1", "code": "a"})])
    assert _one(b, "result") is False
    assert _one(b, "x-unknown-system") == "http://x/u1"
    assert [tx_codes(i) for i in issues(b)] == [["not-found"]]
    for i in issues(b):
        assert "of the code is not the code system" not in i["details"]["text"]
        assert "None of the codings" not in i["details"]["text"]


def test_only_a_known_coding_of_another_system_has_no_valid_coding(client):
    b = _validate_cs(client, [("url", S), _cc({"system": VER, "code": "code1"})])
    assert _one(b, "result") is False
    (issue,) = issues(b)
    text = f"No valid coding was found for the value set '{S}/vs|0.1.0'"
    assert issue["severity"] == "error" and tx_codes(issue) == ["not-in-vs"] and "expression" not in issue
    assert issue["details"]["text"] == text and _one(b, "message") == text


# --- 3. codeableConcept without codings ----------------------------------------------------------------------------

def test_a_codeable_concept_with_only_text_is_an_answer(client):
    for given in ({"text": "hello"}, {"coding": [], "text": "hello"}):
        status, b = _post_cc(client, "ValueSet/$validate-code", [("url", ALL)], given)
        assert status == 200, b
        assert _one(b, "result") is False
        assert _one(b, "message") == NO_VALID
        assert _one(b, "codeableConcept") == {"text": "hello"}      # (echoed as R4 JSON: no empty coding list)
        (issue,) = issues(b)
        assert issue["severity"] == "error" and issue["code"] == "code-invalid" and tx_codes(issue) == ["not-in-vs"]
        assert "expression" not in issue and "location" not in issue and issue["details"]["text"] == NO_VALID
        assert not _params(b, "code") and not _params(b, "system")


def test_codesystem_validate_code_of_a_codeable_concept_with_only_text(client):
    status, b = _post_cc(client, "CodeSystem/$validate-code", [("url", S)], {"text": "hello"})
    assert status == 200, b
    assert _one(b, "result") is False
    assert _one(b, "codeableConcept") == {"text": "hello"}
    assert _one(b, "message") == f"No valid coding was found for the value set '{S}/vs|0.1.0'"


# --- CodeSystem/$validate-code: version parameter and coding.version differ ----------------------------------------

V = "http://ex.org/cs/v"
V1 = cs(V, "1.0.0", [{"code": "a", "display": "A 1.0"}, {"code": "b", "display": "B 1.0"}])
V2 = cs(V, "2.0.0", [{"code": "a", "display": "A 2.0"}, {"code": "c", "display": "C 2.0"}])
MISMATCH = (f"The code system '{V}' version '2.0.0' in the ValueSet include is different to the one in the value "
            "('1.0.0')")


def test_a_version_parameter_other_than_the_codings_is_a_mismatch(client):
    b = _validate_cs(client, [("url", V), ("version", "2.0.0"), ("coding", {"system": V, "version": "1.0.0",
                                                                              "code": "a"})], [V1, V2])
    assert _one(b, "result") is False
    assert _one(b, "version") == "2.0.0" and _one(b, "display") == "A 2.0"
    (issue,) = issues(b)
    assert issue["severity"] == "error" and issue["code"] == "invalid" and tx_codes(issue) == ["vs-invalid"]
    assert issue["expression"] == ["Coding.version"] and issue["details"]["text"] == MISMATCH
    assert _one(b, "message") == MISMATCH


def test_a_version_parameter_other_than_the_codings_code_checked_in_the_version_asked(client):
    b = _validate_cs(client, [("url", V), ("version", "2.0.0"), ("coding", {"system": V, "version": "1.0.0",
                                                                              "code": "b"})], [V1, V2])
    assert _one(b, "result") is False
    texts = [i["details"]["text"] for i in issues(b)]
    assert MISMATCH in texts and f"Unknown code 'b' in the CodeSystem '{V}' version '2.0.0'" in texts


def test_a_version_parameter_other_than_a_codeable_concepts_coding(client):
    b = _validate_cs(client, [("url", V), ("version", "2.0.0"),
                              _cc({"system": V, "version": "1.0.0", "code": "a"})], [V1, V2])
    assert _one(b, "result") is False
    (issue,) = issues(b)
    assert issue["expression"] == ["CodeableConcept.coding[0].version"] and issue["details"]["text"] == MISMATCH


def test_a_version_parameter_beside_a_coding_without_one_is_the_version_validated(client):
    for given in (("coding", {"system": V, "code": "b"}), _cc({"system": V, "code": "b"})):
        b = _validate_cs(client, [("url", V), ("version", "1.0.0"), given], [V1, V2])
        assert _one(b, "result") is True, b
        assert _one(b, "version") == "1.0.0" and _one(b, "display") == "B 1.0"
