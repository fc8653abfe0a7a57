"""The store logic both SQL backends share; SQLite and PostgreSQL differ only in their dialect.

Queries are written once with `?` placeholders and SQLite's null-safe `IS`;
a backend's `_sql` rewrites them for its driver.
"""
from __future__ import annotations

import contextlib
import os
import threading
import uuid
from datetime import datetime, timezone
from typing import Iterable

import orjson

from ..codesystem import flatten_concepts
from ..errors import Duplicate, StoreUnavailable
from .base import Precondition, ResourceHeader, Stored

_HEADER_COLUMNS = "pk, type, id, url, version, name, title, status, publisher, date, concept_count, rev"
_BATCH = 5000


def _dumps(obj) -> str:
    return orjson.dumps(obj).decode()


class SQLStore:
    """Resources keyed by type+url+version (else type+id); concepts one row each; writes atomic."""

    migrations: dict[int, list[str]]

    def __init__(self):
        self._local = threading.local()
        self._inherited: list = []
        self._write_lock = threading.Lock()
        self._migrate()

    # --- dialect hooks -------------------------------------------------------------
    def _connect(self):
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql

    def _begin(self, conn) -> None:
        conn.execute("BEGIN")

    # --- connections ---------------------------------------------------------------
    # the driver's error for a connection or database that cannot be used now (set by each store)
    unavailable_errors: tuple = ()

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid() or not self._usable(conn):
            if conn is not None and self._local.pid != os.getpid():
                # opened before a fork: the parent still owns it, so it is left alone rather than closed
                self._inherited.append(conn)
            try:
                conn = self._connect()
            except self.unavailable_errors as err:
                self._local.conn = None
                raise StoreUnavailable(f"the terminology store cannot be reached: {self._why_not(err)}") from err
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def _why_not(self, err: Exception) -> str:
        """A connection error as clients may read it: the driver's class only, as its text may name hosts."""
        return type(err).__name__

    def _usable(self, conn) -> bool:
        """Whether a connection kept from an earlier request can still be used (a server restart closes it)."""
        return True

    def _is_unavailable(self, err: Exception) -> bool:
        """Whether a driver error means the store cannot be used now (worth sending the request again), not a
        mistake in what was asked of it."""
        return True

    def _unavailable(self, conn, err: Exception, what: str = "did not answer") -> StoreUnavailable:
        if not self._usable(conn):
            self._local.conn = None      # the next request connects again
        return StoreUnavailable(f"the terminology store {what}: {error_line(err)}")

    def _q(self, conn, sql: str, args: tuple = ()):
        try:
            return conn.execute(self._sql(sql), args)
        except self.unavailable_errors as err:
            if not self._is_unavailable(err):
                raise
            raise self._unavailable(conn, err) from err

    @contextlib.contextmanager
    def short_waits(self, seconds: float):
        """Within the block, this thread's store calls give up after about `seconds` when another process
        holds a lock the call must wait for (StoreUnavailable), instead of the long wait requests get: a
        readiness probe must answer before the load balancer's own timeout. Backends override it."""
        yield

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        conn = self._conn()
        try:
            self._begin(conn)
            self._q(conn, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = self._q(conn, "SELECT value FROM meta WHERE key='schema_version'").fetchone()
            current = int(row[0]) if row else 0
            target = max(self.migrations)
            for version in range(current + 1, target + 1):
                for stmt in self.migrations[version]:
                    self._q(conn, stmt)
            if current != target:
                self._q(conn, "DELETE FROM meta WHERE key='schema_version'")
                self._q(conn, "INSERT INTO meta VALUES ('schema_version', ?)", (str(target),))
                if not self._q(conn, "SELECT 1 FROM meta WHERE key='generation'").fetchone():
                    self._q(conn, "INSERT INTO meta VALUES ('generation', '0')")
            conn.execute("COMMIT")
        except BaseException:
            self._rollback(conn)
            raise

    def schema_version(self) -> int:
        return int(self._q(self._conn(), "SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])

    # --- reading -------------------------------------------------------------------
    def generation(self) -> int:
        row = self._q(self._conn(), "SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def headers(self, rtype: str | None = None) -> list[ResourceHeader]:
        sql = f"SELECT {_HEADER_COLUMNS} FROM resource"
        args: tuple = ()
        if rtype:
            sql += " WHERE type=?"
            args = (rtype,)
        return [ResourceHeader(*r) for r in self._q(self._conn(), sql + " ORDER BY pk", args).fetchall()]

    def body(self, pk: int) -> dict | None:
        row = self._q(self._conn(), "SELECT body FROM resource WHERE pk=?", (pk,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def concepts(self, pk: int):
        cur = self._q(self._conn(), "SELECT data FROM concept WHERE cs_pk=? ORDER BY seq", (pk,))
        for (data,) in cur:
            yield orjson.loads(data)

    # --- writing -------------------------------------------------------------------
    def write(self, resources: Iterable[dict], *, delete: Iterable[tuple[str, str]] = (),
              on_written=None, precondition: Precondition | None = None, only_new: bool = False) -> dict:
        """Add or replace resources atomically; deletions by (type, id) happen first.

        `precondition` (see base.Precondition) is judged inside the transaction, under the write lock
        `_begin` takes, so a conditional write is a compare-and-set across processes.
        `only_new`: a resource whose url+version is already kept is refused (Duplicate) instead of replacing
        it, judged in the same transaction (a create).

        Returns {'added': [...], 'replaced': [...], 'deleted': [...]} of (type, id, url, version), and the
        generation ('rev') and instant ('lastUpdated') the write stamped.
        CodeSystems may carry `_flat_concepts` (an iterable of flat concept dicts)
        instead of nested `concept`, which lets big importers stream.
        """
        report = {"added": [], "replaced": [], "deleted": []}
        conn = self._conn()
        with self._write_lock:
            try:
                self._begin(conn)
            except self.unavailable_errors as err:
                # BEGIN may have gone through before the lock wait failed: a transaction left open (failed, on
                # PostgreSQL) would fail every later call on this thread's connection
                self._rollback(conn)
                raise self._unavailable(conn, err, "could not start a write") from err
            try:
                if precondition is not None:
                    precondition.check(self._stored(conn, precondition.type, precondition.id))
                # the generation this write creates; every row it writes carries it as `rev`
                rev = self._next_generation(conn)
                # meta.lastUpdated: when the resource last changed on this server (R4 resource.html#Meta),
                # the same instant for everything one write (one import) changes
                stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
                for rtype, rid in delete:
                    if self._delete(conn, rtype, rid):
                        report["deleted"].append((rtype, rid))
                for res in resources:
                    replaced, ident = self._put(conn, res, rev, stamp, only_new)
                    report["replaced" if replaced else "added"].append(ident)
                    if on_written:
                        on_written()
                conn.execute("COMMIT")
            except BaseException as err:
                self._rollback(conn)
                if isinstance(err, self.unavailable_errors) and self._is_unavailable(err):
                    raise self._unavailable(conn, err, "did not complete the write") from err
                raise
        # what this write stamped: a reply tags what it wrote, whatever another writer did since
        report["rev"], report["lastUpdated"] = rev, stamp
        return report

    def _rollback(self, conn) -> None:
        """Undo the write in progress. On a connection the database has closed there is nothing to undo (the
        server dropped the transaction), and the error to report is the one that stopped the write."""
        if not self._usable(conn):
            return
        try:
            conn.execute("ROLLBACK")
        except self.unavailable_errors:
            pass

    def _next_generation(self, conn) -> int:
        self._q(conn, "UPDATE meta SET value=CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key='generation'")
        return int(self._q(conn, "SELECT value FROM meta WHERE key='generation'").fetchone()[0])

    def delete(self, rtype: str, rid: str, *, precondition: Precondition | None = None) -> bool:
        return bool(self.write((), delete=[(rtype, rid)], precondition=precondition)["deleted"])

    def _stored(self, conn, rtype: str, rid: str) -> Stored | None:
        row = self._q(conn, "SELECT rev, body FROM resource WHERE type=? AND id=?", (rtype, rid)).fetchone()
        return Stored(row[0], orjson.loads(row[1])) if row else None

    def _delete(self, conn, rtype, rid) -> bool:
        row = self._q(conn, "SELECT pk FROM resource WHERE type=? AND id=?", (rtype, rid)).fetchone()
        if not row:
            return False
        self._drop(conn, row[0])
        return True

    def _drop(self, conn, pk) -> None:
        self._q(conn, "DELETE FROM concept WHERE cs_pk=?", (pk,))
        self._q(conn, "DELETE FROM resource WHERE pk=?", (pk,))

    def _put(self, conn, res: dict, rev: int, stamp: str, only_new: bool = False):
        rtype = res["resourceType"]
        url, version = res.get("url"), res.get("version")
        rid = res.get("id")
        if url:
            existing = self._q(conn, "SELECT pk, id FROM resource WHERE type=? AND url=? AND version IS ?",
                               (rtype, url, version)).fetchone()
        elif rid:
            existing = self._q(conn, "SELECT pk, id FROM resource WHERE type=? AND id=? AND url IS NULL",
                               (rtype, rid)).fetchone()
        else:
            existing = None
        if existing is not None:
            if only_new:
                which = f"{url}|{version}" if version is not None else f"{url} (no version)"
                raise Duplicate(f"{rtype}/{existing[1]} already holds {which}; this server keeps one {rtype} per "
                                f"url and version. To replace it, PUT the {rtype} to [base]/{rtype}/{existing[1]}")
            self._drop(conn, existing[0])
        rid = self._free_id(conn, rtype, rid or (existing[1] if existing else None), res)
        body = {k: v for k, v in res.items() if k not in ("concept", "_flat_concepts")}
        body["id"] = rid
        meta = body.get("meta")
        body["meta"] = {**(meta if isinstance(meta, dict) else {}), "lastUpdated": stamp}
        pk = self._q(conn,
                     "INSERT INTO resource (type, id, url, version, name, title, status, publisher, date,"
                     " concept_count, body, rev) VALUES (?,?,?,?,?,?,?,?,?,0,?,?) RETURNING pk",
                     (rtype, rid, url, version, _text(res.get("name")), _text(res.get("title")),
                      _text(res.get("status")), _text(res.get("publisher")), _text(res.get("date")),
                      _dumps(body), rev)).fetchone()[0]
        if rtype == "CodeSystem":
            flat = res.get("_flat_concepts")
            n = self._put_concepts(conn, pk, flatten_concepts(res.get("concept")) if flat is None else flat)
            self._q(conn, "UPDATE resource SET concept_count=? WHERE pk=?", (n, pk))
        return existing is not None, (rtype, rid, url, version)

    def _put_concepts(self, conn, pk: int, flat) -> int:
        sql = self._sql("INSERT INTO concept (cs_pk, seq, code, data) VALUES (?,?,?,?)")
        n = 0
        batch = []
        with conn.cursor() as cur:
            for f in flat:
                batch.append((pk, n, f["code"], _dumps(f)))
                n += 1
                if len(batch) >= _BATCH:
                    cur.executemany(sql, batch)
                    batch.clear()
            if batch:
                cur.executemany(sql, batch)
        return n

    def _free_id(self, conn, rtype, wanted, res) -> str:
        base = wanted or _derive_id(res)
        rid, n = base, 1
        while self._q(conn, "SELECT 1 FROM resource WHERE type=? AND id=?", (rtype, rid)).fetchone():
            n += 1
            suffix = f"-{res.get('version')}" if n == 2 and res.get("version") else f"-{n}"
            rid = _clean_id(base + suffix)
        return rid


def _text(v):
    # header columns are for search; a malformed non-string value is kept in the body only
    return v if isinstance(v, str) else None


def _clean_id(s: str) -> str:
    out = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in s)
    return out.strip("-")[:64] or "resource"


def _derive_id(res: dict) -> str:
    if res.get("name"):
        base = res["name"]
    elif res.get("url"):
        base = res["url"].rstrip("/").rsplit("/", 1)[-1]
    else:
        base = uuid.uuid4().hex
    if res.get("version"):
        base += "-" + res["version"].rsplit("/", 1)[-1]
    return _clean_id(base)


def error_line(err: Exception) -> str:
    """A driver error as "Class: first line of its text"."""
    first = str(err).splitlines()[0] if str(err) else ""
    return f"{type(err).__name__}: {first}" if first else type(err).__name__
