"""A write that the store refuses as it starts (503) leaves the worker's connection fit for the next request,
and the readiness probe's short waits nest and end cleanly. Real PostgreSQL (tests/conftest.py
`postgres_server`) and SQLite files; no mocks."""
from __future__ import annotations

import time

import pytest

from fhir_api import create_app
from terminology import open_store

VS = {"resourceType": "ValueSet", "id": "w", "url": "https://ex.org/vs/w", "status": "draft"}
FHIR_JSON = {"Content-Type": "application/fhir+json"}


def test_a_write_whose_lock_wait_fails_leaves_the_postgres_connection_usable(pg_store):
    import psycopg
    url = pg_store.url
    with psycopg.connect(url, autocommit=True) as adm:     # a DBA's limit on how long a statement may run
        dbname = adm.info.dbname
        adm.execute(f"ALTER DATABASE {dbname} SET statement_timeout = '300ms'")
    client = create_app({"DB": url, "DEMO": False}).test_client()
    assert client.get("/readyz").status_code == 200
    holder = psycopg.connect(url, autocommit=True)
    try:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(71107170)")      # another server's import holds the lock
        r = client.put("/fhir/ValueSet/w", json=VS, headers=FHIR_JSON)
        assert r.status_code == 503, r.get_data(as_text=True)
        assert r.headers["Retry-After"] == "5"      # worth sending again shortly, as /readyz says too
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    time.sleep(1.1)         # past the catalog's refresh interval
    # the same worker thread: its connection must not be stuck in the failed transaction
    assert client.get("/fhir/ValueSet/w").status_code == 404
    assert client.get("/readyz").status_code == 200
    r = client.put("/fhir/ValueSet/w", json=VS, headers=FHIR_JSON)
    assert r.status_code == 201, r.get_data(as_text=True)


def test_short_waits_nest_and_end_cleanly(any_store):
    with any_store.short_waits(0.2):
        with any_store.short_waits(0.1):
            any_store.generation()
        any_store.generation()          # the outer block's wait still holds and its exit does not fail
    any_store.write([VS])               # the long wait is back: a plain write works
    assert any_store.generation() >= 1


def test_a_failed_write_start_on_sqlite_leaves_the_connection_usable(tmp_path):
    import sqlite3
    path = str(tmp_path / "k.db")
    store = open_store(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")                    # another process is writing
    try:
        with store.short_waits(0.1):
            with pytest.raises(Exception) as info:
                store.write([VS])
        assert getattr(info.value, "status", None) == 503
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.write([VS])
    assert [h.id for h in store.headers("ValueSet")] == ["w"]
    store.close()


def test_a_create_of_a_kept_url_and_version_is_refused_in_the_write(any_store):
    """`only_new` (a create) is judged in the write's own transaction: nothing is replaced or half written."""
    from terminology.errors import Duplicate
    first = {**VS, "id": None, "title": "first"}
    first.pop("id")
    any_store.write([first], only_new=True)
    before = any_store.generation()
    with pytest.raises(Duplicate, match=r"ValueSet/\S+ already holds https://ex.org/vs/w \(no version\)"):
        any_store.write([{**first, "title": "second"}], only_new=True)
    assert any_store.generation() == before
    (h,) = any_store.headers("ValueSet")
    assert any_store.body(h.pk)["title"] == "first"
    any_store.write([{**first, "title": "third"}])      # a plain write (PUT, import) still replaces
    (h,) = any_store.headers("ValueSet")
    assert any_store.body(h.pk)["title"] == "third"
