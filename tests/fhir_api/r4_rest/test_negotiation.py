"""Content negotiation, HEAD/OPTIONS, trailing slashes, unknown types and unsupported interactions
(R4 http.html#mime-type, #general, #read; the status codes each interaction section lists)."""
from __future__ import annotations

import pytest

from .conftest import FJ, assert_oo

# what the HAPI FHIR client sends when it encodes JSON, and when it encodes XML (that format first at the same q)
HAPI_JSON_ACCEPT = "application/fhir+json;q=1.0, application/json+fhir;q=0.9"
HAPI_XML_ACCEPT = ("application/fhir+xml;q=1.0, application/fhir+json;q=1.0, application/xml+fhir;q=0.9, "
                   "application/json+fhir;q=0.9")


@pytest.mark.parametrize("accept", ["application/fhir+json", "application/json", "*/*",
                                    "application/fhir+json; charset=utf-8",
                                    "application/fhir+json; fhirVersion=4.0", HAPI_JSON_ACCEPT,
                                    "application/fhir+json, application/fhir+xml;q=0.5",
                                    "application/fhir+xml;q=0, */*", "application/fhir+xml;q=0.5, */*"])
def test_json_answers_every_accept_that_prefers_json(kb, accept):
    r = kb.get("/fhir/CodeSystem/ICD10NO-2026?_summary=true", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == FJ
    assert "charset=utf-8" in r.headers["Content-Type"].lower()    # http.html#mime-type: UTF-8, said so
    assert r.get_json()["resourceType"] == "CodeSystem"


@pytest.mark.parametrize("fmt", ["json", "application/json", "application/fhir%2Bjson", "application/json%2Bfhir"])
def test_format_json_spellings(kb, fmt):
    # http.html#mime-type: json, application/json and application/fhir+json SHALL be read as JSON
    r = kb.get(f"/fhir/metadata?_format={fmt}")
    assert r.status_code == 200 and r.get_json()["resourceType"] == "CapabilityStatement"


@pytest.mark.parametrize("accept", ["application/fhir+xml", "application/xml", "text/xml", HAPI_XML_ACCEPT,
                                    "application/fhir+xml, application/fhir+json;q=0.5",
                                    "application/fhir+json;q=0.5, application/fhir+xml",
                                    "application/fhir+json;q=0, */*", "application/fhir+xml; fhirVersion=4.0"])
def test_xml_answers_every_accept_that_prefers_xml(kb, accept):
    r = kb.get("/fhir/CodeSystem/ICD10NO-2026?_summary=true", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == "application/fhir+xml"
    assert "charset=utf-8" in r.headers["Content-Type"].lower()
    assert r.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?><CodeSystem xmlns="http://hl7.org/fhir">')


@pytest.mark.parametrize("fmt", ["xml", "text/xml", "application/xml", "application/fhir%2Bxml",
                                 "application/fhir+xml", "application/xml%2Bfhir"])
def test_format_xml_spellings(kb, fmt):
    # http.html#mime-type: xml, text/xml, application/xml and application/fhir+xml SHALL be read as XML
    r = kb.get(f"/fhir/metadata?_format={fmt}")
    assert r.status_code == 200 and r.mimetype == "application/fhir+xml"
    assert b"<CapabilityStatement " in r.data


def test_format_with_unencoded_plus(kb):
    r = kb.get("/fhir/metadata?_format=application/fhir+json")
    assert r.status_code == 200 and r.mimetype == FJ
    assert kb.get("/fhir/metadata?_format=application/fhir+turtle").status_code == 406


@pytest.mark.parametrize("how", [{"query": "?_format=ttl"}, {"query": "?_format=text/turtle"},
                                 {"query": "?_format=html"}, {"accept": "text/turtle"}, {"accept": "text/plain"},
                                 {"accept": "application/fhir+xml;q=0, application/fhir+json;q=0, */*"}])
def test_other_formats_are_406_with_an_outcome(kb, how):
    r = kb.get("/fhir/metadata" + how.get("query", ""),
               headers={"Accept": how["accept"]} if "accept" in how else {})
    assert_oo(r, 406, "application/fhir+json or application/fhir+xml", code="not-supported")


def test_format_parameter_overrides_accept(kb):
    # http.html#mime-type: _format overrides the Accept header
    r = kb.get("/fhir/metadata?_format=json", headers={"Accept": "application/fhir+xml"})
    assert r.status_code == 200 and r.mimetype == FJ
    r = kb.get("/fhir/metadata?_format=xml", headers={"Accept": "application/fhir+json"})
    assert r.status_code == 200 and r.mimetype == "application/fhir+xml"


def test_a_refused_format_is_named_as_written(kb):
    r = kb.get("/fhir/metadata?_format=application/fhir+xml;fhirVersion=5.0")
    assert_oo(r, 406, "'application/fhir+xml;fhirVersion=5.0'", "(R4) only")


def test_another_fhir_version_gets_no_r4_through_a_wildcard(kb):
    r = kb.get("/fhir/metadata", headers={"Accept": "application/fhir+json; fhirVersion=3.0, */*"})
    assert_oo(r, 406, "fhirVersion=3.0", "(R4) only")
    # naming R4 XML beside it is a choice the client made
    r = kb.get("/fhir/metadata", headers={"Accept": "application/fhir+json; fhirVersion=3.0, application/fhir+xml"})
    assert r.status_code == 200 and r.mimetype == "application/fhir+xml"


def test_both_formats_refused_with_q0_is_406(kb):
    r = kb.get("/fhir/metadata", headers={"Accept": "application/fhir+json;q=0, application/fhir+xml;q=0"})
    assert r.status_code == 406
    # a named range wins over a wildcard; q > 0 is acceptable however low
    assert kb.get("/fhir/metadata", headers={"Accept": "application/fhir+json;q=0, text/turtle"}).status_code == 406
    assert kb.get("/fhir/metadata", headers={"Accept": "application/fhir+json;q=0.1"}).status_code == 200


def test_an_xml_body_asking_for_nothing_is_answered_in_xml(kb):
    """A client that sends XML and accepts anything (curl's `*/*`, or no Accept) reads XML; one that names JSON
    gets JSON."""
    body = ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="system"/>'
            '<valueUri value="http://hl7.org/fhir/sid/icd-10-no"/></parameter><parameter><name value="code"/>'
            '<valueCode value="J12.8"/></parameter></Parameters>')
    for accept, mimetype in ((None, "application/fhir+xml"), ("*/*", "application/fhir+xml"),
                             ("application/fhir+json", FJ), ("application/fhir+xml;q=0, */*", FJ)):
        r = kb.post("/fhir/CodeSystem/$lookup", data=body, content_type="application/fhir+xml",
                    headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.mimetype == mimetype, accept
        assert (b'<valueString value="Annen spesifisert viruspneumoni"/>' in r.data if mimetype != FJ
                else r.get_json()["parameter"][0] == {"name": "code", "valueCode": "J128"})


@pytest.mark.parametrize("accept", ["application/fhir+json;q=nan", "application/fhir+json;q=abc", ",,", ";"])
def test_junk_weights_and_empty_accept_elements_are_no_refusal(kb, accept):
    # a weight that is no number is read as no weight; an Accept naming nothing is as if absent
    assert kb.get("/fhir/metadata", headers={"Accept": accept}).status_code == 200


def test_head_on_metadata_and_read(kb):
    for path in ("/fhir/metadata", "/fhir/CodeSystem/ICD10NO-2026"):
        r = kb.head(path)
        assert r.status_code == 200 and r.get_data() == b"" and r.mimetype == FJ


def test_options_is_not_an_error(kb):
    r = kb.open("/fhir/CodeSystem", method="OPTIONS")
    assert r.status_code < 300 and "GET" in r.headers.get("Allow", "")


@pytest.mark.parametrize("path", ["/fhir/metadata/", "/fhir/CodeSystem/", "/fhir/CodeSystem/ICD10NO-2026/"])
def test_trailing_slash_never_breaks(kb, path):
    # not settled by the spec: either the resource, or a 404 OperationOutcome that names the path
    r = kb.get(path)
    if r.status_code == 200:
        assert r.get_json()["resourceType"] in ("CapabilityStatement", "Bundle", "CodeSystem")
    else:
        assert_oo(r, 404, path)


@pytest.mark.parametrize("method,path", [("get", "/fhir/Patient"), ("get", "/fhir/Patient/1"),
                                         ("get", "/fhir/codesystem"), ("delete", "/fhir/Observation/1")])
def test_unknown_resource_type_is_404_naming_the_types_served(kb, method, path):
    # http.html#read/#create/#update: 404 Not Found — resource type not supported
    assert_oo(getattr(kb, method)(path), 404, "CodeSystem", code="not-found")


def test_post_of_unknown_type_is_404(kb):
    r = kb.post("/fhir/Patient", json={"resourceType": "Patient"}, content_type=FJ)
    assert_oo(r, 404, "Patient", code="not-found")


@pytest.mark.parametrize("method,path", [("patch", "/fhir/CodeSystem/ICD10NO-2026"), ("delete", "/fhir/CodeSystem"),
                                         ("put", "/fhir/CodeSystem"), ("get", "/fhir")])
def test_methods_not_served_are_405_with_allow(kb, method, path):
    r = getattr(kb, method)(path)
    assert_oo(r, 405, code="not-supported")
    assert r.headers.get("Allow")


def test_get_of_search_by_post_endpoint_is_405(kb):
    assert_oo(kb.get("/fhir/CodeSystem/_search"), 405, "POST")


def test_instance_history_says_history_is_not_supported(kb):
    assert_oo(kb.get("/fhir/CodeSystem/ICD10NO-2026/_history"), 404, "not supported")


def test_system_history_message(kb):
    r = kb.get("/fhir/_history")
    assert r.status_code in (400, 404, 405)
    assert "resource type '_history'" not in r.get_data(as_text=True)


def test_vread_is_a_404_outcome(kb):
    assert_oo(kb.get("/fhir/CodeSystem/ICD10NO-2026/_history/1"), 404)


def test_type_history_is_a_404_outcome(kb):
    assert_oo(kb.get("/fhir/CodeSystem/_history"), 404)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_put_or_delete_on_an_operation_is_405(kb, method):
    # operations.html: an operation is invoked with POST (or GET when it changes nothing)
    r = getattr(kb, method)("/fhir/CodeSystem/$lookup")
    assert_oo(r, 405, "GET or POST", code="not-supported")
    assert set(r.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert kb.put("/fhir/CodeSystem/ICD10NO-2026/$lookup").status_code == 405


def test_unsupported_fhir_version_in_accept_is_406(kb):
    r = kb.get("/fhir/metadata", headers={"Accept": "application/fhir+json; fhirVersion=3.0"})
    assert_oo(r, 406, "fhirVersion=3.0", "4.0")
    assert kb.get("/fhir/metadata", headers={"Accept": "application/fhir+json; fhirVersion=4.0.1"}).status_code == 200


def test_an_unsupported_format_requested_on_a_write_is_refused_before_writing(kb):
    body = {"resourceType": "ValueSet", "url": "http://example.org/probe10/xml-write", "status": "active"}
    r = kb.post("/fhir/ValueSet?_format=ttl", json=body, content_type=FJ)
    assert_oo(r, 406)
    assert kb.get("/fhir/ValueSet?url=http://example.org/probe10/xml-write&_summary=count").get_json()["total"] == 0


def test_unknown_operation_on_unknown_type(kb):
    assert_oo(kb.get("/fhir/Patient/$everything"), 404, "$everything")


def test_double_slash_is_redirected_or_served(kb):
    # a client joining a base that ends in '/' with '/metadata'
    r = kb.get("/fhir//metadata", follow_redirects=True)
    assert r.status_code == 200 and r.get_json()["resourceType"] == "CapabilityStatement"
