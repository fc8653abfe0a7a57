"""The Content-Encoding of a body is read from the WSGI environ's one entry (a server joins a repeated header with
commas) rather than by walking every header: each coding of the list is still read, case-blind, and only
identity lets the body through."""
import json

import pytest

ICD = "http://hl7.org/fhir/sid/icd-10-no"
BODY = json.dumps({"resourceType": "Parameters", "parameter": [
    {"name": "system", "valueUri": ICD}, {"name": "code", "valueCode": "A00.0"}]}).encode()


def _post(client, environ: dict):
    return client.post("/fhir/CodeSystem/$lookup", data=BODY, content_type="application/fhir+json",
                       environ_overrides=environ)


@pytest.mark.parametrize("sent", ["identity", "IDENTITY", " identity , identity ", "", ",", "identity,"])
def test_identity_or_nothing_lets_the_body_through(demo_client, sent):
    r = _post(demo_client, {"HTTP_CONTENT_ENCODING": sent})
    assert r.status_code == 200, r.get_data()[:300]
    assert r.get_json()["parameter"][0] == {"name": "code", "valueCode": "A000"}


@pytest.mark.parametrize("sent, named", [("gzip", "gzip"), ("identity, gzip", "gzip"), ("BR", "br"),
                                         ("identity,deflate, gzip", "deflate")])
def test_any_other_coding_in_the_list_is_415_naming_it(demo_client, sent, named):
    r = _post(demo_client, {"HTTP_CONTENT_ENCODING": sent})
    assert r.status_code == 415
    text = r.get_json()["issue"][0]["details"]["text"]
    assert text == f"Content-Encoding '{named}' is not supported: send the body uncompressed"


def test_a_get_without_a_body_is_not_asked_about_its_coding(demo_client):
    r = demo_client.get(f"/fhir/CodeSystem/$lookup?system={ICD}&code=A00.0",
                        environ_overrides={"HTTP_CONTENT_ENCODING": "gzip"})
    assert r.status_code == 200
