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
