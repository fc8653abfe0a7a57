"""REST layer against hostile requests (review s12: F12, F1, F2, F11 and the minor batch/metadata findings)."""
from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta

import pytest

from tests.store.conftest import pg_store, postgres_server, postgres_url  # noqa: F401 (fixtures)

JSON = {"Content-Type": "application/fhir+json"}


def _res(rtype: str, rid: str, url: str, version: str | None = None, **extra) -> dict:
    body = {"resourceType": rtype, "id": rid, "url": url, "status": "active", **extra}
    if version is not None:
        body["version"] = version
    if rtype == "CodeSystem":
        body.setdefault("content", "complete")
    return body


def _put(client, body: dict, **headers):
    return client.put(f"/fhir/{body['resourceType']}/{body['id']}", json=body, headers={**JSON, **headers})


def _text(r) -> str:
    return " ".join(i.get("details", {}).get("text", "") + i.get("diagnostics", "") for i in r.get_json()["issue"])


# --- F12: a PUT never removes another id's resource ----------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgres"])
def any_client(request, app):
    if request.param == "sqlite":
        return app.test_client()
    store = request.getfixturevalue("pg_store")
    from fhir_api import create_app
    return create_app({"DB": store.url, "DEMO": False}).test_client()


@pytest.mark.parametrize("rtype", ["CodeSystem", "ValueSet", "ConceptMap"])
def test_update_onto_another_ids_url_is_409_and_keeps_it(any_client, rtype):
    c = any_client
    assert _put(c, _res(rtype, "q1", "http://q/1")).status_code == 201
    assert _put(c, _res(rtype, "q2", "http://q/2")).status_code == 201
    r = _put(c, _res(rtype, "q2", "http://q/1"))
    assert r.status_code == 409, r.get_json()
    assert (f"{rtype}/q1 already holds http://q/1 (no version); this server keeps one {rtype} per url and "
            f"version. To replace it, PUT the {rtype} to [base]/{rtype}/q1") in _text(r)
    assert c.get(f"/fhir/{rtype}/q1").status_code == 200
    assert c.get(f"/fhir/{rtype}/q2").get_json()["url"] == "http://q/2"


@pytest.mark.parametrize("rtype", ["CodeSystem", "ValueSet", "ConceptMap"])
def test_put_creating_a_new_id_onto_a_held_url_version_is_409(any_client, rtype):
    c = any_client
    assert _put(c, _res(rtype, "w1", "http://w/1", "1")).status_code == 201
    r = _put(c, _res(rtype, "w3", "http://w/1", "1"))
    assert r.status_code == 409
    assert f"{rtype}/w1 already holds http://w/1|1" in _text(r)
    assert c.get(f"/fhir/{rtype}/w1").status_code == 200
    assert c.get(f"/fhir/{rtype}/w3").status_code == 404


def test_update_changing_version_onto_another_ids_version_is_409(client):
    assert _put(client, _res("ValueSet", "w1", "http://w/1", "1")).status_code == 201
    assert _put(client, _res("ValueSet", "w2", "http://w/1", "2")).status_code == 201
    r = _put(client, _res("ValueSet", "w2", "http://w/1", "1"))
    assert r.status_code == 409
    assert client.get("/fhir/ValueSet/w1").status_code == 200
    assert client.get("/fhir/ValueSet/w2").get_json()["version"] == "2"


def test_batch_put_onto_a_held_url_is_409_for_that_entry(client):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "PUT", "url": f"ConceptMap/{i}"}, "resource": _res("ConceptMap", i, "http://w/cm")}
        for i in ("c1", "c2")]}
    r = client.post("/fhir", json=bundle, headers=JSON)
    assert [e["response"]["status"] for e in r.get_json()["entry"]] == ["201", "409"]
    assert client.get("/fhir/ConceptMap/c1").status_code == 200


def test_put_to_the_same_id_may_change_its_content_url_and_version(client):
    assert _put(client, _res("CodeSystem", "s1", "http://s/1", "1", concept=[{"code": "a"}])).status_code == 201
    assert _put(client, _res("CodeSystem", "s1", "http://s/1", "1", concept=[{"code": "b"}])).status_code == 200
    assert _put(client, _res("CodeSystem", "s1", "http://s/1", "2", concept=[{"code": "b"}])).status_code == 200
    assert _put(client, _res("CodeSystem", "s1", "http://s/9", "2")).status_code == 200
    assert client.get("/fhir/CodeSystem/s1").get_json()["url"] == "http://s/9"


def test_import_still_replaces_the_same_url_version(store, tmp_path):
    from terminology import import_paths
    for n, code in enumerate(("a", "b")):
        p = tmp_path / f"cs{n}.json"
        p.write_text(json.dumps(_res("CodeSystem", f"other-{n}", "http://i/1", "1", concept=[{"code": code}])))
        import_paths(store, [str(p)])
    heads = [h for h in store.headers("CodeSystem") if h.url == "http://i/1"]
    assert len(heads) == 1


# --- F1: batch entries honour ifMatch / ifNoneMatch / ifModifiedSince -------------------------------------------
def _batch(client, *entries):
    r = client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": list(entries)}, headers=JSON)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["entry"]


def test_batch_if_match_that_does_not_match_is_412(client):
    body = _res("CodeSystem", "p1", "http://t/p1")
    assert _put(client, body).status_code == 201
    plain = _put(client, body, **{"If-Match": 'W/"99"'})
    assert plain.status_code == 412
    [e] = _batch(client, {"request": {"method": "PUT", "url": "CodeSystem/p1", "ifMatch": 'W/"99"'},
                          "resource": body})
    assert e["response"]["status"] == "412"
    assert e["resource"]["issue"][0]["details"] == plain.get_json()["issue"][0]["details"]
    [e] = _batch(client, {"request": {"method": "PUT", "url": "CodeSystem/p3", "ifMatch": 'W/"99"'},
                          "resource": _res("CodeSystem", "p3", "http://t/p3")})
    assert e["response"]["status"] == "412"
    assert client.get("/fhir/CodeSystem/p3").status_code == 404


def test_batch_if_none_match_and_if_modified_since_on_read(client):
    r = _put(client, _res("CodeSystem", "p1", "http://t/p1"))
    etag = r.headers["ETag"]
    [e] = _batch(client, {"request": {"method": "GET", "url": "CodeSystem/p1", "ifNoneMatch": etag}})
    assert e["response"]["status"] == "304"
    [e] = _batch(client, {"request": {"method": "PUT", "url": "CodeSystem/p1", "ifNoneMatch": "*"},
                          "resource": _res("CodeSystem", "p1", "http://t/p1")})
    assert e["response"]["status"] == "412"
    stamp = datetime.fromisoformat(client.get("/fhir/CodeSystem/p1").get_json()["meta"]["lastUpdated"])
    # a date after the second it was written in (that second itself is answered 200: a later write may share it)
    after = (stamp + timedelta(seconds=1)).isoformat()
    [e] = _batch(client, {"request": {"method": "GET", "url": "CodeSystem/p1", "ifModifiedSince": after}})
    assert e["response"]["status"] == "304"
    [e] = _batch(client, {"request": {"method": "GET", "url": "CodeSystem/p1",
                                      "ifModifiedSince": "2001-01-01T00:00:00Z"}})
    assert e["response"]["status"] == "200"


def test_batch_non_string_precondition_is_400(client):
    [e] = _batch(client, {"request": {"method": "PUT", "url": "CodeSystem/p1", "ifMatch": 99},
                          "resource": _res("CodeSystem", "p1", "http://t/p1")})
    assert e["response"]["status"] == "400"
    assert "ifMatch" in e["resource"]["issue"][0]["details"]["text"]
    assert client.get("/fhir/CodeSystem/p1").status_code == 404


# --- F2: If-None-Exist ------------------------------------------------------------------------------------------
def _post(client, body, **headers):
    return client.post(f"/fhir/{body['resourceType']}", json=body, headers={**JSON, **headers})


def test_if_none_exist_no_match_creates(client):
    r = _post(client, _res("CodeSystem", "x", "http://n/1"), **{"If-None-Exist": "url=http://n/1"})
    assert r.status_code == 201


def test_if_none_exist_one_match_is_200_with_it_and_no_create(client):
    _put(client, _res("CodeSystem", "n1", "http://n/1", name="First"))
    r = _post(client, _res("CodeSystem", "x", "http://n/2", name="First"), **{"If-None-Exist": "name=First"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["id"] == "n1"
    assert client.get("/fhir/CodeSystem?url=http://n/2").get_json().get("entry") is None


def test_if_none_exist_several_matches_is_412(client):
    _put(client, _res("ValueSet", "v1", "http://n/1"))
    _put(client, _res("ValueSet", "v2", "http://n/2"))
    r = _post(client, _res("ValueSet", "x", "http://n/3"), **{"If-None-Exist": "status=active"})
    assert r.status_code == 412
    assert client.get("/fhir/ValueSet?url=http://n/3").get_json().get("entry") is None


def test_if_none_exist_bad_query_is_400(client):
    r = _post(client, _res("ValueSet", "x", "http://n/3"), **{"If-None-Exist": "junk=%%"})
    assert r.status_code == 400
    r = _post(client, _res("ValueSet", "x", "http://n/3"), **{"If-None-Exist": ""})
    assert r.status_code == 400
    assert client.get("/fhir/ValueSet?url=http://n/3").get_json().get("entry") is None


def test_batch_if_none_exist(client):
    _put(client, _res("ConceptMap", "m1", "http://n/1"))
    [e] = _batch(client, {"request": {"method": "POST", "url": "ConceptMap", "ifNoneExist": "url=http://n/1"},
                          "resource": _res("ConceptMap", "x", "http://n/9")})
    assert e["response"]["status"] == "200"
    assert e["resource"]["id"] == "m1"


def test_capability_statement_claims_conditional_create_and_keeps_extensions(client):
    cs = client.get("/fhir/metadata").get_json()
    assert [e["extension"][1]["valueCode" if "valueCode" in e["extension"][1] else "valueBoolean"]
            for e in cs["extension"]] == ["1.7.0", True]
    for r in cs["rest"][0]["resource"][:3]:
        assert r["conditionalCreate"] is True


# --- F11: what the body is sent as ------------------------------------------------------------------------------
def _expand_body() -> bytes:
    return json.dumps({"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": "http://x"}]}).encode()


def test_gzip_body_is_415(client):
    r = client.post("/fhir/ValueSet/$expand", data=gzip.compress(_expand_body()),
                    headers={**JSON, "Content-Encoding": "gzip"})
    assert r.status_code == 415
    assert "Content-Encoding 'gzip' is not supported: send the body uncompressed" in _text(r)


def test_identity_encoding_is_fine(client):
    r = client.post("/fhir/ValueSet/$expand", data=_expand_body(), headers={**JSON, "Content-Encoding": "identity"})
    assert r.status_code != 415


def test_utf16_charset_is_415(client):
    r = client.post("/fhir/ValueSet/$expand", data=_expand_body().decode().encode("utf-16"),
                    headers={"Content-Type": "application/fhir+json; charset=utf-16"})
    assert r.status_code == 415
    assert "charset 'utf-16'" in _text(r)
    r = client.post("/fhir/ValueSet/$expand", data=_expand_body(),
                    headers={"Content-Type": "application/fhir+json; charset=UTF-8"})
    assert r.status_code != 415


def test_other_fhir_version_body_is_415(client):
    r = _post(client, _res("CodeSystem", "x", "http://v/1"), **{"Content-Type": "application/fhir+json; fhirVersion=5.0"})
    assert r.status_code == 415
    assert "5.0" in _text(r)
    r = _post(client, _res("CodeSystem", "x", "http://v/1"), **{"Content-Type": "application/fhir+json; fhirVersion=4.0"})
    assert r.status_code == 201


# --- minor ------------------------------------------------------------------------------------------------------
def test_batch_entry_object_is_400(client):
    r = client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": {}}, headers=JSON)
    assert r.status_code == 400
    assert "Bundle.entry must be a list" in _text(r)


def test_metadata_mode_junk_is_400(client):
    assert client.get("/fhir/metadata?mode=junk").status_code == 400
    for mode in ("full", "normative", "terminology"):
        assert client.get(f"/fhir/metadata?mode={mode}").status_code == 200


# --- review s12 (second pass) --------------------------------------------------------------------------------
def test_a_batch_condition_with_a_line_break_is_a_400_for_that_entry(client):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "PUT", "url": "CodeSystem/crlf", "ifMatch": 'W/"1"\r\nX-Evil: 1'},
         "resource": _res("CodeSystem", "crlf", "http://q/crlf")}]}
    r = client.post("/fhir", json=bundle, headers=JSON)
    assert r.status_code == 200
    entry = r.get_json()["entry"][0]
    assert entry["response"]["status"] == "400"
    assert "control characters" in json.dumps(entry)


def test_a_form_post_naming_a_latin_1_charset_is_read(client):
    r = client.post("/fhir/CodeSystem/$lookup", data="system=http://q/none&code=a",
                    headers={"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"})
    assert r.status_code != 415, r.get_json()
