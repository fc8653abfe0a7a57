"""The store logic both SQL backends share; SQLite and PostgreSQL differ only in their dialect.

Queries are written once with `?` placeholders and SQLite's null-safe `IS`;
a backend's `_sql` rewrites them for its driver.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import threading
import uuid
from datetime import datetime, timezone
from typing import Iterable

import orjson

from ..codesystem import flatten_concepts
from ..errors import Duplicate, StoreUnavailable
from ..identifiers import has_tag, with_tag
from ..json_values import same_json
from .base import ANY_VERSION, Deleted, DeriveHook, Precondition, ResourceHeader, Stored
from .closures import ClosureTables

_HEADER_COLUMNS = "pk, type, id, url, version, name, title, status, publisher, date, concept_count, rev"
_BATCH = 5000


def _dumps(obj) -> str:
    return orjson.dumps(obj).decode()


class StoreUnreachable(StoreUnavailable):
    """A store that cannot be connected to. `message` (what an HTTP client reads) names the driver's error class
    only, as its text may name hosts and sockets; `for_operator` is the driver's own first line (database "x"
    does not exist, connection refused, password authentication failed), no password shown, for the CLI and
    the server's start-up, whose reader set the location and can fix it."""

    def __init__(self, message: str, for_operator: str):
        super().__init__(message)
        self.for_operator = for_operator


class SQLStore(ClosureTables):
    """Resources keyed by type+url+version (else type+id); concepts one row each; writes atomic. The $closure
    tables (closures.py) share its connection and write transaction."""

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
                head = "the terminology store cannot be reached"
                raise StoreUnreachable(f"{head}: {self._why_not(err)}", f"{head}: {self._operator_line(err)}") from err
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def _why_not(self, err: Exception) -> str:
        """A connection error as clients may read it: the driver's class only, as its text may name hosts."""
        return type(err).__name__

    def _operator_line(self, err: Exception) -> str:
        """A connection error as whoever set the store's location reads it: the driver's own first line, without
        what the location holds that no line may show (a PostgreSQL password)."""
        return error_line(err)

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
        # one write like any other: a store another process holds locked is StoreUnavailable, not a driver error
        with self._transaction(conn):
            self._q(conn, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = self._q(conn, "SELECT value FROM meta WHERE key='schema_version'").fetchone()
            current = int(row[0]) if row else 0
            target = max(self.migrations)
            if current > target:
                # writing our older version back would make the newer Kodebro re-run its migrations on tables
                # that already exist; a rolled-back deployment must stop here instead
                raise StoreUnavailable(f"the terminology store has schema version {current}, written by a newer "
                                       f"Kodebro; this one knows up to {target}: run the newer Kodebro, or a "
                                       "store made by this one")
            for version in range(current + 1, target + 1):
                for stmt in self.migrations[version]:
                    self._q(conn, stmt)
            if current != target:
                self._q(conn, "DELETE FROM meta WHERE key='schema_version'")
                self._q(conn, "INSERT INTO meta VALUES ('schema_version', ?)", (str(target),))
                if not self._q(conn, "SELECT 1 FROM meta WHERE key='generation'").fetchone():
                    self._q(conn, "INSERT INTO meta VALUES ('generation', '0')")

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

    def header(self, rtype: str, rid: str) -> ResourceHeader | None:
        """One resource's header by (type, id): the UNIQUE (type, id) index, no scan. Within a write's
        transaction (a precondition, a derive hook) it reads the transaction's view, as every read on this
        thread's connection does."""
        row = self._q(self._conn(), f"SELECT {_HEADER_COLUMNS} FROM resource WHERE type=? AND id=?",
                      (rtype, rid)).fetchone()
        return ResourceHeader(*row) if row else None

    def by_url(self, rtype: str, url: str, version=ANY_VERSION) -> list[ResourceHeader]:
        """The headers of `rtype` with canonical `url`, of `version` when given (None: without a version), by
        the (type, url, version) index."""
        sql = f"SELECT {_HEADER_COLUMNS} FROM resource WHERE type=? AND url=?"
        args: tuple = (rtype, url)
        if version is not ANY_VERSION:
            sql += " AND version IS ?"
            args += (version,)
        return [ResourceHeader(*r) for r in self._q(self._conn(), sql + " ORDER BY pk", args).fetchall()]

    def deleted(self, rtype: str, rid: str) -> Deleted | None:
        """The deletion record of (type, id): a resource deleted by name and not written again since; None when
        there is none (the id is held, or was never deleted). One indexed read, by the primary key."""
        row = self._q(self._conn(), "SELECT deleted FROM deleted_resource WHERE type=? AND id=?",
                      (rtype, rid)).fetchone()
        return Deleted(rtype, rid, row[0]) if row else None

    def tagged(self, tag: dict) -> list[ResourceHeader]:
        """The headers of the resources whose meta.tag holds `tag`: only the bodies that hold its code as a JSON
        string are read (the demo's 34 among the HL7 terminology's 5,000 take a scan of the column, not 5,000
        parses), and each is checked for the tag itself."""
        rows = self._q(self._conn(), f"SELECT {_HEADER_COLUMNS}, body FROM resource WHERE body LIKE ? ORDER BY pk",
                       (f'%"{tag["code"]}"%',)).fetchall()
        return [ResourceHeader(*r[:-1]) for r in rows if has_tag(orjson.loads(r[-1]), tag)]

    def body(self, pk: int) -> dict | None:
        row = self._q(self._conn(), "SELECT body FROM resource WHERE pk=?", (pk,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def concepts(self, pk: int):
        cur = self._q(self._conn(), "SELECT data FROM concept WHERE cs_pk=? ORDER BY seq", (pk,))
        for (data,) in cur:
            yield orjson.loads(data)

    def codes(self, pk: int) -> set:
        """The codes of a stored CodeSystem's concepts (read from their column, no concept parsed)."""
        return {code for (code,) in self._q(self._conn(), "SELECT code FROM concept WHERE cs_pk=?", (pk,))}

    # --- writing -------------------------------------------------------------------
    def write(self, resources: Iterable[dict], *, delete: Iterable[tuple[str, str]] = (),
              on_written=None, precondition: Precondition | None = None, only_new: bool = False,
              keep_others: bool = False, derive: DeriveHook | None = None, keep_tag: dict | None = None) -> dict:
        """Add or replace resources atomically; deletions by (type, id) happen first.

        `precondition` (see base.Precondition) is judged inside the transaction, under the write lock
        `_begin` takes, so a conditional write is a compare-and-set across processes.
        `only_new`: a resource whose url+version is already kept is refused (Duplicate) instead of replacing
        it, judged in the same transaction (a create).
        `keep_others`: a resource whose url+version another id keeps is refused (Duplicate) instead of
        replacing that one (a PUT names the one id it writes; an import replaces by url+version on purpose).
        `derive(store)` gives (more resources, more (type, id) to delete) that keep resources derived from
        others in step with this write (terminology/derived.py). It is called inside the transaction, after
        the write lock is taken and the precondition passed and before anything is written, and reads the store
        through it (this thread's connection: the transaction's view), so a derived resource is built from
        what is stored when it is written: two writers changing two sources of it at once are serialised, each
        building on the other's commit. Raising aborts the write as a precondition does. What it gives is
        written after `resources`, replacing by url+version: `only_new` and `keep_others` are about the
        resources the caller names, and `on_written` is called for those only.
        A resource deleted by name (in `delete`, not by `derive`) leaves a deletion record (see `deleted`) in
        this transaction; writing a resource under that (type, id) again, here or later, removes it.
        `keep_tag` (a meta.tag: the demo content's): a resource without it whose stored form, with it, would be
        what is stored, stored with the tag, is that tagged content repeated, and is left as it is: re-importing
        the demo's own files (which carry no tag: the demo load adds it) changes nothing, and `remove --demo`
        still takes it. Decided against the stored resource as this write finds it, with no further read.

        A resource whose stored form would be what is stored already (its body but meta.lastUpdated, and a
        CodeSystem's concepts) is left as it is, with its rev and lastUpdated, so its ETag stays valid; a
        deletion of it in the same write that it would be written back by (a PUT) is left undone too.

        Returns {'added': [...], 'replaced': [...], 'unchanged': [...], 'deleted': [...]} of
        (type, id, url, version) ((type, id) for deleted), and 'rev' and 'lastUpdated': the generation and
        instant the write stamped on what it changed. A write that changed nothing starts no generation (the
        catalog keeps its revision); its 'rev' and 'lastUpdated' are then those its last resource already
        carries (what a reply to a PUT tags), else the current generation and None.
        CodeSystems may carry `_flat_concepts` (an iterable of flat concept dicts)
        instead of nested `concept`, which lets big importers stream.
        """
        report = {"added": [], "replaced": [], "unchanged": [], "deleted": []}
        resources = list(resources)     # (a CodeSystem's _flat_concepts stay streamed)
        delete = list(delete)           # read twice below (the names that leave a deletion record, then the rows)
        conn = self._conn()
        with self._transaction(conn):
            if precondition is not None:
                precondition.check(self._stored(conn, precondition.type, precondition.id))
            given = len(resources)
            deleted_by_name = set(delete)       # leave a deletion record; what `derive` adds does not
            if derive is not None:
                more, gone = derive(self)
                resources = resources + list(more)
                delete = list(delete) + list(gone)
            # meta.lastUpdated: when the resource last changed on this server (R4 resource.html#Meta),
            # the same instant for everything one write (one import) changes
            stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
            change = _Change(self, conn, stamp)
            deferred = {}
            for rtype, rid in delete:
                # a PUT deletes the resource it writes back; whether that changes anything is known
                # only when it is written
                at = self._deferrable(conn, rtype, rid, resources, deferred)
                if at is not None:
                    deferred[at] = (rtype, rid)
                elif self._delete(conn, rtype, rid, change, record=(rtype, rid) in deleted_by_name):
                    report["deleted"].append((rtype, rid))
            for at, res in enumerate(resources):
                named = at < given
                kind, ident = self._put(conn, res, change, only_new and named, deferred.pop(at, None),
                                        report, keep_others and named, keep_tag)
                report[kind].append(ident)
                if on_written and named:
                    on_written()
        # what this write stamped: a reply tags what it wrote, whatever another writer did since
        if change.rev is not None:
            report["rev"], report["lastUpdated"] = change.rev, stamp
        elif change.kept is not None:
            report["rev"], report["lastUpdated"] = change.kept
        else:
            report["rev"], report["lastUpdated"] = self.generation(), None
        return report

    @contextlib.contextmanager
    def _transaction(self, conn):
        """One write transaction under the write lock (this process's threads, and through `_begin` every
        process): committed when the block ends, rolled back when it raises."""
        with self._write_lock:
            try:
                self._begin(conn)
            except self.unavailable_errors as err:
                # BEGIN may have gone through before the lock wait failed: a transaction left open (failed, on
                # PostgreSQL) would fail every later call on this thread's connection
                self._rollback(conn)
                raise self._unavailable(conn, err, "could not start a write") from err
            try:
                yield
                conn.execute("COMMIT")
            except BaseException as err:
                self._rollback(conn)
                if isinstance(err, self.unavailable_errors) and self._is_unavailable(err):
                    raise self._unavailable(conn, err, "did not complete the write") from err
                raise

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

    def _delete(self, conn, rtype, rid, change: "_Change", record: bool = True) -> bool:
        """Delete (type, id); whether it was there. `record`: leave a deletion record of it (a resource the
        caller named; one a derivation removes with its source is the server's own, and gets none)."""
        row = self._q(conn, "SELECT pk FROM resource WHERE type=? AND id=?", (rtype, rid)).fetchone()
        if not row:
            return False
        rev = change()
        self._drop(conn, row[0])
        if record:
            # a PUT that writes the id back in this transaction removes the record again (_put)
            self._q(conn, "DELETE FROM deleted_resource WHERE type=? AND id=?", (rtype, rid))
            self._q(conn, "INSERT INTO deleted_resource (type, id, rev, deleted) VALUES (?,?,?,?)",
                    (rtype, rid, rev, change.stamp))
        return True

    def _deferrable(self, conn, rtype, rid, resources, deferred) -> int | None:
        """The place in `resources` of the one that replaces the resource (rtype, rid) under the key it is
        stored by (url+version, else id): its deletion waits for that resource's write, which leaves both
        undone when nothing would change."""
        row = self._q(conn, "SELECT url, version FROM resource WHERE type=? AND id=?", (rtype, rid)).fetchone()
        if row is None:
            return None
        url, version = row
        for at, res in enumerate(resources):
            if (at not in deferred and res.get("resourceType") == rtype and res.get("id") == rid
                    and res.get("url") == url and (url is None or res.get("version") == version)):
                return at
        return None

    def _drop(self, conn, pk) -> None:
        self._q(conn, "DELETE FROM concept WHERE cs_pk=?", (pk,))
        self._q(conn, "DELETE FROM resource WHERE pk=?", (pk,))

    def _put(self, conn, res: dict, change: "_Change", only_new: bool, deferred, report: dict,
             keep_others: bool = False, keep_tag: dict | None = None):
        """Write one resource; (which report list it goes to, its (type, id, url, version)).

        `deferred`: the (type, id) deletion of the write that this resource writes back, still to be done
        (reported) unless the resource is unchanged. `keep_tag`: see `write`."""
        rtype = res["resourceType"]
        url, version = res.get("url"), res.get("version")
        rid = res.get("id")
        existing = self._existing(conn, res)
        flat = None
        if rtype == "CodeSystem":
            flat = res.get("_flat_concepts")
            flat = flatten_concepts(res.get("concept")) if flat is None else flat
        kind = "replaced"
        if existing is not None:
            pk, old_id, old_rev, old_body = existing
            if only_new or (keep_others and rid is not None and old_id != rid):
                which = f"{url}|{version}" if version is not None else f"{url} (no version)"
                raise Duplicate(f"{rtype}/{old_id} already holds {which}; this server keeps one {rtype} per "
                                f"url and version. To replace it, PUT the {rtype} to [base]/{rtype}/{old_id}")
            if deferred is not None:
                # reported as the write would have done it: the deletion, then a new resource
                kind = "added"
            old_body = orjson.loads(old_body)
            old_stamp = (old_body.get("meta") or {}).get("lastUpdated")
            same = self._same_body(conn, res, pk, old_id, old_body)
            if not same and keep_tag is not None and has_tag(old_body, keep_tag) and not has_tag(res, keep_tag):
                same = self._same_body(conn, with_tag(res, keep_tag), pk, old_id, old_body)
            if same:
                # (content that repeats tagged content but for its concepts is the writer's own: written below
                # from `res`, without the tag)
                diverged = None if flat is None else self._concepts_diverge(conn, pk, flat)
                if flat is None or diverged is None:
                    change.kept = (old_rev, old_stamp)
                    return "unchanged", (rtype, old_id, url, version)
                # the same body, concepts the same up to `seq`: the row and that many concepts are kept
                seq, rest = diverged
                if deferred is not None:
                    report["deleted"].append(deferred)
                rev = change()
                self._q(conn, "DELETE FROM concept WHERE cs_pk=? AND seq>=?", (pk, seq))
                n = seq + self._put_concepts(conn, pk, rest, seq)
                self._q(conn, "UPDATE resource SET body=?, rev=?, concept_count=? WHERE pk=?",
                        (_dumps(_stored_body(res, old_id, change.stamp)), rev, n, pk))
                return kind, (rtype, old_id, url, version)
            rev = change()
            if deferred is not None:
                report["deleted"].append(deferred)
            self._drop(conn, pk)
        else:
            kind = "added"
            rev = change()
        rid = self._free_id(conn, rtype, rid or (existing[1] if existing else None), res)
        body = _stored_body(res, rid, change.stamp)
        pk = self._q(conn,
                     "INSERT INTO resource (type, id, url, version, name, title, status, publisher, date,"
                     " concept_count, body, rev) VALUES (?,?,?,?,?,?,?,?,?,0,?,?) RETURNING pk",
                     (rtype, rid, url, version, _text(res.get("name")), _text(res.get("title")),
                      _text(res.get("status")), _text(res.get("publisher")), _text(res.get("date")),
                      _dumps(body), rev)).fetchone()[0]
        # the id exists again: a read finds it, not its deletion
        self._q(conn, "DELETE FROM deleted_resource WHERE type=? AND id=?", (rtype, rid))
        if flat is not None:
            n = self._put_concepts(conn, pk, flat)
            self._q(conn, "UPDATE resource SET concept_count=? WHERE pk=?", (n, pk))
        return kind, (rtype, rid, url, version)

    def _existing(self, conn, res: dict):
        """(pk, id, rev, body) of the resource a write of `res` replaces: the one under its url and version, else
        (no url) under its id; None when there is none."""
        rtype, url, rid = res["resourceType"], res.get("url"), res.get("id")
        if url:
            return self._q(conn, "SELECT pk, id, rev, body FROM resource WHERE type=? AND url=? AND version IS ?",
                           (rtype, url, res.get("version"))).fetchone()
        if rid:
            return self._q(conn, "SELECT pk, id, rev, body FROM resource WHERE type=? AND id=? AND url IS NULL",
                           (rtype, rid)).fetchone()
        return None

    def _same_body(self, conn, res: dict, pk: int, old_id: str, old_body: dict) -> bool:
        """Whether `res` is stored as `old_body` is, but lastUpdated: under the id it would be stored with (its
        own, unless another resource holds that one: then _free_id gives back the one it has)."""
        kept_id = res.get("id") or old_id
        if kept_id != old_id and self._q(conn, "SELECT 1 FROM resource WHERE type=? AND id=? AND pk<>?",
                                         (res["resourceType"], kept_id, pk)).fetchone():
            kept_id = old_id
        old_stamp = (old_body.get("meta") or {}).get("lastUpdated")
        return _same_json(old_body, _stored_body(res, kept_id, old_stamp))

    def _concepts_diverge(self, conn, pk: int, flat):
        """None when the concepts `flat` are those stored for `pk`, in order; else (seq, rest): the first
        `seq` are, and `rest` streams the others. Read in batches, so an unchanged edition of any size is
        compared without holding it."""
        it = iter(flat)
        seq = 0
        while True:
            rows = self._q(conn, "SELECT data FROM concept WHERE cs_pk=? AND seq>=? AND seq<? ORDER BY seq",
                           (pk, seq, seq + _BATCH)).fetchall()
            for (data,) in rows:
                f = next(it, _END)
                if f is _END:
                    return seq, ()
                if data != _dumps(f) and not _same_json(orjson.loads(data), f):
                    return seq, itertools.chain((f,), it)
                seq += 1
            if len(rows) < _BATCH:
                break
        f = next(it, _END)
        return None if f is _END else (seq, itertools.chain((f,), it))

    def _put_concepts(self, conn, pk: int, flat, start: int = 0) -> int:
        sql = self._sql("INSERT INTO concept (cs_pk, seq, code, data) VALUES (?,?,?,?)")
        n = 0
        batch = []
        with conn.cursor() as cur:
            for f in flat:
                batch.append((pk, start + n, f["code"], _dumps(f)))
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


_END = object()


class _Change:
    """A write's generation, started by the first thing it changes: a write that changes nothing leaves the
    store's generation, so no process drops what it built for the current one."""

    def __init__(self, store: SQLStore, conn, stamp: str):
        self._store, self._conn, self.stamp = store, conn, stamp
        self.rev: int | None = None
        self.kept: tuple[int, str | None] | None = None     # rev and lastUpdated of the last unchanged one

    def __call__(self) -> int:
        if self.rev is None:
            self.rev = self._store._next_generation(self._conn)
        return self.rev


def _stored_body(res: dict, rid: str, stamp: str | None) -> dict:
    """A resource's body as the store keeps it: concepts in their own table, its id, lastUpdated stamped."""
    body = {k: v for k, v in res.items() if k not in ("concept", "_flat_concepts")}
    body["id"] = rid
    meta = body.get("meta")
    body["meta"] = {**(meta if isinstance(meta, dict) else {}), "lastUpdated": stamp}
    return body


# the engine's one rule (keys sorted; 1, 1.0 and true apart; a tuple is the list it is written as): a body
# with no canonical form is "changed", and writing it then fails in orjson as before
_same_json = same_json


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
