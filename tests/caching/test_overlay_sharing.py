"""A tx-resource shared by the entries of a batch Bundle, or by the checks of a $batch-validate-code, is indexed
once per request (terminology.index_cache.IndexShelf counts the indexes it builds), and the answers are those of
the same requests made one by one."""
from __future__ import annotations

import pytest

from terminology.index_cache import IndexShelf
from terminology.index_cache import SUPPLIED_INDEXES


@pytest.fixture(autouse=True)
def _no_kept_indexes():
    """Each test counts the builds of its own requests: none taken from the process-wide cache an earlier
    test filled (tests/caching tests that cache)."""
    SUPPLIED_INDEXES.clear()

URL = "http://example.org/shared-cs"
CS = {"resourceType": "CodeSystem", "url": URL, "version": "1", "status": "active", "content": "complete",
      "concept": [{"code": f"c{i}", "display": f"Code {i}"} for i in range(300)]}


def _validate(code: str, *, with_cs: bool) -> dict:
    params = [{"name": "url", "valueUri": URL}, {"name": "code", "valueCode": code}]
    if with_cs:
        params.append({"name": "tx-resource", "resource": CS})
    return {"resourceType": "Parameters", "parameter": params}


def _entry(body: dict) -> dict:
    return {"request": {"method": "POST", "url": "CodeSystem/$validate-code"}, "resource": body}


def _result(params: dict):
    return next(p["valueBoolean"] for p in params["parameter"] if p["name"] == "result")


def _builds(fn):
    before = IndexShelf.builds
    out = fn()
    return IndexShelf.builds - before, out


def test_a_bundle_indexes_a_tx_resource_its_entries_share_once(client):
    codes = ["c1", "c2", "nope", "c299"] * 3
    entries = [_entry(_validate(codes[0], with_cs=True))] + [_entry(_validate(c, with_cs=False)) for c in codes[1:]]
    built, r = _builds(lambda: client.post("/fhir", json={"resourceType": "Bundle", "type": "batch",
                                                            "entry": entries}))
    assert r.status_code == 200
    assert built == 1
    got = [_result(e["resource"]) for e in r.get_json()["entry"]]
    one_by_one = [_result(client.post("/fhir/CodeSystem/$validate-code", json=_validate(c, with_cs=True)).get_json())
                  for c in codes]
    assert got == one_by_one == [c != "nope" for c in codes]


def test_a_bundle_indexes_equal_copies_of_a_tx_resource_once(client):
    """Each entry carrying its own copy (a client that sends the resource with every entry)."""
    entries = [_entry(_validate(f"c{i}", with_cs=True)) for i in range(8)]
    built, r = _builds(lambda: client.post("/fhir", json={"resourceType": "Bundle", "type": "batch",
                                                            "entry": entries}))
    assert r.status_code == 200 and built == 1
    assert all(_result(e["resource"]) for e in r.get_json()["entry"])


def test_batch_validate_code_indexes_a_shared_tx_resource_once(client):
    body = {"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "resource": CS}] + [
        {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": URL}, {"name": "code", "valueCode": c}]}} for c in ("c1", "c7", "zz", "c9")]}
    built, r = _builds(lambda: client.post("/fhir/CodeSystem/$batch-validate-code", json=body))
    assert r.status_code == 200 and built == 1
    assert [_result(p["resource"]) for p in r.get_json()["parameter"]] == [True, True, False, True]


def test_a_check_s_own_resource_wins_over_a_shared_one_of_the_same_version(client):
    own = {**CS, "concept": [{"code": "only-mine"}]}
    body = {"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "resource": CS},
        {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": URL}, {"name": "code", "valueCode": "only-mine"},
            {"name": "tx-resource", "resource": own}]}},
        {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": URL}, {"name": "code", "valueCode": "c1"}]}}]}
    built, r = _builds(lambda: client.post("/fhir/CodeSystem/$batch-validate-code", json=body))
    assert r.status_code == 200 and built == 2
    assert [_result(p["resource"]) for p in r.get_json()["parameter"]] == [True, True]


def test_separate_requests_with_the_same_resource_index_it_once(client):
    """The shelf lives as long as one request; the index of a body checked sound is kept by its content digest
    (terminology/index_cache.py), so a request repeating an earlier one's resource does not index it again."""
    built, _ = _builds(lambda: [client.post("/fhir/CodeSystem/$validate-code", json=_validate("c1", with_cs=True))
                                for _ in range(3)])
    assert built == 1


def test_the_shelf_is_bounded():
    shelf = IndexShelf()
    bodies = [{**CS, "version": str(i)} for i in range(IndexShelf.MAX_INDEXES + 5)]
    for b in bodies:
        shelf.index(b)
    assert len(shelf._held) == IndexShelf.MAX_INDEXES
    built, _ = _builds(lambda: shelf.index(bodies[-1]))
    assert built == 0
    built, _ = _builds(lambda: shelf.index(bodies[0]))
    assert built == 1


def test_copies_that_differ_only_as_json_types_are_not_shared(client):
    """`true == 1` in Python, but a CodeSystem whose caseSensitive is 1 is not case sensitive to the index: each
    entry must be answered from its own body, whichever comes first."""
    def body(flag):
        cs = {"resourceType": "CodeSystem", "url": "http://example.org/typed", "version": "1", "status": "active",
              "content": "complete", "caseSensitive": flag, "concept": [{"code": "a", "display": "A"}]}
        return {"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": cs["url"]}, {"name": "code", "valueCode": "A"},
            {"name": "tx-resource", "resource": cs}]}

    flags = {"true": True, "one": 1}       # (as dict keys True and 1 would be one key)
    alone = {name: _result(client.post("/fhir/CodeSystem/$validate-code", json=body(flag)).get_json())
             for name, flag in flags.items()}
    assert alone == {"true": False, "one": True}
    for order in (("true", "one"), ("one", "true")):
        r = client.post("/fhir", json={"resourceType": "Bundle", "type": "batch",
                                       "entry": [_entry(body(flags[n])) for n in order]})
        assert [_result(e["resource"]) for e in r.get_json()["entry"]] == [alone[n] for n in order]


def test_a_copy_counts_its_concepts_once():
    shelf = IndexShelf()
    first, copy = dict(CS), {**CS, "concept": [dict(c) for c in CS["concept"]]}
    assert shelf.index(first) is shelf.index(copy)
    assert shelf._concepts == len(CS["concept"])
