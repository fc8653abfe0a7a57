"""Shared fixtures: a fresh store and app per test, a live server process for HTTP tests."""
from __future__ import annotations

import os

import pytest

from scripts.server_process import free_port, running_server

__all__ = ["free_port", "running_server"]  # test modules import them from here

# An empty store gets the shipped HL7 terminology at first start (KODEBRO_HL7, ~5 s and 5,144 resources). The
# suite creates hundreds of stores, so it starts them without it unless a test asks (tests/hl7/, the conformance
# runner); servers the tests start inherit this.
os.environ.setdefault("KODEBRO_HL7", "false")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data")
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "kodebro.db")


@pytest.fixture
def store(db_path):
    from terminology import open_store
    s = open_store(db_path)
    yield s
    s.close()


@pytest.fixture
def app(db_path):
    from fhir_api import create_app
    return create_app({"DB": db_path, "DEMO": False})


@pytest.fixture
def demo_app(tmp_path):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path / "demo.db"), "DEMO": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`kodebro serve` as a real process on 127.0.0.1, with a fresh store (demo content)."""
    db = str(tmp_path_factory.mktemp("live") / "kodebro.db")
    with running_server(db) as (base, _started):
        yield base


@pytest.fixture(scope="session")
def hl7_db(tmp_path_factory) -> str:
    """A store holding the shipped HL7 terminology only (terminology/hl7/), built once a session: copy it
    (shutil.copy) before writing to it."""
    from terminology import open_store
    from terminology.hl7 import load_hl7
    db = str(tmp_path_factory.mktemp("hl7-template") / "hl7.db")
    store = open_store(db)
    load_hl7(store)
    store.close()
    return db

