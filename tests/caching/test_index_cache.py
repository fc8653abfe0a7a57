"""The process-wide cache of supplied CodeSystem indexes (terminology/index_cache.py, fhir_api/supplied.py):
a request repeating an earlier one's tx-resource takes the index the earlier one built, found by a digest of
the body's canonical JSON; any change of content (a display, `true` for `1`) is a new key, supplements still
apply (to a copy), and the cache keeps to its caps. Observed through the cache's counters, never by timing."""
from __future__ import annotations

import copy
import threading

import pytest

from terminology.index_cache import IndexShelf
from terminology.index_cache import SUPPLIED_INDEXES, SuppliedIndexes, canonical_bytes, content_digest

URL = "http://example.org/supplied/cached"
CS = {"resourceType": "CodeSystem", "url": URL, "version": "1", "status": "active", "content": "complete",
      "caseSensitive": True, "concept": [{"code": f"c{i}", "display": f"Code {i}"} for i in range(200)]}


@pytest.fixture(autouse=True)
def _empty_cache():
    SUPPLIED_INDEXES.clear()
    yield
    SUPPLIED_INDEXES.clear()


def _counts() -> dict:
    return dict(SUPPLIED_INDEXES.stats, shelf_builds=IndexShelf.builds)


def _delta(before: dict) -> dict:
    now = _counts()
    return {k: now[k] - before[k] for k in before}


def _validate(client, code: str, cs: dict, display: str | None = None, path="CodeSystem/$validate-code"):
    params = [{"name": "url", "valueUri": cs["url"]}, {"name": "code", "valueCode": code}]
    if display is not None:
        params.append({"name": "display", "valueString": display})
    params.append({"name": "tx-resource", "resource": copy.deepcopy(cs)})    # a fresh body, as off the wire
    r = client.post("/fhir/" + path, json={"resourceType": "Parameters", "parameter": params})
    assert r.status_code == 200, r.get_json()
    return {p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in r.get_json()["parameter"]
            if any(k.startswith("value") for k in p)}


def test_the_same_tx_resource_on_two_requests_is_indexed_once(client):
    before = _counts()
    first = _validate(client, "c7", CS)
    second = _validate(client, "c7", CS)
    assert first == second and first["result"] is True and first["display"] == "Code 7"
    assert _delta(before) == {"hits": 1, "builds": 1, "evictions": 0, "refused": 0, "shelf_builds": 1}
    assert len(SUPPLIED_INDEXES) == 1 and SUPPLIED_INDEXES.concepts == 200


def test_a_changed_display_is_indexed_again_and_answers_with_the_new_display(client):
    assert _validate(client, "c3", CS)["display"] == "Code 3"
    changed = copy.deepcopy(CS)
    changed["concept"][3]["display"] = "Changed three"
    before = _counts()
    got = _validate(client, "c3", changed)
    assert got["display"] == "Changed three"
    assert _delta(before)["builds"] == 1 and _delta(before)["hits"] == 0
    assert _validate(client, "c3", CS)["display"] == "Code 3"   # the first body's index is still its own
    assert len(SUPPLIED_INDEXES) == 2


def test_json_types_python_calls_equal_make_different_keys():
    assert content_digest({"caseSensitive": True}) != content_digest({"caseSensitive": 1})
    assert content_digest({"v": 1.0}) != content_digest({"v": 1})
    assert content_digest({"b": 1, "a": [1, 2]}) == content_digest({"a": [1, 2], "b": 1})   # key order is not content
    assert content_digest({"a": [1, 2]}) != content_digest({"a": [2, 1]})                  # array order is
    # values with no canonical form are never keys: JSON cannot hold them, or orjson writes them as another value
    for odd in (float("nan"), float("inf"), 2 ** 64, -(2 ** 63) - 1, "x\ud800"):
        assert canonical_bytes({"v": odd}) is None, odd
    assert canonical_bytes({"v": None}) == b'{"v":null}'
    assert canonical_bytes({"v": 2 ** 64 - 1}) == b'{"v":18446744073709551615}'


def test_case_sensitive_true_and_1_are_answered_each_from_its_own_index(client):
    """caseSensitive `1` is not `true` to the index (codes then match in any case): a body differing only so
    must not take the other's index, whichever comes first."""
    def one(flag):
        cs = {**CS, "url": URL + "/typed", "caseSensitive": flag}
        return _validate(client, "C1", cs)["result"]

    assert [one(True), one(1), one(True), one(1)] == [False, True, False, True]
    assert SUPPLIED_INDEXES.stats["builds"] == 2 and SUPPLIED_INDEXES.stats["hits"] == 2


SUP = {"resourceType": "CodeSystem", "url": "http://example.org/supplied/sup", "version": "1", "status": "active",
       "content": "supplement", "supplements": URL + "|1",
       "concept": [{"code": "c1", "designation": [{"language": "nb", "value": "Kode en"}]}]}


def _lookup(client, with_supplement: bool) -> list:
    params = [{"name": "system", "valueUri": URL}, {"name": "code", "valueCode": "c1"},
              {"name": "tx-resource", "resource": copy.deepcopy(CS)}]
    if with_supplement:
        params += [{"name": "tx-resource", "resource": copy.deepcopy(SUP)},
                   {"name": "useSupplement", "valueCanonical": SUP["url"]}]
    r = client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Parameters", "parameter": params})
    assert r.status_code == 200, r.get_json()
    return [part["valueString"] for p in r.get_json()["parameter"] if p["name"] == "designation"
            for part in p["part"] if part["name"] == "value"]


def _expand_nb(client, with_supplement: bool) -> dict:
    vs = {"resourceType": "ValueSet", "url": "http://example.org/supplied/vs", "status": "active",
          "compose": {"include": [{"system": URL, "concept": [{"code": "c1"}, {"code": "c2"}]}]}}
    if with_supplement:
        vs["extension"] = [{"url": "http://hl7.org/fhir/StructureDefinition/valueset-supplement",
                            "valueCanonical": SUP["url"]}]
    params = [{"name": "url", "valueUri": vs["url"]}, {"name": "displayLanguage", "valueCode": "nb"}]
    params += [{"name": "tx-resource", "resource": copy.deepcopy(r)} for r in (CS, SUP, vs)]
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": params})
    assert r.status_code == 200, r.get_json()
    return {c["code"]: c["display"] for c in r.get_json()["expansion"]["contains"]}


def test_supplements_still_apply_and_never_reach_the_kept_index(client):
    for _ in range(2):
        assert "Kode en" in _lookup(client, with_supplement=True)
        assert "Kode en" not in _lookup(client, with_supplement=False)
        assert _expand_nb(client, with_supplement=True) == {"c1": "Kode en", "c2": "Code 2"}
        assert _expand_nb(client, with_supplement=False) == {"c1": "Code 1", "c2": "Code 2"}
    # the base system is indexed once for all eight requests; the supplements were applied to copies of it
    assert SUPPLIED_INDEXES.stats["builds"] == 1 and SUPPLIED_INDEXES.stats["hits"] == 7
    kept = [e.index for e in SUPPLIED_INDEXES._kept.values() if e.index.url == URL]
    assert len(kept) == 1 and kept[0].get("c1").designations == []


def test_contained_code_systems_are_kept_too(client):
    contained = {**{k: v for k, v in CS.items() if k != "url"}, "id": "local"}
    vs = {"resourceType": "ValueSet", "url": "http://example.org/supplied/with-contained", "status": "active",
          "contained": [contained], "compose": {"include": [{"system": "#local"}]}}

    def validate():
        r = client.post("/fhir/ValueSet/$validate-code", json={"resourceType": "Parameters", "parameter": [
            {"name": "valueSet", "resource": copy.deepcopy(vs)}, {"name": "system", "valueUri": "#local"},
            {"name": "code", "valueCode": "c5"}]})
        assert r.status_code == 200, r.get_json()
        return next(p["valueBoolean"] for p in r.get_json()["parameter"] if p["name"] == "result")

    assert validate() is True and validate() is True
    assert SUPPLIED_INDEXES.stats["builds"] == 1 and SUPPLIED_INDEXES.stats["hits"] >= 1


def test_a_malformed_body_is_never_kept(client):
    bad = copy.deepcopy(CS)
    bad["concept"][0]["display"] = ["not", "a", "string"]
    for _ in range(2):
        r = client.post("/fhir/CodeSystem/$validate-code", json={"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": URL}, {"name": "code", "valueCode": "c0"},
            {"name": "tx-resource", "resource": copy.deepcopy(bad)}]})
        assert r.status_code == 400
    assert len(SUPPLIED_INDEXES) == 0 and SUPPLIED_INDEXES.stats["builds"] == 0


def test_a_body_not_checked_sound_is_indexed_for_its_request_alone():
    shelf = IndexShelf(cache=SUPPLIED_INDEXES, digest=lambda body: None)
    assert shelf.index(copy.deepcopy(CS)).get("c1").display == "Code 1"
    assert len(SUPPLIED_INDEXES) == 0


def test_the_kept_index_is_built_from_a_private_copy():
    """Nothing a request does to its own body afterwards reaches the index another request will be given."""
    cache = SuppliedIndexes()
    body = copy.deepcopy(CS)
    digest = content_digest(body)
    first = cache.index(digest, body)
    body["concept"][0]["display"] = "scribbled on"
    body["concept"][0].setdefault("designation", []).append({"value": "also"})
    again = cache.index(digest, copy.deepcopy(CS))
    assert again is first and first.get("c0").display == "Code 0" and first.get("c0").designations == []


def test_a_body_changed_since_its_digest_was_made_is_not_kept_under_it():
    cache = SuppliedIndexes()
    body = copy.deepcopy(CS)
    digest = content_digest(body)
    body["concept"][0]["display"] = "changed after the check"
    assert cache.index(digest, body) is None
    assert len(cache) == 0 and cache.stats["refused"] == 1


def _body(n: int, concepts: int) -> dict:
    return {**CS, "version": str(n), "concept": [{"code": f"k{i}"} for i in range(concepts)]}


def test_eviction_keeps_to_the_concept_cap_least_recently_used_first():
    cache = SuppliedIndexes(max_concepts=1000, max_entries=100)
    bodies = [_body(n, 400) for n in range(3)]
    digests = [content_digest(b) for b in bodies]
    a = cache.index(digests[0], bodies[0])
    cache.index(digests[1], bodies[1])
    assert cache.index(digests[0], bodies[0]) is a          # used again: now the most recent
    cache.index(digests[2], bodies[2])                       # 1,200 concepts: the least recent (1) goes
    assert cache.stats["evictions"] == 1 and cache.concepts == 800 and len(cache) == 2
    assert cache.index(digests[0], bodies[0]) is a
    builds = cache.stats["builds"]
    cache.index(digests[1], bodies[1])
    assert cache.stats["builds"] == builds + 1                # evicted, so built again
    assert cache.concepts <= 1000


def test_eviction_keeps_to_the_entry_and_byte_caps_and_refuses_what_cannot_fit():
    cache = SuppliedIndexes(max_concepts=10_000, max_entries=3)
    for n in range(5):
        b = _body(n, 2)
        cache.index(content_digest(b), b)
    assert len(cache) == 3 and cache.stats["evictions"] == 2
    big = _body(9, 10_001)
    assert cache.index(content_digest(big), big) is not None    # answered, not kept
    assert len(cache) == 3 and cache.stats["refused"] == 1
    small = SuppliedIndexes(max_bytes=len(canonical_bytes(_body(0, 50))) * 2)
    for n in range(3):
        b = _body(n, 50)
        small.index(content_digest(b), b)
    assert len(small) == 2 and small.stats["evictions"] == 1


def test_threads_asking_for_one_body_share_one_build():
    cache = SuppliedIndexes()
    body = _body(0, 3000)
    digest = content_digest(body)
    got, start = [], threading.Barrier(6)

    def ask():
        start.wait()
        got.append(cache.index(digest, copy.deepcopy(body)))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 6 and all(i is got[0] for i in got)
    assert cache.stats["builds"] == 1 and cache.stats["hits"] == 5
    assert cache._building == {}


def test_a_code_system_with_an_index_class_of_its_own_is_not_kept():
    from terminology.codesystem import INDEX_CLASSES, CodeSystemIndex

    class Own(CodeSystemIndex):
        pass

    body = {**CS, "url": "http://example.org/supplied/own-class"}
    INDEX_CLASSES[body["url"]] = Own
    try:
        assert SUPPLIED_INDEXES.index(content_digest(body), body) is None
    finally:
        del INDEX_CLASSES[body["url"]]
