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
