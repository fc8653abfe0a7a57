"""The `kodebro` commands as separate processes on real files, checked the way an integration engineer
reads them: exit status, what the summary names, and what `kodebro list` shows afterwards."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.acceptance.conftest import HANDMADE_RF2, kodebro
from tests.conftest import DATA
from terminology.hl7 import THO

PACKAGE = THO     # the THO package shipped in terminology/hl7/
NORWAY = os.path.join(DATA, "norway")


def test_hl7_package_refused_whole_then_skip_invalid_then_replaced(tmp_path):
    db = str(tmp_path / "k.db")
    r = kodebro("import", PACKAGE, db=db)
    assert r.returncode == 1
    out = r.stdout + r.stderr
    assert "NamingSystem-v3-loinc.json" in out and "NamingSystem-MeSH.json" in out and "uniqueId" in out
    assert "nothing was changed" in out
    empty = kodebro("list", db=db).stdout
    assert "CodeSystems: 0 code systems, 0 editions" in empty and "ValueSets (0)" in empty and "NamingSystems (0)" in empty

    r = kodebro("import", PACKAGE, "--skip-invalid", db=db)
    assert r.returncode == 2, r.stdout + r.stderr
    out = r.stdout + r.stderr
    for line in ("CodeSystem: 897 added", "ValueSet: 2499 added", "NamingSystem: 658 added"):
        assert line in out
    assert out.count("skipped ") >= 2 and "NamingSystem-MeSH.json" in out
    listing = kodebro("list", db=db).stdout
    assert "897 editions" in listing and "ValueSets (2499)" in listing and "NamingSystems (658)" in listing
    assert "http://terminology.hl7.org/CodeSystem/v3-ActCode" in listing

    r = kodebro("import", PACKAGE, "--skip-invalid", db=db)
    out = r.stdout + r.stderr
    assert "CodeSystem: 0 added, 0 replaced, 897 unchanged" in out and "ValueSet: 0 added, 0 replaced, 2499 unchanged" in out
    assert kodebro("list", db=db).stdout == listing  # replaced, not duplicated


def test_folder_with_one_broken_resource_changes_nothing_and_names_the_file(tmp_path):
    db = str(tmp_path / "k.db")
    assert kodebro("import", os.path.join(DATA, "successions", "ncmp-2020.json"), db=db).returncode == 0
    before = kodebro("list", db=db).stdout
    folder = tmp_path / "delivery"
    folder.mkdir()
    shutil.copy(os.path.join(DATA, "successions", "ncmp-2021.json"), folder / "ncmp-2021.json")
    broken = json.load(open(os.path.join(DATA, "successions", "ncrp-2017.json")))
    broken["status"] = "finished"  # not a PublicationStatus
    (folder / "ncrp-2017-broken.json").write_text(json.dumps(broken))
    r = kodebro("import", str(folder), db=db)
    assert r.returncode == 1
    assert "ncrp-2017-broken.json" in r.stdout + r.stderr and "status" in r.stdout + r.stderr
    assert kodebro("list", db=db).stdout == before


def test_norwegian_files_import_as_published_with_their_format_detected(tmp_path):
    db = str(tmp_path / "k.db")
    for name in ("navikt-ICD10-2026.json", "navikt-ICPC2-2026.json", "fat-icpc2-2024.json", "procedures-2017.csv"):
        r = kodebro("import", os.path.join(NORWAY, name), db=db)
        assert r.returncode == 0, name + r.stdout + r.stderr
    r = kodebro("import", os.path.join(NORWAY, "ehelse-ICPC2_til_ICD-10_CSV_1_1_2019.txt"),
                "--against", os.path.join(NORWAY, "navikt-ICD10-2026.json"), "--against-edition", "2026", db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    notes = r.stdout + r.stderr
    for gone in ("K589", "T887", "Z299", "Z512"):  # shared/data/PROVENANCE.md lists them
        assert f"target {gone} " in notes and "not in ICD-10-NO 2026" in notes
    assert "D385" in notes and "D3850" in notes  # now a grouping: the codes to choose instead
    listing = kodebro("list", db=db).stdout
    assert "http://hl7.org/fhir/sid/icpc-2  2024 (5 concepts), 2026 (" in listing
    assert "urn:oid:2.16.578.1.12.4.1.1.7270  2017" in listing  # NCRP split out of the table
    assert "urn:oid:2.16.578.1.12.4.1.1.7275  2017" in listing  # and NKPK
    assert "https://kodebro.no/fhir/ValueSet/icd-10-no-main-condition|2026" in listing
    assert "https://kodebro.no/fhir/ConceptMap/icpc2-icd10|2019" in listing
    icd = next(line for line in listing.splitlines() if line.startswith("  http://hl7.org/fhir/sid/icd-10-no "))
    assert int(icd.split("(")[1].split()[0]) >= 19634  # every listed code, plus WHO groupings


def test_rf2_release_folder_and_zip(tmp_path):
    db = str(tmp_path / "k.db")
    r = kodebro("import", "--format", "rf2", HANDMADE_RF2, db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "21 concepts" in r.stdout + r.stderr
    zipped = os.path.join(DATA, "snomed", "snowstorm-dummy-release-zip",
                          "SnomedCT_InternationalRF2_PRODUCTION_20250701T120000Z.zip")
    assert kodebro("import", "--format", "rf2", zipped, db=db).returncode == 0
    listing = kodebro("list", db=db).stdout
    assert "http://snomed.info/sct/51000202101/version/20250415 (21 concepts)" in listing
    assert "http://snomed.info/sct/900000000000207008/version/20250701" in listing
    assert "http://snomed.info/sct?fhir_vs=refset/88161000202101" in listing


def test_diff_editions_and_history_on_the_demo_store(site, tmp_path):
    _base, db = site
    r = kodebro("diff-editions", "--system", "NCMP", "--from", "2020", "--to", "2021", db=db)
    assert r.returncode == 0, r.stderr
    rows = r.stdout.splitlines()
    assert rows[0].startswith("codebook,edition,kind,code,successor")
    assert any(",2021,reactivated,OAEA00," in row for row in rows)
    assert any(",2021,retired,ZWUU40," in row for row in rows)
    assert any(",2021,new,JAGD55," in row for row in rows)
    draft = tmp_path / "draft.json"
    assert kodebro("diff-editions", "--system", "NCMP", "--from", "2020", "--to", "2021",
                   "--out", str(draft), db=db).returncode == 0
    assert json.loads(draft.read_text())["format"] == "kodebro-changelist"
    r = kodebro("diff-editions", "--system", "NCMP", "--from", "2020", "--to", "1999", db=db)
    assert r.returncode != 0 and "1999" in r.stderr and "Traceback" not in r.stderr

    r = kodebro("history", "--system", "NCMP", "OAEA00", db=db)
    assert r.returncode == 0, r.stderr
    assert "2020: retired" in r.stdout and "2021: reactivated" in r.stdout
    r = kodebro("history", "--system", "NCRP", "SAA0AE", "--json", db=db)
    history = json.loads(r.stdout)
    assert any(e["kind"] == "merged" and e["to"]["code"] == "SAA0AP" for e in history["events"])


@pytest.mark.parametrize("command", ["serve", "import", "list", "diff-editions", "history"])
def test_help(command, tmp_path):
    r = kodebro(command, "--help", db=str(tmp_path / "unused.db"))
    assert r.returncode == 0 and "Usage:" in r.stdout
