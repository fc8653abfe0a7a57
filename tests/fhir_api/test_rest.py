"""The REST layer through the Flask test client: metadata, CRUD, search, errors."""
import pytest

CS = {"resourceType": "CodeSystem", "url": "http://example.org/cs", "version": "1", "name": "ExampleCS",
      "title": "Example code system", "status": "active", "content": "complete", "publisher": "Kodebro tests",
      "concept": [{"code": "a", "display": "Alpha", "concept": [{"code": "a1", "display": "Alpha one"}]},
                  {"code": "b", "display": "Beta"}]}
FJ = "application/fhir+json"


def test_metadata(client):
    r = client.get("/fhir/metadata")
    assert r.status_code == 200 and r.mimetype == FJ
    cap = r.get_json()
    assert cap["fhirVersion"] == "4.0.1"
    assert "http://hl7.org/fhir/CapabilityStatement/terminology-server" in cap["instantiates"]


def test_terminology_capabilities_lists_versions(client):
    client.post("/fhir/CodeSystem", json=CS, content_type=FJ)
    client.post("/fhir/CodeSystem", json={**CS, "version": "2"}, content_type=FJ)
    tc = client.get("/fhir/metadata?mode=terminology").get_json()
    assert tc["resourceType"] == "TerminologyCapabilities"
    entry = next(c for c in tc["codeSystem"] if c["uri"] == CS["url"])
    assert [v["code"] for v in entry["version"]] == ["1", "2"]
    assert [v["isDefault"] for v in entry["version"]] == [False, True]


def test_create_read_search_update_delete(client):
    r = client.post("/fhir/CodeSystem", json=CS, content_type=FJ)
    assert r.status_code == 201
    rid = r.get_json()["id"]
    assert r.headers["Location"].endswith(f"/fhir/CodeSystem/{rid}")
    read = client.get(f"/fhir/CodeSystem/{rid}").get_json()
    assert read["concept"][0]["concept"][0]["code"] == "a1"
    found = client.get("/fhir/CodeSystem?url=http://example.org/cs").get_json()
    assert found["total"] == 1 and "concept" not in found["entry"][0]["resource"]
    full = client.get("/fhir/CodeSystem?url=http://example.org/cs&_summary=false").get_json()
    assert len(full["entry"][0]["resource"]["concept"]) == 2
    assert client.get("/fhir/CodeSystem?name=examp").get_json()["total"] == 1
    assert client.get("/fhir/CodeSystem?name=nomatch").get_json()["total"] == 0
    counted = client.get("/fhir/CodeSystem?_summary=count").get_json()
    assert counted["total"] == 1 and "entry" not in counted
    upd = {**CS, "id": rid, "title": "Changed"}
    assert client.put(f"/fhir/CodeSystem/{rid}", json=upd, content_type=FJ).status_code == 200
    assert client.get(f"/fhir/CodeSystem/{rid}").get_json()["title"] == "Changed"
    assert client.delete(f"/fhir/CodeSystem/{rid}").status_code == 200
    assert client.get(f"/fhir/CodeSystem/{rid}").status_code == 410      # deleted, not unknown


def test_paging_links(client):
    for i in range(5):
        client.post("/fhir/ValueSet", json={"resourceType": "ValueSet", "url": f"http://example.org/vs{i}",
                                            "status": "active"}, content_type=FJ)
    page = client.get("/fhir/ValueSet?_count=2").get_json()
    assert page["total"] == 5 and len(page["entry"]) == 2
    nxt = next(l["url"] for l in page["link"] if l["relation"] == "next")
    page2 = client.get(nxt.replace("http://localhost", "")).get_json()
    assert len(page2["entry"]) == 2
    assert any(l["relation"] == "previous" for l in page2["link"])


def test_elements(client):
    rid = client.post("/fhir/CodeSystem", json=CS, content_type=FJ).get_json()["id"]
    r = client.get(f"/fhir/CodeSystem/{rid}?_elements=url,version").get_json()
    # search.html#elements: mandatory elements (CodeSystem.status, .content: min 1 in R4) are kept
    assert set(r) == {"resourceType", "id", "meta", "url", "version", "status", "content"}


@pytest.mark.parametrize("method,url,kwargs,status", [
    ("get", "/fhir/CodeSystem/nope", {}, 404),
    ("get", "/fhir/Patient/1", {}, 404),
    ("delete", "/fhir/metadata", {}, 405),
    ("get", "/fhir/metadata?_format=ttl", {}, 406),
    ("get", "/fhir/metadata", {"headers": {"Accept": "text/turtle"}}, 406),
    ("post", "/fhir/CodeSystem", {"data": "<xml/>", "content_type": "text/turtle"}, 415),
    ("post", "/fhir/CodeSystem", {"data": "<xml/>", "content_type": "application/fhir+xml",
                                  "headers": {"Accept": "application/fhir+json"}}, 400),
    ("post", "/fhir/CodeSystem", {"data": "{oops", "content_type": FJ}, 400),
    ("post", "/fhir/CodeSystem", {"json": {"resourceType": "ValueSet", "status": "active"}, "content_type": FJ}, 400),
    ("post", "/fhir/CodeSystem", {"json": {"resourceType": "CodeSystem", "status": "bad", "content": "complete"},
                                  "content_type": FJ}, 422),
    ("put", "/fhir/CodeSystem/x", {"json": {**CS, "id": "y"}, "content_type": FJ}, 400),
    ("get", "/fhir/CodeSystem?_count=abc", {}, 400),
    ("get", "/fhir/CodeSystem?bogus=1", {"headers": {"Prefer": "handling=strict"}}, 400),
    ("get", "/fhir/CodeSystem?_summary=maybe", {}, 400),
    ("post", "/fhir", {"json": {"resourceType": "Bundle", "type": "transaction"}, "content_type": FJ}, 400),
])
def test_errors_are_operation_outcomes(client, method, url, kwargs, status):
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code == status
    body = r.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["details"]["text"]
    assert "Traceback" not in r.get_data(as_text=True)


def test_write_needs_key_when_configured(tmp_path):
    from fhir_api import create_app
    c = create_app({"DB": str(tmp_path / "k.db"), "DEMO": False, "API_KEY": "s3cret"}).test_client()
    assert c.post("/fhir/CodeSystem", json=CS, content_type=FJ).status_code == 403
    ok = c.post("/fhir/CodeSystem", json=CS, content_type=FJ, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 201


def test_batch_writes_carry_the_callers_key(tmp_path):
    # a batch entry is the caller's own request: with the key it writes, without it each write entry is 403
    from fhir_api import create_app
    c = create_app({"DB": str(tmp_path / "k.db"), "DEMO": False, "API_KEY": "s3cret"}).test_client()
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "PUT", "url": "CodeSystem/keyed"}, "resource": {**CS, "id": "keyed"}}]}
    without = c.post("/fhir", json=bundle, content_type=FJ).get_json()
    assert without["entry"][0]["response"]["status"] == "403"
    keyed = c.post("/fhir", json=bundle, content_type=FJ, headers={"Authorization": "Bearer s3cret"}).get_json()
    assert keyed["entry"][0]["response"]["status"] == "201"
    assert c.get("/fhir/CodeSystem/keyed").status_code == 200


def test_batch_of_reads(client):
    rid = client.post("/fhir/CodeSystem", json=CS, content_type=FJ).get_json()["id"]
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": f"CodeSystem/{rid}"}},
        {"request": {"method": "GET", "url": "CodeSystem/missing"}}]}
    r = client.post("/fhir", json=bundle, content_type=FJ).get_json()
    assert r["type"] == "batch-response"
    assert [e["response"]["status"] for e in r["entry"]] == ["200", "404"]
    assert r["entry"][0]["resource"]["url"] == CS["url"]


def test_pretty(client):
    assert b"\n  " in client.get("/fhir/metadata?_pretty=true").data
    assert b"\n  " not in client.get("/fhir/metadata").data


def test_create_of_a_stored_url_and_version_is_409_naming_the_resource(client):
    # http.html#create makes a new resource; the store keeps one per url+version, so a second is a conflict
    rid = client.post("/fhir/CodeSystem", json=CS, content_type=FJ).get_json()["id"]
    r = client.post("/fhir/CodeSystem", json={**CS, "title": "other"}, content_type=FJ)
    assert r.status_code == 409
    issue = r.get_json()["issue"][0]
    assert issue["code"] == "duplicate" and f"/CodeSystem/{rid}" in issue["details"]["text"]
    assert "PUT" in issue["details"]["text"]
    assert client.get(f"/fhir/CodeSystem/{rid}").get_json()["title"] == CS["title"]
    assert client.put(f"/fhir/CodeSystem/{rid}", json={**CS, "title": "other"}, content_type=FJ).status_code == 200


def test_create_and_update_drop_client_version_id(client):
    r = client.post("/fhir/CodeSystem", json={**CS, "id": "mine", "meta": {"versionId": "7", "tag": [{"code": "t"}]}},
                    content_type=FJ)
    body = r.get_json()
    assert r.status_code == 201 and body["id"] != "mine"
    assert "versionId" not in body["meta"] and body["meta"]["tag"] == [{"code": "t"}]
    r = client.put(f"/fhir/CodeSystem/{body['id']}", json={**CS, "meta": {"versionId": "8"}}, content_type=FJ)
    assert "versionId" not in r.get_json()["meta"]


def test_prefer_return_on_update(client):
    r = client.put("/fhir/CodeSystem/p1", json=CS, content_type=FJ, headers={"Prefer": "return=minimal"})
    assert r.status_code == 201 and r.get_data() == b"" and r.headers["ETag"]
    r = client.put("/fhir/CodeSystem/p1", json=CS, content_type=FJ, headers={"Prefer": "return=OperationOutcome"})
    assert r.status_code == 200 and "CodeSystem/p1 updated" in r.get_json()["issue"][0]["details"]["text"]


def test_update_checks_the_url_id_like_a_body_id(client):
    body = {k: v for k, v in CS.items() if k != "id"}
    r = client.put("/fhir/CodeSystem/bad_id!", json=body, content_type=FJ)
    assert r.status_code == 422 and "bad_id!" in r.get_json()["issue"][0]["details"]["text"]
    assert client.get("/fhir/CodeSystem?url=" + CS["url"]).get_json()["total"] == 0


def test_update_labelled_as_form_is_415(client):
    import json
    r = client.put("/fhir/CodeSystem/f1", data=json.dumps(CS), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


def test_summary_text_keeps_mandatory_elements_on_read(client):
    ns = {"resourceType": "NamingSystem", "name": "X", "status": "active", "kind": "codesystem",
          "date": "2024-01-01", "uniqueId": [{"type": "uri", "value": "http://example.org/x"}],
          "description": "d", "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}}
    rid = client.post("/fhir/NamingSystem", json=ns, content_type=FJ).get_json()["id"]
    r = client.get(f"/fhir/NamingSystem/{rid}?_summary=text").get_json()
    assert set(r) == {"resourceType", "id", "meta", "text", "name", "status", "kind", "date", "uniqueId"}
