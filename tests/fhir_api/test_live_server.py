"""The real server process (gunicorn, as `kodebro serve` runs it) on 127.0.0.1, over HTTP."""
import requests


def test_metadata_over_http(live_server):
    r = requests.get(live_server + "/metadata", timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/fhir+json")
    assert r.json()["fhirVersion"] == "4.0.1"


def test_demo_content_is_searchable(live_server):
    r = requests.get(live_server + "/CodeSystem", timeout=5)
    assert r.status_code == 200
    bundle = r.json()
    assert bundle["total"] >= 1
    urls = {e["resource"]["url"] for e in bundle["entry"]}
    assert "urn:oid:2.16.578.1.12.4.1.1.7220" in urls  # NCMP


def test_errors_over_http(live_server):
    r = requests.get(live_server + "/CodeSystem/does-not-exist", timeout=5)
    assert r.status_code == 404 and r.json()["resourceType"] == "OperationOutcome"
    r = requests.post(live_server + "/CodeSystem", data=b"\xff\xfe", timeout=5,
                      headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 400 and r.json()["resourceType"] == "OperationOutcome"


def test_workers_forked_from_a_warm_master_each_see_later_writes(tmp_path):
    """Workers fork after the master built the indexes; each must open its own store connection."""
    import time

    from tests.conftest import running_server
    from terminology import import_paths, open_store
    db = str(tmp_path / "live.db")
    with running_server(db, workers=3) as (base, _):
        cs = {"resourceType": "CodeSystem", "url": "http://example.org/cs/after-start", "version": "1",
              "status": "active", "content": "complete", "concept": [{"code": "a", "display": "Written later"}]}
        path = tmp_path / "cs.json"
        path.write_text(__import__("json").dumps(cs))
        store = open_store(db)
        import_paths(store, [str(path)])
        store.close()
        url = base + "/CodeSystem/$lookup?system=http://example.org/cs/after-start&code=a"
        time.sleep(1.5)   # a worker checks the store for changes once a second
        answers = [requests.get(url, timeout=5) for _ in range(24)]   # enough calls to reach every worker
        assert [r.status_code for r in answers] == [200] * 24
        assert all(p["valueString"] == "Written later" for r in answers for p in r.json()["parameter"]
                   if p["name"] == "display")


def test_a_long_query_is_answered_in_fhir_not_by_a_414_page(live_server):
    """A search with a long OR list (here 600 codes, a request line of about 6 kB) is a valid request; with
    gunicorn's default 4,094-byte limit it got an HTML 414."""
    codes = ",".join(f"A{i:02d}" for i in range(600))
    r = requests.get(live_server + "/ConceptMap?_summary=count&source-code=" + codes, timeout=10)
    assert r.status_code == 200, r.text[:200]
    assert r.json()["resourceType"] == "Bundle"
