"""A store with the seed change list and the edition slices of tests/data/successions."""
from __future__ import annotations

import glob
import os

import pytest

from tests.conftest import DATA

HERE = os.path.join(DATA, "successions")
EDITIONS = sorted(f for f in glob.glob(os.path.join(HERE, "*-20*.json")) if "navikt" not in f)
ICPC2_EDITIONS = [os.path.join(HERE, f"navikt-ICPC2-{y}.json") for y in ("2024", "2025")]
SEED_CHANGES = os.path.join(HERE, "changes-seed.csv")


@pytest.fixture
def seeded(store):
    from terminology.loader import import_paths
    import_paths(store, EDITIONS + [SEED_CHANGES])
    return store


@pytest.fixture
def catalog(seeded):
    from terminology import Catalog
    return Catalog(seeded)


@pytest.fixture
def seeded_client(db_path, seeded):
    from fhir_api import create_app
    return create_app({"DB": db_path, "DEMO": False}).test_client()
