"""PostgreSQL store: one shared database behind several stateless API processes.

Same schema and logic as the SQLite store (see sql.py); each process keeps
its own hot indexes and notices new content through the `generation` row.
Needs the optional dependency `psycopg` (pip install 'kodebro[postgres]').
"""
from __future__ import annotations

import re

from ..errors import NotSupported
from .sql import SQLStore

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE resource (
            pk BIGSERIAL PRIMARY KEY,
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
            cs_pk BIGINT NOT NULL REFERENCES resource(pk),
            seq INTEGER NOT NULL,
            code TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (cs_pk, seq))""",
        "CREATE INDEX concept_code ON concept (cs_pk, code)",
    ],
    2: [
        "ALTER TABLE resource ADD COLUMN rev INTEGER NOT NULL DEFAULT 0",
    ],
}

_IS_PARAM = re.compile(r"\bIS \?")


class PostgresStore(SQLStore):
    migrations = MIGRATIONS

    def __init__(self, url: str):
        try:
            import psycopg  # noqa: F401
        except ModuleNotFoundError:
            raise NotSupported("a postgresql:// store needs the psycopg package: pip install 'kodebro[postgres]'")
        self.url = url
        super().__init__()

    def _connect(self):
        import psycopg
        conn = psycopg.connect(self.url, autocommit=True)
        return conn

    def _sql(self, sql: str) -> str:
        # null-safe equality is spelled differently; placeholders are %s
        return _IS_PARAM.sub("IS NOT DISTINCT FROM ?", sql).replace("?", "%s")

    def _begin(self, conn) -> None:
        conn.execute("BEGIN")
        # one writer at a time across all processes, like SQLite's BEGIN IMMEDIATE
        conn.execute("SELECT pg_advisory_xact_lock(71107170)")
