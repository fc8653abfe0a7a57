"""FHIR XML through the API (R4 http.html#mime-type, xml.html): bodies read in XML, answers written in XML, for
reads, searches, writes, operations and batches, and XML's own faults answered as the JSON ones are."""
from __future__ import annotations

import json

import pytest
import requests

from terminology.fhir_xml.read import from_xml
from terminology.fhir_xml.write import to_xml

FX, FJ = "application/fhir+xml", "application/fhir+json"
ICD = "http://hl7.org/fhir/sid/icd-10-no"
XML = {"Accept": FX}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path_factory.mktemp("xml") / "k.db"), "DEMO": True}).test_client()


def _xml(r, status: int = 200) -> dict:
    assert r.status_code == status, r.data[:800]
    assert r.headers["Content-Type"] == FX + "; charset=utf-8"
    return from_xml(r.data)


def _params(**values) -> str:
    return to_xml({"resourceType": "Parameters", "parameter": [
        {"name": k.replace("_", "-"), **v} for k, v in values.items()]})


def test_every_operation_answers_in_xml_the_answer_it_gives_in_json(kb):
    for path in (f"/fhir/CodeSystem/$lookup?system={ICD}&code=J12.8",
                 f"/fhir/CodeSystem/$validate-code?url={ICD}&code=U07.1",
                 f"/fhir/ValueSet/$expand?url={ICD}?fhir_vs&filter=kolera",
                 f"/fhir/CodeSystem/$subsumes?system={ICD}&codeA=A00&codeB=A00.0",
                 "/fhir/CodeSystem?_summary=true", "/fhir/metadata", "/fhir/metadata?mode=terminology",
                 "/fhir/CodeSystem/ICD10NO-2026"):
        as_json = kb.get(path, headers={"Accept": FJ}).get_json()
        as_xml = _xml(kb.get(path, headers=XML))
        for answer in (as_json, as_xml):
            answer.pop("id", None)
            answer.get("meta", {}).pop("lastUpdated", None)
            if answer["resourceType"] in ("CapabilityStatement", "TerminologyCapabilities"):
                answer.pop("date", None)
            if answer["resourceType"] == "ValueSet":
                answer["expansion"].pop("identifier")
                answer["expansion"].pop("timestamp")
        assert as_xml == as_json, path


def test_operation_parameters_posted_in_xml(kb):
    body = _params(url={"valueUri": ICD}, code={"valueCode": "U07.1"}, display={"valueString": "Covid-19"})
    answer = _xml(kb.post("/fhir/CodeSystem/$validate-code", data=body, content_type=FX, headers=XML))
    got = {p["name"]: p for p in answer["parameter"]}
    assert got["code"]["valueCode"] == "U071" and got["display"]["valueString"] == "Covid-19 med påvist virus"
    assert got["result"]["valueBoolean"] is False         # a wrong display: the Norwegian one is named
    assert got["issues"]["resource"]["resourceType"] == "OperationOutcome"


def test_a_supplied_value_set_in_xml_is_expanded(kb):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/xml/vs", "status": "active",
          "compose": {"include": [{"system": ICD, "concept": [{"code": "A00.0"}, {"code": "J12.8"}]}]}}
    body = _params(valueSet={"resource": vs}, includeDesignations={"valueBoolean": True})
    r = kb.post("/fhir/ValueSet/$expand", data=body, content_type=FX, headers=XML)
    answer = _xml(r)
    assert [c["code"] for c in answer["expansion"]["contains"]] == ["A000", "J128"]
    assert answer["expansion"]["total"] == 2
    assert b'<contains><system value="http://hl7.org/fhir/sid/icd-10-no"/>' in r.data


def test_a_resource_written_in_xml_reads_back_in_json_and_xml(kb):
    cs = {"resourceType": "CodeSystem", "id": "xml-written", "url": "http://example.org/xml/cs", "version": "1",
          "name": "XmlWritten", "status": "active", "content": "complete",
          "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml"><p>Skrevet i XML: '
                                                 '&lt;æøå&gt;</p></div>'},
          "concept": [{"code": "a", "display": "Alfa", "concept": [{"code": "a1", "display": "Alfa én"}]}]}
    r = kb.put("/fhir/CodeSystem/xml-written", data=to_xml(cs), content_type=FX, headers=XML)
    written = _xml(r, 201)
    assert written["concept"] == cs["concept"] and written["text"] == cs["text"]
    stored = kb.get("/fhir/CodeSystem/xml-written", headers={"Accept": FJ}).get_json()
    assert stored["concept"] == cs["concept"] and stored["text"]["div"] == cs["text"]["div"]
    assert _xml(kb.get("/fhir/CodeSystem/xml-written?_format=xml"))["concept"][0]["concept"][0]["display"] == \
        "Alfa én"


def test_a_refused_xml_write_leaves_the_store_as_it_was(kb):
    bad = to_xml({"resourceType": "CodeSystem", "url": "http://example.org/xml/bad", "status": "retired-ish",
                  "content": "complete"})
    r = kb.post("/fhir/CodeSystem", data=bad, content_type=FX, headers=XML)
    outcome = _xml(r, 422)
    assert outcome["resourceType"] == "OperationOutcome" and "status" in json.dumps(outcome)
    found = kb.get("/fhir/CodeSystem?url=http://example.org/xml/bad&_summary=count", headers={"Accept": FJ})
    assert found.get_json()["total"] == 0


def test_an_element_r4_lacks_is_refused_on_a_write_by_name(kb):
    bad = to_xml({"resourceType": "CodeSystem", "url": "http://example.org/xml/r5", "status": "active",
                  "content": "complete", "versionAlgorithmString": "semver"})
    outcome = _xml(kb.post("/fhir/CodeSystem", data=bad, content_type=FX, headers=XML), 422)
    assert "versionAlgorithmString" in json.dumps(outcome)


def test_a_batch_in_xml(kb):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={ICD}&code=A00.0"}},
        {"request": {"method": "GET", "url": "CodeSystem/ICD10NO-2026?_summary=true&_format=xml"}},
        {"request": {"method": "GET", "url": "CodeSystem/no-such-id"}}]}
    answer = _xml(kb.post("/fhir", data=to_xml(bundle), content_type=FX, headers=XML))
    assert [e["response"]["status"] for e in answer["entry"]] == ["200", "200", "404"]
    assert answer["entry"][0]["resource"]["resourceType"] == "Parameters"
    # an entry's own _format does not change how the batch writes its answer
    assert answer["entry"][1]["resource"]["resourceType"] == "CodeSystem"
    assert answer["entry"][2]["resource"]["resourceType"] == "OperationOutcome"


def test_pretty_xml(kb):
    r = kb.get(f"/fhir/CodeSystem/$lookup?system={ICD}&code=A00.0&_format=xml&_pretty=true")
    assert r.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Parameters xmlns="http://hl7.org/fhir">\n'
                             b'  <parameter>\n    <name value="code"/>\n    <valueCode value="A000"/>\n')
    assert from_xml(r.data) == kb.get(f"/fhir/CodeSystem/$lookup?system={ICD}&code=A00.0").get_json()


@pytest.mark.parametrize("body, fragments", [
    ("<Parameters", ["not well-formed XML", "line 1"]),
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="code"/><valueCode value="A00"/>'
     '</parameter></Parameter>', ["not well-formed XML", "mismatched tag"]),
    ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     '<Parameters xmlns="http://hl7.org/fhir"/>', ["DOCTYPE"]),
    ('<!DOCTYPE p SYSTEM "file:///etc/passwd"><Parameters xmlns="http://hl7.org/fhir"/>', ["DOCTYPE"]),
    ('<Patameters xmlns="http://hl7.org/fhir"/>', ["'Patameters'", "not a FHIR R4 resource type"]),
    ('<Parameters xmlns="http://hl7.org/fhir/"/>', ["FHIR namespace"]),
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name>code</name></parameter></Parameters>',
     ["Parameters.parameter.name", "'value' attribute"]),
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="a"/><name value="b"/></parameter>'
     '</Parameters>', ["'name' appears more than once", "Parameters.parameter"]),
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="x"/><valueBoolean value="yes"/>'
     '</parameter></Parameters>', ["'yes'", "'true' or 'false'"]),
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="count"/><valueInteger value="1.5"/>'
     '</parameter></Parameters>', ["'1.5'", "not an integer"]),
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name/></parameter></Parameters>',
     ["Parameters.parameter.name", "neither a value nor extensions"]),
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="x" colour="red"/></parameter></Parameters>',
     ["'colour'", "only 'value' and 'id'"]),
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="x"/><resource><ValueSet/><ValueSet/>'
     '</resource></parameter></Parameters>', ["exactly one resource"]),
    ('<Parameters xmlns="http://hl7.org/fhir" xmlns:x="urn:x"><x:parameter/></Parameters>',
     ["<parameter>", "not in the FHIR namespace"]),
    ('<Parameters xmlns="http://hl7.org/fhir">' + "<parameter><part>" * 200 + "</part></parameter>" * 200 +
     "</Parameters>", ["more than 300 levels deep"]),
    # (each of these three was a 500: Python reads no integer of over 4,300 digits, expat no multi-byte or unknown
    # encoding a declaration names)
    ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="x"/><valueInteger value="' + "1" * 5000 +
     '"/></parameter></Parameters>', ["Parameters.parameter.valueInteger", "5000 characters, too large"]),
    ('<?xml version="1.0" encoding="Shift_JIS"?><Parameters xmlns="http://hl7.org/fhir"/>',
     ["names an encoding this server cannot read", "send it as UTF-8"]),
    ('<?xml version="1.0" encoding="bogus"?><Parameters xmlns="http://hl7.org/fhir"/>',
     ["names an encoding this server cannot read"]),
])
def test_bad_xml_is_a_400_saying_what_and_where(kb, body, fragments):
    r = kb.post("/fhir/CodeSystem/$lookup", data=body, content_type=FX, headers={"Accept": FJ})
    assert r.status_code == 400, r.data[:400]
    outcome = r.get_json()
    text = outcome["issue"][0]["details"]["text"]
    for fragment in fragments:
        assert fragment in text, text


def test_xml_over_http(live_server):
    """Through gunicorn on 127.0.0.1, as a hospital's integration engine sends it."""
    body = _params(system={"valueUri": ICD}, code={"valueCode": "J12.8"})
    r = requests.post(live_server + "/CodeSystem/$lookup", data=body.encode(), timeout=10,
                      headers={"Content-Type": FX + "; charset=utf-8", "Accept": FX})
    assert r.status_code == 200 and r.headers["Content-Type"] == FX + "; charset=utf-8"
    answer = from_xml(r.content)
    assert {"name": "display", "valueString": "Annen spesifisert viruspneumoni"} in answer["parameter"]
    r = requests.get(live_server + "/metadata", headers={"Accept": "application/xml"}, timeout=10)
    assert r.status_code == 200 and from_xml(r.content)["format"] == ["application/fhir+json", "json",
                                                                      "application/fhir+xml", "xml"]


def test_answers_vary_by_accept_and_accept_language(kb):
    """One URL answers JSON or XML by Accept, Norwegian or English displays by Accept-Language: a shared cache
    must keep them apart (RFC 9110 §12.5.5)."""
    r = kb.get("/fhir/CodeSystem/ICD10NO-2026?_summary=true", headers=XML)
    assert r.headers["Vary"] == "Accept, Accept-Language"
    again = kb.get("/fhir/CodeSystem/ICD10NO-2026?_summary=true", headers={**XML, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Vary"] == "Accept, Accept-Language"
    lookup = f"/fhir/CodeSystem/$lookup?system={ICD}&code=A00.0"
    nb, en = (kb.get(lookup, headers={"Accept-Language": lang}) for lang in ("nb", "en"))
    assert nb.headers["Vary"] == en.headers["Vary"] == "Accept, Accept-Language"
    display = [{p["name"]: p for p in r.get_json()["parameter"]}["display"]["valueString"] for r in (nb, en)]
    assert display[0] != display[1]


LOOKUP_XML = ('<Parameters xmlns="http://hl7.org/fhir"{attrs}><parameter><name value="system"/>'
              '<valueUri value="http://hl7.org/fhir/sid/icd-10-no"/></parameter><parameter><name value="code"/>'
              '<valueCode value="J12.8"{inner}/></parameter></Parameters>')


def test_schema_location_and_xml_space_are_passed_over(kb):
    """Spec examples and XML tools put xsi:schemaLocation on the root; xml:space says how to read whitespace."""
    body = LOOKUP_XML.format(attrs=' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                                   'xsi:schemaLocation="http://hl7.org/fhir ../../schema/fhir-single.xsd" '
                                   'xml:space="default"', inner=' xml:space="preserve"')
    answer = _xml(kb.post("/fhir/CodeSystem/$lookup", data=body, content_type=FX, headers=XML))
    assert {"name": "code", "valueCode": "J128"} in answer["parameter"]


def test_other_foreign_attributes_are_named_as_written(kb):
    body = LOOKUP_XML.format(attrs=' xmlns:v="urn:vendor"', inner=' v:colour="red"')
    r = kb.post("/fhir/CodeSystem/$lookup", data=body, content_type=FX, headers={"Accept": FJ})
    assert r.status_code == 400 and "'{urn:vendor}colour'" in r.get_json()["issue"][0]["details"]["text"]


@pytest.mark.parametrize("charset, encoded", [("ISO-8859-1", "latin-1"), ("UTF-16", "utf-16"), ("utf-8", "utf-8")])
def test_xml_in_the_charsets_expat_reads(kb, charset, encoded):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/xml/cs", "status": "active",
          "content": "complete", "concept": [{"code": "ø1", "display": "Blåbærsyltetøy"}]}
    vs = {"resourceType": "ValueSet", "url": "http://example.org/xml/charset", "status": "active",
          "compose": {"include": [{"system": "http://example.org/xml/cs"}]}}
    body = _params(valueSet={"resource": vs}, tx_resource={"resource": cs}).replace('encoding="UTF-8"',
                                                                                   f'encoding="{charset}"')
    r = kb.post("/fhir/ValueSet/$expand", data=body.encode(encoded), headers=XML,
                content_type=f"{FX}; charset={charset}")
    contains = _xml(r)["expansion"]["contains"]
    assert [(c["code"], c["display"]) for c in contains] == [("ø1", "Blåbærsyltetøy")]


def test_a_charset_expat_cannot_read_is_415(kb):
    r = kb.post("/fhir/CodeSystem/$lookup", data=LOOKUP_XML.format(attrs="", inner="").encode(),
                content_type=f"{FX}; charset=windows-1252", headers={"Accept": FJ})
    assert r.status_code == 415 and "ISO-8859-1" in r.get_json()["issue"][0]["details"]["text"]


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "application/fhir+json"])
def test_xml_sent_as_something_else_is_told_how_to_send_it(kb, content_type):
    r = kb.post("/fhir/CodeSystem/$lookup", data=LOOKUP_XML.format(attrs="", inner=""), content_type=content_type,
                headers={"Accept": FJ})
    assert r.status_code == 400
    text = r.get_json()["issue"][0]["details"]["text"]
    assert "looks like XML" in text and "Content-Type application/fhir+xml" in text


@pytest.mark.parametrize("fragment, words", [
    ('<valueCoding><_code value="x"/><code value="male"/></valueCoding>', ["'_code'", "no FHIR element name"]),
    ('<valueInteger value="007"/>', ["'007'", "not an integer"]),
    ('<valueDecimal value="1e400"/>', ["'1e400'", "too large"]),
])
def test_values_xml_cannot_hold(kb, fragment, words):
    body = f'<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="x"/>{fragment}</parameter></Parameters>'
    r = kb.post("/fhir/CodeSystem/$lookup", data=body, content_type=FX, headers={"Accept": FJ})
    assert r.status_code == 400
    text = r.get_json()["issue"][0]["details"]["text"]
    for word in words:
        assert word in text, text


def test_many_elements_r4_lacks_are_read_in_one_pass():
    """Each unknown name counted once per element, not once per name: 20,000 names read as fast as 20."""
    names = "".join(f'<u{i} value="{i}"/>' for i in range(20_000))
    read = from_xml(f'<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="x"/>{names}</parameter>'
                    '</Parameters>')
    assert len(read["parameter"][0]) == 20_001 and read["parameter"][0]["u19999"] == "19999"


@pytest.mark.parametrize("charset, encoded", [("UTF-16", "utf-16"), ("ISO-8859-1", "latin-1")])
def test_faults_of_xml_in_another_charset_are_named_as_faults(kb, charset, encoded):
    body = ('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="x"/><valueBoolean value="yes"/>'
            '</parameter></Parameters>')
    r = kb.post("/fhir/CodeSystem/$lookup", data=body.encode(encoded), content_type=f"{FX}; charset={charset}",
                headers={"Accept": FJ})
    assert r.status_code == 400 and "'true' or 'false'" in r.get_json()["issue"][0]["details"]["text"]


def test_json_sent_as_xml_is_told_how_to_send_it(kb):
    body = json.dumps({"resourceType": "Parameters", "parameter": [{"name": "code", "valueCode": "A00"}]})
    r = kb.post("/fhir/CodeSystem/$lookup", data=body, content_type=FX, headers={"Accept": FJ})
    assert r.status_code == 400
    text = r.get_json()["issue"][0]["details"]["text"]
    assert "looks like JSON" in text and "Content-Type application/fhir+json" in text
