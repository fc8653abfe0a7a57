"""A max=1 parameter given in the query and again in the body: one value written two ways is one value
(fhir_api/params.Params.check_single); two values are refused."""
import json

import pytest

from ._content import FJ, S, VS, error_text, first, parameters


def _post(client, path: str, body: dict, form: bool = False):
    if form:
        return client.post(path, data=body)
    return client.post(path, data=json.dumps(body), content_type=FJ)


@pytest.mark.parametrize("body_coding", [
    {"system": S, "code": "a"},
    {"system": S, "code": "a", "version": ""},          # an empty element says nothing
    {"code": "a", "system": S, "id": "c1"},               # nor does an element id, or the order of keys
])
def test_lookup_query_coding_and_the_same_body_coding_are_one_value(stored, body_coding):
    r = _post(stored, f"/fhir/CodeSystem/$lookup?coding={S}|a",
              parameters(("coding", "valueCoding", body_coding)))
    assert r.status_code == 200, r.get_json()
    assert first(r.get_json(), "code") == "a"


def test_a_versioned_query_coding_and_the_same_body_coding_are_one_value(stored):
    r = _post(stored, f"/fhir/CodeSystem/$lookup?coding={S}|1.0.0|a",
              parameters(("coding", "valueCoding", {"system": S, "version": "1.0.0", "code": "a"})))
    assert r.status_code == 200, r.get_json()
    assert first(r.get_json(), "display") == "A in 1.0.0"


def test_validate_code_query_coding_and_body_coding_are_one_value(stored):
    r = _post(stored, f"/fhir/ValueSet/$validate-code?url={VS['url']}&coding={S}|a",
              parameters(("coding", "valueCoding", {"system": S, "code": "a"})))
    assert r.status_code == 200 and first(r.get_json(), "result") is True, r.get_json()


def test_a_form_coding_and_the_same_query_coding_are_one_value(stored):
    r = _post(stored, f"/fhir/CodeSystem/$lookup?coding={S}|a", {"coding": f"{S}|a"}, form=True)
    assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize("body_coding", [
    {"system": S, "code": "b"},                          # another code
    {"system": S + "/other", "code": "a"},               # another system
    {"system": S, "version": "2.0.0", "code": "a"},      # a version the query's coding does not have
    {"system": S, "code": "a", "display": "A in 1.0.0"},  # a display the query's coding does not have
])
def test_different_codings_in_query_and_body_are_still_refused(stored, body_coding):
    r = _post(stored, f"/fhir/CodeSystem/$lookup?coding={S}|a",
              parameters(("coding", "valueCoding", body_coding)))
    assert r.status_code == 400, r.get_json()
    assert "takes one value but was given two" in error_text(r)


def test_the_same_codeable_concept_written_with_empty_elements_is_one_value(stored):
    cc = {"coding": [{"system": S, "code": "a"}, {"system": S, "code": "b"}]}
    again = {"text": "", "coding": [{"system": S, "code": "b", "version": ""}, {"system": S, "code": "a"}]}
    r = _post(stored, f"/fhir/ValueSet/$validate-code?url={VS['url']}",
              parameters(("codeableConcept", "valueCodeableConcept", cc),
                         ("codeableConcept", "valueCodeableConcept", again)))
    assert r.status_code == 200, r.get_json()
    other = {"coding": [{"system": S, "code": "b"}]}
    r = _post(stored, f"/fhir/ValueSet/$validate-code?url={VS['url']}",
              parameters(("codeableConcept", "valueCodeableConcept", cc),
                         ("codeableConcept", "valueCodeableConcept", other)))
    assert r.status_code == 400 and "takes one value" in error_text(r)


def test_primitives_keep_their_rules(stored):
    # unchanged: text against a typed value is one value, two texts are two
    r = _post(stored, f"/fhir/CodeSystem/$lookup?system={S}&code=a",
              parameters(("code", "valueCode", "a")))
    assert r.status_code == 200
    r = _post(stored, f"/fhir/CodeSystem/$lookup?system={S}&code=a",
              parameters(("code", "valueCode", "b")))
    assert r.status_code == 400 and "takes one value" in error_text(r)
