"""NAV's lists (real data, edition 2026): full import, hierarchy from WHO, lookups by dotted and OID forms."""
from __future__ import annotations

import pytest

from terminology.errors import ImportRejected
from terminology.identifiers import ICD10_NO, ICPC2
from terminology.importers import importer_for, nav_json

from .conftest import ICD10_NAV, ICPC2_NAV, copy_as, errors, params, props, resources, write_json


def test_full_icd10_list_imports_every_code(nav_catalog):
    cs = nav_catalog.codesystem(ICD10_NO, "2026")
    reportable = [c for c in cs.concepts.values() if True in c.property_values("reportable")]
    assert len(reportable) == 19634
    assert cs.resource["caseSensitive"] is False
    # every listed code sits below a chapter: the WHO groupings complete the list
    assert all(cs.ancestors(c.code) for c in reportable)


def test_full_icpc2_list_imports_708_codes_under_17_chapters(nav_catalog):
    cs = nav_catalog.codesystem(ICPC2, "2026")
    codes = [c for c in cs.concepts.values() if not c.abstract]
    assert len(codes) == 708
    chapters = [c for c in cs.concepts.values() if c.abstract]
    assert len(chapters) == 17
    assert cs.get("A981").parents == ["A98"]


def test_lookup_dotted_code_finds_canonical_undotted(nav_client):
    r = nav_client.get("/fhir/CodeSystem/$lookup", query_string={"system": ICD10_NO, "code": "J12.8"})
    assert r.status_code == 200
    p = params(r.get_json())
    assert p["code"] == "J128"
    assert p["display"] == "Annen spesifisert viruspneumoni"
    assert p["version"] == "2026"
    assert "J128" in str(p.get("message"))


def test_lookup_by_oid_answers_with_canonical_url(nav_client):
    r = nav_client.get("/fhir/CodeSystem/$lookup",
                       query_string={"system": "urn:oid:2.16.578.1.12.4.1.1.7110", "code": "A000"})
    p = params(r.get_json())
    assert p["system"] == ICD10_NO
    assert p["display"].startswith("Kolera")


def test_lowercase_national_codes_are_kept_as_published(nav_catalog):
    cs = nav_catalog.codesystem(ICD10_NO, "2026")
    assert cs.get("I210a") is not None and cs.get("I210A") is None
    assert cs.find("i210a")[0].code == "I210a"


def test_groupings_added_from_who_are_not_selectable_and_english(nav_catalog):
    cs = nav_catalog.codesystem(ICD10_NO, "2026")
    j12 = cs.get("J12")
    assert j12.abstract and j12.property_values("origin") == ["who"]
    assert cs.get("J128").parents == ["J12"]
    assert cs.subsumes("X", "J128")          # chapter X (respiratory) over J12.8
    assert cs.get("D3700").parents == ["D370"]
    # codes NAV lists beside their own subdivisions stay reportable (M549 and M5490)
    m549 = cs.get("M549")
    assert not m549.abstract and m549.property_values("reportable") == [True]
    assert cs.get("M5490").parents == ["M549"]
    en = [d["value"] for d in cs.get("J128").designations if d.get("language") == "en"]
    assert en == ["Other viral pneumonia"]


def test_rule_properties_visible_in_lookup(nav_client):
    r = nav_client.get("/fhir/CodeSystem/$lookup",
                       query_string={"system": ICD10_NO, "code": "U07.1", "property": "*"})
    pr = props(r.get_json())
    assert pr["validAsMainCondition"] == [False]
    assert any("ikke gyldig hovedtilstand" in v for v in pr["rule"])


def test_reimport_replaces_the_edition(nav_db):
    from terminology import import_paths, open_store
    store = open_store(nav_db[0])
    before = len(store.headers())
    report = import_paths(store, [ICPC2_NAV])
    assert [r[0] for r in report.unchanged] == ["CodeSystem"]   # the same edition again
    assert len(store.headers()) == before
    store.close()


def test_detects_nav_lists_and_which_codebook(tmp_path):
    assert importer_for(ICD10_NAV).FORMAT == "nav-json"
    # without a name hint the shape of the codes decides
    p = write_json(tmp_path, "list-2026.json", [{"code": "R81", "text": "Lungebetennelse"},
                                                {"code": "R74", "text": "Akutt øvre luftveisinfeksjon"}])
    items = list(nav_json.read(p))
    assert resources(items)[0]["url"] == ICPC2
    p = write_json(tmp_path, "list-2026b.json", [{"code": "J128", "text": "Annen spesifisert viruspneumoni"},
                                                 {"code": "A000", "text": "Kolera"}])
    assert resources(list(nav_json.read(p)))[0]["url"] == ICD10_NO


def test_edition_from_option_then_file_name(tmp_path):
    p = copy_as(tmp_path, ICPC2_NAV, "icpc2.json")
    assert errors(list(nav_json.read(p))) == ["cannot tell the edition from the file; give --edition YYYY"]
    assert resources(list(nav_json.read(p, edition="2025")))[0]["version"] == "2025"


@pytest.mark.parametrize("entries, message", [
    ([{"code": "A000", "text": "Kolera"}, {"code": "A000", "text": "Kolera igjen"}],
     "entry 2: duplicate code A000 (first given on entry 1)"),
    ([{"code": "A000", "text": ""}], "entry 1: code A000 has no \"text\""),
    ([{"text": "Kolera"}], "entry 1: no \"code\""),
])
def test_broken_lists_are_refused_with_the_entry_and_reason(tmp_path, store, entries, message):
    p = write_json(tmp_path, "icd10-2026.json", entries)
    found = errors(list(nav_json.read(p)))
    assert any(e.startswith(message) for e in found), found
    from terminology import import_paths
    with pytest.raises(ImportRejected):
        import_paths(store, [p])
    assert store.headers() == []
