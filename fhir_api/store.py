"""Access to the store and catalog from request handlers; set up once per app."""
from __future__ import annotations

from flask import current_app

from terminology import Catalog, open_store
from terminology.hl7 import fill_empty_store


def init_app(app) -> None:
    settings = app.config["KODEBRO"]
    store = open_store(settings["DB"])
    fill_empty_store(store, demo=settings["DEMO"], hl7=settings["HL7"])
    app.extensions["kodebro.store"] = store
    app.extensions["kodebro.catalog"] = Catalog(store, today=settings.get("TODAY") or None)


def get_store():
    return current_app.extensions["kodebro.store"]


def get_catalog(fresh: bool = False) -> Catalog:
    """The catalog, checked against the store at most once a second; `fresh`: checked now (a read by id, a
    write's answer: they must see every write before them, in any worker or process)."""
    cat = current_app.extensions["kodebro.catalog"]
    cat.refresh(force=fresh)
    return cat
