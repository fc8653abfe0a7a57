"""Probe 9, malformed input to $lookup, $validate-code, $subsumes and $translate: status codes and the shape of
the OperationOutcome (issue code, details.text that says what to fix, the tx-issue-type coding the ecosystem
suite's error answers carry)."""
import json

import pytest

from tests.support.tx_requests import FJ, simple_cs

from .simple_requests import S, TX_ISSUE_TYPE, VS_ALL, assert_outcome, first, raw

L, CSV, VSV, SB = "CodeSystem/$lookup", "CodeSystem/$validate-code", "ValueSet/$validate-code", "CodeSystem/$subsumes"


def send(client, op, data, ctype=FJ, method="post"):
    r = getattr(client, method)("/fhir/" + op, data=data, content_type=ctype)
    return r.status_code, r.get_json()


@pytest.mark.parametrize("op", [L, CSV, VSV, SB, "ConceptMap/$translate"])
def test_not_json(client, op):
    status, b = send(client, op, "{not json")
    assert_outcome(status, b, 400, "invalid", "json", tx="invalid-data")


@pytest.mark.parametrize("op", [L, VSV])
def test_json_array_body(client, op):
    status, b = send(client, op, "[1, 2]")
    assert_outcome(status, b, 400, "invalid", "object", tx="invalid-data")


def test_turtle_is_refused_with_415(client):
    status, b = send(client, L, "[] a fhir:Parameters .", "text/turtle")
    assert status == 415 and b["resourceType"] == "OperationOutcome"
    assert "application/fhir+json or application/fhir+xml" in b["issue"][0]["details"]["text"]


def test_parameter_not_a_list(client):
    status, b = send(client, L, json.dumps({"resourceType": "Parameters", "parameter": {"name": "code"}}))
    assert_outcome(status, b, 400, "invalid", "list", tx="invalid-data")


def test_parameter_without_name(client):
    status, b = send(client, L, json.dumps({"resourceType": "Parameters", "parameter": [{"valueCode": "x"}]}))
    assert_outcome(status, b, 400, "invalid", "name", tx="invalid-data")


def test_empty_body_is_a_request_without_parameters(client):
    status, b = send(client, L, "")
    assert_outcome(status, b, 400, "invalid", "code", tx="invalid-data")


def test_lookup_missing_system(client):
    """CodeSystem-lookup: 'If a code is provided, a system must be provided'."""
    status, b = raw(client, L, [{"name": "code", "valueCode": "code1"}])
    issue = assert_outcome(status, b, 400, "invalid", "system", tx="invalid-data")
    assert issue["diagnostics"].startswith("parameter: system") and "expression" not in issue


def test_lookup_missing_code(client):
    status, b = raw(client, L, [{"name": "system", "valueUri": S}])
    assert_outcome(status, b, 400, "invalid", "code", tx="invalid-data")


def test_lookup_coding_without_system(client):
    status, b = raw(client, L, [{"name": "coding", "valueCoding": {"code": "code1"}}])
    assert_outcome(status, b, 400, "invalid", "system", tx="invalid-data")


def test_lookup_code_and_coding_naming_different_codes(client):
    status, b = raw(client, L, [{"name": "system", "valueUri": S}, {"name": "code", "valueCode": "code1"},
                                {"name": "coding", "valueCoding": {"system": S, "code": "code2"}}])
    assert_outcome(status, b, 400, "invalid", "code", "coding", tx="invalid-data")


def test_lookup_coding_sent_as_string(client):
    status, b = raw(client, L, [{"name": "coding", "valueString": "code1"}])
    assert_outcome(status, b, 400, "invalid", "coding", "Coding", tx="invalid-data")


def test_lookup_code_sent_as_value_string_is_read(client):
    """A code in valueString (a common client slip) is still the code: the value is a plain string either way."""
    status, b = raw(client, L, [{"name": "system", "valueUri": S}, {"name": "code", "valueString": "code1"}])
    assert status == 200 and first(b, "display") == "Display 1"


def test_lookup_property_sent_as_coding(client):
    status, b = raw(client, L, [{"name": "system", "valueUri": S}, {"name": "code", "valueCode": "code1"},
                                {"name": "property", "valueCoding": {"code": "parent"}}])
    assert_outcome(status, b, 400, "invalid", "property", tx="invalid-data")


def test_lookup_bad_date(client):
    status, b = raw(client, L, [{"name": "system", "valueUri": S}, {"name": "code", "valueCode": "code1"},
                                {"name": "date", "valueDateTime": "2020-13-45"}])
    assert_outcome(status, b, 400, "invalid", "2020-13-45", tx="invalid-data")


def test_unknown_parameter_names_are_ignored(stored):
    r = stored.get(f"/fhir/CodeSystem/$lookup?system={S}&code=code1&no-such-parameter=1")
    assert r.status_code == 200 and first(r.get_json(), "display") == "Display 1"


def test_query_and_body_parameters_are_merged(stored):
    r = stored.post(f"/fhir/CodeSystem/$lookup?system={S}", data=json.dumps(
        {"resourceType": "Parameters", "parameter": [{"name": "code", "valueCode": "code3"}]}), content_type=FJ)
    assert r.status_code == 200 and first(r.get_json(), "display") == "Display 3"


def test_form_post(stored):
    r = stored.post("/fhir/CodeSystem/$lookup", data=f"system={S}&code=code2b",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and first(r.get_json(), "display") == "Display 2b"


def test_validate_coding_with_a_numeric_code(client):
    status, b = raw(client, VSV, [{"name": "url", "valueUri": VS_ALL["url"]},
                                  {"name": "coding", "valueCoding": {"system": S, "code": 5}}],
                    [simple_cs(), VS_ALL])
    assert_outcome(status, b, 400, "invalid", "coding", "code", tx="invalid-data")


def test_validate_abstract_not_a_boolean(stored):
    r = stored.get(f"/fhir/CodeSystem/$validate-code?url={S}&code=code1&abstract=notabool")
    assert_outcome(r.status_code, r.get_json(), 400, "invalid", "abstract", "notabool", tx="invalid-data")


def test_validate_display_without_code(client):
    """'If a display is provided a code must be provided'."""
    status, b = raw(client, VSV, [{"name": "url", "valueUri": VS_ALL["url"]},
                                  {"name": "display", "valueString": "Display 1"}], [simple_cs(), VS_ALL])
    assert_outcome(status, b, 400, "invalid", "unable to find code", tx="invalid-data")


def test_validate_code_and_coding_naming_different_codes(client):
    """ValueSet-validate-code: 'One (and only one) of the in parameters code, coding, or codeableConcept must be
    provided'."""
    status, b = raw(client, VSV, [{"name": "url", "valueUri": VS_ALL["url"]}, {"name": "system", "valueUri": S},
                                  {"name": "code", "valueCode": "code1"},
                                  {"name": "coding", "valueCoding": {"system": S, "code": "code3"}}],
                    [simple_cs(), VS_ALL])
    assert_outcome(status, b, 400, "invalid", "code", "coding", tx="invalid-data")


def test_validate_codeable_concept_without_codings(client):
    """A codeableConcept with only text is an answer (the reference servers': no valid coding), not a 400
    (tests/valueset_operations/validate has the whole answer)."""
    status, b = raw(client, VSV, [{"name": "url", "valueUri": VS_ALL["url"]},
                                  {"name": "codeableConcept", "valueCodeableConcept": {"text": "x"}}],
                    [simple_cs(), VS_ALL])
    assert status == 200 and first(b, "result") is False, b
    assert first(b, "message").startswith("No valid coding was found for the value set"), b


def test_validate_value_set_parameter_of_another_type(client):
    status, b = raw(client, VSV, [{"name": "valueSet", "resource": simple_cs()},
                                  {"name": "code", "valueCode": "code1"}, {"name": "system", "valueUri": S}])
    assert_outcome(status, b, 400, "invalid", "valueSet", tx="invalid-data")


def test_validate_unknown_value_set_is_422_not_found(client):
    """As the ecosystem's validation-simple-code-bad-valueSet answers: 4xx (422, the reference server's status for a
    definition not held, as $expand), not-found, tx-issue-type not-found."""
    status, b = raw(client, VSV, [{"name": "url", "valueUri": VS_ALL["url"] + "X"},
                                  {"name": "code", "valueCode": "code1"}, {"name": "system", "valueUri": S}],
                    [simple_cs(), VS_ALL])
    assert_outcome(status, b, 422, "not-found", VS_ALL["url"] + "X", tx="not-found")


def test_every_error_issue_has_text_and_coding(client):
    """The shipped error answers all carry details.coding (tx-issue-type) and details.text."""
    for op, params in [(L, [{"name": "code", "valueCode": "x"}]),
                       (SB, [{"name": "system", "valueUri": S}]),
                       (VSV, [{"name": "code", "valueCode": "x"}]),
                       ("ConceptMap/$translate", [{"name": "system", "valueUri": S}])]:
        status, b = raw(client, op, params)
        assert 400 <= status < 500, (op, b)
        for issue in b["issue"]:
            assert issue["details"]["text"].strip()
            assert issue["details"]["coding"][0]["system"] == TX_ISSUE_TYPE


def test_lookup_coding_sent_as_codeable_concept_says_so(client):
    status, b = raw(client, L, [{"name": "coding", "valueCodeableConcept": {"coding": [{"system": S,
                                                                                       "code": "code1"}]}}])
    assert_outcome(status, b, 400, "invalid", "coding", "Coding")
    assert "CodeableConcept" in b["issue"][0]["details"]["text"]


def test_validate_coding_sent_as_codeable_concept_says_so(client):
    status, b = raw(client, VSV, [{"name": "url", "valueUri": VS_ALL["url"]},
                                  {"name": "coding", "valueCodeableConcept": {"coding": [{"system": S,
                                                                                         "code": "code1"}]}}],
                    [simple_cs(), VS_ALL])
    assert_outcome(status, b, 400, "invalid", "coding")
    assert "CodeableConcept" in b["issue"][0]["details"]["text"]


def test_a_batch_entry_gets_the_same_request_checks(client):
    """A batch entry is an operation request like any other: the same type check and body rule."""
    bad_type = {"resourceType": "Parameters", "parameter": [
        {"name": "coding", "valueCodeableConcept": {"coding": [{"system": S, "code": "code1"}]}}]}
    entries = [{"request": {"method": "POST", "url": L}, "resource": bad_type},
               {"request": {"method": "POST", "url": L}, "resource": VS_ALL}]
    r = client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": entries},
                    content_type="application/fhir+json")
    got = [(e["response"]["status"], e["resource"]["issue"][0]["details"]["text"]) for e in r.get_json()["entry"]]
    assert got[0][0] == "400" and "sent as valueCodeableConcept" in got[0][1]
    assert got[1][0] == "400" and "must be a Parameters resource" in got[1][1]


def test_lookup_body_of_another_resource_type_says_so(client):
    status, b = send(client, L, json.dumps({"resourceType": "Patient", "id": "p"}))
    assert_outcome(status, b, 400, "invalid", "Parameters")


def test_get_with_a_repeated_single_parameter_is_refused(stored):
    r = stored.get(f"/fhir/CodeSystem/$lookup?system={S}&code=code1&code=code2")
    assert_outcome(r.status_code, r.get_json(), 400, "invalid", "code")


def test_validate_with_a_repeated_code_is_refused(stored):
    r = stored.get(f"/fhir/CodeSystem/$validate-code?url={S}&code=code1&code=codeX")
    assert r.status_code == 400 or first(r.get_json(), "result") is False


def test_delete_on_an_operation_is_405(client):
    r = client.delete("/fhir/CodeSystem/$lookup")
    assert r.status_code == 405 and r.get_json()["resourceType"] == "OperationOutcome"
