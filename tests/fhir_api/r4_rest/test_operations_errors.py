"""Invoking operations (R4 operations.html#executing: GET with simple parameters, POST with Parameters, a bare resource
for an operation with one resource input) and the shape of every client error (http.html#errors: OperationOutcome)."""
from __future__ import annotations

import json

import pytest

from .conftest import FJ, assert_oo

ICD = "http://hl7.org/fhir/sid/icd-10-no"


def _code(b: dict) -> str:
    return next(p["valueCode"] for p in b["parameter"] if p["name"] == "code")


def test_lookup_by_get_post_parameters_and_form_agree(kb):
    g = kb.get(f"/fhir/CodeSystem/$lookup?system={ICD}&code=J12.8").get_json()
    p = kb.post("/fhir/CodeSystem/$lookup", content_type=FJ, json={"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": ICD}, {"name": "code", "valueCode": "J12.8"}]}).get_json()
    f = kb.post("/fhir/CodeSystem/$lookup", data=f"system={ICD}&code=J12.8",
                content_type="application/x-www-form-urlencoded").get_json()
    assert _code(g) == _code(p) == _code(f) == "J128"


def test_instance_level_operation(kb):
    r = kb.get("/fhir/CodeSystem/ICD10NO-2026/$validate-code?code=A00")
    assert r.status_code == 200
    assert any(p["name"] == "result" for p in r.get_json()["parameter"])


def test_expand_with_a_bare_valueset_body(kb):
    vs = {"resourceType": "ValueSet", "status": "active",
          "compose": {"include": [{"system": ICD, "concept": [{"code": "A00"}]}]}}
    r = kb.post("/fhir/ValueSet/$expand", json=vs, content_type=FJ)
    assert r.status_code == 200 and r.get_json()["expansion"]["total"] == 1


def test_complex_parameter_on_get_is_400(kb):
    # operations.html: only simple (primitive) parameters go in a GET query
    assert_oo(kb.get("/fhir/CodeSystem/$lookup?coding=whatever"), 400, "coding")


def test_resource_parameter_on_get_is_400(kb):
    assert_oo(kb.get("/fhir/ValueSet/$expand?valueSet=notjson"), 400, "valueSet")


def test_unknown_operation_is_404_listing_the_supported_ones(kb):
    assert_oo(kb.get("/fhir/CodeSystem/$closure"), 404, "$lookup", code="not-found")


def test_operation_on_unknown_instance_is_404(kb):
    assert_oo(kb.get("/fhir/CodeSystem/nope-probe10/$validate-code?code=A00"), 404, "nope-probe10")


def test_operation_with_a_turtle_body_is_415(kb):
    r = kb.post("/fhir/CodeSystem/$lookup", data="[] a fhir:Parameters .", content_type="text/turtle")
    assert_oo(r, 415, code="not-supported")


def test_operation_with_xml_outside_the_fhir_namespace_is_400(kb):
    r = kb.post("/fhir/CodeSystem/$lookup", data="<Parameters/>", content_type="application/fhir+xml",
                headers={"Accept": FJ})
    assert_oo(r, 400, 'xmlns="http://hl7.org/fhir"')
    # asking for nothing in particular, an XML client reads its error in XML
    r = kb.post("/fhir/CodeSystem/$lookup", data="<Parameters/>", content_type="application/fhir+xml")
    assert r.status_code == 400 and r.mimetype == "application/fhir+xml"
    assert b"<OperationOutcome" in r.data and b'xmlns=&quot;http://hl7.org/fhir&quot;' in r.data


def test_operation_with_broken_json_is_400(kb):
    assert_oo(kb.post("/fhir/CodeSystem/$lookup", data="{nope", content_type=FJ), 400, "JSON")


# operations.html#executing: $lookup has no resource input, so a POST body must be a Parameters resource
def test_wrong_resource_body_names_parameters(kb):
    r = kb.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Bundle", "type": "collection"}, content_type=FJ)
    assert_oo(r, 400, "Parameters", "Bundle")


def test_parameters_body_without_names_is_400(kb):
    r = kb.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Parameters", "parameter": [{"valueCode": "x"}]},
                content_type=FJ)
    assert_oo(r, 400, "name")


# every client error the REST layer produces, each an OperationOutcome a person can act on
ERRORS = [
    ("get", "/fhir/CodeSystem/no-such-id-probe10", {}, 404),
    ("get", "/fhir/Patient/1", {}, 404),
    ("get", "/fhir/nonsense/a/b/c/d", {}, 404),
    ("delete", "/fhir/metadata", {}, 405),
    ("get", "/fhir/metadata?_format=ttl", {}, 406),
    ("post", "/fhir/ValueSet", {"data": "<ValueSet/>", "content_type": "text/turtle"}, 415),
    ("post", "/fhir/ValueSet", {"data": "<ValueSet/>", "content_type": "application/fhir+xml",
                                "headers": {"Accept": FJ}}, 400),
    ("post", "/fhir/ValueSet", {"data": "[1,2]", "content_type": FJ}, 400),
    ("post", "/fhir/ValueSet", {"data": json.dumps({"resourceType": "ValueSet", "status": "bogus"}),
                                "content_type": FJ}, 422),
    ("put", "/fhir/ValueSet/probe10-e", {"data": json.dumps({"resourceType": "ValueSet", "id": "other",
                                                             "status": "active"}), "content_type": FJ}, 400),
    ("get", "/fhir/ValueSet?date=yesterday", {}, 400),
    ("get", "/fhir/ValueSet?_count=x", {}, 400),
    # $expand answers a value set it lacks 422, as the reference server does
    ("get", "/fhir/ValueSet/$expand?url=http://example.org/no-such-vs", {}, 422),
    ("post", "/fhir", {"data": json.dumps({"resourceType": "Bundle", "type": "transaction"}), "content_type": FJ}, 400),
]


@pytest.mark.parametrize("method,path,kw,status", ERRORS, ids=[f"{m}-{p[:40]}" for m, p, _k, _s in ERRORS])
def test_every_client_error_is_an_actionable_outcome(kb, method, path, kw, status):
    r = getattr(kb, method)(path, **kw)
    assert_oo(r, status)
    assert "Traceback" not in r.get_data(as_text=True)


def test_post_to_metadata_is_405(kb):
    r = kb.post("/fhir/metadata", json={"resourceType": "Parameters"}, content_type=FJ)
    assert_oo(r, 405)
