"""The CapabilityStatement promises exactly the operations that are served, with resolvable definitions."""
from __future__ import annotations

from fhir_api.opdefs import BASE


def test_every_advertised_operation_answers_and_kodebro_definitions_resolve(demo_client):
    cs = demo_client.get("/fhir/metadata").get_json()
    advertised = [(r["type"], op) for r in cs["rest"][0]["resource"] for op in r.get("operation") or ()]
    assert {(t, o["name"]) for t, o in advertised} >= {
        ("CodeSystem", "lookup"), ("CodeSystem", "validate-code"), ("CodeSystem", "subsumes"),
        ("CodeSystem", "code-history"), ("ValueSet", "expand"), ("ValueSet", "validate-code"),
        ("ConceptMap", "translate")}
    for rtype, op in advertised:
        r = demo_client.get(f"/fhir/{rtype}/${op['name']}")
        # served operations answer a bare call with a 400 about missing input, never "not supported"
        assert r.status_code != 404 or "not supported" not in r.get_data(as_text=True), (rtype, op)
        if op["definition"].startswith(BASE):
            d = demo_client.get("/fhir/OperationDefinition/" + op["definition"][len(BASE):])
            assert d.status_code == 200 and d.get_json()["code"] == op["name"]
        else:
            assert op["definition"] == f"http://hl7.org/fhir/OperationDefinition/{rtype}-{op['name']}"
    translate = next(o for t, o in advertised if o["name"] == "translate")
    assert translate["definition"] == BASE + "ConceptMap-translate"  # Kodebro adds target-version


def test_versions_operation_is_served_as_advertised(demo_client):
    cs = demo_client.get("/fhir/metadata").get_json()
    assert cs["rest"][0]["operation"][0] == {
        "name": "versions", "definition": "http://hl7.org/fhir/OperationDefinition/CapabilityStatement-versions"}
    # the other system-level operation, $closure (tests/closure), follows it
    assert [op["name"] for op in cs["rest"][0]["operation"]] == ["versions", "closure"]
    body = demo_client.get("/fhir/$versions").get_json()
    assert {p["name"]: p["valueCode"] for p in body["parameter"]} == {"version": "4.0", "default": "4.0"}


def test_security_is_stated_as_the_tx_ecosystem_asks(tmp_path):
    from fhir_api import create_app
    for key, says in (("", "are open"), ("secret", "Bearer")):
        app = create_app({"DB": str(tmp_path / f"k{bool(key)}.db"), "DEMO": False, "API_KEY": key})
        security = app.test_client().get("/fhir/metadata").get_json()["rest"][0]["security"]
        assert security["service"] and says in security["description"]


NS = {"resourceType": "NamingSystem", "id": "x", "name": "X", "status": "active", "kind": "codesystem",
      "date": "2024-01-01", "uniqueId": [{"type": "uri", "value": "http://example.org/x"}]}
# a create makes a new resource: its own url (one of the update's url and version would be a 409 duplicate)
WRITES = {"create": lambda c, rtype, body: c.post(f"/fhir/{rtype}", json={
              **{k: v for k, v in body.items() if k != "id"}, **({"url": body["url"] + "-new"} if "url" in body else {})}),
          "update": lambda c, rtype, body: c.put(f"/fhir/{rtype}/{body['id']}", json=body),
          "read": lambda c, rtype, body: c.get(f"/fhir/{rtype}/{body['id']}"),
          "search-type": lambda c, rtype, body: c.get(f"/fhir/{rtype}?_id={body['id']}"),
          "delete": lambda c, rtype, body: c.delete(f"/fhir/{rtype}/{body['id']}")}
BODIES = {"CodeSystem": {"resourceType": "CodeSystem", "id": "c", "url": "http://example.org/c", "status": "active",
                         "content": "complete", "concept": [{"code": "a"}]},
          "ValueSet": {"resourceType": "ValueSet", "id": "v", "url": "http://example.org/v", "status": "active"},
          "ConceptMap": {"resourceType": "ConceptMap", "id": "m", "url": "http://example.org/m", "status": "active"},
          "NamingSystem": NS,
          # Kodebro's own operation definitions: read and searched, never written
          "OperationDefinition": {"resourceType": "OperationDefinition", "id": "CodeSystem-code-history"}}


def test_every_advertised_interaction_is_served_and_no_other(client):
    cs = client.get("/fhir/metadata").get_json()
    for res in cs["rest"][0]["resource"]:
        rtype, said = res["type"], [i["code"] for i in res["interaction"]]
        assert set(said) <= set(WRITES), rtype
        body = BODIES[rtype]
        for code in ("update", "create", "read", "search-type", "delete"):
            r = WRITES[code](client, rtype, body)
            if code in said:
                assert r.status_code < 300, (rtype, code, r.get_json())
            else:
                assert r.status_code == 405, (rtype, code, r.status_code)


def test_terminology_capabilities_name_every_expand_parameter_the_docs_give(client):
    tc = client.get("/fhir/metadata?mode=terminology").get_json()
    names = {p["name"] for p in tc["expansion"]["parameter"]}
    assert {"useSupplement", "displayLanguage", "system-version", "tx-resource", "valueSetVersion"} <= names
