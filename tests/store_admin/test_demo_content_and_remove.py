"""Operations on a hospital's store (review s15 F3, F12, F13): demo content is tagged, listed and removable;
`--system` takes the names Kodebro prints; `kodebro serve` says where it listens and when workers reload."""
from __future__ import annotations

import os
import time

import requests
from click.testing import CliRunner

from scripts.cli import main
from scripts.server_process import running_server
from terminology import open_store
from terminology.identifiers import DEMO_TAG, KODEBRO_BASE, is_demo
from tests.conftest import DATA

from .demo_store import demo_db

ICPC2_LIST = os.path.join(DATA, "norway", "navikt-ICPC2-2026.json")   # NAV's full ICPC-2 list (complete)
ICPC2 = "http://hl7.org/fhir/sid/icpc-2"


def _cli(db, *args):
    return CliRunner().invoke(main, [*args, "--db", db])


def _snapshot(db):
    store = open_store(db)
    try:
        return sorted((h.type, h.id, h.rev) for h in store.headers())
    finally:
        store.close()


def _validate(db, code):
    from fhir_api import create_app
    client = create_app({"DB": db, "DEMO": False}).test_client()
    r = client.get(f"/fhir/CodeSystem/$validate-code?url={ICPC2}&code={code}")
    params = {p["name"]: p for p in r.get_json()["parameter"]}
    return params["result"]["valueBoolean"], r.get_json()


def test_every_demo_resource_carries_the_demo_tag(tmp_path):
    store = open_store(demo_db(tmp_path))
    headers = store.headers()
    assert len(headers) >= 40
    # derived ones too (NKPK editions built from the demo NCMP/NCSP/NCRP)
    # (the Norwegian NamingSystems are reference data, left untagged: review s15 re-check O1)
    untagged = [(h.type, h.id) for h in headers if not is_demo(store.body(h.pk)) and h.type != "NamingSystem"]
    assert untagged == []
    assert DEMO_TAG["system"].startswith(KODEBRO_BASE + "/CodeSystem/")
    body = store.body(store.header("CodeSystem", "NKPK-2021").pk)
    assert {"system": DEMO_TAG["system"], "code": "demo"}.items() <= body["meta"]["tag"][-1].items()


def test_demo_tag_is_searchable_over_fhir(tmp_path):
    from fhir_api import create_app
    client = create_app({"DB": demo_db(tmp_path), "DEMO": False}).test_client()
    r = client.get(f"/fhir/CodeSystem?_tag={DEMO_TAG['system']}|demo&_summary=count")
    assert r.status_code == 200 and r.get_json()["total"] >= 18


def test_list_marks_demo_and_fragment(tmp_path):
    db = demo_db(tmp_path)
    assert _cli(db, "import", ICPC2_LIST, "--edition", "2025").exit_code == 0
    out = _cli(db, "list").output
    line = next(x for x in out.splitlines() if x.strip().startswith(ICPC2))
    # 2026 is the edition a version-less request gets (in force from 1 January 2026), marked `default` (s16 L9, N8)
    assert "2025 (725 concepts)" in line and "2026 (29 concepts, default, demo, fragment)" in line
    assert "https://kodebro.no/fhir/ValueSet/ncmp-aktive|1 (demo)" in out
    assert "kodebro remove --demo" in out


def test_import_into_a_store_with_demo_content_says_how_to_remove_it(tmp_path):
    db = demo_db(tmp_path)
    r = _cli(db, "import", ICPC2_LIST, "--edition", "2025")
    assert r.exit_code == 0 and "still holds demo content" in r.output and "kodebro remove --demo" in r.output
    clean = str(tmp_path / "clean.sqlite")
    r = _cli(clean, "import", ICPC2_LIST, "--edition", "2025")
    assert r.exit_code == 0 and "demo" not in r.output


def test_remove_demo_leaves_only_real_imports_and_unknown_codes_become_unknown(tmp_path):
    db = demo_db(tmp_path)
    assert _cli(db, "import", ICPC2_LIST, "--edition", "2025").exit_code == 0
    # the demo ICPC-2 2026 slice is a fragment: an unknown code passes
    assert _validate(db, "R81.1")[0] is True
    before = _snapshot(db)
    dry = _cli(db, "remove", "--demo")
    assert dry.exit_code == 0 and "would remove" in dry.output and "dry run" in dry.output
    assert _snapshot(db) == before
    r = _cli(db, "remove", "--demo", "--yes")
    assert r.exit_code == 0, r.output
    store = open_store(db)
    left = [(h.type, h.id, h.version) for h in store.headers() if h.type != "NamingSystem"]   # kept (O1)
    store.close()
    assert left == [("CodeSystem", left[0][1], "2025")] and left[0][1].startswith("ICPC2")
    result, body = _validate(db, "R81.1")
    assert result is False and "Unknown code" in str(body)
    assert _validate(db, "R81")[0] is True
    assert "nothing to remove" in _cli(db, "remove", "--demo").output


def test_remove_an_unknown_edition_exits_1_listing_what_is_loaded_and_changes_nothing(tmp_path):
    db = demo_db(tmp_path)
    before = _snapshot(db)
    r = _cli(db, "remove", "--system", "NCMP", "--edition", "2030", "--yes")
    assert r.exit_code == 1
    assert "edition 2030 of NCMP is not loaded (loaded: 2016, 2017, 2019, 2020, 2021)" in r.output
    r = _cli(db, "remove", "--system", "SNOMED CT", "--edition", "20250101", "--yes")
    assert r.exit_code == 1 and "SNOMED CT is not loaded; loaded code systems:" in r.output and "NCMP" in r.output
    r = _cli(db, "remove", "--system", "nosuchbook", "--edition", "1", "--yes")
    assert r.exit_code == 2 and "ICD-10-NO" in r.output and "ICPC-2" in r.output
    assert _snapshot(db) == before


def test_remove_one_edition_keeps_derived_nkpk_in_step(tmp_path):
    db = demo_db(tmp_path)
    dry = _cli(db, "remove", "--system", "ncmp", "--edition", "2021")
    assert dry.exit_code == 0 and "CodeSystem/NCMP-2021" in dry.output and "dry run" in dry.output
    r = _cli(db, "remove", "--system", "ncmp", "--edition", "2021", "--yes")
    assert r.exit_code == 0, r.output
    store = open_store(db)
    assert store.header("CodeSystem", "NCMP-2021") is None
    nkpk = store.header("CodeSystem", "NKPK-2021")
    # NKPK 2021 is rebuilt from what remains (no NCMP 2021 codes), or goes with its last source
    assert nkpk is None or nkpk.concept_count < 53
    store.close()


def test_remove_of_a_derived_nkpk_edition_is_refused_as_a_rest_delete_is(tmp_path):
    # the same write would build it again as it is: reported removed, it would still be there (and its siblings
    # were rewritten for nothing); the dry run says so too
    db = demo_db(tmp_path)
    before = _snapshot(db)
    for extra in ([], ["--yes"]):
        r = _cli(db, "remove", "--system", "NKPK", "--edition", "2019", *extra)
        assert r.exit_code == 1, r.output
        assert "derived, not stored for its own sake" in r.output and "nothing was changed" in r.output
    assert _snapshot(db) == before


def test_the_dry_run_names_what_it_rebuilds(tmp_path):
    db = demo_db(tmp_path)
    dry = _cli(db, "remove", "--system", "ncmp", "--edition", "2020")
    assert "and rebuild CodeSystem urn:oid:2.16.578.1.12.4.1.1.7275|2021" in dry.output, dry.output
    assert "/None" not in dry.output


def test_remove_a_value_set_by_url(tmp_path):
    db = demo_db(tmp_path)
    url = "https://kodebro.no/fhir/ValueSet/ncmp-aktive"
    r = _cli(db, "remove", "--url", url, "--version", "9")
    assert r.exit_code == 1 and "has no version 9 (loaded: 1)" in r.output
    r = _cli(db, "remove", "--url", url, "--yes")
    assert r.exit_code == 0 and "deleted 1 resource(s)" in r.output
    assert "ncmp-aktive" not in _cli(db, "list").output


def test_system_option_takes_the_names_kodebro_prints(tmp_path):
    db = demo_db(tmp_path)
    # a second ICD-10-NO edition beside the demo 2026 slice: `history` walks editions
    assert _cli(db, "import", os.path.join(DATA, "norway", "fat-icd10-2026.json"), "--edition", "2025").exit_code == 0
    for name in ("ICD-10-NO", "icd-10-no", "ICD10NO"):
        r = _cli(db, "history", "--system", name, "J12.8")
        assert r.exit_code == 0 and "J128 (ICD-10-NO" in r.output, r.output
    r = _cli(db, "history", "--system", "ICPC-2", "A01")
    # the name resolves (one edition gives no history yet, but the codebook is named, not "not known")
    assert "not known to this server" not in r.output and "of ICPC-2" in r.output, r.output
    r = _cli(db, "diff-editions", "--system", "NCMP", "--from", "2020", "--to", "2021")
    assert r.exit_code == 0, r.output
    r = _cli(db, "history", "--system", "ICD10-NORSK", "A00.0")
    assert r.exit_code == 2 and "one of: ICD-10-NO" in r.output and "Særkoder" in r.output


def test_import_system_takes_a_printed_name(tmp_path):
    db = str(tmp_path / "clean.sqlite")
    r = _cli(db, "import", ICPC2_LIST, "--edition", "2025", "--system", "ICPC-2")
    assert r.exit_code == 0, r.output
    assert "2025 (725 concepts)" in _cli(db, "list").output


def test_serve_logs_its_start_and_each_catalog_reload(tmp_path):
    db = demo_db(tmp_path)
    log = tmp_path / "stderr.log"
    with running_server(db, workers=1, log=str(log)) as (fhir, _took):
        base = fhir.rsplit("/fhir", 1)[0]
        ready = requests.get(base + "/readyz", timeout=10).json()
        assert ready["editions"]["urn:oid:2.16.578.1.12.4.1.1.7220"] == ["2016", "2017", "2019", "2020", "2021"]
        assert _cli(db, "import", ICPC2_LIST, "--edition", "2025").exit_code == 0
        for _ in range(100):      # a worker looks for a new generation at most once a second
            ready = requests.get(base + "/readyz", timeout=10).json()
            if "2025" in ready["editions"][ICPC2]:
                break
            time.sleep(0.1)
        assert ready["editions"][ICPC2] == ["2025", "2026"]
    text = log.read_text()
    start = next(x for x in text.splitlines() if x.startswith("kodebro serving"))
    assert fhir in start and "1 worker(s)" in start and db in start
    assert "code system(s)" in start and "edition(s)" in start and "demo content" in start
    assert "catalog reloaded" in text


def test_remove_an_icd10_edition_takes_its_rule_value_sets_and_the_dry_run_says_so(tmp_path):
    db = demo_db(tmp_path)
    assert _cli(db, "import", os.path.join(DATA, "norway", "fat-icd10-2026.json"), "--edition", "2025").exit_code == 0
    before = _snapshot(db)
    dry = _cli(db, "remove", "--system", "ICD-10-NO", "--edition", "2026")
    assert dry.exit_code == 0 and "ValueSet/ICD10NOReportable-2026  (derived from what is removed)" in dry.output
    assert _snapshot(db) == before
    assert _cli(db, "remove", "--system", "ICD-10-NO", "--edition", "2026", "--yes").exit_code == 0
    out = _cli(db, "list").output
    assert "icd-10-no-reportable|2026" not in out and "icd-10-no-reportable|2025" in out
    assert "http://hl7.org/fhir/sid/icd-10-no  2025 (29 concepts)\n" in out


def test_remove_of_a_locked_store_is_one_line_and_changes_nothing(tmp_path, monkeypatch):
    """Another process holds the store locked past the wait: `remove --yes` says so in one line (exit 1, no
    traceback: the schema check at open used to raise the driver's error) and the store is as it was."""
    import sqlite3

    import terminology.store.sqlite as sqlite_store
    db = demo_db(tmp_path)
    before = _snapshot(db)
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = _cli(db, "remove", "--demo", "--yes")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.exit_code == 1, r.output
    # (opening the store already waits for the lock: its schema check is a write, one line as any store error)
    assert "the terminology store could not start a write" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert _snapshot(db) == before
