"""Evaluated SNOMED CT filters are remembered on the index: same answers, errors raised afresh, bounded."""
from __future__ import annotations

import pytest

from terminology.errors import InvalidRequest, NotSupported
from terminology.implicit import resolve
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.validate import ValidateRequest, validate_code
from .conftest import HANDMADE, SNOMED, client_at

ECL = "<< 64572001 MINUS << 233604007"


def check(catalog, url, code):
    vs = resolve(catalog, url)
    return validate_code(catalog, ValidateRequest(valueset=vs, codings=[{"system": SNOMED, "code": code}])).result


def test_repeated_validate_code_gives_the_same_answers(no_catalog, no_cs):
    url = f"{SNOMED}?fhir_vs=ecl/{ECL}"
    expected = {"38341003": True, "48194001": True, "64572001": True, "233604007": False, "75570004": False,
                "29857009": False, "155574008": False}
    for _ in range(3):
        assert {code: check(no_catalog, url, code) for code in expected} == expected
    first = no_cs.filter_numbers("constraint", "=", ECL)
    assert no_cs.filter_numbers("constraint", "=", ECL) is first      # remembered, not re-evaluated
    assert isinstance(first, frozenset)                                # so no caller can change it
    assert no_cs.filter_numbers("expression", "=", ECL) == first


def test_repeated_expand_gives_the_same_members(no_catalog):
    vs = resolve(no_catalog, f"{SNOMED}?fhir_vs=ecl/{ECL}")
    runs = [sorted(it.code for it in expand(no_catalog, ExpandRequest(valueset=vs, exclude_nested=True)).items)
            for _ in range(3)]
    assert runs[0] == runs[1] == runs[2] and "38341003" in runs[0] and "233604007" not in runs[0]


@pytest.mark.parametrize("prop,value,expected", [
    ("inactive", "true", {"155574008"}),
    ("moduleId", "51000202101", {"71000202107", "88161000202101", "68101000202102"}),
])
def test_inactive_and_module_filters(no_cs, prop, value, expected):
    for _ in range(2):
        assert set(no_cs.filter_codes(prop, "=", value)) == expected
    assert no_cs.filter_numbers("inactive", "=", "false") == frozenset(
        i for i, a in enumerate(no_cs.active) if a)


@pytest.mark.parametrize("ecl,error", [("<< 64572001 AND", InvalidRequest), ("<< 404684003 : { R 363698007 = * }",
                                                                            NotSupported),
                                       ("<< 123456789", InvalidRequest)])
def test_an_invalid_constraint_raises_every_time(no_cs, ecl, error):
    messages = []
    for _ in range(3):
        with pytest.raises(error) as e:
            no_cs.filter_numbers("constraint", "=", ecl)
        messages.append(str(e.value))
    assert messages[0] == messages[1] == messages[2]
    assert ("constraint", "=", ecl) not in no_cs._filter_cache


def test_the_cache_is_bounded(no_cs, monkeypatch):
    from terminology.snomed import index_filters as index
    monkeypatch.setattr(index, "_FILTER_CACHE_ENTRIES", 2)
    no_cs._filter_cache.clear()
    no_cs._filter_cached = 0
    answers = {ecl: no_cs.filter_numbers("constraint", "=", ecl) for ecl in ("<< 64572001", "<< 233604007",
                                                                          "<< 404684003", "<! 64572001")}
    assert len(no_cs._filter_cache) == 2
    assert no_cs._filter_cached == sum(len(v) for v in no_cs._filter_cache.values())
    for ecl, got in answers.items():     # evicted ones are evaluated again, to the same answer
        assert no_cs.filter_numbers("constraint", "=", ecl) == got
    monkeypatch.setattr(index, "_FILTER_CACHE_MEMBERS", 10)
    no_cs._filter_cache.clear()
    no_cs._filter_cached = 0
    assert len(no_cs.filter_numbers("constraint", "=", "<< 404684003")) > 5
    assert not no_cs._filter_cache           # more than half the member budget: not kept


# --- over HTTP --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return client_at(tmp_path_factory.mktemp("cache"), HANDMADE)


def test_invalid_ecl_is_a_400_every_time_over_http(client):
    bodies = []
    for _ in range(3):
        r = client.get("/fhir/ValueSet/$validate-code", query_string={
            "url": SNOMED + "?fhir_vs=ecl/<< 64572001 OR", "system": SNOMED, "code": "38341003"})
        assert r.status_code == 400, r.get_json()
        body = r.get_json()
        assert body["resourceType"] == "OperationOutcome"
        bodies.append(body["issue"][0]["diagnostics"] if "diagnostics" in body["issue"][0] else body["issue"][0])
    assert bodies[0] == bodies[1] == bodies[2]
    assert "ECL" in str(bodies[0])


def test_valid_ecl_over_http_is_stable(client):
    for _ in range(3):
        for code, want in (("48194001", True), ("75570004", False)):
            r = client.get("/fhir/ValueSet/$validate-code", query_string={
                "url": f"{SNOMED}?fhir_vs=ecl/{ECL}", "system": SNOMED, "code": code})
            assert r.status_code == 200, r.get_json()
            assert next(p["valueBoolean"] for p in r.get_json()["parameter"] if p["name"] == "result") is want


def test_concept_in_any_refset_agrees_between_expand_and_validate(no_cs):
    members = set(no_cs.filter_codes("concept", "in", "*"))
    test = no_cs.filter_test("concept", "in", "*")
    assert members and all(test(no_cs.get(c)) for c in members)
    outside = [c for c in list(no_cs.codes)[:200] if c not in members]
    assert not any(test(no_cs.get(c)) for c in outside)
