"""SQLite store: the embedded default, one file, schema versioned, every write one transaction."""
from __future__ import annotations

import contextlib
import os
import sqlite3

from ..errors import StoreUnavailable
from .migrations import MIGRATIONS
from .sql import SQLStore, error_line

# how long a request waits for another process's write lock (an import holds it for its whole transaction)
BUSY_TIMEOUT = 60.0


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

    def _why_not(self, err: Exception) -> str:
        # SQLite's text names no host: "database is locked" tells a busy file from a missing one
        return error_line(err)

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        d = os.path.dirname(self.path)
        if d:
            try:
                os.makedirs(d, exist_ok=True)
            except OSError as err:
                raise StoreUnavailable(f"cannot open the store at {self.path}: cannot create its folder "
                                       f"{d}: {err.strerror}") from err
        super().__init__()

    def _connect(self):
        # opening runs PRAGMAs that wait for a lock too, so a short wait asked for applies to them as well
        timeout = getattr(self._local, "busy_timeout", BUSY_TIMEOUT)
        if os.path.isdir(self.path):
            raise StoreUnavailable(f"cannot open the store at {self.path}: it is a directory")
        conn = None
        try:
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False,
                                   factory=_Conn)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as err:
            if conn is not None:
                conn.close()
            if isinstance(err, sqlite3.OperationalError) and self._is_unavailable(err):
                raise       # busy or locked: the caller's "cannot be reached", worth trying again
            # a file that is not a database (or a damaged one) is the setting's mistake, not an outage
            raise StoreUnavailable(f"cannot open the store at {self.path}: not an SQLite database "
                                   f"({error_line(err)})") from err
        return conn

    @contextlib.contextmanager
    def short_waits(self, seconds: float):
        if hasattr(self._local, "busy_timeout"):
            yield           # nested: the outer block's wait holds until it ends
            return
        self._local.busy_timeout = seconds
        try:
            if (conn := self._own_conn()) is not None:
                self._busy_timeout(conn, seconds)
            yield
        finally:
            del self._local.busy_timeout
            if (conn := self._own_conn()) is not None:     # (perhaps opened within the block)
                self._busy_timeout(conn, BUSY_TIMEOUT)

    def _own_conn(self):
        """This thread's open connection, unless it was opened before a fork (the parent's: left alone)."""
        conn = getattr(self._local, "conn", None)
        return conn if conn is not None and getattr(self._local, "pid", None) == os.getpid() else None

    @staticmethod
    def _busy_timeout(conn, seconds: float) -> None:
        # needs no lock: it only sets how long this connection waits for one
        conn.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

    def _begin(self, conn) -> None:
        # take the write lock at once, so two importers never interleave; the snapshot it reads is then the
        # latest, and a write's precondition (compare-and-set) is judged on it with no other writer between
        conn.execute("BEGIN IMMEDIATE")
