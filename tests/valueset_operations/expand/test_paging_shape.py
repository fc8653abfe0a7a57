"""ADOPT-2, -4 and -5 of research-s10-paging: `expansion.offset` whenever the request gave `offset` (0 too), as
the reference servers set it; a `count` that takes every code of a hierarchy (no more) is paging, so flat; a
value set that is only a stored expansion is answered without used-codesystem parameters of Kodebro's own."""
from tests.support.tx_requests import codes, eparams, expansion

from .paging_resources import H, H_VS

H_SETUP = [H, H_VS]


def test_offset_zero_alone_is_written_as_expansion_offset(client):
    exp = expansion(client, [("url", H_VS["url"]), ("offset", 0)], H_SETUP)
    assert exp["offset"] == 0 and eparams(exp, "offset") == [0]
    assert [c["code"] for c in exp["contains"]] == ["a", "b"]       # offset 0 is no page: the tree stays


def test_no_paging_asked_no_offset(client):
    exp = expansion(client, [("url", H_VS["url"])], H_SETUP)
    assert "offset" not in exp and exp["total"] == 4


def test_count_alone_still_writes_offset_zero(client):
    exp = expansion(client, [("url", H_VS["url"]), ("count", 2)], H_SETUP)
    assert exp["offset"] == 0 and "offset" not in [p["name"] for p in exp["parameter"]]


def test_count_equal_to_the_number_of_codes_is_flat(client):
    exp = expansion(client, [("url", H_VS["url"]), ("count", 4)], H_SETUP)
    assert [c["code"] for c in exp["contains"]] == ["a", "a1", "a2", "b"]
    assert not any("contains" in c for c in exp["contains"]) and exp["total"] == 4


def test_count_above_the_number_of_codes_is_nested(client):
    exp = expansion(client, [("url", H_VS["url"]), ("count", 5)], H_SETUP)
    assert [c["code"] for c in exp["contains"]] == ["a", "b"]
    assert [c["code"] for c in exp["contains"][0]["contains"]] == ["a1", "a2"]


STORED = {"resourceType": "ValueSet", "url": "http://ex.org/vs/stored", "status": "active", "expansion": {
    "identifier": "urn:uuid:11111111-1111-1111-1111-111111111111", "timestamp": "2020-01-01T00:00:00Z", "total": 3,
    "contains": [{"system": H["url"], "code": "a", "display": "A",
                  "contains": [{"system": H["url"], "code": "a1", "display": "A1"}]},
                 {"system": H["url"], "code": "b", "display": "B"}]}}


def test_a_stored_expansion_expanded_plainly_adds_no_parameters(client):
    exp = expansion(client, [("url", STORED["url"])], [H, STORED])
    assert "parameter" not in exp
    assert exp["total"] == 3 and codes(exp) == ["a", "a1", "b"]
    assert [c["code"] for c in exp["contains"]] == ["a", "b"]


def test_a_stored_expansion_keeps_its_own_parameters(client):
    stored = dict(STORED, expansion=dict(STORED["expansion"], parameter=[
        {"name": "used-codesystem", "valueUri": H["url"] + "|2"}, {"name": "displayLanguage", "valueCode": "en"}]))
    exp = expansion(client, [("url", stored["url"])], [H, stored])
    assert exp["parameter"] == stored["expansion"]["parameter"]


def test_a_stored_expansion_is_still_paged_and_filtered(client):
    exp = expansion(client, [("url", STORED["url"]), ("count", 1)], [H, STORED])
    assert codes(exp) == ["a"] and exp["offset"] == 0 and exp["total"] == 3
    assert [p["name"] for p in exp["parameter"]] == ["count"]
    exp = expansion(client, [("url", STORED["url"]), ("filter", "B")], [H, STORED])
    assert codes(exp) == ["b"] and [p["name"] for p in exp["parameter"]] == ["filter"]


def test_a_large_stored_expansion_paged_has_no_total(client):
    big = {"resourceType": "ValueSet", "url": "http://ex.org/vs/stored-big", "status": "active", "expansion": {
        "identifier": "urn:uuid:22222222-2222-2222-2222-222222222222", "timestamp": "2020-01-01T00:00:00Z",
        "contains": [{"system": "http://ex.org/cs/unknown", "code": f"k{i}"} for i in range(1001)]}}
    exp = expansion(client, [("url", big["url"]), ("count", 2), ("offset", 999)], [big])
    assert "total" not in exp and codes(exp) == ["k999", "k1000"]


def test_a_stored_parameter_without_a_typed_value_is_not_echoed(client):
    # review: {"name": "p", "value": "bare"} was echoed as is, which is no FHIR Parameters value[x]
    stored = dict(STORED, expansion=dict(STORED["expansion"], parameter=[
        {"name": "p", "value": "bare"}, {"name": "displayLanguage", "valueCode": "en"}]))
    exp = expansion(client, [("url", stored["url"])], [H, stored])
    assert exp["parameter"] == [{"name": "displayLanguage", "valueCode": "en"}]


def test_a_stored_parameter_with_a_null_value_is_not_echoed(client):
    # review: {"valueString": null} was echoed, which is no FHIR JSON
    stored = dict(STORED, expansion=dict(STORED["expansion"], parameter=[
        {"name": "c", "valueString": None}, {"name": "displayLanguage", "valueCode": "en"}]))
    exp = expansion(client, [("url", stored["url"])], [H, stored])
    assert exp["parameter"] == [{"name": "displayLanguage", "valueCode": "en"}]
