"""What a catalog works out before its first request (the server's warm-up, in the master before the workers fork)
is kept by that request: the catalog starts in today's year, so its first `in_force_day` (every refresh asks it)
finds no change of year to drop the store revision's facts for. A real change of year still drops them."""
from __future__ import annotations

from terminology import Catalog, open_store


def test_the_first_refresh_keeps_what_was_worked_out_before_it(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    try:
        catalog = Catalog(store)
        made = catalog.derived("test.warm-fact", lambda _c: object())
        catalog.in_force_day()
        assert catalog.derived("test.warm-fact", lambda _c: object()) is made
    finally:
        store.close()


def test_a_new_year_drops_them(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    try:
        catalog = Catalog(store, today="2026-12-31")
        made = catalog.derived("test.warm-fact", lambda _c: object())
        catalog.today = "2027-01-01"
        assert catalog.derived("test.warm-fact", lambda _c: object()) is not made
    finally:
        store.close()
