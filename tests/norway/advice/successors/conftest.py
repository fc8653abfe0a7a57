"""Stores for the successor tests: the demo content (the NCRP/NCMP/Særkoder change seeds, editions loaded as
fragments), as an app and as a catalog; and NCRP 2016/2017 loaded as complete editions with the 2017 change list."""
from __future__ import annotations

import os

import pytest

from tests.conftest import DATA
from tests.support.tx_files import imported_client

HERE = os.path.join(DATA, "norway_advice_successors")


@pytest.fixture(scope="package")
def demo_app(tmp_path_factory):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path_factory.mktemp("vs15demo") / "k.db"), "DEMO": True})


@pytest.fixture(scope="package")
def demo(demo_app):
    return demo_app.test_client()


@pytest.fixture(scope="package")
def demo_catalog(demo_app):
    from terminology import Catalog, open_store
    store = open_store(demo_app.config["KODEBRO"]["DB"])
    yield Catalog(store)
    store.close()


@pytest.fixture(scope="package")
def complete(tmp_path_factory):
    files = ("ncrp-2016.json", "ncrp-2017.json", "changes-ncrp-2017.csv")
    return imported_client(tmp_path_factory.mktemp("vs15complete"), [os.path.join(HERE, f) for f in files])
