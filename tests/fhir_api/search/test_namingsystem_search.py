"""NamingSystem's own R4 search parameters `contact`, `telecom` and `period` (SearchParameter NamingSystem-*)."""
from __future__ import annotations

import pytest

NS = [{"resourceType": "NamingSystem", "id": "ahus", "name": "AHUS", "status": "active", "kind": "identifier",
       "date": "2024-01-01",
       "contact": [{"name": "Kodeverksforvaltning AHUS",
                    "telecom": [{"system": "email", "value": "koder@ahus.no"}]}],
       "uniqueId": [{"type": "uri", "value": "http://ahus.no/id/pasient",
                     "period": {"start": "2020-01-01", "end": "2022-12-31"}}]},
      {"resourceType": "NamingSystem", "id": "ous", "name": "OUS", "status": "active", "kind": "identifier",
       "date": "2024-01-01",
       "contact": [{"name": "OUS terminologi", "telecom": [{"system": "phone", "value": "+47 22 00 00 00"}]}],
       "uniqueId": [{"type": "uri", "value": "http://ous.no/id/pasient", "period": {"start": "2023-01-01"}}]},
      {"resourceType": "NamingSystem", "id": "plain", "name": "Plain", "status": "active", "kind": "codesystem",
       "date": "2024-01-01", "uniqueId": [{"type": "uri", "value": "http://example.org/plain"}]}]


@pytest.fixture
def c(app):
    client = app.test_client()
    for ns in NS:
        assert client.put(f"/fhir/NamingSystem/{ns['id']}", json=ns).status_code in (200, 201)
    return client


def _ids(c, query: str) -> list[str]:
    r = c.get("/fhir/NamingSystem?" + query)
    body = r.get_json()
    assert r.status_code == 200, body
    assert not [e for e in body.get("entry", ()) if e["search"]["mode"] == "outcome"], body   # all understood
    return sorted(e["resource"]["id"] for e in body.get("entry", ()) if e["search"]["mode"] == "match")


@pytest.mark.parametrize("query,expected", [
    ("contact=kodeverk", ["ahus"]),
    ("contact:contains=terminologi", ["ous"]),
    ("contact:exact=OUS", []),
    ("contact:missing=true", ["plain"]),
    ("telecom=koder@ahus.no", ["ahus"]),
    ("telecom=%2B47%2022%2000%2000%2000", ["ous"]),
    ("telecom:not=koder@ahus.no", ["ous", "plain"]),
    ("period=ge2022-06&period=le2021", ["ahus"]),   # overlaps both: 2020-01-01 .. 2022-12-31
    ("period=2021", []),                    # eq: the value must contain the whole period
    ("period=ge2024", ["ous"]),             # open-ended from 2023
    ("period=lt2021", ["ahus"]),
    ("period=sa2022-12-31", ["ous"]),
    ("period:missing=true", ["plain"]),
])
def test_naming_system_parameters(c, query, expected):
    assert _ids(c, query) == expected


def test_the_capability_statement_lists_them(c):
    cs = c.get("/fhir/metadata").get_json()
    ns = next(r for r in cs["rest"][0]["resource"] if r["type"] == "NamingSystem")
    params = {p["name"]: p["type"] for p in ns["searchParam"]}
    assert params["contact"] == "string" and params["telecom"] == "token" and params["period"] == "date"
