"""`Catalog.codesystem` keeps the index it found for a read naming no version (every SNOMED CT $lookup and
$validate-code makes one) with the headers it was found in: a new version loaded is read after the refresh, and a
yearly codebook's read still takes the edition in force on the catalog's day.

Data: small CodeSystem resources written in the test; the demo's NAV ICD-10 slice (terminology/demo, MIT, NAV IT)
as editions 2026 and 2027.
"""
import json
import os

from terminology import Catalog, import_paths, open_store
from terminology.demo import DEMO_DIR

URL = "http://example.org/fhir/CodeSystem/kept-reads"
ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"
SLICE = os.path.join(DEMO_DIR, "navikt-ICD10-2026-slice.json")


def _write(tmp_path, version: str) -> str:
    path = tmp_path / f"cs-{version}.json"
    path.write_text(json.dumps({
        "resourceType": "CodeSystem", "id": f"kept-reads-{version.replace('.', '-')}", "url": URL,
        "version": version, "status": "active", "content": "complete",
        "concept": [{"code": "a", "display": f"A in {version}"}]}), encoding="utf-8")
    return str(path)


def test_a_read_naming_no_version_takes_a_version_loaded_later(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    import_paths(store, [_write(tmp_path, "1.0.0")])
    catalog = Catalog(store)
    first = catalog.codesystem(URL)
    assert first.version == "1.0.0" and catalog.codesystem(URL) is first
    import_paths(store, [_write(tmp_path, "2.0.0")])
    catalog.refresh(force=True)
    later = catalog.codesystem(URL)
    assert later.version == "2.0.0"
    assert later.find("a")[0].display == "A in 2.0.0"
    assert catalog.codesystem(URL, "1.0.0").version == "1.0.0"


def test_a_yearly_codebook_read_naming_no_version_follows_the_day(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    for year in ("2026", "2027"):
        import_paths(store, [SLICE], edition=year, system=ICD10NO)
    catalog = Catalog(store)
    catalog.today = "2026-12-31"
    assert catalog.codesystem(ICD10NO).version == "2026"
    assert catalog.codesystem(ICD10NO).version == "2026"
    catalog.today = "2027-01-01"
    assert catalog.codesystem(ICD10NO).version == "2027"
