"""Probe 9 follow-up: the request checks against the OperationDefinitions (fhir_api/opdefs.INPUTS) — what they
refuse and, as much, what they keep accepting (docs/operations-codesystem.md "Request checks")."""
import json

from tests.support.tx_requests import FJ, simple_cs

from .simple_requests import S, VS_ALL, assert_outcome, first, raw

L, CSV, VSV = "CodeSystem/$lookup", "CodeSystem/$validate-code", "ValueSet/$validate-code"


def test_the_same_value_twice_is_accepted(stored):
    r = stored.get(f"/fhir/CodeSystem/$lookup?system={S}&code=code1&code=code1")
    assert r.status_code == 200 and first(r.get_json(), "display") == "Display 1"


def test_a_query_value_and_a_different_body_value_are_refused(stored):
    r = stored.post(f"/fhir/CodeSystem/$lookup?system={S}&code=code1", data=json.dumps(
        {"resourceType": "Parameters", "parameter": [{"name": "code", "valueCode": "code3"}]}), content_type=FJ)
    assert_outcome(r.status_code, r.get_json(), 400, "invalid", "code", "code1", "code3")


def test_a_query_text_and_the_same_typed_body_value_are_one_value(stored):
    r = stored.post(f"/fhir/ValueSet/$validate-code?url={VS_ALL['url']}&abstract=true", data=json.dumps(
        {"resourceType": "Parameters", "parameter": [{"name": "abstract", "valueBoolean": True},
                                                     {"name": "system", "valueUri": S},
                                                     {"name": "code", "valueCode": "code1"}]}), content_type=FJ)
    assert r.status_code == 200 and first(r.get_json(), "result") is True


def test_a_repeatable_parameter_may_differ(stored):
    r = stored.get(f"/fhir/CodeSystem/$lookup?system={S}&code=code1&property=parent&property=child")
    assert r.status_code == 200


def test_text_types_stand_in_for_one_another(client):
    status, b = raw(client, L, [{"name": "system", "valueCanonical": S}, {"name": "code", "valueString": "code1"},
                                {"name": "version", "valueCode": "0.1.0"}])
    assert status == 200 and first(b, "display") == "Display 1"


def test_a_resource_input_sent_as_a_value_is_refused(client):
    status, b = raw(client, VSV, [{"name": "valueSet", "valueString": json.dumps(VS_ALL)},
                                  {"name": "system", "valueUri": S}, {"name": "code", "valueCode": "code1"}])
    assert_outcome(status, b, 400, "invalid", "valueSet", "valueString", "ValueSet")


def test_a_bare_value_set_body_is_still_expanded(stored):
    # (stored: $expand needs the definition of a system whose codes an include lists)
    r = stored.post("/fhir/ValueSet/$expand", data=json.dumps({**VS_ALL, "compose": {"include": [
        {"system": S, "concept": [{"code": "code1"}]}]}}), content_type=FJ)
    assert r.status_code == 200, r.get_json()


def test_a_bare_code_system_body_of_cs_validate_code_is_its_code_system(client):
    r = client.post("/fhir/CodeSystem/$validate-code?code=code1", data=json.dumps(simple_cs()), content_type=FJ)
    assert r.status_code == 200 and first(r.get_json(), "result") is True, r.get_json()


def test_a_bare_body_of_the_wrong_resource_type_is_refused(client):
    r = client.post("/fhir/ValueSet/$expand", data=json.dumps(simple_cs()), content_type=FJ)
    assert_outcome(r.status_code, r.get_json(), 400, "invalid", "Parameters", "ValueSet", "CodeSystem")


def test_put_on_an_instance_operation_is_405_with_allow(client):
    r = client.put("/fhir/ValueSet/x/$expand", data="{}", content_type=FJ)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, POST"
    assert "GET or POST" in r.get_json()["issue"][0]["details"]["text"]


def test_lookup_system_and_coding_system_agreeing_is_fine(client):
    status, b = raw(client, L, [{"name": "system", "valueUri": S}, {"name": "version", "valueString": "0.1.0"},
                                {"name": "coding", "valueCoding": {"system": S, "code": "code1", "version": "0.1.0"}}])
    assert status == 200 and first(b, "display") == "Display 1"


def test_cs_validate_matching_versions_are_fine(client):
    status, b = raw(client, CSV, [{"name": "url", "valueUri": S}, {"name": "version", "valueString": "0.1.0"},
                                  {"name": "coding", "valueCoding": {"system": S, "code": "code1", "version": "0.1.0"}}])
    assert status == 200 and first(b, "result") is True
