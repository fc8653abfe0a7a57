"""Probe 8, supplements: designations and properties a supplement adds, named by the value set extension
or the request, and reported (used-supplement) like the shipped parameters-*-supplement-good outputs."""
from tests.support.tx_requests import cs, eparams, expansion, out, post, vs

BASE = cs("http://ex.org/cs/base", "1", [{"code": "a", "display": "Alpha"}, {"code": "b", "display": "Beta"}],
          language="en")
SUP = {"resourceType": "CodeSystem", "url": "http://ex.org/cs/sup", "version": "1", "status": "active",
       "content": "supplement", "supplements": "http://ex.org/cs/base|1",
       "property": [{"code": "colour", "type": "string"}],
       "concept": [{"code": "a", "designation": [{"language": "nb", "value": "Alfa"}],
                    "property": [{"code": "colour", "valueString": "red"}]}]}
VS = vs("http://ex.org/vs/b", [{"system": BASE["url"]}], extension=[
    {"url": "http://hl7.org/fhir/StructureDefinition/valueset-supplement", "valueCanonical": SUP["url"]}])
SETUP = [BASE, SUP, VS]


def test_supplement_designation_gives_the_display_in_its_language(client):
    exp = expansion(client, [("url", VS["url"]), ("displayLanguage", "nb")], SETUP)
    assert {c["code"]: c["display"] for c in exp["contains"]} == {"a": "Alfa", "b": "Beta"}
    assert eparams(exp, "used-supplement") == [SUP["url"] + "|1"]


def test_supplement_property_is_returned_when_asked(client):
    exp = expansion(client, [("url", VS["url"]), ("property", "colour")], SETUP)
    a = next(c for c in exp["contains"] if c["code"] == "a")
    ext = [e for e in a.get("extension", []) if e["url"].endswith("ValueSet.expansion.contains.property")]
    assert ext and {"url": "value", "valueString": "red"} in ext[0]["extension"]


def test_supplement_designation_is_a_valid_display(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", VS["url"]), ("system", BASE["url"]), ("code", "a"),
                                                          ("display", "Alfa")], SETUP)
    o = out(b)
    assert o["result"] is True and o["display"] == "Alpha"


def test_lookup_with_the_supplement_returns_its_property(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", BASE["url"]), ("code", "a"), ("property", "colour"),
                                                    ("useSupplement", SUP["url"])], SETUP)
    assert status == 200
    props = [p["part"] for p in b["parameter"] if p["name"] == "property"]
    assert [{"name": "code", "valueCode": "colour"}, {"name": "value", "valueString": "red"}] in props


def test_a_supplement_that_is_not_there_is_an_error(client):
    missing = vs("http://ex.org/vs/m", [{"system": BASE["url"]}], extension=[
        {"url": "http://hl7.org/fhir/StructureDefinition/valueset-supplement", "valueCanonical": "http://ex.org/none"}])
    status, b = post(client, "ValueSet/$expand", [("url", missing["url"])], [BASE, missing])
    assert 400 <= status < 500 and b["resourceType"] == "OperationOutcome"
    assert "http://ex.org/none" in b["issue"][0]["details"]["text"]


def test_without_the_supplement_the_designation_is_not_known(client):
    plain = vs("http://ex.org/vs/plain", [{"system": BASE["url"]}])
    exp = expansion(client, [("url", plain["url"]), ("displayLanguage", "nb")], [BASE, SUP, plain])
    assert {c["code"]: c["display"] for c in exp["contains"]}["a"] == "Alpha"
