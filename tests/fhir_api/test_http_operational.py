"""What a hospital's platform team relies on when Kodebro runs behind a load balancer, in Kubernetes/OpenShift,
with browser clients: health probes, request ids, conditional reads, CORS and the access log."""
from __future__ import annotations

import logging
import shutil
import time
import uuid
from datetime import timedelta

import pytest
import requests
from werkzeug.http import http_date, parse_date

from scripts.server_process import running_server

ICD10 = "/fhir/CodeSystem/ICD10NO-2026"
EHR = "https://ehr.example.no"


def _app(db_path, **settings):
    from fhir_api import create_app
    return create_app({"DB": db_path, "DEMO": True, **settings})


# --- health probes ----------------------------------------------------------------------------------------
def test_healthz_is_plain_ok(demo_client):
    r = demo_client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readyz_names_the_generation_and_what_is_loaded(demo_client, demo_app):
    r = demo_client.get("/readyz")
    assert r.status_code == 200
    body = r.get_json()
    store = demo_app.extensions["kodebro.store"]
    assert body["status"] == "ready" and body["generation"] == store.generation() >= 1
    headers = store.headers()
    assert body["codeSystems"] == sum(h.type == "CodeSystem" for h in headers) > 0
    assert body["valueSets"] == sum(h.type == "ValueSet" for h in headers) > 0
    assert body["conceptMaps"] == sum(h.type == "ConceptMap" for h in headers) > 0


def test_readyz_is_503_when_the_store_is_gone_while_healthz_stays_ok(tmp_path):
    # the volume holding the store disappears under a running worker (and its path can no longer be made)
    folder = tmp_path / "volume"
    app = _app(str(folder / "kodebro.db"))
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    app.extensions["kodebro.store"].close()
    shutil.rmtree(folder)
    folder.write_text("not a directory")
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "unavailable" and "store cannot be reached" in body["message"]
    assert r.headers["Retry-After"]
    live = client.get("/healthz")       # liveness never touches the store: no restart for a database outage
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}


def _locked(path: str, exclusive_mode: bool):
    """A second connection, as another process would hold it, in the middle of a write transaction."""
    import sqlite3
    holder = sqlite3.connect(path, isolation_level=None)
    if exclusive_mode:
        # how a maintenance tool keeps readers out too (with WAL, BEGIN EXCLUSIVE alone blocks writers only)
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE meta SET value=value WHERE key='generation'")
    return holder


def _readyz_in_a_thread(client):
    """/readyz from a fresh worker thread (which opens its own connection); None if it has not answered
    long before the 60 s a request waits for a lock."""
    import threading
    got = []
    t = threading.Thread(target=lambda: got.append(client.get("/readyz")), daemon=True)
    t.start()
    t.join(timeout=20)
    return got[0] if got else None


def test_readyz_is_503_at_once_while_another_process_locks_the_store(tmp_path):
    db = str(tmp_path / "kodebro.db")
    app = _app(db)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    store = app.extensions["kodebro.store"]
    # an open WAL connection keeps an exclusive-mode locker out: this one came first (the worker was idle,
    # or started while a maintenance job held the file)
    store.close()
    holder = _locked(db, exclusive_mode=True)
    try:
        for r in (client.get("/readyz"), _readyz_in_a_thread(client)):
            assert r is not None, "the probe waited for the lock"
            assert r.status_code == 503 and r.headers["Retry-After"]
            body = r.get_json()
            assert body["status"] == "unavailable" and "locked" in body["message"]
        assert client.get("/healthz").status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.get("/readyz").status_code == 200
    # requests still wait for a writer's lock as long as before: the short wait was the probe's only
    assert store._conn().execute("PRAGMA busy_timeout").fetchone()[0] == 60000


def test_readyz_is_ready_while_another_process_only_writes(tmp_path):
    # WAL: a writer holding BEGIN EXCLUSIVE keeps other writers out, not readers; the probe answers as usual
    db = str(tmp_path / "kodebro.db")
    client = _app(db).test_client()
    holder = _locked(db, exclusive_mode=False)
    try:
        r = _readyz_in_a_thread(client)
        assert r is not None and r.status_code == 200 and r.get_json()["status"] == "ready"
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# --- request ids ------------------------------------------------------------------------------------------
def test_a_sane_incoming_request_id_is_echoed(demo_client):
    for path in (ICD10, "/fhir/CodeSystem/no-such", "/healthz", "/fhir/metadata?_format=xml"):
        r = demo_client.get(path, headers={"X-Request-Id": "lb-7f3a/2026-11-25.12:ward@ahus"})
        assert r.headers["X-Request-Id"] == "lb-7f3a/2026-11-25.12:ward@ahus", path


# token characters only: a space or quote would shift the fields of an access-log line
@pytest.mark.parametrize("sent", ["x" * 129, "tab\there", "bokmål", "   ", 'x" 200 0ms rid=forged', "a b"])
def test_an_unusable_request_id_is_replaced_by_a_new_uuid(demo_client, sent):
    r = demo_client.get("/healthz", headers={"X-Request-Id": sent})
    assert r.headers["X-Request-Id"] != sent
    assert uuid.UUID(r.headers["X-Request-Id"]).version == 4


def test_every_response_carries_a_fresh_request_id(demo_client):
    ids = {demo_client.get(ICD10).headers["X-Request-Id"] for _ in range(3)}
    ids.add(demo_client.post("/fhir/ValueSet", data="{").headers["X-Request-Id"])
    assert len(ids) == 4 and all(uuid.UUID(i).version == 4 for i in ids)
    assert len(demo_client.get("/healthz", headers={"X-Request-Id": "x" * 128}).headers["X-Request-Id"]) == 128


def test_a_500_names_its_request_id_in_the_outcome_and_the_log(demo_app, caplog):
    # a bug of ours (any unexpected exception): the client gets the id, the operators the log line with it
    def broken():
        raise RuntimeError("a bug")
    demo_app.add_url_rule("/fhir/_broken", "broken", broken)
    with caplog.at_level(logging.ERROR, logger="kodebro"):
        r = demo_app.test_client().get("/fhir/_broken", headers={"X-Request-Id": "support-ticket-4711"})
    assert r.status_code == 500
    assert r.headers["X-Request-Id"] == "support-ticket-4711"
    issue = r.get_json()["issue"][0]
    assert "support-ticket-4711" in issue["diagnostics"] and "a bug" not in r.get_data(as_text=True)
    logged = [rec for rec in caplog.records if "support-ticket-4711" in rec.getMessage()]
    assert logged and logged[0].exc_info is not None


# --- conditional reads ------------------------------------------------------------------------------------
def test_a_read_carries_etag_and_last_modified(demo_client):
    r = demo_client.get(ICD10)
    assert r.status_code == 200
    assert r.headers["ETag"].startswith('W/"') and r.headers["ETag"].endswith('"')
    stamp = r.get_json()["meta"]["lastUpdated"]
    assert parse_date(r.headers["Last-Modified"]).isoformat() == stamp
    assert r.headers["Cache-Control"] == "no-cache"


def test_if_none_match_with_the_same_tag_is_304_without_a_body(demo_client):
    tag = demo_client.get(ICD10).headers["ETag"]
    for sent in (tag, tag[2:], f'W/"nope", {tag}', "*"):
        r = demo_client.get(ICD10, headers={"If-None-Match": sent})
        assert r.status_code == 304 and r.data == b"", sent
        assert r.headers["ETag"] == tag
    assert demo_client.get(ICD10, headers={"If-None-Match": 'W/"999999"'}).status_code == 200


def test_if_modified_since_after_last_modified_is_304(demo_client):
    last = demo_client.get(ICD10).headers["Last-Modified"]
    # Last-Modified names a whole second, which a later write may share: its own date is answered 200
    assert demo_client.get(ICD10, headers={"If-Modified-Since": last}).status_code == 200
    after = http_date(parse_date(last) + timedelta(seconds=1))
    assert demo_client.get(ICD10, headers={"If-Modified-Since": after}).status_code == 304
    assert demo_client.get(ICD10, headers={"If-Modified-Since": "Tue, 01 Jan 2030 00:00:00 GMT"}).status_code == 304
    r = demo_client.get(ICD10, headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    assert r.status_code == 200 and r.get_json()["id"] == "ICD10NO-2026"
    assert demo_client.get(ICD10, headers={"If-Modified-Since": "yesterday"}).status_code == 200
    # If-None-Match decides when both are sent (RFC 9110 §13.1.3)
    r = demo_client.get(ICD10, headers={"If-Modified-Since": last, "If-None-Match": 'W/"999999"'})
    assert r.status_code == 200


def test_the_tag_changes_when_the_resource_changes(demo_client):
    vs = {"resourceType": "ValueSet", "id": "ward-list", "url": "https://example.org/fhir/ValueSet/ward-list",
          "status": "draft", "compose": {"include": [{"system": "urn:oid:2.16.578.1.12.4.1.1.7220"}]}}
    assert demo_client.put("/fhir/ValueSet/ward-list", json=vs,
                           headers={"Content-Type": "application/fhir+json"}).status_code == 201
    first = demo_client.get("/fhir/ValueSet/ward-list").headers["ETag"]
    assert demo_client.get("/fhir/ValueSet/ward-list", headers={"If-None-Match": first}).status_code == 304
    vs["status"] = "active"
    assert demo_client.put("/fhir/ValueSet/ward-list", json=vs,
                           headers={"Content-Type": "application/fhir+json"}).status_code == 200
    r = demo_client.get("/fhir/ValueSet/ward-list", headers={"If-None-Match": first})
    assert r.status_code == 200 and r.get_json()["status"] == "active"
    assert r.headers["ETag"] != first


def test_search_and_operations_are_not_conditional(demo_client):
    tag = demo_client.get(ICD10).headers["ETag"]
    r = demo_client.get("/fhir/CodeSystem?_id=ICD10NO-2026", headers={"If-None-Match": tag})
    assert r.status_code == 200 and "ETag" not in r.headers
    r = demo_client.get("/fhir/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-no&code=J12.8",
                        headers={"If-None-Match": "*"})
    assert r.status_code == 200 and "ETag" not in r.headers


# --- CORS -------------------------------------------------------------------------------------------------
def test_without_the_setting_there_are_no_cors_headers(demo_client):
    for r in (demo_client.get(ICD10, headers={"Origin": EHR}),
              demo_client.options(ICD10, headers={"Origin": EHR, "Access-Control-Request-Method": "GET"})):
        assert not [h for h in r.headers.keys() if h.lower().startswith("access-control-")]


def test_cors_allows_the_configured_origins_only(tmp_path):
    client = _app(str(tmp_path / "k.db"), CORS_ORIGINS=f"{EHR}, https://portal.example.no/").test_client()
    r = client.get(ICD10, headers={"Origin": EHR})
    assert r.headers["Access-Control-Allow-Origin"] == EHR
    exposed = {h.strip() for h in r.headers["Access-Control-Expose-Headers"].split(",")}
    assert exposed >= {"ETag", "Location", "X-Request-Id", "Content-Location", "Last-Modified"}
    assert "Origin" in r.headers["Vary"]
    assert client.get("/healthz", headers={"Origin": "https://portal.example.no"}).headers[
        "Access-Control-Allow-Origin"] == "https://portal.example.no"
    other = client.get(ICD10, headers={"Origin": "https://evil.example.com"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers


def test_configured_origins_are_read_as_browsers_send_them(tmp_path):
    from fhir_api.http_headers import parse_origins
    assert parse_origins("HTTPS://EHR.Example.NO/, https://a.no:8443") == {"https://ehr.example.no",
                                                                           "https://a.no:8443"}
    with pytest.raises(ValueError, match="not an origin"):
        parse_origins("https://a.no/path")
    client = _app(str(tmp_path / "k.db"), CORS_ORIGINS="https://EHR.example.no").test_client()
    assert client.get(ICD10, headers={"Origin": EHR}).headers["Access-Control-Allow-Origin"] == EHR


def test_a_preflight_is_answered_204(tmp_path):
    client = _app(str(tmp_path / "k.db"), CORS_ORIGINS=EHR).test_client()
    r = client.options("/fhir/ValueSet/$validate-code", headers={
        "Origin": EHR, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization, x-request-id"})
    assert r.status_code == 204 and r.data == b""
    assert r.headers["Access-Control-Allow-Origin"] == EHR
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed >= {"Content-Type", "Accept", "Accept-Language", "Authorization", "Prefer", "X-Request-Id",
                       "If-None-Match"}
    refused = client.options(ICD10, headers={"Origin": "https://evil.example.com",
                                             "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "Access-Control-Allow-Methods" not in refused.headers


def test_cors_for_any_origin(tmp_path):
    client = _app(str(tmp_path / "k.db"), CORS_ORIGINS="*").test_client()
    r = client.get(ICD10, headers={"Origin": "https://anything.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get(ICD10).headers   # not a browser's cross-origin call


# --- over real HTTP ---------------------------------------------------------------------------------------
def test_probes_ids_and_conditional_reads_over_http(live_server):
    root = live_server[: -len("/fhir")]
    assert requests.get(root + "/healthz", timeout=10).json() == {"status": "ok"}
    ready = requests.get(root + "/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["codeSystems"] > 0
    r = requests.get(live_server + "/CodeSystem/ICD10NO-2026", headers={"X-Request-Id": "from-the-lb-1"},
                     timeout=10)
    assert r.status_code == 200 and r.headers["X-Request-Id"] == "from-the-lb-1"
    again = requests.get(live_server + "/CodeSystem/ICD10NO-2026", headers={"If-None-Match": r.headers["ETag"]},
                         timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert "Access-Control-Allow-Origin" not in requests.get(live_server + "/metadata", headers={"Origin": EHR},
                                                             timeout=10).headers


def test_access_log_and_cors_over_http(tmp_path):
    log_file = tmp_path / "access.log"
    with running_server(str(tmp_path / "k.db"), workers=1, args=("--access-log", str(log_file)),
                        env={"KODEBRO_CORS_ORIGINS": EHR}) as (base, _seconds):
        root = base[: -len("/fhir")]
        pre = requests.options(root + "/fhir/CodeSystem/$lookup", timeout=10, headers={
            "Origin": EHR, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-request-id"})
        assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == EHR
        r = requests.get(root + "/fhir/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-no&code=J12.8",
                         headers={"Origin": EHR, "X-Request-Id": "ward-7-lookup"}, timeout=10)
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == EHR
        forged = requests.get(root + "/fhir/CodeSystem/x%0a[25/Nov/2026:00:00:00 +0000] 6.6.6.6 %22GET /forged%22",
                              timeout=10)
        assert forged.status_code == 404
        missing = requests.get(root + "/fhir/CodeSystem/no-such", timeout=10)
        deadline = time.time() + 10
        while time.time() < deadline and missing.headers["X-Request-Id"] not in log_file.read_text():
            time.sleep(0.1)
    lines = log_file.read_text().splitlines()
    lookup = next(line for line in lines if "rid=ward-7-lookup" in line)
    assert '"GET /fhir/CodeSystem/$lookup" 200 ' in lookup and "ms " in lookup
    assert any('"GET /fhir/CodeSystem/no-such" 404' in line and missing.headers["X-Request-Id"] in line
               for line in lines)
    assert any('"OPTIONS /fhir/CodeSystem/$lookup" 204' in line for line in lines)
    # a decoded newline in a path is written escaped: no forged line
    assert not any(line.startswith("[25/Nov/2026:00:00:00") for line in lines)
    assert any("/fhir/CodeSystem/x\\x0a[25/Nov/2026" in line for line in lines)


def test_serve_documents_the_access_log_option():
    from scripts.wsgi_server import ACCESS_LOG_FORMAT
    from click.testing import CliRunner
    from scripts.cli import serve
    help_text = CliRunner().invoke(serve, ["--help"]).output
    assert "--access-log" in help_text and "Off by default" in help_text
    assert "%(M)s" in ACCESS_LOG_FORMAT and "{x-request-id}o" in ACCESS_LOG_FORMAT


def test_serve_refuses_bad_options_in_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from scripts.cli import serve
    r = CliRunner().invoke(serve, ["--access-log", str(tmp_path / "no" / "such" / "a.log"),
                                   "--db", str(tmp_path / "k.db")])
    assert r.exit_code == 1 and "--access-log: cannot write to" in r.output and "Traceback" not in r.output
    monkeypatch.setenv("KODEBRO_CORS_ORIGINS", "https://a.no/path")
    r = CliRunner().invoke(serve, ["--db", str(tmp_path / "k.db")])
    assert r.exit_code == 1 and "is not an origin" in r.output
