"""Persistent storage of terminology resources. `open_store(path)` picks the backend."""
from __future__ import annotations

from .base import Precondition, ResourceHeader, Store, Stored
from .sqlite import SQLiteStore


def open_store(location: str) -> Store:
    """Open the store at `location`: a file path (SQLite) or a postgresql:// URL."""
    if location.startswith(("postgres://", "postgresql://")):
        from .postgres import PostgresStore
        return PostgresStore(location)
    return SQLiteStore(location)


__all__ = ["Store", "ResourceHeader", "Precondition", "Stored", "SQLiteStore", "open_store"]
