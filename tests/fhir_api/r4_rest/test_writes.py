"""create / update / delete against R4 http.html#create, #update, #delete, #ins-return (Prefer return)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from werkzeug.http import http_date, parse_date

from .conftest import FJ, assert_oo


def cs(version: str, **extra) -> dict:
    return {"resourceType": "CodeSystem", "url": "http://example.org/probe10/cs", "version": version,
            "name": "Probe10", "status": "active", "content": "complete",
            "concept": [{"code": "a", "display": "Alpha"}], **extra}


def test_create_201_location_etag_and_body(kb):
    r = kb.post("/fhir/CodeSystem", json=cs("c1"), content_type=FJ)
    assert r.status_code == 201
    body = r.get_json()
    rid = body["id"]
    # absolute Location naming the new id; an ETag of what was written
    assert r.headers["Location"].startswith("http://") and r.headers["Location"].endswith(f"/fhir/CodeSystem/{rid}")
    assert r.headers["ETag"].startswith('W/"')
    assert body["meta"]["lastUpdated"]
    assert kb.get(f"/fhir/CodeSystem/{rid}").headers["ETag"] == r.headers["ETag"]


def test_create_with_charset_and_fhir_version_content_type(kb):
    for i, ct in enumerate(("application/fhir+json; charset=utf-8", "application/fhir+json; fhirVersion=4.0",
                            "application/json")):
        r = kb.post("/fhir/CodeSystem", data=json.dumps(cs(f"ct{i}")), content_type=ct)
        assert r.status_code == 201, (ct, r.get_json())


@pytest.mark.parametrize("ct", ["text/plain", "text/turtle", "application/octet-stream"])
def test_create_with_wrong_content_type_is_415(kb, ct):
    r = kb.post("/fhir/CodeSystem", data=json.dumps(cs("bad-ct")), content_type=ct)
    assert_oo(r, 415, "application/fhir+json or application/fhir+xml", code="not-supported")


@pytest.mark.parametrize("ct", ["application/fhir+xml", "application/xml"])
def test_json_labelled_as_xml_is_400(kb, ct):
    r = kb.post("/fhir/CodeSystem", data=json.dumps(cs("bad-ct")), content_type=ct, headers={"Accept": FJ})
    assert_oo(r, 400, "is not XML: it looks like JSON", "Content-Type application/fhir+json")
    assert kb.get("/fhir/CodeSystem?url=http://example.org/probe10/cs&version=bad-ct&_summary=count"
                  ).get_json()["total"] == 0


def test_create_labelled_as_form_is_415(kb):
    r = kb.post("/fhir/CodeSystem", data=json.dumps(cs("form-ct")), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


def test_create_ignores_client_id(kb):
    r = kb.post("/fhir/CodeSystem", json=cs("id1", id="probe10-client-id"), content_type=FJ)
    assert r.status_code == 201
    assert r.get_json()["id"] != "probe10-client-id"


@pytest.mark.parametrize("client_id", ["a b", "x" * 65, 5, "sct-cm-900000000000526001"])
def test_create_ignores_any_client_id_before_validating(kb, client_id):
    # http.html#create: "If an id is provided, the server SHALL ignore it": an id the server would refuse on an
    # update is no reason to refuse a create
    r = kb.post("/fhir/CodeSystem", json=cs(f"any-id-{client_id!s:.8}", id=client_id), content_type=FJ)
    assert r.status_code == 201, r.get_json()
    rid = r.get_json()["id"]
    assert rid != client_id and kb.get(f"/fhir/CodeSystem/{rid}").status_code == 200


def test_create_ignores_client_version_id(kb):
    r = kb.post("/fhir/CodeSystem", json=cs("meta1", meta={"versionId": "99", "lastUpdated": "2001-01-01T00:00:00Z"}),
                content_type=FJ)
    assert r.status_code == 201
    meta = r.get_json()["meta"]
    assert meta["lastUpdated"] != "2001-01-01T00:00:00Z"     # (this part holds)
    assert meta.get("versionId") != "99"


def test_create_never_replaces_an_existing_resource(kb):
    first = kb.post("/fhir/CodeSystem", json=cs("dup", title="first"), content_type=FJ)
    assert first.status_code == 201
    second = kb.post("/fhir/CodeSystem", json=cs("dup", title="second"), content_type=FJ)
    if second.status_code < 300:
        assert second.status_code == 201 and second.get_json()["id"] != first.get_json()["id"]
    assert kb.get(f"/fhir/CodeSystem/{first.get_json()['id']}").get_json()["title"] == "first"


def test_prefer_return_minimal_on_create(kb):
    r = kb.post("/fhir/CodeSystem", json=cs("min1"), content_type=FJ, headers={"Prefer": "return=minimal"})
    assert r.status_code == 201 and r.headers.get("Location")
    assert r.get_data() == b""


def test_prefer_return_operation_outcome_on_update(kb):
    kb.put("/fhir/CodeSystem/probe10-oo", json=cs("oo1", id="probe10-oo"), content_type=FJ)
    r = kb.put("/fhir/CodeSystem/probe10-oo", json=cs("oo1", id="probe10-oo", title="t"), content_type=FJ,
               headers={"Prefer": "return=OperationOutcome"})
    assert r.status_code == 200
    assert r.get_json()["resourceType"] == "OperationOutcome"


def test_prefer_return_representation_gives_the_resource(kb):
    r = kb.post("/fhir/CodeSystem", json=cs("rep1"), content_type=FJ, headers={"Prefer": "return=representation"})
    assert r.status_code == 201 and r.get_json()["resourceType"] == "CodeSystem"


def test_update_creates_201_then_updates_200(kb):
    r1 = kb.put("/fhir/CodeSystem/probe10-u", json=cs("u1", id="probe10-u"), content_type=FJ)
    assert r1.status_code == 201 and r1.headers.get("ETag")
    r2 = kb.put("/fhir/CodeSystem/probe10-u", json=cs("u1", id="probe10-u", title="changed"), content_type=FJ)
    assert r2.status_code == 200 and r2.headers["ETag"] != r1.headers["ETag"]
    assert kb.get("/fhir/CodeSystem/probe10-u").get_json()["title"] == "changed"


def test_update_without_id_in_body_takes_the_url_id(kb):
    r = kb.put("/fhir/CodeSystem/probe10-noid", json=cs("noid"), content_type=FJ)
    assert r.status_code == 201 and r.get_json()["id"] == "probe10-noid"


def test_update_with_mismatched_id_is_400(kb):
    r = kb.put("/fhir/CodeSystem/probe10-x", json=cs("mm", id="probe10-y"), content_type=FJ)
    assert_oo(r, 400, "probe10-y", "probe10-x")


def test_update_with_illegal_id_characters_is_refused(kb):
    r = kb.put("/fhir/CodeSystem/bad_id!", json=cs("bid", id="bad_id!"), content_type=FJ)
    assert r.status_code in (400, 422)
    assert_oo(r, r.status_code, "bad_id!")


def test_update_with_overlong_id_is_refused(kb):
    rid = "a" * 70
    r = kb.put(f"/fhir/CodeSystem/{rid}", json=cs("long", id=rid), content_type=FJ)
    assert r.status_code in (400, 422)
    assert_oo(r, r.status_code, "64", "datatypes.html#id")
    ok = "b" * 64
    assert kb.put(f"/fhir/CodeSystem/{ok}", json=cs("long64", id=ok), content_type=FJ).status_code == 201


def test_update_answers_last_modified(kb):
    # http.html#update: a successful update answers "with a Last-Modified header, and an ETag header"
    r = kb.put("/fhir/CodeSystem/probe10-lm", json=cs("lm", id="probe10-lm"), content_type=FJ)
    assert r.status_code == 201 and r.headers.get("Last-Modified")
    stamp = r.get_json()["meta"]["lastUpdated"]
    assert parse_date(r.headers["Last-Modified"]) == datetime.fromisoformat(stamp)
    r = kb.put("/fhir/CodeSystem/probe10-lm", json=cs("lm", id="probe10-lm", title="t"), content_type=FJ)
    assert r.status_code == 200 and r.headers.get("Last-Modified")
    assert kb.get("/fhir/CodeSystem/probe10-lm").headers["Last-Modified"] == r.headers["Last-Modified"]


def test_create_answers_last_modified(kb):
    r = kb.post("/fhir/CodeSystem", json=cs("lm-post"), content_type=FJ)
    assert r.status_code == 201
    assert parse_date(r.headers["Last-Modified"]) == datetime.fromisoformat(r.get_json()["meta"]["lastUpdated"])


def test_if_modified_since_equal_to_last_modified_never_hides_a_later_write(kb):
    # two writes, most often in one second (lastUpdated and Last-Modified have one-second resolution): the
    # first's Last-Modified sent back must not answer 304 for the second's content
    first = kb.put("/fhir/CodeSystem/probe10-ims", json=cs("ims", id="probe10-ims"), content_type=FJ)
    kb.put("/fhir/CodeSystem/probe10-ims", json=cs("ims", id="probe10-ims", title="second"), content_type=FJ)
    r = kb.get("/fhir/CodeSystem/probe10-ims", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert r.status_code == 200 and r.get_json()["title"] == "second"
    # a date after the second written in is a date it was not modified since
    later = http_date(parse_date(r.headers["Last-Modified"]) + timedelta(seconds=1))
    assert kb.get("/fhir/CodeSystem/probe10-ims", headers={"If-Modified-Since": later}).status_code == 304


def test_delete_then_read_is_not_found_outcome(kb):
    kb.put("/fhir/CodeSystem/probe10-del", json=cs("del", id="probe10-del"), content_type=FJ)
    r = kb.delete("/fhir/CodeSystem/probe10-del")
    assert r.status_code in (200, 204)
    if r.status_code == 200:
        assert r.get_json()["resourceType"] == "OperationOutcome"
    assert kb.get("/fhir/CodeSystem/probe10-del").status_code in (404, 410)


def test_read_of_deleted_resource_is_410(kb):
    # http.html#read: "A GET for a deleted resource returns a 410 Gone status code, while a GET for an unknown
    # resource returns 404 Not Found" (more in test_deletes.py)
    kb.put("/fhir/CodeSystem/probe10-gone", json=cs("gone", id="probe10-gone"), content_type=FJ)
    assert kb.delete("/fhir/CodeSystem/probe10-gone").status_code in (200, 204)
    assert kb.get("/fhir/CodeSystem/probe10-gone").status_code == 410


def test_delete_of_missing_resource_is_success(kb):
    # http.html#delete: "Upon successful deletion, or if the resource does not exist at all, the server should
    # return either a 200 OK if the response contains a payload, or a 204 No Content"
    assert kb.delete("/fhir/CodeSystem/probe10-never-there").status_code in (200, 202, 204)


def test_create_with_empty_body_is_400(kb):
    assert_oo(kb.post("/fhir/CodeSystem", data="", content_type=FJ), 400, "body")


def test_create_of_other_type_at_url_is_400(kb):
    r = kb.post("/fhir/CodeSystem", json={"resourceType": "ValueSet", "status": "active"}, content_type=FJ)
    assert_oo(r, 400, "ValueSet", "CodeSystem")
