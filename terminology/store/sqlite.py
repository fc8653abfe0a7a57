"""SQLite store: one file, schema versioned, every write one transaction."""
from __future__ import annotations

import os
import sqlite3
import threading
from typing import Iterable

import orjson

from ..codesystem import flatten_concepts
from .base import ResourceHeader
from .migrations import MIGRATIONS, SCHEMA_VERSION


def _dumps(obj) -> str:
    return orjson.dumps(obj).decode()


class SQLiteStore:
    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        d = os.path.dirname(self.path)
        if d:
            os.makedirs(d, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._migrate()

    # --- connections ------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            current = int(row[0]) if row else 0
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for stmt in MIGRATIONS[version]:
                    conn.execute(stmt)
            if current != SCHEMA_VERSION:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        return int(self._conn().execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])

    # --- reading ----------------------------------------------------------------
    def generation(self) -> int:
        row = self._conn().execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def headers(self, rtype: str | None = None) -> list[ResourceHeader]:
        sql = ("SELECT pk, type, id, url, version, name, title, status, publisher, date, concept_count, rev "
               "FROM resource")
        args: tuple = ()
        if rtype:
            sql += " WHERE type=?"
            args = (rtype,)
        return [ResourceHeader(*r) for r in self._conn().execute(sql + " ORDER BY pk", args)]

    def body(self, pk: int) -> dict:
        row = self._conn().execute("SELECT body FROM resource WHERE pk=?", (pk,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def concepts(self, pk: int):
        cur = self._conn().execute("SELECT data FROM concept WHERE cs_pk=? ORDER BY seq", (pk,))
        for (data,) in cur:
            yield orjson.loads(data)

    # --- writing ----------------------------------------------------------------
    def write(self, resources: Iterable[dict], *, delete: Iterable[tuple[str, str]] = ()) -> dict:
        """Add or replace resources (keyed by type+url+version, else type+id) atomically.

        Returns {'added': [...], 'replaced': [...], 'deleted': [...]} of (type, id, url, version).
        CodeSystems may carry `_flat_concepts` (an iterable of flat concept dicts)
        instead of nested `concept`, which lets big importers stream.
        """
        report = {"added": [], "replaced": [], "deleted": []}
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for rtype, rid in delete:
                    if self._delete(conn, rtype, rid):
                        report["deleted"].append((rtype, rid))
                for res in resources:
                    replaced, ident = self._put(conn, res)
                    report["replaced" if replaced else "added"].append(ident)
                conn.execute("UPDATE meta SET value=CAST(value AS INTEGER)+1 WHERE key='generation'")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return report

    def delete(self, rtype: str, rid: str) -> bool:
        return bool(self.write((), delete=[(rtype, rid)])["deleted"])

    def _delete(self, conn, rtype, rid) -> bool:
        row = conn.execute("SELECT pk FROM resource WHERE type=? AND id=?", (rtype, rid)).fetchone()
        if not row:
            return False
        conn.execute("DELETE FROM concept WHERE cs_pk=?", (row[0],))
        conn.execute("DELETE FROM resource WHERE pk=?", (row[0],))
        return True

    def _put(self, conn, res: dict):
        rtype = res["resourceType"]
        url, version = res.get("url"), res.get("version")
        existing = None
        if url:
            existing = conn.execute(
                "SELECT pk, id FROM resource WHERE type=? AND url=? AND version IS ?",
                (rtype, url, version)).fetchone()
        rid = res.get("id")
        if existing is None and rid:
            existing = conn.execute("SELECT pk, id FROM resource WHERE type=? AND id=? AND url IS NULL",
                                    (rtype, rid)).fetchone() if not url else None
        if existing is not None:
            conn.execute("DELETE FROM concept WHERE cs_pk=?", (existing[0],))
            conn.execute("DELETE FROM resource WHERE pk=?", (existing[0],))
        rid = self._free_id(conn, rtype, rid or (existing[1] if existing else None), res)
        body = {k: v for k, v in res.items() if k not in ("concept", "_flat_concepts")}
        body["id"] = rid
        cur = conn.execute(
            "INSERT INTO resource (type, id, url, version, name, title, status, publisher, date, concept_count, body,"
            " rev) VALUES (?,?,?,?,?,?,?,?,?,0,?,"
            " (SELECT CAST(value AS INTEGER) + 1 FROM meta WHERE key='generation'))",
            (rtype, rid, url, version, res.get("name"), res.get("title"), res.get("status"),
             res.get("publisher"), res.get("date"), _dumps(body)))
        pk = cur.lastrowid
        if rtype == "CodeSystem":
            flat = res.get("_flat_concepts")
            if flat is None:
                flat = flatten_concepts(res.get("concept"))
            n = 0
            batch = []
            for f in flat:
                batch.append((pk, n, f["code"], _dumps(f)))
                n += 1
                if len(batch) >= 5000:
                    conn.executemany("INSERT INTO concept (cs_pk, seq, code, data) VALUES (?,?,?,?)", batch)
                    batch.clear()
            if batch:
                conn.executemany("INSERT INTO concept (cs_pk, seq, code, data) VALUES (?,?,?,?)", batch)
            conn.execute("UPDATE resource SET concept_count=? WHERE pk=?", (n, pk))
        return existing is not None, (rtype, rid, url, version)

    @staticmethod
    def _free_id(conn, rtype, wanted, res) -> str:
        base = wanted or _derive_id(res)
        rid, n = base, 1
        while conn.execute("SELECT 1 FROM resource WHERE type=? AND id=?", (rtype, rid)).fetchone():
            n += 1
            suffix = f"-{res.get('version')}" if n == 2 and res.get("version") else f"-{n}"
            rid = _clean_id(base + suffix)
        return rid


def _clean_id(s: str) -> str:
    out = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in s)
    return out.strip("-")[:64] or "resource"


def _derive_id(res: dict) -> str:
    if res.get("name"):
        base = res["name"]
    elif res.get("url"):
        base = res["url"].rstrip("/").rsplit("/", 1)[-1]
    else:
        import uuid
        base = uuid.uuid4().hex
    if res.get("version"):
        base += "-" + res["version"].rsplit("/", 1)[-1]
    return _clean_id(base)
