"""Inputs found by review: a resource in a query string is checked, an oversized body is refused early,
a file no detector can read is refused by name."""
from __future__ import annotations

import zipfile

import pytest


def test_a_concept_map_in_a_query_string_is_checked(demo_client):
    r = demo_client.get('/fhir/ConceptMap/$translate?code=x&system=http://a'
                        '&conceptMap={"resourceType":"ConceptMap","group":5}')
    assert r.status_code == 400 and r.get_json()["resourceType"] == "OperationOutcome"


def test_an_oversized_body_is_refused_before_it_is_read(demo_client):
    from fhir_api.params import MAX_BODY
    r = demo_client.post("/fhir/ValueSet/$expand", data=b" " * (MAX_BODY + 1),
                         content_type="application/fhir+json")
    assert r.status_code == 413 and r.get_json()["resourceType"] == "OperationOutcome"


def test_a_damaged_workbook_is_refused_by_name(tmp_path, store):
    from terminology import import_paths
    from terminology.errors import TerminologyError
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    with pytest.raises(TerminologyError) as exc:
        import_paths(store, [str(bad)])
    assert "bad.xlsx" in str(exc.value)
    assert store.headers() == []


def _twice(code="a"):
    return {"resourceType": "CodeSystem", "url": "http://example.org/cs/twice", "version": "1", "status": "active",
            "content": "complete", "concept": [{"code": code, "display": "First"},
                                               {"code": "b", "display": "B", "concept": [{"code": code,
                                                                                          "display": "Second"}]}]}


def test_a_code_system_defining_a_code_twice_is_refused_on_write(demo_client):
    r = demo_client.put("/fhir/CodeSystem/twice", json=_twice(), content_type="application/fhir+json")
    body = r.get_json()
    assert r.status_code == 422 and body["resourceType"] == "OperationOutcome"
    assert "'a' is defined more than once" in str(body)
    assert demo_client.get("/fhir/CodeSystem/twice").status_code == 404


def test_a_code_system_defining_a_code_twice_is_read_as_a_tx_resource(demo_client):
    # a request's own code system is read as the reference server reads it (one concept per code, the last
    # definition), not refused: tests/valueset_operations/test_supplied_duplicate_codes.py
    r = demo_client.post("/fhir/CodeSystem/$lookup", content_type="application/fhir+json", json={
        "resourceType": "Parameters", "parameter": [
            {"name": "system", "valueUri": "http://example.org/cs/twice"}, {"name": "code", "valueCode": "a"},
            {"name": "tx-resource", "resource": _twice()}]})
    assert r.status_code == 200, r.get_json()
    assert {"name": "display", "valueString": "Second"} in r.get_json()["parameter"]


def test_an_import_with_a_code_defined_twice_stores_nothing(tmp_path, store):
    import json
    from terminology import import_paths
    from terminology.errors import TerminologyError
    f = tmp_path / "twice.json"
    f.write_text(json.dumps(_twice()))
    with pytest.raises(TerminologyError) as exc:
        import_paths(store, [str(f)])
    assert "defined more than once" in str(exc.value)
    assert store.headers() == []
