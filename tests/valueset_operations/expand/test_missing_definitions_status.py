"""$expand of a value set that names what the server does not hold answers 422 (the request is well formed, but
cannot be processed), as the reference server does (FHIRsmith expand.js: "ValueSet not found" and
worker.findCodeSystem's UNKNOWN_CODESYSTEM_EXP are 422). Only an instance URL naming no resource stays 404: the
resource addressed does not exist. Batch entries answer the same status (compared as text there)."""
import json

from tests.support.resources import cs, vs
from tests.support.tx_requests import FJ, body, post

CS = cs("http://ex.org/cs/held", "1", [{"code": "a", "display": "A"}])


def _not_found_422(status, b):
    assert status == 422, b
    (issue,) = b["issue"]
    assert issue["code"] == "not-found", issue
    return issue["details"]["text"]


def test_unknown_value_set_url(client):
    text = _not_found_422(*post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/none")]))
    assert "http://ex.org/vs/none" in text


def test_unknown_code_system_in_the_compose(client):
    v = vs("http://ex.org/vs/unknown-cs", [{"system": "http://ex.org/cs/none"}])
    text = _not_found_422(*post(client, "ValueSet/$expand", [("url", v["url"])], [v]))
    assert text == ("A definition for CodeSystem 'http://ex.org/cs/none' could not be found, so the value set "
                    "cannot be expanded")


def test_unknown_code_system_version_in_the_compose(client):
    v = vs("http://ex.org/vs/unknown-version", [{"system": CS["url"], "version": "9"}])
    text = _not_found_422(*post(client, "ValueSet/$expand", [("url", v["url"])], [CS, v]))
    assert "version '9'" in text


def test_unknown_import(client):
    v = vs("http://ex.org/vs/unknown-import", [{"valueSet": ["http://ex.org/vs/none"]}])
    text = _not_found_422(*post(client, "ValueSet/$expand", [("url", v["url"])], [v]))
    assert "http://ex.org/vs/none" in text


def test_instance_that_does_not_exist_stays_404(client):
    r = client.get("/fhir/ValueSet/no-such-id/$expand")
    assert r.status_code == 404, r.get_json()


def test_batch_entry_answers_422(client):
    entry = {"request": {"method": "POST", "url": "ValueSet/$expand"},
             "resource": body([("url", "http://ex.org/vs/none")])}
    r = client.post("/fhir", data=json.dumps({"resourceType": "Bundle", "type": "batch", "entry": [entry]}),
                    content_type=FJ)
    assert r.status_code == 200
    (got,) = r.get_json()["entry"]
    assert got["response"]["status"].split()[0] == "422", got["response"]
