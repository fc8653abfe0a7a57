"""urn:ietf:bcp:13: media types (Attachment.contentType, Binary.contentType) answered from their grammar."""
import pytest

from tests.support.tx_requests import out as by_name

from terminology.mimetypes import MIMETYPES, canonical_type

FJ = "application/fhir+json"


def _out(r):
    assert r.status_code == 200, r.get_json()
    return by_name(r.get_json())


def _texts(out) -> list:
    return [i["details"]["text"] for i in out.get("issues", {}).get("issue", [])]


@pytest.mark.parametrize("code, canon", [
    ("application/pdf", "application/pdf"), ("Application/PDF", "application/pdf"),
    ("text/plain;Charset=UTF-8", "text/plain; charset=utf-8"),
    # parameter order carries no meaning; values other than charset keep their case
    ("text/plain; format=flowed; charset=utf-8", "text/plain; charset=utf-8; format=flowed"),
    ('multipart/mixed; boundary="AbC 1"', 'multipart/mixed; boundary="AbC 1"'),
    ("not a type", "not a type"),
])
def test_canonical_form(code, canon):
    assert canonical_type(code) == canon


@pytest.mark.parametrize("code, result", [
    ("application/pdf", True), ("application/fhir+json", True), ("image/svg+xml", True),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", True),
    ("text/plain; charset=utf-8", True), ('multipart/mixed; boundary="a b"', True),
    ("pdf", False), ("application/", False), ("/pdf", False), ("text/plain; charset", False),
    ("text/plain; charset=", False), ("text /plain", False), ("application/pdf/x", False), ("", False),
    ("a/" + "b" * 200, False),
    # a quoted value may hold a ';' (RFC 2045 quoted-string); values are ASCII; a parameter is given once (RFC 6838
    # §4.3); a long but well-formed type with a file name is one code
    ('multipart/mixed; boundary="a;b"', True), ("text/plain; charset=\u00e9", False),
    ('text/plain; name="\u00e9.txt"', False), ("text/plain; charset=utf-8; charset=ascii", False),
    ("text/plain;", False),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document; charset=utf-8; name=\""
     + "utskrivningsbrev-" * 8 + ".docx\"", True),
])
def test_validate_code(client, code, result):
    q = {"url": MIMETYPES, "code": code}
    r = client.get("/fhir/CodeSystem/$validate-code", query_string=q)
    if code == "":
        assert r.status_code == 400       # no code is a request to correct, not a code to judge
        return
    out = _out(r)
    assert out["result"] is result, out
    if not result:
        assert out["message"] == f"Unknown code '{code}' in the CodeSystem '{MIMETYPES}'"


def test_another_case_is_valid_and_says_the_canonical_code(client):
    out = _out(client.get("/fhir/CodeSystem/$validate-code", query_string={"url": MIMETYPES, "code": "Image/PNG"}))
    assert out["result"] is True and out["display"] == "image/png" and out["normalized-code"] == "image/png"
    assert any("differs from the correct code 'image/png' by case" in t for t in _texts(out))


def test_another_parameter_order_is_valid_and_answers_the_canonical_code(client):
    given = "text/plain; format=flowed; charset=UTF-8"
    out = _out(client.get("/fhir/CodeSystem/$validate-code", query_string={"url": MIMETYPES, "code": given}))
    assert out["result"] is True and out["code"] == "text/plain; charset=utf-8; format=flowed"
    assert any(t.startswith(f"The code '{given}' is written 'text/plain; charset=utf-8; format=flowed'")
               for t in _texts(out))


def test_lookup_names_the_media_type_itself(client):
    out = _out(client.get("/fhir/CodeSystem/$lookup", query_string={"system": MIMETYPES, "code": "image/png"}))
    assert out["display"] == "image/png" and out["name"] == "MimeTypes"


def test_a_value_set_of_the_whole_system_validates_but_does_not_expand(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/all-media-types", "status": "active",
          "compose": {"include": [{"system": MIMETYPES}]}}
    r = client.post("/fhir/ValueSet/$validate-code", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs},
        {"name": "coding", "valueCoding": {"system": MIMETYPES, "code": "application/pdf"}}]}, content_type=FJ)
    assert _out(r)["result"] is True
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}]}, content_type=FJ)
    assert r.status_code == 422 and r.get_json()["issue"][0]["code"] == "not-supported"


def test_a_listed_value_set_expands(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/documents", "status": "active",
          "compose": {"include": [{"system": MIMETYPES, "concept": [{"code": "application/pdf"},
                                                                     {"code": "text/plain; charset=utf-8"}]}]}}
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}]}, content_type=FJ)
    assert [(c["code"], c["display"]) for c in r.get_json()["expansion"]["contains"]] == \
        [("application/pdf", "application/pdf"), ("text/plain; charset=utf-8", "text/plain; charset=utf-8")]


def test_the_system_is_in_the_terminology_capabilities(client):
    caps = client.get("/fhir/metadata", query_string={"mode": "terminology"}).get_json()
    assert MIMETYPES in [c.get("uri") for c in caps["codeSystem"]]
