"""Messages of the resource check a person can read (review s12, Minor): the R4 string rule said with its regex's
raw control characters; a concept property value of another type than CodeSystem.property declares."""
import json

from tests.support.tx_requests import FJ, post
from tests.support.resources import cs

C = "http://ex.org/inputs/props"


def test_an_empty_string_is_said_plainly(client):
    res = {**cs(C, "1", [{"code": "a"}]), "id": "empty-name", "name": ""}
    r = client.put("/fhir/CodeSystem/empty-name", data=json.dumps(res), content_type=FJ)
    assert r.status_code == 422
    text = json.dumps(r.get_json())
    assert "name: the string '' is not a valid FHIR string: it must not be empty" in text, text
    assert "\\r" not in text and "\\t" not in text


def _typed(value: dict) -> dict:
    return cs(C, "1", [{"code": "c", "property": [{"code": "inactive", **value}]}],
              property=[{"code": "inactive", "type": "boolean"}])


def test_a_stored_property_value_of_another_type_than_declared_is_refused(client):
    r = client.put("/fhir/CodeSystem/typed", data=json.dumps({**_typed({"valueString": "true"}), "id": "typed"}),
                   content_type=FJ)
    assert r.status_code == 422
    assert ("concept 'c': property 'inactive' is declared of type boolean (CodeSystem.property), so its value is "
            "valueBoolean, not valueString") in r.get_json()["issue"][0]["details"]["text"]


def test_a_request_code_system_is_read_as_far_as_it_can_be(client):
    # a tx-resource is the request's own: read leniently, as the reference servers read it
    status, body = post(client, "CodeSystem/$lookup", [("system", C), ("code", "c")], [_typed({"valueString": "true"})])
    assert status == 200, body


def test_a_property_value_of_the_declared_type_answers(client):
    status, body = post(client, "CodeSystem/$lookup", [("system", C), ("code", "c")], [_typed({"valueBoolean": True})])
    assert status == 200, body


def test_property_codes_and_types_of_the_wrong_json_type_are_a_400_not_a_500(client):
    bad = cs(C, "1", [{"code": "c", "property": [{"code": {"x": 1}, "valueBoolean": True},
                                                 {"code": "parent", "valueCode": ["a"]}]}],
             property=[{"code": "inactive", "type": {"x": 1}}, {"code": "inactive", "type": "boolean"}])
    status, body = post(client, "CodeSystem/$lookup", [("system", C), ("code", "c")], [bad])
    assert status == 400, body
