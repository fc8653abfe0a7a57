"""metadata and metadata?mode=terminology (R4 http.html#capabilities, capabilitystatement.html,
terminologycapabilities.html, terminology-service.html#capabilities): shapes, and that what is listed works."""
from __future__ import annotations

import pytest

from .conftest import FJ, assert_oo

CORE_OPS = "http://hl7.org/fhir/OperationDefinition/"


@pytest.fixture(scope="module")
def cap(kb):
    r = kb.get("/fhir/metadata")
    assert r.status_code == 200 and r.mimetype == FJ
    return r.get_json()


@pytest.fixture(scope="module")
def tc(kb):
    r = kb.get("/fhir/metadata?mode=terminology")
    assert r.status_code == 200
    return r.get_json()


def test_capability_statement_shape(cap):
    assert cap["resourceType"] == "CapabilityStatement"
    assert cap["fhirVersion"] == "4.0.1" and cap["kind"] == "instance" and cap["status"] and cap["date"]
    assert cap["implementation"]["url"] == "http://localhost/fhir"          # cpb-? kind=instance needs it
    assert {"application/fhir+json", "application/fhir+xml"} <= set(cap["format"])
    assert cap["rest"][0]["mode"] == "server"
    assert "http://hl7.org/fhir/CapabilityStatement/terminology-server" in cap["instantiates"]


def test_no_interaction_is_promised_that_is_not_served(cap):
    rest = cap["rest"][0]
    assert [i["code"] for i in rest["interaction"]] == ["batch"]      # no transaction, no history-system
    for res in rest["resource"]:
        codes = {i["code"] for i in res["interaction"]}
        assert not codes & {"vread", "history-instance", "history-type", "patch"}, res["type"]
        assert res.get("versioning") == "no-version"


@pytest.mark.parametrize("rtype", ["CodeSystem", "ValueSet", "ConceptMap", "NamingSystem"])
def test_listed_read_and_search_work(kb, cap, rtype):
    res = next(r for r in cap["rest"][0]["resource"] if r["type"] == rtype)
    assert {"read", "search-type"} <= {i["code"] for i in res["interaction"]}
    b = kb.get(f"/fhir/{rtype}?_count=1").get_json()
    assert b["type"] == "searchset"
    if b.get("entry"):
        assert kb.get(f"/fhir/{rtype}/{b['entry'][0]['resource']['id']}").status_code == 200


def test_listed_create_update_delete_work(kb, cap):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/probe10/cap-vs", "status": "active"}
    r = kb.post("/fhir/ValueSet", json=vs, content_type=FJ)
    assert r.status_code == 201
    rid = r.get_json()["id"]
    assert kb.put(f"/fhir/ValueSet/{rid}", json={**vs, "id": rid, "title": "t"}, content_type=FJ).status_code == 200
    assert kb.delete(f"/fhir/ValueSet/{rid}").status_code in (200, 204)


def test_every_listed_search_parameter_is_known(kb, cap):
    # Prefer: handling=strict refuses parameters the server does not know: none of the listed ones may be refused
    for res in cap["rest"][0]["resource"]:
        for sp in res["searchParam"]:
            assert sp["definition"].startswith("http") and sp["type"]
            r = kb.get(f"/fhir/{res['type']}?{sp['name']}=zzz-probe10&_summary=count",
                       headers={"Prefer": "handling=strict"})
            text = r.get_data(as_text=True)
            assert "is not a search parameter" not in text, (res["type"], sp["name"], text[:300])
            assert r.status_code in (200, 400), (res["type"], sp["name"], r.status_code)


def test_every_listed_operation_is_routed(kb, cap):
    for res in cap["rest"][0]["resource"]:
        for op in res.get("operation", []):
            r = kb.get(f"/fhir/{res['type']}/${op['name']}")
            # without parameters an operation may refuse the request (400/422), but it must exist
            assert r.status_code != 404 or "not supported on" not in r.get_data(as_text=True), (res["type"], op)
            assert r.status_code < 500


def test_every_operation_definition_resolves(kb, cap):
    ops = [op for res in cap["rest"][0]["resource"] for op in res.get("operation", [])]
    ops += cap["rest"][0].get("operation", [])
    assert ops
    for op in ops:
        url = op["definition"]
        if url.startswith(CORE_OPS):
            continue    # a core definition (spec)
        oid = url.rsplit("/", 1)[1]
        r = kb.get(f"/fhir/OperationDefinition/{oid}")
        assert r.status_code == 200, url
        d = r.get_json()
        assert d["url"] == url and d["code"] == op["name"], (url, d.get("code"))


def test_operation_definition_resource_is_listed(cap):
    assert "OperationDefinition" in {r["type"] for r in cap["rest"][0]["resource"]}


def test_versions_operation(kb):
    for accept in ("application/fhir+json", "application/json"):
        b = kb.get("/fhir/$versions", headers={"Accept": accept}).get_json()
        assert {(p["name"], p["valueCode"]) for p in b["parameter"]} == {("version", "4.0"), ("default", "4.0")}


def test_terminology_capabilities_shape(tc):
    assert tc["resourceType"] == "TerminologyCapabilities"
    assert tc["status"] and tc["date"] and tc["kind"] == "instance"
    uris = [c["uri"] for c in tc["codeSystem"]]
    assert len(uris) == len(set(uris))                      # one entry per code system
    assert "http://hl7.org/fhir/sid/icd-10-no" in uris
    for c in tc["codeSystem"]:
        vs = c.get("version", [])
        assert sum(1 for v in vs if v.get("isDefault")) <= 1, c
    assert isinstance(tc["expansion"]["parameter"], list)
    assert tc["validateCode"]["translations"] in (True, False)
    assert tc["translation"]["needsMap"] in (True, False)


def test_terminology_capabilities_lists_every_stored_code_system(kb, tc):
    stored = {e["resource"]["url"] for e in
              kb.get("/fhir/CodeSystem?_count=1000&_elements=url").get_json()["entry"] if e["resource"].get("url")}
    assert stored <= {c["uri"] for c in tc["codeSystem"]}


def test_terminology_capabilities_instance_has_implementation(tc):
    assert tc["implementation"]["url"] == "http://localhost/fhir" and tc["implementation"]["description"]


def test_unknown_metadata_mode_does_not_fail(kb):
    r = kb.get("/fhir/metadata?mode=nonsense")
    assert r.status_code in (200, 400)
    if r.status_code == 400:
        assert_oo(r, 400, "mode")


def test_operation_definition_search_finds_by_url(kb):
    b = kb.get("/fhir/OperationDefinition?url=https://kodebro.no/fhir/OperationDefinition/ValueSet-related").get_json()
    assert b["type"] == "searchset" and b["total"] == 1
    assert b["entry"][0]["fullUrl"] == "http://localhost/fhir/OperationDefinition/ValueSet-related"


def test_operation_definition_search_is_a_proper_searchset(kb):
    b = kb.get("/fhir/OperationDefinition?_count=1").get_json()
    assert any(l["relation"] == "self" for l in b.get("link", []))
    r = kb.get("/fhir/OperationDefinition?colour=red", headers={"Prefer": "handling=strict"})
    assert r.status_code == 400


def test_search_parameter_names_unique_per_type(cap):
    for res in cap["rest"][0]["resource"]:
        names = [sp["name"] for sp in res["searchParam"]]
        assert len(names) == len(set(names)), res["type"]
