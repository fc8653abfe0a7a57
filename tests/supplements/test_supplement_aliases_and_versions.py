"""Supplements probed against the R4 rules: a supplement naming its base by an alias (an OID tied to the URL
by a NamingSystem) is applied wherever it is accepted; a versioned supplement touches only its version;
value set concept extensions win over the code system's and its supplements' in the expansion."""
import pytest

from tests.support.tx_files import param_pairs as _params, stored_client

B = "http://example.org/fhir/"
CS = B + "CodeSystem/sx"
E = "http://hl7.org/fhir/StructureDefinition/"


def _cs(version, display):
    return {"resourceType": "CodeSystem", "id": "sx" + version, "url": CS, "version": version, "status": "active",
            "content": "complete", "concept": [
                {"code": "a", "display": display, "extension": [{"url": E + "itemWeight", "valueDecimal": 1}]},
                {"code": "b", "display": "B"}]}


NS = {"resourceType": "NamingSystem", "id": "nsx", "name": "sx", "status": "active", "kind": "codesystem",
      "date": "2024-01-01", "uniqueId": [{"type": "uri", "value": CS, "preferred": True},
                                         {"type": "oid", "value": "1.2.3.4.5"}]}
SUP_OID = {"resourceType": "CodeSystem", "id": "supo", "url": B + "CodeSystem/supo", "version": "1",
           "status": "active", "content": "supplement", "supplements": "urn:oid:1.2.3.4.5",
           "concept": [{"code": "a", "designation": [{"language": "fr", "value": "A-oid"}]}]}
SUP_V2 = {"resourceType": "CodeSystem", "id": "sup2", "url": B + "CodeSystem/sup2", "version": "1",
          "status": "active", "content": "supplement", "supplements": CS + "|2",
          "concept": [{"code": "a", "designation": [{"language": "fr", "value": "Ah2"}],
                       "extension": [{"url": E + "codesystem-label", "valueString": "S"},
                                     {"url": E + "itemWeight", "valueDecimal": 7}]}]}
VS1 = {"resourceType": "ValueSet", "id": "v1", "url": B + "ValueSet/v1", "status": "active",
       "compose": {"include": [{"system": CS, "version": "1"}]}}
VS2 = {"resourceType": "ValueSet", "id": "v2", "url": B + "ValueSet/v2", "status": "active",
       "extension": [{"url": E + "valueset-supplement", "valueCanonical": SUP_V2["url"]}],
       "compose": {"include": [{"system": CS, "version": "2", "concept": [
           {"code": "a", "extension": [{"url": E + "itemWeight", "valueDecimal": 9}]}, {"code": "b"}]}]}}


@pytest.fixture
def client(tmp_path):
    return stored_client(tmp_path, [_cs("1", "A1"), _cs("2", "A2"), NS, SUP_OID, SUP_V2, VS1, VS2])


def test_expand_applies_supplement_that_names_its_base_by_oid(client):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": VS1["url"], "useSupplement": SUP_OID["url"],
                                                           "displayLanguage": "fr"})
    assert r.status_code == 200, r.get_json()
    exp = r.get_json()["expansion"]
    assert ("used-supplement", SUP_OID["url"] + "|1") in _params(exp)
    assert {c["code"]: c["display"] for c in exp["contains"]}["a"] == "A-oid"


def test_lookup_applies_supplement_that_names_its_base_by_oid(client):
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": CS, "code": "a", "displayLanguage": "fr",
                                                             "useSupplement": SUP_OID["url"]})
    assert r.status_code == 200, r.get_json()
    assert ("display", "A-oid") in _params(r.get_json())


def test_validate_code_accepts_display_from_supplement_named_by_oid(client):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={
        "url": CS, "version": "1", "code": "a", "display": "A-oid", "useSupplement": SUP_OID["url"]})
    assert ("result", True) in _params(r.get_json())


def test_versioned_supplement_touches_only_its_version(client):
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": CS, "version": "2", "code": "a",
                                                             "displayLanguage": "fr", "useSupplement": SUP_V2["url"]})
    assert ("display", "Ah2") in _params(r.get_json())
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": CS, "version": "1", "code": "a",
                                                             "useSupplement": SUP_V2["url"]})
    assert r.status_code == 400 and r.get_json()["issue"][0]["code"] == "not-found"


def test_value_set_concept_extension_wins_over_code_system_and_supplement(client):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": VS2["url"]})
    assert r.status_code == 200, r.get_json()
    exp = r.get_json()["expansion"]
    assert ("used-supplement", SUP_V2["url"] + "|1") in _params(exp)
    a = exp["contains"][0]
    props = {}
    for ext in a.get("extension", []):
        parts = {p["url"]: p for p in ext.get("extension", [])}
        if "code" in parts:
            props[parts["code"]["valueCode"]] = next(v for k, v in parts["value"].items() if k.startswith("value"))
    assert props == {"weight": 9, "label": "S"}
