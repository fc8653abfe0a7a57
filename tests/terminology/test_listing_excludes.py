"""The codes the list-only excludes of a value set remove are kept together per code system version (one set
per version asked about, valueset_facts._Listing), and a property `=` filter reads the concept's own values
(filters._states). Asking the same stored value set about several versions, in any order and again, must give
the answers each version gives alone: a set kept for one version must never answer for another."""
from __future__ import annotations

import pytest

CS1 = {"resourceType": "CodeSystem", "id": "cs1", "url": "http://x/cs", "version": "1", "status": "active",
       "content": "complete", "caseSensitive": False,
       "property": [{"code": "kind", "type": "code"}, {"code": "ok", "type": "boolean"}],
       "concept": [{"code": "a", "display": "A", "property": [{"code": "kind", "valueCode": "x"},
                                                            {"code": "ok", "valueBoolean": True}]},
                   {"code": "b", "display": "B", "property": [{"code": "kind", "valueCode": "y"},
                                                            {"code": "ok", "valueBoolean": True}]},
                   {"code": "c", "display": "C", "property": [{"code": "kind", "valueCode": "x"},
                                                            {"code": "ok", "valueBoolean": False}]}]}
# version 2 is case sensitive: the exclude's "A" names no code of it, so its "a" is not excluded there
CS2 = {**CS1, "id": "cs2", "version": "2", "caseSensitive": True}
# the excludes name version 3 (case sensitive, so its own "A" is no code either): every include and exclude names
# a version and none shares one, so the excludes remove their codes from versions 1 and 2 by code (an
# unversioned exclude would read the latest version, 3, and remove nothing from 1 and 2:
# tests/versions/test_exclude_versions.py)
CS3 = {**CS2, "id": "cs3", "version": "3"}
VS = {"resourceType": "ValueSet", "id": "vs", "url": "http://x/vs", "version": "1", "status": "active",
      "compose": {"include": [{"system": "http://x/cs", "version": "1", "filter": [{"property": "ok", "op": "=",
                                                                                    "value": "true"}]},
                              {"system": "http://x/cs", "version": "2", "filter": [{"property": "ok", "op": "=",
                                                                                    "value": "true"}]}],
                  "exclude": [{"system": "http://x/cs", "version": "3", "concept": [{"code": "A"}]},
                              {"system": "http://x/cs", "version": "3", "concept": [{"code": "zz"}]}]}}


@pytest.fixture
def client(app):
    c = app.test_client()
    for r in (CS1, CS2, CS3, VS):
        assert c.put(f"/fhir/{r['resourceType']}/{r['id']}", json=r).status_code in (200, 201)
    return c


def _result(client, code: str, version: str) -> bool:
    body = client.post("/fhir/ValueSet/$validate-code", json={"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": "http://x/vs"},
        {"name": "coding", "valueCoding": {"system": "http://x/cs", "version": version, "code": code}}]}).get_json()
    return next(p["valueBoolean"] for p in body["parameter"] if p["name"] == "result")


EXPECTED = {("a", "1"): False,     # excluded: "A" is "a" in the case-insensitive version 1
            ("a", "2"): True,      # kept: "A" is no code of the case-sensitive version 2
            ("b", "1"): True, ("b", "2"): True,
            ("c", "1"): False, ("c", "2"): False}     # ok = false: the filter leaves it out


@pytest.mark.parametrize("order", [["1", "2"], ["2", "1"]])
def test_each_version_answers_as_alone(client, order):
    for _round in range(2):
        for version in order:
            for code in "abc":
                assert _result(client, code, version) is EXPECTED[(code, version)], (code, version)


def test_expansion_applies_the_exclude_per_version(client):
    body = client.get("/fhir/ValueSet/$expand?url=http://x/vs").get_json()
    got = sorted((c["version"], c["code"]) for c in body["expansion"]["contains"])
    assert got == [("1", "b"), ("2", "a"), ("2", "b")]


def test_property_filter_reads_booleans_and_codes(client):
    vs = {"resourceType": "ValueSet", "compose": {"include": [
        {"system": "http://x/cs", "version": "1", "filter": [{"property": "kind", "op": "=", "value": "x"},
                                                              {"property": "ok", "op": "=", "value": "false"}]}]}}
    body = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}]}).get_json()
    assert [c["code"] for c in body["expansion"]["contains"]] == ["c"]
