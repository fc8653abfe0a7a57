"""A ConceptMap's own scope value set that pins its code system to an edition the server does not hold (THO's v2
value sets name 2.0.0 of tables it ships as 3.0.0) is read against the edition loaded: its lists, its excludes
and a whole-system include all count."""
from __future__ import annotations

import json

import pytest

CS = "http://example.org/fhir/CodeSystem/letters"
TARGET = "http://example.org/fhir/CodeSystem/numbers"
CODESYSTEM = {"resourceType": "CodeSystem", "url": CS, "version": "1", "status": "active", "content": "complete",
              "concept": [{"code": c} for c in ("a", "b", "c")]}


def _valueset(url: str, include: dict) -> dict:
    return {"resourceType": "ValueSet", "url": url, "status": "active",
            "compose": {"include": [{"system": CS, "version": "2", **include}]}}


def _map(url: str, scope: str) -> dict:
    return {"resourceType": "ConceptMap", "url": url, "status": "active", "sourceUri": scope,
            "group": [{"source": CS, "target": TARGET,
                       "element": [{"code": c, "target": [{"code": str(n), "equivalence": "equivalent"}]}
                                   for n, c in enumerate(("a", "b", "c"), 1)]}]}


LISTED = _valueset("http://example.org/fhir/ValueSet/only-a", {"concept": [{"code": "a"}]})
WHOLE = _valueset("http://example.org/fhir/ValueSet/all-letters", {})
# two pinned includes (a, then c) and a pinned exclude of c: only a is in
TWO = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/a-and-c-but-not-c", "status": "active",
       "compose": {"include": [{"system": CS, "version": "2", "concept": [{"code": "a"}]},
                               {"system": CS, "version": "3", "concept": [{"code": "c"}]}],
                   "exclude": [{"system": CS, "version": "2", "concept": [{"code": "c"}]}]}}
MAPS = {"listed": _map("http://example.org/fhir/ConceptMap/listed", LISTED["url"]),
        "whole": _map("http://example.org/fhir/ConceptMap/whole", WHOLE["url"]),
        "two": _map("http://example.org/fhir/ConceptMap/two", TWO["url"])}


def _translate(client, which: str, code: str) -> tuple[bool, list]:
    params = [{"name": "url", "valueUri": MAPS[which]["url"]}, {"name": "system", "valueUri": CS},
              {"name": "code", "valueCode": code}]
    params += [{"name": "tx-resource", "resource": r} for r in (CODESYSTEM, LISTED, WHOLE, TWO, *MAPS.values())]
    r = client.post("/fhir/ConceptMap/$translate", data=json.dumps({"resourceType": "Parameters", "parameter": params}),
                    content_type="application/fhir+json")
    assert r.status_code == 200, r.json
    result = next(p["valueBoolean"] for p in r.json["parameter"] if p["name"] == "result")
    codes = [q["valueCoding"]["code"] for p in r.json["parameter"] if p["name"] == "match"
             for q in p["part"] if q["name"] == "concept"]
    return result, codes


@pytest.mark.parametrize("code,expected", [("a", (True, ["1"])), ("b", (False, [])), ("c", (False, []))])
def test_a_listed_scope_is_read_from_its_list(app, code, expected):
    assert _translate(app.test_client(), "listed", code) == expected


@pytest.mark.parametrize("code,target", [("a", "1"), ("b", "2"), ("c", "3")])
def test_a_whole_system_scope_is_read_against_the_loaded_edition(app, code, target):
    assert _translate(app.test_client(), "whole", code) == (True, [target])


@pytest.mark.parametrize("code,expected", [("a", (True, ["1"])), ("b", (False, [])), ("c", (False, []))])
def test_every_pinned_include_and_exclude_counts(app, code, expected):
    assert _translate(app.test_client(), "two", code) == expected
