"""A store reads one resource's header by (type, id), and the headers of a canonical url (| version), without
scanning a type's headers, on SQLite and on PostgreSQL; REST writes use these reads."""
from __future__ import annotations

import pytest

from terminology import open_store
from terminology.store.base import ANY_VERSION


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "postgres":
        yield request.getfixturevalue("pg_store")
        return
    s = open_store(str(tmp_path / "s.db"))
    yield s
    s.close()


def _cs(rid, url, version, codes=("a", "b")):
    cs = {"resourceType": "CodeSystem", "id": rid, "url": url, "status": "active", "content": "complete",
          "concept": [{"code": c, "display": c} for c in codes]}
    if version is not None:
        cs["version"] = version
    return cs


def _vs(rid, url=None):
    vs = {"resourceType": "ValueSet", "id": rid, "status": "active"}
    if url:
        vs["url"] = url
    return vs


def test_header_by_id_is_the_header_a_scan_finds(store):
    store.write([_cs("one", "http://x/cs", "1"), _cs("two", "http://x/cs", "2", ("a",)), _vs("one")])
    for rtype in ("CodeSystem", "ValueSet"):
        for h in store.headers(rtype):
            assert store.header(rtype, h.id) == h
    h = store.header("CodeSystem", "two")
    assert (h.type, h.id, h.url, h.version, h.concept_count) == ("CodeSystem", "two", "http://x/cs", "2", 1)
    # the type is part of the key: ValueSet/one is not CodeSystem/one
    assert store.header("ValueSet", "one").type == "ValueSet"
    assert store.header("CodeSystem", "one").url == "http://x/cs"


def test_header_by_id_of_what_is_not_there(store):
    store.write([_vs("one")])
    assert store.header("ValueSet", "missing") is None
    assert store.header("ConceptMap", "one") is None
    store.delete("ValueSet", "one")
    assert store.header("ValueSet", "one") is None


def test_header_by_id_follows_writes(store):
    store.write([_cs("one", "http://x/cs", "1")])
    before = store.header("CodeSystem", "one")
    store.write([_cs("one", "http://x/cs", "1", ("a", "b", "c"))])
    after = store.header("CodeSystem", "one")
    assert after.concept_count == 3 and after.rev > before.rev


def test_by_url_with_and_without_version(store):
    store.write([_cs("one", "http://x/cs", "1"), _cs("two", "http://x/cs", "2"), _cs("plain", "http://x/cs", None),
                 _cs("other", "http://x/other", "1"), _vs("vs", "http://x/cs")])
    assert [h.id for h in store.by_url("CodeSystem", "http://x/cs", "2")] == ["two"]
    # None: the one without a version (null-safe), not every version
    assert [h.id for h in store.by_url("CodeSystem", "http://x/cs", None)] == ["plain"]
    assert sorted(h.id for h in store.by_url("CodeSystem", "http://x/cs")) == ["one", "plain", "two"]
    assert store.by_url("CodeSystem", "http://x/cs", ANY_VERSION) == store.by_url("CodeSystem", "http://x/cs")
    assert store.by_url("CodeSystem", "http://x/cs", "3") == []
    assert store.by_url("CodeSystem", "http://x/none") == []
    assert [h.id for h in store.by_url("ValueSet", "http://x/cs")] == ["vs"]
    assert store.by_url("CodeSystem", "http://x/cs", "2") == [store.header("CodeSystem", "two")]


def test_reads_inside_a_write_see_the_transaction(store):
    """A precondition or derive hook reading by id sees what the write's own transaction has read: the state
    under the write lock (the derive hook runs before anything of the write is written)."""
    store.write([_vs("one")])
    seen = {}

    def derive(s):
        seen["one"] = s.header("ValueSet", "one")
        seen["two"] = s.header("ValueSet", "two")
        return [], []
    store.write([_vs("two")], delete=[("ValueSet", "one")], derive=derive)
    assert seen["one"] is not None and seen["two"] is None
    assert store.header("ValueSet", "one") is None and store.header("ValueSet", "two") is not None
