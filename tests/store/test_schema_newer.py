"""A store written by a newer Kodebro (a higher schema version) is refused, not written back to the older version:
a rolled-back deployment that wrote its own version would make the newer Kodebro re-run migrations on tables that
already exist, and that store could no longer be opened by either."""
from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from terminology import open_store
from terminology.store.migrations import SCHEMA_VERSION
from terminology.store.sql import StoreUnavailable

from .conftest import new_database


def _bump(path: str, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
    conn.commit()
    conn.close()


def _schema(path: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    finally:
        conn.close()


def test_a_newer_sqlite_store_is_refused_and_left_as_it_was(tmp_path):
    path = str(tmp_path / "k.db")
    open_store(path).close()
    _bump(path, SCHEMA_VERSION + 1)
    with pytest.raises(StoreUnavailable) as err:
        open_store(path)
    text = str(err.value)
    assert f"schema version {SCHEMA_VERSION + 1}" in text and "newer Kodebro" in text and str(SCHEMA_VERSION) in text
    assert _schema(path) == str(SCHEMA_VERSION + 1)     # not written back


def test_a_newer_postgres_store_is_refused(postgres_url):
    import psycopg
    from terminology.store.postgres import PostgresStore
    _name, url = new_database(postgres_url)
    open_store(url).close()
    with psycopg.connect(url) as c:
        c.execute("UPDATE meta SET value=%s WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreUnavailable, match="newer Kodebro"):
        PostgresStore(url)
    with psycopg.connect(url) as c:
        assert c.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION + 1)


def test_the_cli_names_the_newer_store(tmp_path):
    from scripts.cli import main
    path = str(tmp_path / "k.db")
    open_store(path).close()
    _bump(path, SCHEMA_VERSION + 7)
    r = CliRunner().invoke(main, ["list", "--db", path])
    assert r.exit_code != 0 and "newer Kodebro" in r.output and "Traceback" not in r.output
