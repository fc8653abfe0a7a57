"""PostgreSQL store: one shared database behind several stateless API processes.

Same schema and logic as the SQLite store (see sql.py); each process keeps
its own hot indexes and notices new content through the `generation` row.
Needs the optional dependency `psycopg` (pip install 'kodebro[postgres]').
"""
from __future__ import annotations

import contextlib
import importlib.util
import re

from ..errors import NotSupported
from .migrations import MIGRATIONS as SQLITE_MIGRATIONS
from .sql import SQLStore

def _postgres_ddl(stmt: str) -> str:
    # the shared migrations are written for SQLite; only the key types differ
    return (stmt.replace("pk INTEGER PRIMARY KEY", "pk BIGSERIAL PRIMARY KEY")
                .replace("cs_pk INTEGER NOT NULL", "cs_pk BIGINT NOT NULL"))


MIGRATIONS: dict[int, list[str]] = {v: [_postgres_ddl(s) for s in stmts] for v, stmts in SQLITE_MIGRATIONS.items()}

_IS_PARAM = re.compile(r"\bIS \?")


class PostgresStore(SQLStore):
    migrations = MIGRATIONS

    def __init__(self, url: str):
        if importlib.util.find_spec("psycopg") is None:
            raise NotSupported("a postgresql:// store needs the psycopg package: pip install 'kodebro[postgres]'")
        self.url = url
        super().__init__()

    def _connect(self):
        import psycopg
        # a database that does not answer is a 503 within seconds, not a worker held for the TCP timeout
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        return conn

    def _secrets(self) -> list[str]:
        # the password as written in the URL (percent-encoded) and as the driver reads it
        from urllib.parse import unquote, urlsplit

        import psycopg
        try:
            raw = urlsplit(self.url).password
            read = psycopg.conninfo.conninfo_to_dict(self.url).get("password")
        except (ValueError, psycopg.Error):
            return []
        return sorted({p for p in (raw, unquote(raw or ""), read) if p}, key=len, reverse=True)

    @property
    def unavailable_errors(self) -> tuple:
        import psycopg
        return (psycopg.OperationalError, psycopg.InterfaceError)

    def _usable(self, conn) -> bool:
        if conn.closed or conn.broken:
            return False
        from psycopg.pq import TransactionStatus
        if conn.info.transaction_status == TransactionStatus.INERROR:
            # a transaction that failed without being rolled back would fail every later statement
            try:
                conn.execute("ROLLBACK")
            except self.unavailable_errors:
                return False
        return True

    @contextlib.contextmanager
    def short_waits(self, seconds: float):
        # readers never wait for writers here; a lock_timeout covers a table locked by DDL or a maintenance
        # job, a statement_timeout a server that stopped answering on a connection already open
        if getattr(self._local, "short_waits", False):
            yield           # nested: the outer block's limits hold until it ends
            return
        conn = self._conn()
        ms = int(seconds * 1000)
        self._q(conn, f"SET lock_timeout = {ms}")
        self._q(conn, f"SET statement_timeout = {ms}")
        self._local.short_waits = True
        try:
            yield
        finally:
            self._local.short_waits = False
            if self._usable(conn):
                try:
                    conn.execute("RESET lock_timeout")
                    conn.execute("RESET statement_timeout")
                except self.unavailable_errors:
                    pass

    def _sql(self, sql: str) -> str:
        # null-safe equality is spelled differently; placeholders are %s
        return _IS_PARAM.sub("IS NOT DISTINCT FROM ?", sql).replace("?", "%s")

    def _begin(self, conn) -> None:
        conn.execute("BEGIN")
        # one writer at a time across all processes, like SQLite's BEGIN IMMEDIATE. A write's precondition
        # (compare-and-set) relies on it: taken before the check's SELECT, so under READ COMMITTED that SELECT
        # sees every earlier writer's commit, and no other writer can pass the same check until this one ends.
        # One lock for every key also covers a resource that does not exist yet (If-None-Match: *), which a
        # row lock (SELECT ... FOR UPDATE) could not.
        conn.execute("SELECT pg_advisory_xact_lock(71107170)")
