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
from .sql import SQLStore, StoreUnreachable, error_line

def _postgres_ddl(stmt: str) -> str:
    # the shared migrations are written for SQLite; only the key types differ
    return (stmt.replace("pk INTEGER PRIMARY KEY", "pk BIGSERIAL PRIMARY KEY")
                .replace("cs_pk INTEGER NOT NULL", "cs_pk BIGINT NOT NULL"))


MIGRATIONS: dict[int, list[str]] = {v: [_postgres_ddl(s) for s in stmts] for v, stmts in SQLITE_MIGRATIONS.items()}

_IS_PARAM = re.compile(r"\bIS \?")

# user:password@ up to the last @ before the host (libpq reads a raw @ in the password as the end of it, a URL
# reader as part of it: either way, nothing of it is shown), and password=... as a parameter. The password may
# hold a raw / or ?, not both: an @ after /db?... is a parameter's (user=me@server), not the password's end.
_USERINFO = re.compile(r"(://[^:/@\s]*):(?:[^/\s]*?|[^?\s]*?)@(?=[^@/\s]*(?:[/?\s\"']|$))")
_PASSWORD_PARAM = re.compile(r"(\bpassword=)[^&\s\"']*")

UNREADABLE_URL = ("the PostgreSQL URL cannot be read: percent-encode the user name and password in it (@ as %40, "
                  ": as %3A, / as %2F, % as %25, a space as %20), and give only parameters PostgreSQL knows after ?")


def hide_password(text: str) -> str:
    """`text` (a store location, or a line that may quote one) with a PostgreSQL URL's password written as ***
    where it stands in the URL; no other word of the text is touched, so a short password or one equal to the
    user name leaves the rest readable."""
    return _PASSWORD_PARAM.sub(r"\1***", _USERINFO.sub(r"\1:***@", text))


def _misread(url: str) -> bool:
    """Whether libpq would read part of the user name or password as the host, port or database: it ends them
    at the first @ or /, so a raw @ after that one (p@ss@host) or after a / (pa/ss@host) was meant to be
    percent-encoded. Its errors would then quote that part."""
    rest = url.split("://", 1)[-1]
    end = next((i for i, c in enumerate(rest) if c in "@/"), len(rest))
    after = rest[end + 1:] if rest[end:end + 1] == "@" else rest
    return "@" in after.split("?", 1)[0]


class PostgresStore(SQLStore):
    migrations = MIGRATIONS

    def __init__(self, url: str):
        if importlib.util.find_spec("psycopg") is None:
            raise NotSupported("a postgresql:// store needs the psycopg package: pip install 'kodebro[postgres]'")
        self.url = url
        super().__init__()

    def _connect(self):
        import psycopg
        unreadable = StoreUnreachable("the terminology store cannot be reached: its PostgreSQL URL cannot be read",
                                      UNREADABLE_URL)
        if _misread(self.url):
            raise unreadable
        try:
            # a database that does not answer is a 503 within seconds, not a worker held for the TCP timeout
            return psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        except psycopg.ProgrammingError:
            # libpq's text quotes the part it could not read (invalid percent-encoded token: "<password>"), so
            # none of it is kept, not even as the context a traceback would print: raised outside this block
            pass
        raise unreadable

    def _operator_line(self, err: Exception) -> str:
        return hide_password(error_line(err))

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
