"""Conditional requests beyond the plain read: tags that tell stores apart, If-Match / If-None-Match on writes
(R4 http.html#concurrency, RFC 9110 §13), strict If-Modified-Since dates and same-second writes."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.datastructures import Headers
from werkzeug.http import http_date, parse_date

ICD10 = "/fhir/CodeSystem/ICD10NO-2026"
WARD = "/fhir/ValueSet/ward-list"
JSON = {"Content-Type": "application/fhir+json"}


def _ward(status: str = "draft") -> dict:
    return {"resourceType": "ValueSet", "id": "ward-list", "url": "https://example.org/fhir/ValueSet/ward-list",
            "status": status, "compose": {"include": [{"system": "urn:oid:2.16.578.1.12.4.1.1.7220"}]}}


def _put(client, status: str = "draft", **headers):
    return client.put(WARD, json=_ward(status), headers={**JSON, **headers})


def _settle() -> None:
    """The next write gets another lastUpdated second (tags of two stores' writes then differ by it)."""
    time.sleep(1.05)


def _client(tmp_path, name: str):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path / name), "DEMO": False}).test_client()


# --- 1. tags that tell stores apart ------------------------------------------------------------------------
def test_a_tag_from_another_store_does_not_validate(tmp_path):
    # two stores built separately: the same generation (1) wrote a different resource in each
    first, second = _client(tmp_path, "a.db"), _client(tmp_path, "b.db")
    assert _put(first, "draft").status_code == 201
    _settle()
    assert _put(second, "active").status_code == 201
    tag = first.get(WARD).headers["ETag"]
    r = second.get(WARD, headers={"If-None-Match": tag})
    assert r.status_code == 200 and r.get_json()["status"] == "active"
    assert r.headers["ETag"] != tag


def test_the_tag_is_the_generation_and_the_write_instant(client):
    assert _put(client).status_code == 201
    r = client.get(WARD)
    stamp = datetime.fromisoformat(r.get_json()["meta"]["lastUpdated"]).astimezone(timezone.utc)
    assert r.headers["ETag"] == f'W/"1-{stamp:%Y%m%d%H%M%S}"'


def test_without_last_updated_the_tag_is_the_generation():
    from fhir_api.http_headers import resource_tag
    assert resource_tag(7, {"resourceType": "ValueSet"}) == 'W/"7"'
    assert resource_tag(7, {"meta": {"lastUpdated": "not a date"}}) == 'W/"7"'
    assert resource_tag(7, {"meta": {"lastUpdated": "2026-11-25T20:08:23+01:00"}}) == 'W/"7-20261125190823"'


# --- 2. conditional writes -------------------------------------------------------------------------------
def test_put_and_post_answers_carry_the_tag_of_what_was_written(client):
    created = _put(client)
    assert created.status_code == 201
    assert created.headers["ETag"] == client.get(WARD).headers["ETag"]
    updated = _put(client, "active")
    assert updated.status_code == 200 and updated.headers["ETag"] != created.headers["ETag"]
    assert updated.headers["ETag"] == client.get(WARD).headers["ETag"]
    posted = client.post("/fhir/ValueSet", json={**_ward(), "id": "other", "url": "https://example.org/vs/o"},
                         headers=JSON)
    assert posted.status_code == 201
    assert posted.headers["ETag"] == client.get("/fhir" + posted.headers["Location"].split("/fhir", 1)[1]).headers["ETag"]
    later = client.get(WARD)
    assert parse_date(later.headers["Last-Modified"]).isoformat() == later.get_json()["meta"]["lastUpdated"]


def test_put_with_the_current_tag_goes_ahead(client):
    tag = _put(client).headers["ETag"]
    for as_sent in (lambda t: t, lambda t: t[2:], lambda t: f'W/"0-19990101000000", {t}'):
        r = _put(client, "active", **{"If-Match": as_sent(tag)})
        assert r.status_code == 200, as_sent(tag)
        tag = r.headers["ETag"]
    assert _put(client, "draft", **{"If-Match": "*"}).status_code == 200


def test_put_with_a_stale_tag_is_412_naming_the_current_one(client):
    stale = _put(client).headers["ETag"]
    current = _put(client, "active").headers["ETag"]
    r = _put(client, "retired", **{"If-Match": stale})
    assert r.status_code == 412
    body = r.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "conflict" and body["issue"][0]["severity"] == "error"
    assert current in body["issue"][0]["details"]["text"]
    assert client.get(WARD).get_json()["status"] == "active"     # nothing was written


@pytest.mark.parametrize("sent", ["*", 'W/"1-20261125190823"', "not a tag"])
def test_if_match_on_a_missing_resource_is_412_and_creates_nothing(client, sent):
    r = _put(client, **{"If-Match": sent})
    assert r.status_code == 412 and r.get_json()["issue"][0]["code"] == "conflict"
    assert client.get(WARD).status_code == 404


def test_put_with_if_none_match_star_only_creates(client):
    assert _put(client, **{"If-None-Match": "*"}).status_code == 201
    r = _put(client, "active", **{"If-None-Match": "*"})
    assert r.status_code == 412 and r.get_json()["issue"][0]["code"] == "conflict"
    assert client.get(WARD).get_json()["status"] == "draft"


def test_delete_with_if_match(client):
    stale = _put(client).headers["ETag"]
    current = _put(client, "active").headers["ETag"]
    r = client.delete(WARD, headers={"If-Match": stale})
    assert r.status_code == 412 and current in r.get_json()["issue"][0]["details"]["text"]
    assert client.get(WARD).status_code == 200
    r = client.delete(WARD, headers={"If-Match": current})
    assert r.status_code == 200 and "ETag" not in r.headers and "Last-Modified" not in r.headers
    assert client.get(WARD).status_code == 410
    # gone: If-Match holds on no current representation (RFC 9110 §13.1.1), so 412, not the 200 of a plain DELETE
    assert client.delete(WARD, headers={"If-Match": current}).status_code == 412


def test_put_answers_200_when_another_worker_created_the_resource_a_moment_ago(tmp_path):
    # whether the resource existed is read in the write's transaction, not from this worker's catalog (which
    # looks at the store at most once a second)
    from fhir_api import create_app
    db = str(tmp_path / "shared.db")
    first, second = (create_app({"DB": db, "DEMO": False}).test_client() for _ in range(2))
    assert first.get(WARD).status_code == 404          # the first worker's catalog has just looked
    assert _put(second).status_code == 201
    r = _put(first, "active", **{"If-Match": "*"})
    assert r.status_code == 200 and r.get_json()["status"] == "active"


def test_a_write_answers_with_its_own_tag_when_another_writer_came_between(tmp_path):
    """The reply to a write is read back after the commit; when another writer changed the resource in
    between, the reply is what this request wrote with this write's tag, never the other writer's (whose tag
    would let the client's next If-Match overwrite a change it never saw)."""
    from fhir_api import create_app
    from fhir_api.resources import _as_written
    from fhir_api.store import get_catalog, get_store
    app = create_app({"DB": str(tmp_path / "k.db"), "DEMO": False})
    with app.app_context():
        mine = _ward("draft")
        report = get_store().write([mine], delete=[("ValueSet", "ward-list")])
        get_store().write([_ward("active")], delete=[("ValueSet", "ward-list")])     # the other writer
        catalog = get_catalog()
        catalog.refresh(force=True)
        written, validators = _as_written(catalog, "ValueSet", "ward-list", mine, report)
        assert written["status"] == "draft" and written["meta"]["lastUpdated"] == report["lastUpdated"]
        assert validators["ETag"].startswith(f'W/"{report["rev"]}-')
        # with no writer between, the stored resource and its validators, as before
        report = get_store().write([mine], delete=[("ValueSet", "ward-list")])
        catalog.refresh(force=True)
        written, validators = _as_written(catalog, "ValueSet", "ward-list", mine, report)
        assert written["status"] == "draft" and validators["ETag"].startswith(f'W/"{report["rev"]}-')


# --- 3. If-Modified-Since is one valid HTTP-date or nothing ------------------------------------------------
NOT_ONE_HTTP_DATE = [
    "Wed, 25 Nov 2099 23:59:59 GMT, Wed, 25 Nov 2099 23:59:59 GMT",
    "Wed, 25 Nov 2099 23:59:59 +1400",
    "Wed, 25 Nov 2099 23:59:59 XYZ",
    "Wed, 25 Nov 2099 23:59:59",
    "2099-11-25T23:59:59Z",
    "Wed, 31 Feb 2099 23:59:59 GMT",
    "Wed, 25 Nov 2099 23:59:59 GMT trailing",
]


def test_an_if_modified_since_that_is_not_one_http_date_is_ignored(demo_client):
    assert demo_client.get(ICD10, headers={"If-Modified-Since": "Wed, 25 Nov 2099 23:59:59 GMT"}).status_code == 304
    for sent in NOT_ONE_HTTP_DATE:
        r = demo_client.get(ICD10, headers={"If-Modified-Since": sent})
        assert r.status_code == 200 and r.get_json()["id"] == "ICD10NO-2026", sent
    one = "Wed, 25 Nov 2099 23:59:59 GMT"       # two fields make a list too
    assert demo_client.get(ICD10, headers=Headers([("If-Modified-Since", one), ("If-Modified-Since", one)])
                           ).status_code == 200


def test_the_obsolete_date_forms_are_understood(demo_client):
    for sent in ("Thursday, 25-Nov-60 23:59:59 GMT", "Thu Nov 25 23:59:59 2060", "Thu Nov  5 23:59:59 2060"):
        assert demo_client.get(ICD10, headers={"If-Modified-Since": sent}).status_code == 304, sent


def test_strict_date_parsing():
    from fhir_api.http_headers import parse_http_date_strict as parse
    when = datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)
    assert parse("Sun, 06 Nov 1994 08:49:37 GMT") == when
    assert parse("Sunday, 06-Nov-94 08:49:37 GMT", now=datetime(2026, 1, 1, tzinfo=timezone.utc)) == when
    assert parse("Sun Nov  6 08:49:37 1994") == when
    for bad in ("", None, "Sun, 06 Nov 1994 08:49:37 UTC", "sun, 06 nov 1994 08:49:37 GMT",
                "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT"):
        assert parse(bad) is None, bad


# --- 4. two writes in one second -------------------------------------------------------------------------
def test_last_modified_is_given_at_once_and_its_own_second_never_answers_304(client):
    # lastUpdated has one-second resolution, so If-Modified-Since answers 304 only for a later second
    put = _put(client)
    written = datetime.fromisoformat(put.get_json()["meta"]["lastUpdated"])
    assert put.headers["Last-Modified"] == http_date(written) == client.get(WARD).headers["Last-Modified"]
    assert client.get(WARD, headers={"If-Modified-Since": http_date(written)}).status_code == 200
    later = http_date(written + timedelta(seconds=1))
    assert client.get(WARD, headers={"If-Modified-Since": later}).status_code == 304


def test_a_second_write_in_the_same_second_is_not_hidden_by_if_modified_since(client):
    assert _put(client, "draft").status_code == 201
    first = client.get(WARD)
    assert _put(client, "active").status_code == 200
    last = first.headers["Last-Modified"]
    r = client.get(WARD, headers={"If-Modified-Since": last})
    assert r.status_code == 200 and r.get_json()["status"] == "active"


def test_a_fresh_write_is_never_answered_304_on_if_modified_since(client):
    put = _put(client)
    written = datetime.fromisoformat(put.get_json()["meta"]["lastUpdated"])
    # the date of the second it was written in
    r = client.get(WARD, headers={"If-Modified-Since": http_date(written)})
    assert r.status_code == 200 and r.headers["Last-Modified"] == put.headers["Last-Modified"]
    assert put.headers["ETag"] == r.headers["ETag"]
