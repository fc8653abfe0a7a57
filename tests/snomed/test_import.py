"""RF2 import of the real sample files and the hand-made Norwegian edition."""
from __future__ import annotations

import pytest

from mappings.snomed_maps import map_rows, map_target_system
from terminology.importers import importer_for
from terminology.importers.rf2 import read_release
from .conftest import DUMMY, HANDMADE, LITE, SNOMED, ZIP, _catalog


def test_detects_rf2_folders_and_zips():
    assert importer_for(DUMMY).FORMAT == "rf2"
    assert importer_for(ZIP).FORMAT == "rf2"
    assert importer_for(HANDMADE).FORMAT == "rf2"


def test_snowstorm_dummy_snapshot(tmp_path_factory):
    cat = _catalog(tmp_path_factory, "dummy", DUMMY)
    assert cat.codesystem_versions(SNOMED) == ["http://snomed.info/sct/900000000000207008/version/20180731"]
    cs = cat.codesystem(SNOMED)
    assert len(cs) == 103                       # the Snapshot concept rows, not Full or Delta
    finding = cs.get("404684003")
    assert finding.display == "Clinical finding"
    assert finding.parents == ["138875005"]
    assert {"131148009", "250171008", "64572001"} <= set(finding.children)
    fsn = [d["value"] for d in finding.designations if d["use"]["code"] == "900000000000003001"]
    assert "Clinical finding (finding)" in fsn
    # inactive descriptions are not designations
    root = cs.get("138875005")
    assert not any("SNOMED Clinical Terms version: 20130731" in d["value"] for d in root.designations)
    assert cs.subsumes("138875005", "404684003")


def test_snowstorm_dummy_history(tmp_path_factory):
    cat = _catalog(tmp_path_factory, "dummyhist", DUMMY)
    cs = cat.codesystem(SNOMED)
    # 118225008 has three POSSIBLY EQUIVALENT TO targets; 246188002 is REPLACED BY 404684003
    assert sorted(t for r, t in cs.assoc[cs.pos["118225008"]] if r == "900000000000523009") == \
        ["118222006", "250171008", "413350009"]
    assert cs.assoc[cs.pos["246188002"]] == [["900000000000526001", "404684003"]]


def test_snowstorm_lite_with_comments_map_and_refset(tmp_path_factory):
    cat = _catalog(tmp_path_factory, "lite", LITE)
    cs = cat.codesystem(SNOMED)
    assert len(cs) == 25                        # '#' comment and blank lines are skipped
    assert cs.get("313005").display.startswith("D")
    rows = map_rows(cs, "447562003", "12481008")
    assert [(r[0], r[1], r[4]) for r in rows] == [(1, 1, "Z00.3"), (1, 2, "Z00.2"), (1, 3, "")]
    assert rows[2][2] == "OTHERWISE TRUE" and rows[2][6] == "447638001"
    # the inactive concept keeps its SAME AS association
    old = cs.get("75521003")
    assert old.inactive
    assert {"code": "900000000000527005", "valueCode": "362969004"} in old.properties
    assert cs.refset_numbers("11816080008") == {cs.pos["404684003"], cs.pos["362969004"]}
    # the Swedish extension adds only a translation: it names the edition, its term is a designation
    assert cs.version == "http://snomed.info/sct/45991000052106/version/20240301"
    sv = [d for d in cs.get("12481008").designations if d["language"] == "sv"]
    assert [d["value"] for d in sv] == ["incision i mellanöra"]
    vs = cat.valueset(SNOMED + "?fhir_vs=refset/11816080008")
    assert vs["compose"]["include"][0]["filter"] == [{"property": "concept", "op": "in", "value": "11816080008"}]


def test_release_zip(tmp_path_factory):
    cat = _catalog(tmp_path_factory, "zip", ZIP)
    cs = cat.codesystem(SNOMED)
    assert cs.version == "http://snomed.info/sct/900000000000207008/version/20250701"
    assert list(cs.codes) == ["13995008"]


def test_norwegian_edition_version_and_modules(no_catalog, no_cs):
    assert no_cs.version == "http://snomed.info/sct/51000202101/version/20250415"
    assert no_cs.release["norwegian"] is True
    assert set(no_cs.release["modules"]) == {"51000202101", "900000000000207008"}
    assert no_cs.resource["date"] == "2025-04-15"
    covid = no_cs.get("71000202107")           # a concept of the Norwegian module
    assert no_cs.modules[no_cs.module[no_cs.pos["71000202107"]]] == "51000202101"
    assert covid.parents == ["64572001"]


def test_designations_by_language_and_acceptability(no_cs):
    c = no_cs.get("233604007")
    by = {(d["language"], d["value"]): d for d in c.designations}
    assert ("nb-NO", "lungebetennelse") in by and ("nn-NO", "lungebetennelse") in by
    acc = by[("nb-NO", "pneumoni")]["extension"][0]["valueCoding"]["code"]
    assert acc == "900000000000549004"          # acceptable, not preferred
    assert c.designations[0]["value"] == "Pneumonia"   # preferred synonyms come first
    assert c.display == "Pneumonia"             # the en-US preferred term is the display
    assert c.definition == "Inflammation of the lung parenchyma, usually caused by infection"
    assert no_cs.term("77386006", "nn") == "svangerskap"
    assert no_cs.term("77386006", "nb") == "graviditet"
    assert not any("Lung inflammation (old)" == d["value"] for d in c.designations)


def test_hierarchy_multiple_parents_and_stated_form(no_cs):
    pih = no_cs.get("48194001")
    assert sorted(pih.parents) == ["38341003", "77386006"]
    assert no_cs.subsumes("404684003", "48194001")
    assert no_cs.subsumes("64572001", "48194001")
    assert not no_cs.subsumes("48194001", "64572001")
    assert not no_cs.subsumes("29857009", "233604007")


def test_inactive_concept_keeps_reason_and_replacement(no_cs):
    old = no_cs.get("155574008")
    assert old.inactive and old.parents == []
    props = {(p.code, p.value) for p in no_cs.lookup_properties(old, None)}
    assert ("inactivationReason", "900000000000482003") in props
    assert ("900000000000526001", "75570004") in props


def test_map_rows_norwegian_override(no_cs):
    rows = map_rows(no_cs, "447562003", "29857009")
    # the international rows (two groups) are replaced by the single Norwegian row
    assert [(r[0], r[1], r[4], r[3]) for r in rows] == [(1, 1, "R07.4", "ALWAYS R07.4 | NORSK RAD")]
    assert map_target_system(no_cs, "447562003") == "http://hl7.org/fhir/sid/icd-10-no"
    assert map_target_system(no_cs, "68101000202102") == "http://hl7.org/fhir/sid/icpc-2"
    assert map_rows(no_cs, "68101000202102", "195967001")[0][4] == "R96"
    tb = no_cs.refset_numbers("88161000202101")
    assert no_cs.pos["8619003"] not in tb      # inactive member row
    assert len(tb) == 8


def test_counts_are_reported():
    rel = read_release(HANDMADE, progress=False)
    assert rel.counts["concepts"] == 21
    assert rel.counts["descriptions"] == 63
    assert rel.edition_module() == "51000202101"
    assert rel.release_date() == "20250415"


def test_broken_release_is_rejected(tmp_path):
    from terminology import import_paths, open_store
    from terminology.errors import ImportRejected
    d = tmp_path / "Snapshot" / "Terminology"
    d.mkdir(parents=True)
    (d / "sct2_Description_Snapshot-en_INT_20250101.txt").write_text(
        "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId\n")
    store = open_store(str(tmp_path / "x.db"))
    with pytest.raises(ImportRejected):
        import_paths(store, [str(tmp_path)], fmt="rf2")
    assert store.headers() == []
