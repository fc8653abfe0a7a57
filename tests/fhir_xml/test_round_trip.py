"""FHIR JSON → XML → JSON gives back what went in, for the HL7 packages' own resources (every kind of element R4
has), and agrees with an independent implementation of FHIR XML (fhir.resources' R4B models)."""
from __future__ import annotations

import functools
import json
import tarfile
import xml.etree.ElementTree as ET

import pytest

from terminology.fhir_xml.read import from_xml
from terminology.fhir_xml.write import to_xml
from terminology.hl7 import CORE, THO


@functools.lru_cache(maxsize=1)
def _package_resources() -> list[tuple[str, dict]]:
    out = []
    for package in (CORE, THO):
        with tarfile.open(package) as tf:
            for m in tf:
                if m.name.endswith(".json") and not m.name.endswith(("package.json", ".index.json")):
                    d = json.load(tf.extractfile(m))
                    if isinstance(d, dict) and "resourceType" in d:
                        out.append((m.name.rsplit("/", 1)[-1], d))
    return out


def _sample() -> list[tuple[str, dict]]:
    """Every resource type the packages hold once, and every 12th resource besides (~750 in all: the whole
    8,675 take half a minute)."""
    seen, out = set(), []
    for i, (name, d) in enumerate(_package_resources()):
        if d["resourceType"] not in seen or i % 12 == 0:
            seen.add(d["resourceType"])
            out.append((name, d))
    return out


def _same_markup(o):
    """Narratives compared as XML, not as text: `&quot;` and `"`, `&#160;` and U+00A0 are the same markup."""
    if isinstance(o, dict):
        return {k: ET.canonicalize(v) if k == "div" and isinstance(v, str) else _same_markup(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_same_markup(v) for v in o]
    return o


def test_package_resources_come_back_as_they_went():
    sample = _sample()
    assert len(sample) > 700 and len({d["resourceType"] for _, d in sample}) >= 12
    for name, d in sample:
        assert _same_markup(from_xml(to_xml(d).encode())) == _same_markup(d), name


def test_pretty_xml_reads_back_the_same():
    for name, d in _sample()[::20]:
        assert _same_markup(from_xml(to_xml(d, pretty=True))) == _same_markup(d), name


MODELS = {"CodeSystem": "codesystem", "ValueSet": "valueset", "ConceptMap": "conceptmap",
          "NamingSystem": "namingsystem", "OperationDefinition": "operationdefinition"}


def _model(rtype: str):
    import importlib
    module = importlib.import_module(f"fhir.resources.R4B.{MODELS[rtype]}")
    return getattr(module, rtype)


@pytest.mark.parametrize("rtype", sorted(MODELS))
def test_fhir_resources_reads_our_xml_and_we_read_its(rtype):
    """Written by Kodebro, read by fhir.resources: the same resource as its JSON gives; written by fhir.resources,
    read by Kodebro: the JSON it came from. 25 of each kind."""
    chosen = [(n, d) for n, d in _package_resources() if d["resourceType"] == rtype][:25]
    assert len(chosen) == 25
    model = _model(rtype)
    for name, d in chosen:
        expected = _same_markup(model.model_validate(d).model_dump(mode="json", exclude_none=True))
        theirs = model.model_validate_xml(to_xml(d).encode()).model_dump(mode="json", exclude_none=True)
        assert _same_markup(theirs) == expected, name
        ours = from_xml(model.model_validate(d).model_dump_xml())
        # (read through the model again: it writes a dateTime's Z as +00:00, the same instant)
        assert _same_markup(model.model_validate(ours).model_dump(mode="json", exclude_none=True)) == expected, name


def test_an_operation_answer_with_primitive_extensions_and_a_resource_inside():
    answer = {"resourceType": "Parameters", "parameter": [
        {"name": "result", "valueBoolean": False},
        {"name": "code", "valueCode": "J128", "_valueCode": {"id": "c1", "extension": [
            {"url": "http://example.org/note", "valueString": "line one\nline two\ttabbed"}]}},
        {"name": "count", "valueInteger": 3}, {"name": "weight", "valueDecimal": 0.25},
        {"name": "issues", "resource": {"resourceType": "OperationOutcome", "issue": [
            {"severity": "error", "code": "code-invalid", "details": {"text": "Unknown code 'X' & <more>"},
             "location": ["Coding.code"], "expression": ["Coding.code"]}]}},
        {"name": "match", "part": [{"name": "equivalence", "valueCode": "equivalent"},
                                   {"name": "concept", "valueCoding": {"system": "http://snomed.info/sct",
                                                                       "code": "233604007"}}]}]}
    xml = to_xml(answer)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Parameters xmlns="http://hl7.org/fhir">'
                          '<parameter><name value="result"/><valueBoolean value="false"/></parameter>')
    assert '<valueCode id="c1" value="J128"><extension url="http://example.org/note">' \
           '<valueString value="line one&#10;line two&#9;tabbed"/></extension></valueCode>' in xml
    assert '<resource><OperationOutcome><issue><severity value="error"/>' in xml
    assert "Unknown code &apos;X&apos;" in xml or "Unknown code 'X' &amp; &lt;more&gt;" in xml
    assert from_xml(xml) == answer


def test_repeating_primitives_with_extensions_on_some():
    patient = {"resourceType": "Patient", "name": [{"given": ["Kari", "Nordmann"],
                                                     "_given": [None, {"extension": [{"url": "http://x",
                                                                                      "valueCode": "a"}]}]}]}
    xml = to_xml(patient)
    assert '<given value="Kari"/><given value="Nordmann"><extension url="http://x">' in xml
    assert from_xml(xml) == patient
    only_extension = {"resourceType": "Patient", "name": [{"_given": [{"extension": [{"url": "http://x",
                                                                                      "valueCode": "a"}]}]}]}
    assert from_xml(to_xml(only_extension)) == only_extension


def test_a_narrative_with_html_entities_is_written_as_the_characters():
    """XHTML without a DTD knows no &nbsp;; a narrative stored through JSON may hold one."""
    cs = {"resourceType": "CodeSystem", "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/'
                                                                              'xhtml">a&nbsp;b &amp; c&eacute;</div>'}}
    xml = to_xml(cs)
    assert '<div xmlns="http://www.w3.org/1999/xhtml">a\u00a0b &amp; c\u00e9</div>' in xml
    assert from_xml(xml)["text"]["div"] == '<div xmlns="http://www.w3.org/1999/xhtml">a\u00a0b &amp; c\u00e9</div>'


def test_a_narrative_that_is_no_xhtml_is_written_as_text():
    cs = {"resourceType": "CodeSystem", "text": {"status": "generated", "div": "<div>x &bogus; <b>y</div>"}}
    assert from_xml(to_xml(cs))["text"]["div"] == ('<div xmlns="http://www.w3.org/1999/xhtml">&lt;div&gt;x &amp;bogus;'
                                                   ' &lt;b&gt;y&lt;/div&gt;</div>')


def test_answers_holding_dataclasses_are_written_as_orjson_writes_them():
    import dataclasses
    import datetime

    @dataclasses.dataclass
    class Designation:
        language: str
        value: str
        use: dict | None = None

    answer = {"resourceType": "Parameters", "parameter": [
        {"name": "designation", "part": (Designation("nb", "Kolera"),)},
        {"name": "when", "valueDate": datetime.date(2026, 1, 1)}]}
    xml = to_xml(answer)
    assert ('<parameter><name value="designation"/><part><language value="nb"/><value value="Kolera"/></part>'
            '</parameter><parameter><name value="when"/><valueDate value="2026-01-01"/></parameter>') in xml


def test_an_echoed_object_with_many_keys_is_not_kept():
    """The order of an object's names is kept per shape for the next answer, but not for shapes no R4 type
    has: a value set echoed with 200,000 keys would otherwise stay in memory."""
    from terminology.fhir_xml import write
    wide = {"resourceType": "ValueSet", **{f"k{i}": "v" for i in range(5_000)}}
    long_keys = {"resourceType": "ValueSet", "status": "active", ("x" * 100_000): "v", ("1 " * 50_000): "v"}
    to_xml({"resourceType": "ValueSet", "status": "active", ("9" * 100_000): "v"})     # no XML name either
    to_xml(wide)
    to_xml(long_keys)
    assert not any(len(k) > 41 or any(isinstance(n, str) and len(n) > 100 for n in k) for k in write._ORDERS)
    to_xml({"resourceType": "ValueSet", "status": "active", "url": "http://example.org/vs"})
    from terminology.fhir_xml.schema import by_name
    assert (id(by_name()["ValueSet"]), "resourceType", "status", "url") in write._ORDERS


def test_a_body_of_too_many_elements_is_refused_while_it_is_read(monkeypatch):
    """Each element is held while the body is read: past MAX_ELEMENTS the read stops (a 50 MB body of `<a/>`
    would otherwise take gigabytes before its 400)."""
    from terminology.errors import InvalidRequest
    from terminology.fhir_xml import read
    monkeypatch.setattr(read, "MAX_ELEMENTS", 1_000)
    body = '<Parameters xmlns="http://hl7.org/fhir"><parameter>' + "<a/>" * 999 + "</parameter></Parameters>"
    with pytest.raises(InvalidRequest, match="more than 1,000 elements"):
        from_xml(body.replace("<a/>" * 999, "<a/>" * 1_000))
    assert len(from_xml(body.replace("<a/>" * 999, '<a value="1"/>' * 998))["parameter"][0]["a"]) == 998


def test_the_first_element_of_xml_in_an_encoding_expat_cannot_read_is_none():
    """(an importer detecting a file's format must not fail on it)"""
    from terminology.fhir_xml.markup import root_element
    assert root_element(b'<?xml version="1.0" encoding="UTF-32"?><CodeSystem/>', whole=False) is None
    assert root_element(b'<?xml version="1.0" encoding="bogus"?><CodeSystem/>', whole=False) is None
    assert root_element(b'<CodeSystem xmlns="http://hl7.org/fhir">', whole=False) == ("http://hl7.org/fhir",
                                                                                         "CodeSystem")
