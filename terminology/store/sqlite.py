"""SQLite store: the embedded default, one file, schema versioned, every write one transaction."""
from __future__ import annotations

import contextlib
import os
import sqlite3

from .migrations import MIGRATIONS
from .sql import SQLStore


class _Conn(sqlite3.Connection):
    # psycopg-style `with conn.cursor() as cur:` for the shared code
    def cursor(self, *a, **kw):
        return contextlib.closing(super().cursor(*a, **kw))


class SQLiteStore(SQLStore):
    migrations = MIGRATIONS
    unavailable_errors = (sqlite3.OperationalError,)
    # a file locked past the busy timeout, or one that cannot be opened: the request may be sent again (a
    # missing table or bad SQL is a bug, not an outage, and stays one)
    _UNAVAILABLE_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR}

    def _is_unavailable(self, err: Exception) -> bool:
        code = getattr(err, "sqlite_errorcode", None)
        return code is not None and (code & 0xFF) in self._UNAVAILABLE_CODES

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        d = os.path.dirname(self.path)
        if d:
            os.makedirs(d, exist_ok=True)
        super().__init__()

    def _connect(self):
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False,
                               factory=_Conn)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _begin(self, conn) -> None:
        # take the write lock at once, so two importers never interleave
        conn.execute("BEGIN IMMEDIATE")
