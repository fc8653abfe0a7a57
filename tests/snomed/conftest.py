"""SNOMED CT fixtures: the RF2 samples imported once per module into their own stores."""
from __future__ import annotations

import os

import pytest

from tests.conftest import DATA

SNOMED = "http://snomed.info/sct"
SAMPLES = os.path.join(DATA, "snomed")
HANDMADE = os.path.join(SAMPLES, "handmade-no")
DUMMY = os.path.join(SAMPLES, "snowstorm-dummy", "RF2Release")
LITE = os.path.join(SAMPLES, "snowstorm-lite")
ZIP = os.path.join(SAMPLES, "snowstorm-dummy-release-zip",
                   "SnomedCT_InternationalRF2_PRODUCTION_20250701T120000Z.zip")


def catalog_at(folder, *paths):
    """A catalog on a new store in `folder`, each RF2 path imported in turn."""
    import terminology.snomed  # noqa: F401
    from terminology import Catalog, import_paths, open_store
    store = open_store(os.path.join(str(folder), "snomed.db"))
    for p in paths:
        import_paths(store, [p], fmt="rf2")
    return Catalog(store)


def client_at(folder, *paths):
    """A test client of an app on a new store in `folder`, each RF2 path imported in turn."""
    from fhir_api import create_app
    from terminology import import_paths, open_store
    db = os.path.join(str(folder), "http.db")
    store = open_store(db)
    for p in paths:
        import_paths(store, [p], fmt="rf2")
    store.close()
    return create_app({"DB": db, "DEMO": False}).test_client()


def _catalog(tmp_path_factory, name, *paths):
    return catalog_at(tmp_path_factory.mktemp(name), *paths)


@pytest.fixture(scope="module")
def no_catalog(tmp_path_factory):
    """The hand-made Norwegian-edition release (international + Norwegian module rows)."""
    return _catalog(tmp_path_factory, "no", HANDMADE)


@pytest.fixture(scope="module")
def no_cs(no_catalog):
    return no_catalog.codesystem(SNOMED)
