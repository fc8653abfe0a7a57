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
    assert cs["rest"][0]["operation"] == [
        {"name": "versions", "definition": "http://hl7.org/fhir/OperationDefinition/CapabilityStatement-versions"}]
    body = demo_client.get("/fhir/$versions").get_json()
    assert {p["name"]: p["valueCode"] for p in body["parameter"]} == {"version": "4.0", "default": "4.0"}


def test_security_is_stated_as_the_tx_ecosystem_asks(tmp_path):
    from fhir_api import create_app
    for key, says in (("", "are open"), ("secret", "Bearer")):
        app = create_app({"DB": str(tmp_path / f"k{bool(key)}.db"), "DEMO": False, "API_KEY": key})
        security = app.test_client().get("/fhir/metadata").get_json()["rest"][0]["security"]
        assert security["service"] and says in security["description"]
