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
# the editions the samples hold, by URI: international, Norwegian, the lite (Swedish) extract, and one not loaded
MULTI = os.path.join(SAMPLES, "multimodule")
INT_FOLDER = os.path.join(MULTI, "SnomedCT_InternationalRF2_PRODUCTION_20250101T120000Z")
INT_2018 = "http://snomed.info/sct/900000000000207008/version/20180731"
INT_2025 = "http://snomed.info/sct/900000000000207008/version/20250101"
SE_2024 = "http://snomed.info/sct/45991000052106/version/20240301"
NO_2025 = "http://snomed.info/sct/51000202101/version/20250415"
NO_NOT_LOADED = "http://snomed.info/sct/51000202101/version/20241015"
INT_MODULE = "900000000000207008"
NO_MODULE = "51000202101"


def snomed_edges(sg) -> list:
    """The SNOMED CT edges of a succession graph, comparable between two builds of it."""
    return sorted((repr(u), repr(v), k, repr(sorted(d.items()))) for u, v, k, d in sg.g.edges(keys=True, data=True)
                  if u[0] == SNOMED or v[0] == SNOMED)


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


# stores several test modules play against (module scope: each module its own, as when each defined them)
@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """INT 20180731, the lite 20240301 and the Norwegian 20250415 (the default)."""
    return client_at(tmp_path_factory.mktemp("three"), DUMMY, LITE, HANDMADE)


@pytest.fixture(scope="module")
def three_catalog(tmp_path_factory):
    return catalog_at(tmp_path_factory.mktemp("three-cat"), DUMMY, LITE, HANDMADE)


@pytest.fixture(scope="module")
def multi2(tmp_path_factory):
    """The international 20250101 and the Norwegian 20250415 of the multimodule sample."""
    return client_at(tmp_path_factory.mktemp("multi2"), INT_FOLDER, MULTI)


@pytest.fixture(scope="module")
def multi2_catalog(tmp_path_factory):
    return catalog_at(tmp_path_factory.mktemp("multi2-cat"), INT_FOLDER, MULTI)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    """A client on the hand-made Norwegian sample, one per test module (a module may write to it)."""
    return client_at(tmp_path_factory.mktemp("hand"), HANDMADE)


def import_rejects(tmp_path, resource: dict, why: str) -> None:
    """`kodebro import` of a folder holding `resource` rejects it saying `why` and writes nothing."""
    import json
    from terminology import import_paths, open_store
    folder = tmp_path / "to-import"
    folder.mkdir()
    (folder / "mirror.json").write_text(json.dumps(resource))
    store = open_store(str(tmp_path / "k.db"))
    try:
        report = import_paths(store, [str(folder)], skip_invalid=True)
        assert not report.added and len(report.rejected) == 1, report
        assert why in report.rejected[0][2]
        assert store.headers(resource["resourceType"]) == []
    finally:
        store.close()
