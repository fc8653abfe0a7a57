"""Clients for the advice-on-accepted-codes tests: the demo content (real slices of NAV's ICD-10-NO 2026 list, the
NCMP/NCRP change seeds), and a store holding a hand-made ICD-10-NO 2027 with the grouping C50 and its nine codes."""
from __future__ import annotations

import os

import pytest

from tests.conftest import DATA
# the demo store and its clients, as the successor tests make them (package-scoped: one store per package)
from tests.norway.advice.successors.conftest import demo, demo_app, demo_catalog  # noqa: F401

HERE = os.path.join(DATA, "norway_advice_accepted")


@pytest.fixture(scope="package")
def c50(tmp_path_factory):
    from fhir_api import create_app
    from terminology import import_paths, open_store
    db = str(tmp_path_factory.mktemp("va15bc50") / "k.db")
    store = open_store(db)
    report = import_paths(store, [os.path.join(HERE, "icd10no-c50-2027.json")])
    assert not report.rejected, report.rejected
    store.close()
    return create_app({"DB": db, "DEMO": False}).test_client()
