"""Access to the store and catalog from request handlers; set up once per app."""
from __future__ import annotations

from flask import current_app

from terminology import Catalog, open_store


def init_app(app) -> None:
    settings = app.config["KODEBRO"]
    store = open_store(settings["DB"])
    if settings["DEMO"] and not store.headers():
        from terminology.demo import load_demo
        load_demo(store)
    app.extensions["kodebro.store"] = store
    app.extensions["kodebro.catalog"] = Catalog(store, today=settings.get("TODAY") or None)


def get_store():
    return current_app.extensions["kodebro.store"]


def get_catalog() -> Catalog:
    cat = current_app.extensions["kodebro.catalog"]
    cat.refresh()
    return cat
