"""R5 ValueSet.compose.property (the properties an expansion of the value set carries) is read as `property`
request parameters, added to the request's own (FHIRsmith params.seeCompose); the tx test content is written in
R5, so a value set sent with a request may carry it. Not echoed, as `property` is not."""
from tests.support.resources import cs, vs
from tests.support.tx_requests import expansion

CS = cs("http://ex.org/cs/props", "1", [
    {"code": "a", "display": "A", "definition": "the a", "property": [{"code": "colour", "valueCode": "red"}]},
    {"code": "b", "display": "B", "property": [{"code": "colour", "valueCode": "blue"}]},
], property=[{"code": "colour", "type": "code"}])


def _props(item):
    ext = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property"
    return {(next(e["valueCode"] for e in x["extension"] if e["url"] == "code"),
             next(v for e in x["extension"] if e["url"] == "value" for k, v in e.items() if k.startswith("value")))
            for x in item.get("extension", ()) if x["url"] == ext}


def test_compose_property_puts_the_property_on_each_code(client):
    v = vs("http://ex.org/vs/props", [{"system": CS["url"]}])
    v["compose"]["property"] = ["colour"]
    exp = expansion(client, [("url", v["url"])], [CS, v])
    got = {c["code"]: _props(c) for c in exp["contains"]}
    assert got == {"a": {("colour", "red")}, "b": {("colour", "blue")}}
    assert not any(p["name"] == "property" for p in exp.get("parameter", ()))


def test_compose_property_adds_to_the_request_properties(client):
    v = vs("http://ex.org/vs/props2", [{"system": CS["url"]}])
    v["compose"]["property"] = ["colour"]
    exp = expansion(client, [("url", v["url"]), ("property", "definition")], [CS, v])
    a = next(c for c in exp["contains"] if c["code"] == "a")
    assert _props(a) == {("colour", "red"), ("definition", "the a")}
