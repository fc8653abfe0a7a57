"""Batch Bundles (R4 http.html#transaction, bundle.html#transaction: batch-response, one entry per request entry in
order, response.status/location/etag/outcome)."""
from __future__ import annotations

import re

import pytest

from .conftest import FJ, assert_oo

CS = {"resourceType": "CodeSystem", "url": "http://example.org/probe10/batch", "status": "active",
      "content": "complete", "concept": [{"code": "a"}]}


def batch(kb, entries, **kw):
    return kb.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": entries}, content_type=FJ, **kw)


def test_batch_response_keeps_order_and_isolates_failures(kb):
    entries = [
        {"request": {"method": "GET", "url": "CodeSystem/ICD10NO-2026?_summary=true"}},
        {"request": {"method": "GET", "url": "Patient/1"}},
        {"request": {"method": "GET",
                     "url": "CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-no&code=J12.8"}},
        {"request": {"method": "GET", "url": "CodeSystem?_count=1"}},
        {"request": {"method": "GET", "url": "http://localhost/fhir/ValueSet?_summary=count"}},   # absolute, own base
    ]
    r = batch(kb, entries)
    assert r.status_code == 200
    b = r.get_json()
    assert b["type"] == "batch-response" and len(b["entry"]) == len(entries)
    got = [(e["response"]["status"][:3], e["resource"]["resourceType"]) for e in b["entry"]]
    assert got == [("200", "CodeSystem"), ("404", "OperationOutcome"), ("200", "Parameters"),
                   ("200", "Bundle"), ("200", "Bundle")]
    assert b["entry"][1]["response"]["outcome"]["resourceType"] == "OperationOutcome"


def test_batch_create_gives_status_and_location(kb):
    b = batch(kb, [{"request": {"method": "POST", "url": "CodeSystem"}, "resource": {**CS, "version": "b1"}}]).get_json()
    resp = b["entry"][0]["response"]
    assert resp["status"].startswith("201")
    assert resp["location"].startswith("http://localhost/fhir/CodeSystem/")


def test_batch_entries_carry_etag(kb):
    b = batch(kb, [{"request": {"method": "POST", "url": "CodeSystem"}, "resource": {**CS, "version": "b2"}},
                   {"request": {"method": "GET", "url": "CodeSystem/ICD10NO-2026"}}]).get_json()
    assert all(e["response"].get("etag") for e in b["entry"])
    # the read's Last-Modified header (sent once the resource is a second old) as the FHIR instant it is here
    modified = b["entry"][1]["response"].get("lastModified")
    assert modified is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified)


def test_batch_put_create(kb):
    b = batch(kb, [{"request": {"method": "PUT", "url": "CodeSystem/probe10-bput"},
                    "resource": {**CS, "id": "probe10-bput", "version": "b3"}}]).get_json()
    e = b["entry"][0]
    # a PUT's target URL already names the resource (no Location needed); the answer is 201 and the resource
    assert e["response"]["status"].startswith("201") and e["resource"]["id"] == "probe10-bput"


def test_entry_without_request_is_an_entry_error(kb):
    # bundle.html bdl-3: entry.request is mandatory in a batch; refused for that entry (or the whole Bundle)
    r = batch(kb, [{"resource": CS}, {"request": {"method": "GET", "url": "CodeSystem?_summary=count"}}])
    if r.status_code == 400:
        assert_oo(r, 400, "request")
        return
    b = r.get_json()
    assert b["entry"][0]["response"]["status"].startswith("400")
    assert "request" in b["entry"][0]["resource"]["issue"][0]["details"]["text"]
    assert b["entry"][1]["response"]["status"].startswith("200")


def test_transaction_is_refused_clearly(kb):
    r = kb.post("/fhir", json={"resourceType": "Bundle", "type": "transaction", "entry": []}, content_type=FJ)
    assert r.status_code in (400, 405, 422, 501)
    assert_oo(r, r.status_code, "transaction", "batch")


@pytest.mark.parametrize("kind", ["history", "searchset", "collection", "document", "batch-response"])
def test_other_bundle_types_are_refused(kb, kind):
    r = kb.post("/fhir", json={"resourceType": "Bundle", "type": kind}, content_type=FJ)
    assert_oo(r, 400, kind)


def test_bundle_without_type_is_refused(kb):
    assert_oo(kb.post("/fhir", json={"resourceType": "Bundle"}, content_type=FJ), 400, "type")


def test_non_bundle_to_base_is_refused(kb):
    assert_oo(kb.post("/fhir", json={"resourceType": "Parameters"}, content_type=FJ), 400, "Bundle")


def test_xml_without_the_fhir_namespace_to_base_is_400(kb):
    r = kb.post("/fhir", data="<Bundle/>", content_type="application/fhir+xml", headers={"Accept": FJ})
    assert_oo(r, 400, "FHIR namespace")


def test_turtle_bundle_to_base_is_415(kb):
    assert_oo(kb.post("/fhir", data="[] a fhir:Bundle .", content_type="text/turtle"), 415, "application/fhir+xml")


def test_nested_batch_is_answered_not_crashed(kb):
    inner = {"resourceType": "Bundle", "type": "batch",
             "entry": [{"request": {"method": "GET", "url": "CodeSystem?_summary=count"}}]}
    r = batch(kb, [{"request": {"method": "POST", "url": "/"}, "resource": inner},
                   {"request": {"method": "POST", "url": "http://localhost/fhir"}, "resource": inner}])
    assert r.status_code == 200
    for e in r.get_json()["entry"]:
        st = e["response"]["status"][:3]
        assert st in ("200", "400", "405", "422"), e
        if st != "200":
            assert e["resource"]["resourceType"] == "OperationOutcome"


def test_entry_for_another_server_is_refused(kb):
    b = batch(kb, [{"request": {"method": "GET", "url": "https://tx.fhir.org/r4/CodeSystem"}}]).get_json()
    e = b["entry"][0]
    assert e["response"]["status"].startswith("400") and "another server" in e["resource"]["issue"][0]["details"]["text"]


def test_empty_batch(kb):
    b = batch(kb, []).get_json()
    assert b["type"] == "batch-response" and not b.get("entry")


def test_bad_method_in_entry(kb):
    b = batch(kb, [{"request": {"method": "PATCH", "url": "CodeSystem/ICD10NO-2026"}}]).get_json()
    assert b["entry"][0]["response"]["status"].startswith("4")
    assert "PATCH" in b["entry"][0]["resource"]["issue"][0]["details"]["text"]


def test_last_modified_header_becomes_an_instant():
    from fhir_api.batch import _instant
    assert _instant("Wed, 25 Nov 2026 20:51:23 GMT") == "2026-11-25T20:51:23Z"
    assert _instant("not a date") is None and _instant(None) is None
