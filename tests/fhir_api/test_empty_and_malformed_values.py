"""What a request holds that R4 JSON does not allow (an element without content, a date off the calendar, a code
with blanks at its ends, a url of '|' alone) gets a clear answer: refused where it is stored or cannot mean
anything, read as absent where it means "not given", and never echoed back in an answer no R4 client reads."""
from __future__ import annotations

import json

import pytest

from terminology.editions import day_of
from terminology.empty_values import empty_value_paths, without_empty
from terminology.errors import InvalidRequest

ICD = "http://hl7.org/fhir/sid/icd-10-no"
FJ = "application/fhir+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path_factory.mktemp("empty") / "k.db"), "DEMO": True}).test_client()


def _param(body: dict, name: str):
    return next((v for p in body.get("parameter", []) if p["name"] == name
                 for k, v in p.items() if k.startswith("value")), None)


@pytest.mark.parametrize("on,day", [("2021", "2021-01-01"), ("2021-03", "2021-03-01"), ("2024-02-29", "2024-02-29"),
                                    ("2021-03-04T10:00:00Z", "2021-03-04"), ("2021-03-04T23:59:60.5+14:00", "2021-03-04"),
                                    ("2021-03-04T10:00:00", "2021-03-04")])
def test_a_fhir_date_is_read_as_its_first_day(on, day):
    assert day_of(on) == day


@pytest.mark.parametrize("on", ["2026-02-30", "2025-02-29", "0000", "2026-06-01T24:00:00Z", "2026-06-01T10:00Z",
                                "2026-06-01T10:00:00+25:00", "2021-3", " "])
def test_a_date_off_the_calendar_or_the_grammar_is_refused(on):
    with pytest.raises(InvalidRequest, match="is not a FHIR date"):
        day_of(on)


def test_expand_refuses_a_bad_date_instead_of_echoing_it(client):
    r = client.get(f"/fhir/ValueSet/$expand?url={ICD}?fhir_vs&count=1&date=2026-02-30")
    assert r.status_code == 400 and "'2026-02-30' is not a FHIR date" in r.json["issue"][0]["details"]["text"]


def test_empty_values_are_found_by_path_and_dropped_where_they_mean_nothing():
    vs = {"resourceType": "ValueSet", "title": None, "identifier": [], "compose": {"include": [
        {"system": "s", "concept": [], "filter": [{}]}]}, "_x": [None, {"id": "a"}], "x": [None, None]}
    assert empty_value_paths(vs) == ["title: null", "identifier: []", "compose.include[0].concept: []",
                                     "compose.include[0].filter[0]: {}", "_x[0]: null", "x[0]: null"]
    assert without_empty(vs) == {"resourceType": "ValueSet", "compose": {"include": [{"system": "s"}]},
                                 "_x": [None, {"id": "a"}], "x": [None, None]}
    sound = {"resourceType": "ValueSet", "status": "active"}
    assert without_empty(sound) is sound          # used as it came


def test_a_write_with_empty_elements_is_refused_naming_them(client):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/empty", "status": "active", "content": "complete",
          "title": None, "identifier": [], "concept": [{"code": "a"}]}
    r = client.put("/fhir/CodeSystem/empty", data=json.dumps(cs), content_type=FJ)
    assert r.status_code == 422
    text = json.dumps(r.json)
    assert "title: null is not allowed" in text and "identifier: [] is not allowed" in text
    assert client.get("/fhir/CodeSystem/empty").status_code == 404      # nothing written


def test_a_supplied_value_set_is_echoed_without_its_empty_elements(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/supplied", "status": "active", "identifier": [],
          "title": None, "compose": {"include": [{"system": ICD, "concept": [{"code": "A00", "designation": []}]}]}}
    r = client.post("/fhir/ValueSet/$expand", data=json.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}]}), content_type=FJ)
    assert r.status_code == 200
    assert "identifier" not in r.json and "title" not in r.json
    assert [c["code"] for c in r.json["expansion"]["contains"]] == ["A00"]


def test_a_supplied_code_systems_empty_designation_elements_are_not_answered(client):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/designations", "status": "active",
          "content": "complete", "concept": [{"code": "a", "display": "A", "designation": [
              {"use": {}, "value": None}, {"language": "nb", "value": "a på norsk", "use": {}}]}]}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": {"resourceType": "ValueSet", "status": "active",
                                          "compose": {"include": [{"system": cs["url"]}]}}},
        {"name": "includeDesignations", "valueBoolean": True}, {"name": "tx-resource", "resource": cs}]}
    r = client.post("/fhir/ValueSet/$expand", data=json.dumps(body), content_type=FJ)
    assert r.status_code == 200, r.json
    (item,) = r.json["expansion"]["contains"]
    assert {"language": "nb", "value": "a på norsk"} in item["designation"]
    assert [d for d in item["designation"] if not d or d.get("use") == {}] == []     # no {} left, none with use {}


def test_a_code_with_blanks_at_its_ends_is_named_but_not_echoed_as_a_code(client):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/blanks", "status": "active", "content": "complete",
          "concept": [{"code": "a"}]}
    body = {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": cs["url"]},
                                                       {"name": "code", "valueCode": "a "},
                                                       {"name": "tx-resource", "resource": cs}]}
    r = client.post("/fhir/CodeSystem/$validate-code", data=json.dumps(body), content_type=FJ)
    assert r.status_code == 200 and _param(r.json, "result") is False and _param(r.json, "code") is None
    assert "'a '" in _param(r.json, "message")


def test_a_code_of_blanks_alone_is_no_code(client):
    r = client.get(f"/fhir/CodeSystem/$validate-code?url={ICD}&code=%20%20")
    assert r.status_code == 400         # not "valid" in a fragment
    assert "parameter 'code' holds only blanks" in r.json["issue"][0]["details"]["text"]
    body = {"resourceType": "Parameters", "parameter": [{"name": "coding", "valueCoding": {"system": ICD, "code": " "}}]}
    r = client.post("/fhir/CodeSystem/$validate-code", data=json.dumps(body), content_type=FJ)
    assert r.status_code == 400 and "the coding has no code to validate" in r.json["issue"][0]["details"]["text"]


def test_a_codeable_concept_is_echoed_without_a_code_that_is_no_r4_code(client):
    cc = {"coding": [{"system": ICD, "code": " A00"}, {"system": ICD, "code": "A01"}], "text": "t"}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": f"{ICD}?fhir_vs"}, {"name": "codeableConcept", "valueCodeableConcept": cc}]}
    r = client.post("/fhir/ValueSet/$validate-code", data=json.dumps(body), content_type=FJ)
    assert _param(r.json, "codeableConcept") == {"coding": [{"system": ICD}, {"system": ICD, "code": "A01"}],
                                                 "text": "t"}


def test_a_url_of_a_bar_alone_names_no_code_system(client):
    r = client.get("/fhir/CodeSystem/$validate-code?url=%7C1&code=A00")
    assert r.status_code == 400 and "'|1' names no code system" in r.json["issue"][0]["details"]["text"]


def test_an_empty_coding_version_and_version_parameter_are_not_given(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "coding", "valueCoding": {"system": ICD, "code": "A00", "version": "", "display": ""}}]}
    r = client.post("/fhir/CodeSystem/$validate-code", data=json.dumps(body), content_type=FJ)
    assert _param(r.json, "result") is True and _param(r.json, "version") != ""
    r = client.get(f"/fhir/CodeSystem/$lookup?system={ICD}&code=A00&version=")
    assert r.status_code == 200 and _param(r.json, "version")       # the edition in force, named


def test_a_codeable_concept_is_echoed_with_its_r4_elements_only(client):
    cc = {"coding": [{"system": ICD, "code": "A00", "display": None}], "text": "", "a": 1}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": f"{ICD}?fhir_vs"}, {"name": "codeableConcept", "valueCodeableConcept": cc}]}
    r = client.post("/fhir/ValueSet/$validate-code", data=json.dumps(body), content_type=FJ)
    assert _param(r.json, "codeableConcept") == {"coding": [{"system": ICD, "code": "A00"}]}


def test_an_accept_language_of_no_tag_is_not_echoed(client):
    r = client.get(f"/fhir/ValueSet/$expand?url={ICD}?fhir_vs&count=1", headers={"Accept-Language": ";;;"})
    assert r.status_code == 200
    assert "displayLanguage" not in [p["name"] for p in r.json["expansion"].get("parameter", [])]


def test_a_code_of_blanks_is_the_same_400_in_every_operation(client):
    """$lookup answered a code of blanks 404 'Unable to find code'; $validate-code and $translate 400, each in its own
    words: one check now (params.refuse_blank_code), naming the parameter."""
    icd = "http://hl7.org/fhir/sid/icd-10-no"
    for path, query, what in (
            ("CodeSystem/$lookup", {"system": icd, "code": "  "}, "the code to look up is empty"),
            ("CodeSystem/$validate-code", {"url": icd, "code": "  "}, "the code to validate is empty"),
            ("ConceptMap/$translate", {"system": icd, "code": "  ", "targetsystem": icd}, "the code to translate is empty")):
        r = client.get("/fhir/" + path, query_string=query)
        assert r.status_code == 400, (path, r.get_data(as_text=True))
        text = r.json["issue"][0]["details"]["text"]
        assert text == f"{what}: parameter 'code' holds only blanks ('  ')", path


def test_a_value_set_brought_as_tx_resource_and_named_by_url_is_echoed_without_empty_elements(client):
    """Only a value set the request brought is cleaned of empty elements (stored ones cannot hold them): one named by
    url from the request's tx-resources is one it brought."""
    vs = {"resourceType": "ValueSet", "url": "http://example.org/final23/vs", "status": "active", "contact": [],
          "jurisdiction": [], "compose": {"include": [{"system": "http://hl7.org/fhir/sid/icd-10-no",
                                                        "concept": [{"code": "A00.0"}]}]}}
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": vs["url"]}, {"name": "tx-resource", "resource": vs},
        {"name": "includeDefinition", "valueBoolean": True}]})
    assert r.status_code == 200 and "contact" not in r.json and "jurisdiction" not in r.json
    assert r.json["compose"]["include"][0]["concept"] == [{"code": "A00.0"}]
