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
}
SCHEMA_VERSION = max(MIGRATIONS)
