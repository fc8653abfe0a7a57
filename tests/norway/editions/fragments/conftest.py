"""The demo content (its ICD-10-NO 2026 is a slice of NAV's list, content=fragment) with the hand-made Norwegian
SNOMED CT release (its 447562003 map names P59.9 and R17 for 18165001) and two small complete ICD-10-NO editions,
2025 and 2027, beside it: the store review s15-recheck N1 and N2 were seen on."""
from __future__ import annotations

import os

import pytest

from tests.conftest import DATA

HERE = os.path.join(DATA, "norway_fragment_editions")
HANDMADE_SNOMED = os.path.join(DATA, "snomed", "handmade-no")


@pytest.fixture(scope="package")
def demo_db(tmp_path_factory):
    from fhir_api import create_app
    from terminology import import_paths, open_store
    db = str(tmp_path_factory.mktemp("fr15") / "k.db")
    create_app({"DB": db, "DEMO": True})          # the demo content first, as `kodebro serve --demo` leaves it
    store = open_store(db)
    import_paths(store, [HANDMADE_SNOMED], fmt="rf2")
    report = import_paths(store, [os.path.join(HERE, f"icd10no-{v}.json") for v in ("2025", "2027")])
    assert not report.rejected, report.rejected
    store.close()
    return db


@pytest.fixture(scope="package")
def client(demo_db):
    from fhir_api import create_app
    # in 2027, so that a request naming no version is answered by the 2027 edition as the review saw it (the
    # edition in force today answers, review s16 H1)
    return create_app({"DB": demo_db, "DEMO": True, "TODAY": "2027-06-01"}).test_client()
