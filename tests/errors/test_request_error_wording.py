"""The wording of request errors, as the reference servers (FHIRsmith's workers) word them: a value set not
named ($expand, $validate-code), $lookup without code or system, a coding without a system, `context`."""
from tests.support.tx_requests import SIMPLE, post, simple_cs, tx_codes


def _issue(status: int, b: dict) -> dict:
    assert status == 400, b
    assert b["resourceType"] == "OperationOutcome" and len(b["issue"]) == 1, b
    issue = b["issue"][0]
    assert "expression" not in issue and "location" not in issue
    return issue


def test_expand_without_a_value_set(client):
    issue = _issue(*post(client, "ValueSet/$expand", []))
    assert issue["details"]["text"] == "Must provide either a ValueSet resource or a url parameter"


def test_validate_code_without_a_value_set(client):
    issue = _issue(*post(client, "ValueSet/$validate-code", [("system", SIMPLE), ("code", "code1")], [simple_cs()]))
    assert issue["details"]["text"] == "No ValueSet specified - provide url parameter or valueSet resource"


def test_lookup_without_a_system_or_a_code(client):
    for params in ([("code", "code1")], [("system", SIMPLE)], []):
        issue = _issue(*post(client, "CodeSystem/$lookup", params, [simple_cs()]))
        assert issue["details"]["text"] == "Must provide either coding parameter, or system and code parameters"


def test_lookup_of_a_coding_without_a_system(client):
    issue = _issue(*post(client, "CodeSystem/$lookup", [("coding", {"code": "code1"})], [simple_cs()]))
    assert issue["details"]["text"] == "Coding parameter must include a system"


def test_context_is_not_supported(client):
    issue = _issue(*post(client, "ValueSet/$expand", [("context", "http://ex.org/sd#Observation.code")]))
    assert issue["code"] == "not-supported" and tx_codes(issue) == ["not-supported"]
    assert issue["details"]["text"] == "The context parameter is not yet supported"


def test_context_is_not_supported_beside_a_value_set_either(client):
    """As the reference server answers: a context beside a url or a valueSet is refused, not passed over."""
    for op in ("ValueSet/$expand", "ValueSet/$validate-code"):
        params = [("context", "http://ex.org/sd#Observation.code"), ("url", SIMPLE + "?fhir_vs"),
                  ("system", SIMPLE), ("code", "code1")][:2 if op.endswith("expand") else 4]
        issue = _issue(*post(client, op, params, [simple_cs()]))
        assert issue["details"]["text"] == "The context parameter is not yet supported", op
