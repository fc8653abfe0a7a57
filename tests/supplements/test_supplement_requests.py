"""Supplements as the reference servers take them (FHIRsmith worker.js / expand.js, fhirserver): the value set's
valueset-supplement extension read from any value type, $expand property=* with supplement properties, several
missing supplements named in one message, and $lookup of a supplement as the system in the reference's words.
Resources: the HL7 tx-tests extensions folder (tests/conformance/tx-tests/SOURCE.md)."""
from tests.support.tx_files import tx_file
from tests.support.tx_requests import eparams, expansion, post

EXT_CS = tx_file("extensions/codesystem-extensions.json")
SUP = tx_file("extensions/codesystem-supplement.json")
ALL_NS = tx_file("extensions/valueset-extensions-all-ns.json")
SETUP = [EXT_CS, SUP, ALL_NS]
SUP_URL = "http://hl7.org/fhir/test/CodeSystem/supplement"
VS_SUPPLEMENT = "http://hl7.org/fhir/StructureDefinition/valueset-supplement"


def _with_extension(value_key: str) -> dict:
    return {**ALL_NS, "url": ALL_NS["url"] + "-" + value_key,
            "extension": [{"url": VS_SUPPLEMENT, value_key: SUP_URL}]}


def test_valueset_supplement_extension_as_value_uri_is_applied(client):
    for key in ("valueUri", "valueString", "valueCanonical"):
        vs = _with_extension(key)
        exp = expansion(client, [("url", vs["url"])], SETUP + [vs])
        assert eparams(exp, "used-supplement") == [SUP_URL + "|0.1.1"], key


def test_valueset_supplement_extension_as_value_uri_that_is_missing_is_refused(client):
    vs = {**_with_extension("valueUri"), "extension": [{"url": VS_SUPPLEMENT, "valueUri": SUP_URL + "-none"}]}
    status, b = post(client, "ValueSet/$expand", [("url", vs["url"])], SETUP + [vs])
    assert 400 <= status < 500
    assert b["issue"][0]["details"]["text"] == f"Required supplement not found: {SUP_URL}-none"


R5 = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion."


def _parts(ext: dict) -> dict:
    return {e["url"]: next(v for k, v in e.items() if k.startswith("value")) for e in ext["extension"]}


def _props(item: dict, where: str) -> list[dict]:
    """The R4 form of expansion(.contains).property: R5 cross-version extensions."""
    return [_parts(e) for e in item.get("extension") or () if e.get("url") == R5 + where]


def test_expand_property_star_answers_every_property_with_the_supplements(client):
    exp = expansion(client, [("url", ALL_NS["url"]), ("useSupplement", SUP_URL), ("property", "*")], SETUP)
    code5 = next(c for c in exp["contains"] if c["code"] == "code5")
    assert {"code": "prop1", "value": "value1"} in _props(code5, "contains.property")
    assert {"code": "prop1", "uri": "http://hl7.org/fhir/test/CodeSystem/property1"} in _props(exp, "property")


def test_expand_without_property_star_leaves_the_supplement_property_out(client):
    exp = expansion(client, [("url", ALL_NS["url"]), ("useSupplement", SUP_URL)], SETUP)
    code5 = next(c for c in exp["contains"] if c["code"] == "code5")
    assert all(p["code"] != "prop1" for p in _props(code5, "contains.property"))


def test_several_missing_supplements_are_named_in_one_message(client):
    x, y = "http://ex.org/sup-x", "http://ex.org/sup-y"
    for op, params in (("ValueSet/$expand", [("url", ALL_NS["url"])]),
                       ("CodeSystem/$lookup", [("system", EXT_CS["url"]), ("code", "code1")])):
        status, b = post(client, op, params + [("useSupplement", x), ("useSupplement", y)], SETUP)
        assert 400 <= status < 500, op
        assert [i["details"]["text"] for i in b["issue"]] == [f"Required supplements not found: {x},{y}"], op


def test_one_missing_supplement_keeps_the_singular_text(client):
    status, b = post(client, "ValueSet/$expand", [("url", ALL_NS["url"]), ("useSupplement", SUP_URL),
                                                  ("useSupplement", "http://ex.org/sup-x")], SETUP)
    assert 400 <= status < 500
    assert [i["details"]["text"] for i in b["issue"]] == ["Required supplement not found: http://ex.org/sup-x"]


def test_lookup_of_a_supplement_as_system_uses_the_reference_text(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", SUP_URL), ("code", "code1")], SETUP)
    assert 400 <= status < 500
    (issue,) = b["issue"]
    assert issue["details"]["text"] == \
        f"CodeSystem {SUP_URL}|0.1.1 is a supplement, so can't be used as a value in Coding.system"


def test_a_lookup_with_a_missing_supplement_is_a_400_as_the_reference_server_answers(client):
    """$lookup answers an unusable useSupplement 400 (not-found), $expand 422, as FHIRsmith does."""
    status, b = post(client, "CodeSystem/$lookup", [("system", EXT_CS["url"]), ("code", "code1"),
                                                    ("useSupplement", "http://ex.org/sup-x")], SETUP)
    assert status == 400 and b["issue"][0]["code"] == "not-found"
    assert b["issue"][0]["details"]["text"] == "Required supplement not found: http://ex.org/sup-x"
    status, b = post(client, "ValueSet/$expand", [("url", ALL_NS["url"]), ("useSupplement", "http://ex.org/sup-x")],
                     SETUP)
    assert status == 422 and b["issue"][0]["code"] == "not-found"
