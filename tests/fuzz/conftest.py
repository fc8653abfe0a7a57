"""A template store (demo content, the shipped HL7 terminology (FHIR core and THO) and three small SNOMED CT
editions) built once; each seed block plays against its own copy, so what one block writes cannot change what
another sees."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import DATA

# three editions (INT 20180731, the lite Swedish 20240301, the Norwegian 20250415, the default), so that edition
# paths and versions in implicit value set and ConceptMap urls can name a loaded edition, another one, or none;
# about 20 ms to import
SNOMED_RELEASES = tuple(os.path.join(DATA, "snomed", p) for p in ("snowstorm-dummy/RF2Release", "snowstorm-lite",
                                                                   "handmade-no"))


@pytest.fixture(scope="session")
def fuzz_template(tmp_path_factory, hl7_db) -> str:
    import terminology.snomed  # noqa: F401  (registers the RF2 importer and the SNOMED CT index)
    from terminology import import_paths, open_store
    from terminology.demo import load_demo
    db = str(tmp_path_factory.mktemp("fuzz-template") / "fuzz.db")
    shutil.copy(hl7_db, db)
    store = open_store(db)
    load_demo(store)
    for release in SNOMED_RELEASES:
        import_paths(store, [release], fmt="rf2")
    store.close()
    return db


MEMORY_CAP = 6 * 1024 ** 3


@pytest.fixture
def memory_cap():
    """An input that makes the server allocate without bound becomes a MemoryError (a 500 the oracle reports)
    instead of the kernel killing the whole test run."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = MEMORY_CAP if hard == resource.RLIM_INFINITY else min(MEMORY_CAP, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
def fuzz_client_factory(fuzz_template, tmp_path, memory_cap):
    """A fresh app over a copy of the template (call it again for another fresh one)."""
    from fhir_api import create_app
    made = []

    def make():
        db = str(tmp_path / f"fuzz-{len(made)}.db")
        shutil.copyfile(fuzz_template, db)
        app = create_app({"DB": db, "DEMO": False})
        made.append(app)
        return app.test_client()
    yield make
    for app in made:
        app.extensions["kodebro.store"].close()
