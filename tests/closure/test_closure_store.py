"""Closure tables in the store, on SQLite and on PostgreSQL: kept across store objects (restarts, workers), written
without starting a store generation, and two clients adding to one table at once lose no entries."""
from __future__ import annotations

import threading

import pytest

from terminology import Catalog, open_store
from terminology.closure import closure
from terminology.demo import load_demo
from tests.closure.conftest import ICD


@pytest.fixture(params=["sqlite", "postgres"])
def location(request, tmp_path):
    if request.param == "postgres":
        yield request.getfixturevalue("pg_store").url
        return
    yield str(tmp_path / "s.db")


def test_a_table_outlives_its_store_object_and_starts_no_generation(location):
    s = open_store(location)
    before = s.generation()
    assert s.closure_initialise("t") == 0
    assert s.closure_add("t", 0, {ICD: "2026"}, [(ICD, "J12", "a"), (ICD, "J12.8", None)],
                         [(ICD, "J12.8", "J12", "subsumes")]) == 1
    assert s.generation() == before
    s.close()
    again = open_store(location)
    state = again.closure_state("t")
    assert (state.version, state.base, state.editions) == (1, 0, {ICD: "2026"})
    assert state.concepts == {(ICD, "J12"), (ICD, "J12.8")}
    (entry,) = again.closure_entries("t", 0, 1)
    assert (entry.source, entry.target, entry.target_display, entry.equivalence) == ("J12.8", "J12", "a", "subsumes")
    again.close()


def test_an_addition_worked_out_on_an_older_version_is_not_written(location):
    s = open_store(location)
    s.closure_initialise("t")
    assert s.closure_add("t", 0, {}, [(ICD, "J12", None)], []) == 1
    assert s.closure_add("t", 0, {}, [(ICD, "J13", None)], []) is None          # saw version 0; it is at 1
    assert s.closure_state("t").concepts == {(ICD, "J12")}
    assert s.closure_add("missing", 0, {}, [(ICD, "J13", None)], []) is None
    s.close()


def test_initialising_again_empties_the_table_under_a_new_version(location):
    s = open_store(location)
    s.closure_initialise("t")
    s.closure_add("t", 0, {ICD: "2026"}, [(ICD, "J12", None), (ICD, "J12.8", None)],
                  [(ICD, "J12.8", "J12", "subsumes")])
    assert s.closure_initialise("t") == 2
    state = s.closure_state("t")
    assert (state.version, state.base, state.editions, state.concepts) == (2, 2, {}, set())
    assert s.closure_entries("t", 0, 2) == []
    s.close()


CODES = ["J09-J18", "J12", "J12.8", "J128", "J13", "J10.0", "J11", "J11.0", "J11.1", "J12.0", "J12.1", "J12.2",
         "J12.3", "J12.9", "J15.9", "J18.9", "J06.9", "J22", "A00", "A00.0", "A00.1", "A00.9", "A01", "A01.0"]


def _entries(store, name):
    # which of two equal codes is the source depends on which came first
    return {(e.source, e.target, e.equivalence) if e.equivalence != "equal" else (frozenset((e.source, e.target)),)
            for e in store.closure_entries(name, 0, 10 ** 9)}


def test_two_clients_adding_to_one_table_at_once_lose_nothing(location):
    seed = open_store(location)
    load_demo(seed)
    catalog = Catalog(seed)
    closure(catalog, seed, "alone", [], None)
    closure(catalog, seed, "alone", [{"system": ICD, "code": c} for c in CODES], None)
    expected = _entries(seed, "alone")
    assert len(expected) > 20

    closure(catalog, seed, "shared", [], None)
    stores = [open_store(location) for _ in range(2)]       # two connections, as two workers have
    halves = [CODES[0::2], CODES[1::2]]
    errors = []
    start = threading.Barrier(2)

    def client(i):
        try:
            cat = Catalog(stores[i])
            start.wait()
            for code in halves[i]:      # one call per code: many chances to interleave
                closure(cat, stores[i], "shared", [{"system": ICD, "code": code}], None)
        except Exception as err:        # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _entries(seed, "shared") == expected
    assert seed.closure_state("shared").version == len(CODES)
    for s in stores + [seed]:
        s.close()
