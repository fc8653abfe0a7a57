"""The ConceptMaps of the shipped HL7 terminology translate as published: FHIR core's maps to HL7 v2 tables name a
THO value set as their scope, which pins the v2 table's version 2.0.0 while THO 7.0.1 ships 3.0.0; such a scope is
read against the edition loaded (tests/mappings/test_scope_pinned_edition.py). The specification's example maps are
not loaded."""
from __future__ import annotations

import pytest

GENDER = "http://hl7.org/fhir/administrative-gender"
V2_SEX = "http://terminology.hl7.org/CodeSystem/v2-0001"


@pytest.fixture(scope="module")
def client(hl7_db):
    from fhir_api import create_app
    return create_app({"DB": hl7_db, "DEMO": False, "HL7": False}).test_client()


def _matches(params: dict) -> list[tuple]:
    out = []
    for p in params["parameter"]:
        if p["name"] == "match":
            parts = {q["name"]: q for q in p["part"]}
            coding = parts["concept"]["valueCoding"]
            out.append((coding["system"], coding["code"], parts["equivalence"]["valueCode"],
                        parts.get("source", {}).get("valueUri", "").split("|")[0]))
    return out


def _result(params: dict):
    return next(p["valueBoolean"] for p in params["parameter"] if p["name"] == "result")


def test_v2_sex_back_to_administrative_gender(client):
    r = client.get("/fhir/ConceptMap/$translate", query_string={"system": V2_SEX, "code": "M", "reverse": "true"})
    assert r.status_code == 200 and _result(r.json) is True, r.json
    assert (GENDER, "male", "equal", "http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v2") in _matches(r.json)


def test_forward_to_the_v2_table(client):
    r = client.get("/fhir/ConceptMap/$translate", query_string={
        "url": "http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v2", "system": GENDER, "code": "female"})
    assert _result(r.json) is True and [(m[0], m[1]) for m in _matches(r.json)] == [(V2_SEX, "F")]


def test_the_specifications_example_maps_are_not_loaded(client):
    r = client.get("/fhir/ConceptMap/$translate", query_string={"system": "http://hl7.org/fhir/address-use",
                                                                  "code": "home"})
    sources = {m[3] for m in _matches(r.json)}
    assert sources and "http://hl7.org/fhir/ConceptMap/101" not in sources
    for url in ("http://hl7.org/fhir/ConceptMap/101", "http://hl7.org/fhir/CodeSystem/example",
                "http://hl7.org/fhir/ValueSet/example-filter"):
        kind = url.split("/")[-2]
        assert client.get(f"/fhir/{kind}", query_string={"url": url}).json["total"] == 0, url
    # ConceptMap 102 is a real map (v2-0487 specimen type to SNOMED CT), not one of the examples
    assert client.get("/fhir/ConceptMap", query_string={"url": "http://hl7.org/fhir/ConceptMap/102"}).json["total"] == 1
