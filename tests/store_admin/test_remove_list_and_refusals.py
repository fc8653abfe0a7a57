"""Operations leftovers of review s15 (re-check O1, O3, O6, O8, F12, F14): the Norwegian NamingSystems are
reference data, a generated rule value set goes only with its edition, a version-less resource can be removed
alone, counts say what they count, an import refusal is printed once with what the import had worked out."""
from __future__ import annotations

import json
import os

from terminology import open_store
from terminology.identifiers import is_demo
from terminology.norway.rules import REPORTABLE_VS
from tests.conftest import DATA, ROOT
from tests.store_admin.demo_store import demo_db
from tests.store_admin.test_demo_content_and_remove import _cli, _snapshot

ICPC2_LIST = os.path.join(DATA, "norway", "navikt-ICPC2-2026.json")
PROCEDURES = os.path.join(DATA, "norway", "procedures-2017.csv")
ICD10_OID = "2.16.578.1.12.4.1.1.7110"


def _naming_systems(db):
    store = open_store(db)
    try:
        return {h.id: is_demo(store.body(h.pk)) for h in store.headers("NamingSystem")}
    finally:
        store.close()


def _oid_found(db) -> int:
    from fhir_api import create_app
    client = create_app({"DB": db, "DEMO": False}).test_client()
    return client.get(f"/fhir/NamingSystem?value={ICD10_OID}&_summary=count").get_json()["total"]


# --- O1: the Norwegian NamingSystems are reference data ---------------------------------------------------

def test_demo_load_leaves_the_norwegian_naming_systems_untagged(tmp_path):
    db = demo_db(tmp_path)
    assert _naming_systems(db) == {i: False for i in ("no-icd-10-no", "no-icpc-2", "no-ncsp", "no-ncmp",
                                                      "no-ncrp", "no-nkpk")}
    store = open_store(db)
    tagged = [h.type for h in store.headers() if h.type != "NamingSystem" and not is_demo(store.body(h.pk))]
    store.close()
    assert tagged == []


def test_remove_demo_keeps_the_naming_systems_and_oids_still_resolve(tmp_path):
    db = demo_db(tmp_path)
    dry = _cli(db, "remove", "--demo")
    assert "NamingSystem/" not in dry.output
    r = _cli(db, "remove", "--demo", "--yes")
    assert r.exit_code == 0, r.output
    assert len(_naming_systems(db)) == 6
    assert _oid_found(db) == 1


def test_import_namingsystems_loads_them_into_a_store_started_without_demo(tmp_path):
    db = str(tmp_path / "prod.sqlite")
    r = _cli(db, "import", "--namingsystems")
    assert r.exit_code == 0, r.output
    assert "NamingSystem: 6 added" in r.output
    assert _naming_systems(db) == {i: False for i in ("no-icd-10-no", "no-icpc-2", "no-ncsp", "no-ncmp",
                                                      "no-ncrp", "no-nkpk")}
    assert _oid_found(db) == 1
    again = _cli(db, "import", "--namingsystems")
    assert again.exit_code == 0 and "6 unchanged" in again.output
    # with other files in the same import
    r = _cli(db, "import", "--namingsystems", ICPC2_LIST, "--edition", "2025")
    assert r.exit_code == 0 and "CodeSystem: 1 added" in r.output, r.output
    # and no PATH and no --namingsystems is still a usage error
    assert _cli(db, "import").exit_code == 2


def test_readme_production_section_says_how_to_get_the_naming_systems():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    hospital = readme.split("## Running it in a hospital", 1)[1]
    assert "kodebro import --namingsystems" in hospital
    assert "--namingsystems" in readme.split("## Command line", 1)[1].split("## The FHIR API", 1)[0]


# --- O8: a generated rule value set goes with its edition -------------------------------------------------

def test_removing_a_generated_rule_value_set_while_its_edition_is_loaded_is_refused(tmp_path):
    db = demo_db(tmp_path)
    before = _snapshot(db)
    for args in (("--version", "2026", "--yes"), ("--version", "2026"), ("--yes",)):
        r = _cli(db, "remove", "--url", REPORTABLE_VS, *args)
        assert r.exit_code == 1, r.output
        assert "generated from ICD-10-NO 2026" in r.output
        assert "kodebro remove --system ICD-10-NO --edition 2026" in r.output and "re-import" in r.output
        assert "nothing was changed" in r.output
    assert _snapshot(db) == before


def test_a_value_set_written_by_someone_else_at_the_rule_url_can_be_removed(tmp_path):
    db = demo_db(tmp_path)
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"resourceType": "ValueSet", "id": "mine", "url": REPORTABLE_VS, "version": "x1",
                                "status": "draft", "compose": {"include": [{"system": "http://hl7.org/fhir/sid/icd-10-no",
                                                                            "concept": [{"code": "A000"}]}]}}))
    assert _cli(db, "import", str(mine)).exit_code == 0
    r = _cli(db, "remove", "--url", REPORTABLE_VS, "--version", "x1", "--yes")
    assert r.exit_code == 0 and "deleted 1 resource(s)" in r.output, r.output


# --- O6: a version-less resource can be removed alone -----------------------------------------------------

def _two_maps(tmp_path, db):
    url = "https://example.org/fhir/ConceptMap/local"
    for name, version in (("v1.json", "1"), ("none.json", None)):
        cm = {"resourceType": "ConceptMap", "id": f"local-{version or 'none'}", "url": url, "status": "active",
              "group": [{"source": "http://hl7.org/fhir/sid/icpc-2", "target": "http://hl7.org/fhir/sid/icd-10-no",
                         "element": [{"code": "R81", "target": [{"code": "J189", "equivalence": "equivalent"}]}]}]}
        if version:
            cm["version"] = version
        (tmp_path / name).write_text(json.dumps(cm))
        assert _cli(db, "import", str(tmp_path / name)).exit_code == 0
    return url


def test_a_versionless_resource_can_be_removed_alone(tmp_path):
    db = str(tmp_path / "kb.sqlite")
    url = _two_maps(tmp_path, db)
    r = _cli(db, "remove", "--url", url, "--version", "9")
    assert r.exit_code == 1 and "(loaded: 1, no version)" in r.output and "--no-version" in r.output
    dry = _cli(db, "remove", "--url", url, "--no-version")
    assert dry.exit_code == 0 and "ConceptMap/local-none" in dry.output and "local-1" not in dry.output
    r = _cli(db, "remove", "--url", url, "--no-version", "--yes")
    assert r.exit_code == 0 and "deleted 1 resource(s)" in r.output, r.output
    store = open_store(db)
    assert [h.id for h in store.headers("ConceptMap")] == ["local-1"]
    store.close()


def test_version_empty_or_dash_means_the_versionless_one(tmp_path):
    for i, given in enumerate(("", "-")):
        db = str(tmp_path / f"kb{i}.sqlite")
        url = _two_maps(tmp_path, db)
        r = _cli(db, "remove", "--url", url, "--version", given, "--yes")
        assert r.exit_code == 0 and "deleted 1 resource(s)" in r.output, r.output
    assert _cli(db, "remove", "--url", url, "--version", "1", "--no-version").exit_code == 2


# --- O3: counts say what they count -----------------------------------------------------------------------

def test_list_counts_code_systems_and_editions_and_prints_the_naming_systems(tmp_path):
    out = _cli(demo_db(tmp_path), "list").output
    assert "CodeSystems: 7 code systems, 18 editions" in out
    assert "CodeSystems (18)" not in out
    block = out.split("NamingSystems (6):\n", 1)[1].splitlines()
    assert any("NamingSystem/no-icd-10-no" in x and ICD10_OID in x for x in block[:6])
    assert all(x.startswith("  ") for x in block[:6])
    empty = _cli(str(tmp_path / "empty.sqlite"), "list").output
    assert "CodeSystems: 0 code systems, 0 editions" in empty


def test_dry_run_counts_what_it_lists_derived_ones_included(tmp_path):
    db = demo_db(tmp_path)
    dry = _cli(db, "remove", "--system", "ICD-10-NO", "--edition", "2026")
    assert dry.exit_code == 0
    assert "would remove 3 resource(s):" in dry.output, dry.output
    listed = [x for x in dry.output.splitlines() if x.startswith("  ") and "rebuild" not in x]
    assert len(listed) == 3
    r = _cli(db, "remove", "--system", "ICD-10-NO", "--edition", "2026", "--yes")
    assert "removing 3 resource(s):" in r.output and "deleted 3 resource(s)" in r.output, r.output


# --- F14, F12: import refusals and names -----------------------------------------------------------------

def test_an_import_refusal_is_printed_once_without_no_id_and_echoes_the_system_given(tmp_path):
    db = str(tmp_path / "kb.sqlite")
    r = _cli(db, "import", ICPC2_LIST, "--system", "ICD-10-NO", "--edition", "2025")
    assert r.exit_code == 1
    assert "(no id)" not in r.output
    assert r.output.count("the codes look like ICPC-2") == 1, r.output
    assert "--system says ICD-10-NO, but" in r.output
    assert "nothing was changed" in r.output


def test_a_shrink_refusal_prints_the_edition_note(tmp_path):
    db = str(tmp_path / "kb.sqlite")
    assert _cli(db, "import", PROCEDURES).exit_code == 0
    small = tmp_path / "procedures-small.csv"
    small.write_text("".join(open(PROCEDURES, encoding="utf-8").readlines()[:4]), encoding="utf-8")
    r = _cli(db, "import", str(small))
    assert r.exit_code == 1 and "more than 10%" in r.output
    assert "edition 2017 from the Gyldig_fra dates" in r.output, r.output


def test_a_codebook_that_is_not_loaded_names_a_similar_one_that_is(tmp_path):
    db = demo_db(tmp_path)
    r = _cli(db, "diff-editions", "--system", "ICD-10", "--from", "2025", "--to", "2026")
    assert r.exit_code == 1 and "did you mean ICD-10-NO?" in r.output, r.output
    r = _cli(db, "history", "--system", "ICD-10", "A00")
    assert r.exit_code == 1 and "did you mean ICD-10-NO?" in r.output, r.output
    # a loaded codebook gets no such hint
    r = _cli(db, "diff-editions", "--system", "ICD-10-NO", "--from", "2025", "--to", "2026")
    assert r.exit_code == 1 and "did you mean" not in r.output
