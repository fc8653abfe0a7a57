"""Clients for the advice-on-accepted-codes tests: the demo content (real slices of NAV's ICD-10-NO 2026 list, the
NCMP/NCRP change seeds), and a store holding a hand-made ICD-10-NO 2027 with the grouping C50 and its nine codes."""
from __future__ import annotations

import os

import pytest

from tests.conftest import DATA
from tests.support.tx_files import imported_client
# the demo store and its clients, as the successor tests make them (package-scoped: one store per package)
from tests.norway.advice.successors.conftest import demo, demo_app, demo_catalog  # noqa: F401

HERE = os.path.join(DATA, "norway_advice_accepted")


@pytest.fixture(scope="package")
def c50(tmp_path_factory):
    return imported_client(tmp_path_factory.mktemp("va15bc50"), [os.path.join(HERE, "icd10no-c50-2027.json")])
