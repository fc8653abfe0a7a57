"""`kodebro import` of FHIR XML: single resources, Bundles, folders beside JSON; all-or-nothing as for JSON."""
import json
import os
import shutil

import pytest

from terminology import ImportRejected, import_paths, open_store
from terminology.importers import fhir_xml_files, importer_for
from tests.conftest import DATA
from tests.importers.import_cli import kodebro, snapshot

XML = os.path.join(DATA, "fhir-xml")
CS_XML = os.path.join(XML, "CodeSystem-v2-0001.xml")        # THO 7.0.1, written by to_xml
VS_XML = os.path.join(XML, "ValueSet-v2-0001.xml")
BUNDLE_XML = os.path.join(XML, "Bundle-administrative-gender.xml")   # CodeSystem, ValueSet, OperationDefinition
V2_0001 = "http://terminology.hl7.org/CodeSystem/v2-0001"
GENDER = "http://hl7.org/fhir/administrative-gender"


def _cs(url, code="a"):
    return {"resourceType": "CodeSystem", "id": url.rsplit("/", 1)[-1], "url": url, "version": "1",
            "status": "active", "content": "complete", "concept": [{"code": code, "display": code.upper()}]}


def _headers(store):
    return sorted((h.type, h.url, h.version) for h in store.headers())


def test_single_codesystem_is_imported_and_listed(tmp_path):
    db = str(tmp_path / "k.db")
    rc, out = kodebro("import", "--db", db, CS_XML)
    assert rc == 0, out
    store = open_store(db)
    try:
        cs = [h for h in store.headers() if h.url == V2_0001]
        assert [(h.type, h.version, h.concept_count) for h in cs] == [("CodeSystem", "3.0.0", 7)]
    finally:
        store.close()
    rc, out = kodebro("list", "--db", db)
    assert rc == 0 and V2_0001 in out and "7 concepts" in out
    from fhir_api import create_app
    client = create_app({"DB": db, "DEMO": False}).test_client()
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": V2_0001, "code": "F"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert {"name": "display", "valueString": "Female"} in r.get_json()["parameter"]


def test_xml_gives_the_same_resource_as_json(store, tmp_path):
    """The XML file against the package's own JSON it was written from: the same stored resource."""
    import tarfile
    from terminology.hl7 import THO
    with tarfile.open(THO) as tf:
        original = json.load(tf.extractfile("package/CodeSystem-v2-0001.json"))
    import_paths(store, [CS_XML])
    other = open_store(str(tmp_path / "json.db"))
    try:
        p = tmp_path / "cs.json"
        p.write_text(json.dumps(original))
        import_paths(other, [str(p)])
        from_xml, from_json = store.body(store.headers()[0].pk), other.body(other.headers()[0].pk)
        for body in (from_xml, from_json):
            body.get("meta", {}).pop("lastUpdated", None)       # stamped by each import
        assert from_xml == from_json and from_xml["text"] == original["text"]
    finally:
        other.close()
    from fhir_api import create_app
    read = create_app({"DB": store.path, "DEMO": False}).test_client().get(
        f"/fhir/CodeSystem/{original['id']}?_summary=false").get_json()
    assert read["concept"] == original["concept"] and read["property"] == original["property"]


def test_bundle_entries_are_unpacked_and_other_types_skipped(store):
    report = import_paths(store, [BUNDLE_XML])
    assert _headers(store) == [("CodeSystem", GENDER, "4.0.1"),
                               ("ValueSet", "http://hl7.org/fhir/ValueSet/administrative-gender", "4.0.1")]
    assert any("1 OperationDefinition entry skipped" in n for n in report.notes)


def test_folder_mixing_json_and_xml(store, tmp_path):
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(CS_XML, folder / "cs.xml")
    shutil.copy(VS_XML, folder / "sub" / "vs.XML")
    (folder / "other.json").write_text(json.dumps(_cs("http://example.org/json")))
    report = import_paths(store, [str(folder)])
    assert len(report.added) == 3
    assert _headers(store) == [("CodeSystem", "http://example.org/json", "1"), ("CodeSystem", V2_0001, "3.0.0"),
                               ("ValueSet", "http://terminology.hl7.org/ValueSet/v2-0001", "2.0.0")]


def test_folder_xml_outside_fhir_is_skipped_with_a_note(store, tmp_path):
    """A folder of exports may hold other XML (a build file, the WHO classification): not FHIR, so not read,
    and said so rather than silently passed over."""
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(CS_XML, folder / "cs.xml")
    (folder / "pom.xml").write_text('<project xmlns="http://maven.apache.org/POM/4.0.0"/>')
    report = import_paths(store, [str(folder)])
    assert _headers(store) == [("CodeSystem", V2_0001, "3.0.0")]
    assert any("pom.xml" in n and "FHIR" in n for n in report.notes)


def _broken(path):
    """A FHIR XML file cut off half-way: its start is FHIR, its end is missing."""
    with open(CS_XML, encoding="utf-8") as fh:
        text = fh.read()
    path.write_text(text[:len(text) // 2].replace("<concept>", "\n<concept>"), encoding="utf-8")
    return path


def test_bad_xml_refuses_the_whole_import_and_changes_nothing(tmp_path):
    db = str(tmp_path / "k.db")
    (tmp_path / "before.json").write_text(json.dumps(_cs("http://example.org/before")))
    assert kodebro("import", "--db", db, tmp_path / "before.json")[0] == 0
    before = snapshot(db)
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(VS_XML, folder / "vs.xml")
    (folder / "good.json").write_text(json.dumps(_cs("http://example.org/good")))
    _broken(folder / "broken.xml")
    rc, out = kodebro("import", "--db", db, folder)
    assert rc != 0
    assert "broken.xml" in out and "not well-formed XML" in out and "line" in out
    assert snapshot(db) == before


def test_bad_xml_names_file_and_line(store, tmp_path):
    bad = _broken(tmp_path / "cut.xml")
    with pytest.raises(ImportRejected) as exc:
        import_paths(store, [str(bad)])
    [(source, _id, why)] = exc.value.rejected
    assert source.endswith("cut.xml")
    assert "not well-formed XML" in why and "(line " in why and "request body" not in why
    assert store.headers() == []


def test_skip_invalid_imports_the_good_ones(tmp_path):
    db = str(tmp_path / "k.db")
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(CS_XML, folder / "cs.xml")
    (folder / "good.json").write_text(json.dumps(_cs("http://example.org/good")))
    _broken(folder / "broken.xml")
    rc, out = kodebro("import", "--db", db, folder, "--skip-invalid")
    assert rc == 2, out     # imported, but something was rejected
    assert "skipped" in out and "broken.xml" in out and "CodeSystem: 2 added" in out
    store = open_store(db)
    try:
        assert sorted(h.url for h in store.headers()) == ["http://example.org/good", V2_0001]
    finally:
        store.close()


def test_resource_invalid_in_r4_is_refused_as_from_json(store, tmp_path):
    p = tmp_path / "cs.xml"
    p.write_text('<CodeSystem xmlns="http://hl7.org/fhir"><url value="http://example.org/x"/>'
                 '<status value="finished"/><content value="complete"/></CodeSystem>')
    with pytest.raises(ImportRejected) as exc:
        import_paths(store, [str(p)])
    assert exc.value.rejected[0][0].endswith("cs.xml") and "status" in exc.value.rejected[0][2]


def test_detection(tmp_path):
    assert importer_for(CS_XML).FORMAT == "fhir-xml"
    assert importer_for(BUNDLE_XML).FORMAT == "fhir-xml"
    # a prefixed FHIR namespace, a BOM, a comment before the root: still FHIR XML
    p = tmp_path / "prefixed.xml"
    p.write_bytes(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- exported -->\n'
                  b'<f:ValueSet xmlns:f="http://hl7.org/fhir"><f:status value="draft"/></f:ValueSet>')
    assert importer_for(str(p)).FORMAT == "fhir-xml"
    who = tmp_path / "icd.xml"
    who.write_text('<?xml version="1.0"?>\n<icd_10_v2019><item type="chapter"><name>I</name>'
                   '<description>a</description></item></icd_10_v2019>')
    assert importer_for(str(who)).FORMAT == "who-icd10"
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["Kode", "Tekst"])
    wb.active.append(["A00", "Kolera"])
    xlsx = tmp_path / "Kodeliste ICD-10 2026.xlsx"
    wb.save(xlsx)
    assert not fhir_xml_files.detect(str(xlsx))
    # a folder stays the JSON importer's, which reads the XML in it too
    assert importer_for(XML).FORMAT == "fhir"


def test_forced_format(store, tmp_path):
    p = tmp_path / "export.txt"
    shutil.copy(CS_XML, p)
    import_paths(store, [str(p)], fmt="fhir-xml")
    assert _headers(store) == [("CodeSystem", V2_0001, "3.0.0")]
    other = tmp_path / "other.xml"
    other.write_text('<project xmlns="http://maven.apache.org/POM/4.0.0"/>')
    with pytest.raises(ImportRejected) as exc:
        import_paths(store, [str(other)], fmt="fhir-xml")
    assert exc.value.rejected[0][0].endswith("other.xml") and "FHIR namespace" in exc.value.rejected[0][2]


@pytest.mark.parametrize("fmt", ["fhir", "nav-json", "rf2"])
def test_another_format_forced_on_xml_is_named(store, fmt):
    """`--format fhir` on an XML file says it looks like XML, not that the JSON is invalid."""
    from terminology.errors import InvalidRequest
    with pytest.raises(InvalidRequest, match=f"is not an? {fmt} file \\(it looks like XML\\)"):
        import_paths(store, [CS_XML], fmt=fmt)
    assert store.headers() == []


def test_a_json_file_forced_as_fhir_xml_is_named(store, tmp_path):
    from terminology.errors import InvalidRequest
    p = tmp_path / "cs.json"
    p.write_text(json.dumps(_cs("http://example.org/forced")))
    with pytest.raises(InvalidRequest, match="is not a fhir-xml file \\(it looks like JSON\\)"):
        import_paths(store, [str(p)], fmt="fhir-xml")
