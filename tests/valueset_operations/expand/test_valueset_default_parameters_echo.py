"""Expansion parameters a value set sets for itself (valueset-expansion-parameter extension) are echoed in
expansion.parameter as the request's own are, because they shaped the answer just as much (FHIRsmith
worker.seeValueSet feeds them to the same parameter reader, and expand.js echoes what that reader holds).
A request's own value wins and is the one echoed. excludePostCoordinated is echoed when sent."""
from tests.support.resources import cs, vs
from tests.support.tx_requests import expansion

EXT = "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter"
CS = cs("http://ex.org/cs/defaults", "1", [
    {"code": "p", "display": "P", "concept": [{"code": "c", "display": "C"}]},
    {"code": "old", "display": "Old", "property": [{"code": "inactive", "valueBoolean": True}]},
], property=[{"code": "inactive", "type": "boolean", "uri": "http://hl7.org/fhir/concept-properties#inactive"}])


def _param(name, value):
    return {"url": EXT, "extension": [{"url": "name", "valueCode": name}, {"url": "value", "valueBoolean": value}]}


def _vs(*exts):
    v = vs("http://ex.org/vs/defaults", [{"system": CS["url"]}])
    v["compose"]["extension"] = list(exts)
    return v


def _echoed(exp):
    return {p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in exp.get("parameter", ())}


def test_value_set_flags_are_applied_and_echoed(client):
    v = _vs(_param("excludeNested", True), _param("activeOnly", True), _param("includeDesignations", True))
    exp = expansion(client, [("url", v["url"])], [CS, v])
    echoed = _echoed(exp)
    assert (echoed.get("excludeNested"), echoed.get("activeOnly"), echoed.get("includeDesignations")) == \
        (True, True, True), exp.get("parameter")
    assert sorted(c["code"] for c in exp["contains"]) == ["c", "p"]
    assert all("contains" not in c for c in exp["contains"])


def test_a_false_flag_of_the_value_set_is_echoed_false(client):
    v = _vs(_param("excludeNested", False))
    exp = expansion(client, [("url", v["url"])], [CS, v])
    assert _echoed(exp).get("excludeNested") is False


def test_the_request_value_wins_and_is_echoed_once(client):
    v = _vs(_param("activeOnly", True))
    exp = expansion(client, [("url", v["url"]), ("activeOnly", False)], [CS, v])
    assert [p for p in exp["parameter"] if p["name"] == "activeOnly"] == [{"name": "activeOnly", "valueBoolean": False}]
    assert "old" in [c["code"] for c in exp["contains"]]


def test_exclude_post_coordinated_is_echoed(client):
    v = _vs()
    exp = expansion(client, [("url", v["url"]), ("excludePostCoordinated", True)], [CS, v])
    assert _echoed(exp).get("excludePostCoordinated") is True


def test_exclude_post_coordinated_of_the_value_set_is_echoed(client):
    v = _vs(_param("excludePostCoordinated", True))
    exp = expansion(client, [("url", v["url"])], [CS, v])
    assert _echoed(exp).get("excludePostCoordinated") is True
