"""Schema migrations, applied in order; the `meta` table records the version reached."""
from __future__ import annotations

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE resource (
            pk INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            id TEXT NOT NULL,
            url TEXT,
            version TEXT,
            name TEXT,
            title TEXT,
            status TEXT,
            publisher TEXT,
            date TEXT,
            concept_count INTEGER NOT NULL DEFAULT 0,
            body TEXT NOT NULL,
            UNIQUE (type, id))""",
        "CREATE INDEX resource_url ON resource (type, url, version)",
        """CREATE TABLE concept (
            cs_pk INTEGER NOT NULL REFERENCES resource(pk),
            seq INTEGER NOT NULL,
            code TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (cs_pk, seq))""",
        "CREATE INDEX concept_code ON concept (cs_pk, code)",
    ],
    # rev: the store generation that wrote the row, so processes keep the indexes of
    # unchanged resources when something else in the store changes
    2: [
        "ALTER TABLE resource ADD COLUMN rev INTEGER NOT NULL DEFAULT 0",
    ],
    # $closure tables (store/closures.py): client state, kept apart from the resources so that writing them
    # starts no store generation. `base` is the version the table was (re)initialised at; `editions` (JSON)
    # the code system editions its pairs were worked out in. Entries pair codes of one system.
    3: [
        """CREATE TABLE closure_table (
            name TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            base INTEGER NOT NULL,
            editions TEXT NOT NULL,
            created TEXT NOT NULL)""",
        """CREATE TABLE closure_concept (
            name TEXT NOT NULL,
            system TEXT NOT NULL,
            code TEXT NOT NULL,
            display TEXT,
            added INTEGER NOT NULL,
            PRIMARY KEY (name, system, code))""",
        """CREATE TABLE closure_entry (
            name TEXT NOT NULL,
            system TEXT NOT NULL,
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            equivalence TEXT NOT NULL,
            added INTEGER NOT NULL,
            PRIMARY KEY (name, system, source, target))""",
        "CREATE INDEX closure_entry_added ON closure_entry (name, added)",
    ],
    # deletion records (tombstones): a read of a deleted (type, id) answers 410 Gone, not 404 (R4 http.html#read).
    # `rev` is the generation of the write that deleted it, `deleted` that write's instant (the lastUpdated it
    # stamps); a row goes when the id is written again, in that write's transaction
    4: [
        # IF NOT EXISTS: a Kodebro from before this migration, started on the store after it (a rollback), wrote
        # its own schema version back, so the next start runs this again over the table that is there
        """CREATE TABLE IF NOT EXISTS deleted_resource (
            type TEXT NOT NULL,
            id TEXT NOT NULL,
            rev INTEGER NOT NULL,
            deleted TEXT NOT NULL,
            PRIMARY KEY (type, id))""",
    ],
}
SCHEMA_VERSION = max(MIGRATIONS)
