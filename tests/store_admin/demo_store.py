"""A store file holding the shipped demo content, as a first `kodebro serve` leaves it."""
from __future__ import annotations

from terminology import open_store
from terminology.demo import load_demo


def demo_db(tmp_path, name: str = "k.db") -> str:
    db = str(tmp_path / name)
    store = open_store(db)
    load_demo(store)
    store.close()
    return db
