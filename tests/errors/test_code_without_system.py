"""$validate-code given a code it cannot place in a code system, answered as the reference servers (FHIRsmith
validate.js extractCodedValue / handleCodeSystemInner, tx.fhir.org) answer it: ValueSet/$validate-code with a
bare `code` and no `system` nor `inferSystem` is a request with nothing to validate (4xx, the reference's text,
no expression); CodeSystem/$validate-code with a bare `code` and no url/system likewise; a `coding` without a
system is an answer: false, with one warning at 'Coding'."""
from tests.support.tx_requests import SIMPLE, SIMPLE_ALL, issues, out, post, simple_cs, tx_codes
from tests.support.tx_files import tx_file

VS_TEXT = ("Unable to find code to validate (looked for coding | codeableConcept | code+system | code+inferSystem "
           "in parameters")
CS_TEXT = "Unable to find code to validate (looked for coding | codeableConcept | code in parameters)"
NO_SYSTEM = ("Coding has no system. A code with no system has no defined meaning, and it cannot be validated. "
             "A system should be provided")


def _setup():
    return [simple_cs(), tx_file("simple/valueset-all.json")]


def _request_error(status: int, b: dict, text: str) -> None:
    assert 400 <= status < 500, b
    assert b["resourceType"] == "OperationOutcome"
    [issue] = b["issue"]
    assert issue["severity"] == "error" and issue["code"] == "invalid"
    assert tx_codes(issue) == ["invalid-data"]
    assert issue["details"]["text"] == text
    assert "expression" not in issue and "location" not in issue


def _codesystem_error(status: int, b: dict) -> None:
    """The HL7 runner cleans a CodeSystem/$validate-code error of its text only (TxTester.validateCS), so a
    diagnostics Kodebro added would be an element the expected answer lacks (FHIRsmith's issue carries none)."""
    _request_error(status, b, CS_TEXT)
    assert "diagnostics" not in b["issue"][0], b


def test_valueset_code_without_system_is_nothing_to_validate(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL), ("code", "code1")], _setup())
    _request_error(status, b, VS_TEXT)


def test_valueset_code_with_infer_system_false(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL), ("code", "code1"),
                                                         ("inferSystem", False)], _setup())
    _request_error(status, b, VS_TEXT)


def test_valueset_with_no_code_at_all(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL)], _setup())
    _request_error(status, b, VS_TEXT)


def test_valueset_unknown_url_wins_over_the_missing_system(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL + "X"), ("code", "code1")], _setup())
    assert 400 <= status < 500
    [issue] = b["issue"]
    assert issue["code"] == "not-found" and "could not be found" in issue["details"]["text"]


def test_valueset_infer_system_still_infers(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL), ("code", "code1"),
                                                         ("inferSystem", True)], _setup())
    assert status == 200, b
    got = out(b)
    assert got["result"] is True and got["system"] == SIMPLE


def test_valueset_code_with_system_unchanged(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL), ("system", SIMPLE),
                                                         ("code", "code1")], _setup())
    assert status == 200 and out(b)["result"] is True


def test_codesystem_code_without_system_is_nothing_to_validate(client):
    status, b = post(client, "CodeSystem/$validate-code", [("code", "code1")], _setup())
    _codesystem_error(status, b)


def test_codesystem_with_nothing_at_all(client):
    status, b = post(client, "CodeSystem/$validate-code", [], _setup())
    _codesystem_error(status, b)


def test_codesystem_with_a_url_and_no_code(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", SIMPLE)], _setup())
    _codesystem_error(status, b)
    status, b = post(client, "CodeSystem/$validate-code", [("url", SIMPLE), ("display", "Display 1")], _setup())
    _codesystem_error(status, b)


def test_codesystem_coding_without_system_is_a_false_answer(client):
    status, b = post(client, "CodeSystem/$validate-code", [("coding", {"code": "code1"})], _setup())
    assert status == 200, b
    got = out(b)
    assert got["result"] is False and got["code"] == "code1"
    assert got["message"] == NO_SYSTEM
    assert "system" not in got
    [issue] = issues(b)
    assert issue["severity"] == "warning" and issue["code"] == "invalid"
    assert tx_codes(issue) == ["invalid-data"]
    assert issue["details"]["text"] == NO_SYSTEM and issue["expression"] == ["Coding"]
