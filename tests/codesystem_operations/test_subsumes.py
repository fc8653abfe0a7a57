"""CodeSystem/$subsumes: the four outcomes, codings, versions and errors."""
from __future__ import annotations

import pytest

from .conftest import ICD10, SIMPLE, params, post


@pytest.mark.parametrize("a,b,outcome", [
    ("code2", "code2aI", "subsumes"),
    ("code2aII", "code2", "subsumed-by"),
    ("code2a", "code2a", "equivalent"),
    ("code1", "code2", "not-subsumed"),
    ("code2b", "code2a", "not-subsumed"),
])
def test_outcomes(cs_client, a, b, outcome):
    r = cs_client.get(f"/fhir/CodeSystem/$subsumes?system={SIMPLE}&codeA={a}&codeB={b}")
    assert params(r.get_json()) == {"outcome": [outcome]}


def test_codings_by_post(cs_client):
    r = post(cs_client, "/fhir/CodeSystem/$subsumes",
             {"name": "codingA", "valueCoding": {"system": SIMPLE, "code": "code2"}},
             {"name": "codingB", "valueCoding": {"system": SIMPLE, "code": "code2b", "version": "0.1.0"}})
    assert params(r.get_json()) == {"outcome": ["subsumes"]}


def test_instance_level(cs_client, catalog):
    h = catalog.find_header("CodeSystem", SIMPLE)
    r = cs_client.get(f"/fhir/CodeSystem/{h.id}/$subsumes?codeA=code2a&codeB=code2aI")
    assert params(r.get_json()) == {"outcome": ["subsumes"]}


def test_dotted_icd10_codes_are_equivalent_to_their_canonical_form(cs_client):
    r = cs_client.get(f"/fhir/CodeSystem/$subsumes?system={ICD10}&codeA=J12.8&codeB=J128")
    assert params(r.get_json()) == {"outcome": ["equivalent"]}


@pytest.mark.parametrize("query,status", [
    (f"system={SIMPLE}&codeA=code1", 400),
    (f"system={SIMPLE}&codeA=code1&codeB=nope", 404),
    ("codeA=code1&codeB=code2", 400),
    ("system=http://example.org/unknown&codeA=a&codeB=b", 422),    # a code system (version) not held: 422
    (f"system={SIMPLE}&version=9.9&codeA=code1&codeB=code2", 422),
])
def test_errors(cs_client, query, status):
    r = cs_client.get("/fhir/CodeSystem/$subsumes?" + query)
    assert r.status_code == status and r.get_json()["resourceType"] == "OperationOutcome"


def test_codings_from_two_systems_are_refused(cs_client):
    r = post(cs_client, "/fhir/CodeSystem/$subsumes",
             {"name": "codingA", "valueCoding": {"system": SIMPLE, "code": "code2"}},
             {"name": "codingB", "valueCoding": {"system": ICD10, "code": "A000"}})
    assert r.status_code == 400
