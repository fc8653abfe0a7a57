"""Closure tables ($closure): the codes a client has seen, named by the client, and the subsumption pairs among
them, kept so that each call answers only what is new and a client can replay what it missed.

They are client state, not terminology: written in their own tables (migration 3) without starting a store
generation, so no process rebuilds its indexes because a client added a code. The engine's side is
terminology/closure.py; this module only keeps what it decides.

Every change to a table raises its version by one, so a version is also a compare-and-set token: a change
worked out from version v is written only while the table is still at v (`add`), and two clients adding to
one table at once cannot lose each other's entries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import orjson


@dataclass
class ClosureState:
    """A table as it stood at `version`: its concepts as (system, code)."""
    name: str
    version: int
    base: int                   # the version it was (re)initialised at: a replay from before it cannot be made
    editions: dict              # system -> the edition its pairs were worked out in (None: no version)
    concepts: set = field(default_factory=set)


@dataclass(frozen=True)
class ClosureEntry:
    """source → target in one code system; `equivalence` read as R4 ConceptMap reads it (target to source)."""
    system: str
    source: str
    source_display: str | None
    target: str
    target_display: str | None
    equivalence: str


class ClosureTables:
    """The closure-table methods of SQLStore (sql.py), on its connection and write transaction."""

    def closure_state(self, name: str, concepts: bool = True) -> ClosureState | None:
        """The table `name` (without its concepts unless `concepts`); None when there is none."""
        conn = self._conn()
        row = self._q(conn, "SELECT version, base, editions FROM closure_table WHERE name=?", (name,)).fetchone()
        if row is None:
            return None
        state = ClosureState(name, row[0], row[1], orjson.loads(row[2]))
        if not concepts:
            return state
        # read after the version: a change committed in between raises the version, and `add` then refuses
        state.concepts = {(s, c) for s, c in self._q(
            conn, "SELECT system, code FROM closure_concept WHERE name=?", (name,))}
        return state

    def closure_initialise(self, name: str) -> int:
        """Create the table, or empty it and start it again; its version (0 for a new table)."""
        conn = self._conn()
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._transaction(conn):
            row = self._q(conn, "SELECT version FROM closure_table WHERE name=?", (name,)).fetchone()
            if row is None:
                self._q(conn, "INSERT INTO closure_table (name, version, base, editions, created) "
                              "VALUES (?, 0, 0, '{}', ?)", (name, stamp))
                return 0
            version = row[0] + 1
            self._q(conn, "DELETE FROM closure_entry WHERE name=?", (name,))
            self._q(conn, "DELETE FROM closure_concept WHERE name=?", (name,))
            self._q(conn, "UPDATE closure_table SET version=?, base=?, editions='{}', created=? WHERE name=?",
                    (version, version, stamp, name))
            return version

    def closure_add(self, name: str, seen: int, editions: dict, concepts: list[tuple[str, str, str | None]],
                    entries: list[tuple[str, str, str, str]]) -> int | None:
        """Write concepts (system, code, display) and entries (system, source, target, equivalence) worked out
        from the table at version `seen`, as version seen+1; None (nothing written) when the table has changed
        since, or is gone."""
        conn = self._conn()
        version = seen + 1
        with self._transaction(conn):
            moved = self._q(conn, "UPDATE closure_table SET version=?, editions=? WHERE name=? AND version=?",
                            (version, orjson.dumps(editions).decode(), name, seen))
            if moved.rowcount != 1:
                return None
            with conn.cursor() as cur:
                cur.executemany(self._sql("INSERT INTO closure_concept (name, system, code, display, added) "
                                          "VALUES (?,?,?,?,?)"),
                                [(name, s, c, d, version) for s, c, d in concepts])
                if entries:
                    cur.executemany(self._sql("INSERT INTO closure_entry (name, system, source, target, equivalence,"
                                              " added) VALUES (?,?,?,?,?,?)"),
                                    [(name, s, a, b, e, version) for s, a, b, e in entries])
        return version

    def closure_entries(self, name: str, after: int, upto: int) -> list[ClosureEntry]:
        """The entries added after version `after` up to `upto` (the version the caller answers with, so a
        change committed meanwhile is left for the next replay rather than sent under an older version)."""
        rows = self._q(self._conn(),
                       "SELECT e.system, e.source, s.display, e.target, t.display, e.equivalence FROM closure_entry e"
                       " JOIN closure_concept s ON s.name=e.name AND s.system=e.system AND s.code=e.source"
                       " JOIN closure_concept t ON t.name=e.name AND t.system=e.system AND t.code=e.target"
                       " WHERE e.name=? AND e.added>? AND e.added<=? ORDER BY e.system, e.source, e.target",
                       (name, after, upto)).fetchall()
        return [ClosureEntry(*r) for r in rows]
