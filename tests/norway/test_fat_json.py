"""The directorate's JSON download (ICD-10 and ICPC-2), in its real layout, with small fixtures."""
from __future__ import annotations

import json

import pytest

from terminology import CodeSystemIndex
from terminology.codesystem import build_index
from terminology.identifiers import ICD10_NO, ICPC2
from terminology.importers import importer_for, norway_fat_json

from .conftest import FAT_ICD10, FAT_ICPC2, errors, resources, write_json


def _index(path, **opts) -> CodeSystemIndex:
    items = list(norway_fat_json.read(path, **opts))
    assert errors(items) == []
    cs = next(r for r in resources(items, "CodeSystem"))
    return build_index(cs, cs["_flat_concepts"])


def test_detected_before_the_generic_fhir_reader():
    assert importer_for(FAT_ICD10).FORMAT == "norway-fat-json"
    assert importer_for(FAT_ICPC2).FORMAT == "norway-fat-json"


def test_icd10_hierarchy_codes_and_texts():
    cs = _index(FAT_ICD10)
    assert cs.url == ICD10_NO and cs.version == "2026"      # edition from the validity dates
    a000 = cs.get("A000")                                   # stored without the dot
    assert a000.parents == ["A00"] and cs.subsumes("I", "A000")
    assert cs.get("A00").abstract and cs.get("A00-A09").abstract and cs.get("I").abstract
    assert cs.get("I").property_values("kind") == ["chapter"]
    assert cs.get("A00").display == "Kolera (cholera)"      # no 60-char text: the full text is the display
    u071 = cs.get("U071")
    assert u071.display == "Covid-19 med påvist virus"
    assert [d["value"] for d in u071.designations if d.get("use", {}).get("code") == "full-text"] == \
        ["Covid-19, virus påvist"]
    assert u071.property_values("validFrom") == ["2020-03-01"]


def test_icd10_flags_become_properties_with_rules():
    cs = _index(FAT_ICD10)
    g01 = cs.get("G01")
    assert g01.property_values("starCode") == [True]
    assert any("sverdkode" in r for r in g01.property_values("rule"))
    assert cs.get("A009").property_values("nonSpecific") == [True]
    n700 = cs.get("N700")
    assert n700.property_values("sex") == ["K"]
    assert cs.get("J128").property_values("reportable") == [True]
    assert cs.get("J12").property_values("reportable") == [False]


def test_code_retired_before_the_edition_is_kept_but_not_reportable():
    cs = _index(FAT_ICD10)
    m1906 = cs.get("M1906")
    assert m1906.status == "retired" and m1906.inactive
    assert m1906.property_values("reportable") == [False]
    # in the 2025 edition the same file's code is still in force
    assert _index(FAT_ICD10, edition="2025").get("M1906").property_values("reportable") == [True]


def test_icd10_rule_valuesets_come_with_the_edition():
    items = list(norway_fat_json.read(FAT_ICD10))
    urls = sorted(r["url"] for r in resources(items, "ValueSet"))
    assert urls == ["https://kodebro.no/fhir/ValueSet/icd-10-no-main-condition",
                    "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"]
    main = next(r for r in resources(items, "ValueSet") if r["url"].endswith("main-condition"))
    excluded = sorted(c["code"] for e in main["compose"]["exclude"] for c in e["concept"])
    assert excluded == ["U071", "U099"]


def test_english_designations_from_who_where_the_codes_agree():
    cs = _index(FAT_ICD10)
    assert {"language": "en", "value": "Other viral pneumonia"} in cs.get("J128").designations


def test_icpc2_download():
    cs = _index(FAT_ICPC2)
    assert cs.url == ICPC2 and cs.version == "2024"
    assert cs.get("R").abstract and not cs.get("R81").abstract
    assert cs.get("A191").property_values("icpc2Codebook") == ["ICPC-2"]


def _broken(tmp_path, mutate):
    rows = json.load(open(FAT_ICD10, encoding="utf-8"))
    mutate(rows)
    return errors(list(norway_fat_json.read(write_json(tmp_path, "icd10-2026.json", rows))))


@pytest.mark.parametrize("mutate, expected", [
    (lambda rows: [r.pop("Foreldrekode") for r in rows], "entry 1: missing field(s) Foreldrekode"),
    (lambda rows: rows.append(dict(rows[3])), "entry 30 (Kode A00.0): duplicate code A000 (first given on entry 4"),
    (lambda rows: rows[3].update(Foreldrekode="A01"), "entry 4 (Kode A00.0): code A000 has parent A01, which is not in the file"),
    (lambda rows: rows[4].update(Gyldig_fra="31.02.2020"), "entry 5 (Kode A00.1): Gyldig_fra '31.02.2020' is not a date"),
    (lambda rows: rows[4].update(Gyldig_til="1998-01-01T00:00:00"), "entry 5 (Kode A00.1): code A001 is valid to 1998-01-01, before"),
    (lambda rows: rows[4].update(Rapporteres_til_NPR="Kanskje"), "entry 5 (Kode A00.1): Rapporteres_til_NPR is 'Kanskje'"),
])
def test_broken_downloads_are_refused_with_entry_and_reason(tmp_path, mutate, expected):
    found = _broken(tmp_path, mutate)
    assert any(e.startswith(expected) for e in found), found


def test_a_flag_that_says_no_is_no(tmp_path):
    entries = json.load(open(FAT_ICD10, encoding="utf-8"))
    g01 = next(e for e in entries if e["Kode"] in ("G01", "G01*"))
    g01["Stjernekode"] = "Nei"
    cs = _index(write_json(tmp_path, "fat-icd10-2026.json", entries))
    g = cs.get("G01")
    assert g.property_values("starCode") == [] and "star=Nei" in g.property_values("rawFlag")
    assert not any("sverdkode" in r for r in g.property_values("rule"))
