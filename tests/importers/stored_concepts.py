"""Reading concepts back from a store, for the s14 import-safety tests."""
from __future__ import annotations

import sqlite3

import orjson


def concept(db: str, url: str, code: str) -> dict | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT c.data FROM concept c JOIN resource r ON r.pk=c.cs_pk "
                           "WHERE r.url=? AND c.code=?", (url, code)).fetchone()
    return orjson.loads(row[0]) if row else None


def props(c: dict) -> dict:
    return {p["code"]: next(v for k, v in p.items() if k.startswith("value")) for p in c.get("property", [])}
