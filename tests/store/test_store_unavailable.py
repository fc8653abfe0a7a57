"""A store that cannot be used now (a SQLite file locked by another process past the busy timeout) is a 503
`transient` the client may send again, also when it stops a write, and the write leaves nothing behind; a
mistake in what is asked of the store (a missing table) stays an error, not an outage."""
from __future__ import annotations

import sqlite3

import pytest

from terminology import open_store
from terminology.errors import StoreUnavailable

CS = {"resourceType": "CodeSystem", "url": "http://example.org/locked", "status": "active", "content": "complete",
      "concept": [{"code": "a"}]}


def test_a_write_meeting_a_held_lock_is_a_503_and_changes_nothing(tmp_path):
    path = str(tmp_path / "k.db")
    store = open_store(path)
    before = store.generation()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")          # another process importing
    conn = store._conn()
    conn.execute("PRAGMA busy_timeout = 50")   # (the server waits 60 s; the test need not)
    try:
        with pytest.raises(StoreUnavailable, match="could not start a write"):
            store.write([CS])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.generation() == before and not store.headers()
    store.write([CS])                           # the lock gone, the same write goes through
    assert [h.url for h in store.headers()] == [CS["url"]]
    store.close()


def test_a_mistake_in_the_query_is_not_reported_as_an_outage(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store._q(store._conn(), "SELECT * FROM no_such_table")
    store.close()

