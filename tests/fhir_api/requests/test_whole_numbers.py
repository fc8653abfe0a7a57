"""One parser for the integers of a query, form or body (review s15 F5): `$expand?count=1_0`, full-width `２`,
`+2` and ` 2` were read by int() and answered 200, while `_count=1_0` on a search was a 400."""
import pytest

from fhir_api.params import whole_number
from terminology.errors import InvalidRequest

FJ = "application/fhir+json"
CS = {"resourceType": "CodeSystem", "id": "nums", "url": "http://example.org/cs/nums", "version": "1",
      "status": "active", "content": "complete",
      "concept": [{"code": f"c{i}", "display": f"Code {i}"} for i in range(12)]}
VS = {"resourceType": "ValueSet", "id": "nums", "url": "http://example.org/vs/nums", "version": "1",
      "status": "active", "compose": {"include": [{"system": CS["url"]}]}}
LAX = ["1_0", "\uff12", "+2", " 2", "2 ", "0x2", "1e1", "2.0", "", "٣"]


@pytest.fixture
def nums(client):
    for body in (CS, VS):
        r = client.put(f"/fhir/{body['resourceType']}/nums", json=body, content_type=FJ)
        assert r.status_code in (200, 201), r.get_json()
    return client


def _refused(r, name, value):
    assert r.status_code == 400, r.get_json()
    body = r.get_json()
    assert body["resourceType"] == "OperationOutcome"
    text = body["issue"][0]["details"]["text"]
    assert name in text and value in text, text
    return body["issue"][0]


@pytest.mark.parametrize("value", [v for v in LAX if v])
@pytest.mark.parametrize("name", ["count", "offset"])
def test_expand_refuses_what_fhir_integer_does_not_allow(nums, name, value):
    r = nums.get("/fhir/ValueSet/$expand", query_string={"url": VS["url"], name: value})
    _refused(r, f"'{name}'", value)


@pytest.mark.parametrize("value", [v for v in LAX if v])
@pytest.mark.parametrize("name", ["_count", "_offset"])
def test_search_refuses_the_same(nums, name, value):
    issue = _refused(nums.get("/fhir/ValueSet", query_string={name: value}), name, value)
    assert issue.get("expression", issue.get("location")) == [f"http.{name}"]


def test_the_form_and_a_body_value_are_read_alike(nums):
    r = nums.post("/fhir/ValueSet/$expand", data={"url": VS["url"], "count": "1_0"})
    _refused(r, "'count'", "1_0")
    body = {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": VS["url"]},
                                                       {"name": "count", "valueString": "+2"}]}
    r = nums.post("/fhir/ValueSet/$expand", json=body, content_type=FJ)
    assert r.status_code == 400


@pytest.mark.parametrize("value,n", [("2", 2), ("0", 0), ("010", 10)])
def test_plain_digits_still_page(nums, value, n):
    r = nums.get("/fhir/ValueSet/$expand", query_string={"url": VS["url"], "count": value})
    assert r.status_code == 200, r.get_json()
    assert len(r.get_json()["expansion"].get("contains", [])) == n
    r = nums.get("/fhir/CodeSystem", query_string={"_count": value, "url": CS["url"]})
    assert r.status_code == 200 and len(r.get_json().get("entry", [])) == min(n, 1)


def test_below_the_minimum_names_the_value(nums):
    _refused(nums.get("/fhir/ValueSet/$expand", query_string={"url": VS["url"], "count": "-1"}), "count", "-1")
    _refused(nums.get("/fhir/ValueSet", query_string={"_offset": "-1"}), "_offset", "-1")


@pytest.mark.parametrize("raw,n", [("7", 7), ("-0", 0), (7, 7), (3.0, 3), ("9" * 18, int("9" * 18))])
def test_whole_number_reads(raw, n):
    assert whole_number(raw, "x", "x", minimum=-5) == n


@pytest.mark.parametrize("raw", LAX + ["9" * 19, True, 2.5, None, {"a": 1}, "--1", "-"])
def test_whole_number_refuses(raw):
    with pytest.raises(InvalidRequest):
        whole_number(raw, "x", "x", minimum=-5)
