"""Finding 9: a UTF-8 BOM is accepted in every JSON path; Windows-1252 JSON is named as such."""
import json

from .import_cli import ICPC2_NAV, NORWAY, concept_counts, kodebro, snapshot

BOM = b"\xef\xbb\xbf"
CS = {"resourceType": "CodeSystem", "id": "bom-cs", "url": "http://example.org/bom", "version": "1",
      "status": "active", "content": "complete", "concept": [{"code": "a", "display": "Hjertesvikt, blø"}]}


def test_nav_json_with_a_bom(tmp_path):
    f = tmp_path / "icpc2-2026.json"
    f.write_bytes(BOM + open(ICPC2_NAV, "rb").read())
    rc, out = kodebro("import", "--db", tmp_path / "k.db", f, "--edition", "2026")
    assert rc == 0, out
    assert "CodeSystem: 1 added" in out


def test_fat_json_with_a_bom(tmp_path):
    f = tmp_path / "fat-icd10-2026.json"
    f.write_bytes(BOM + open(f"{NORWAY}/fat-icd10-2026.json", "rb").read())
    rc, out = kodebro("import", "--db", tmp_path / "k.db", f)
    assert rc == 0, out
    assert concept_counts(str(tmp_path / "k.db"))[("http://hl7.org/fhir/sid/icd-10-no", "2026")] == 29


def test_fhir_json_and_ndjson_with_a_bom(tmp_path):
    f = tmp_path / "cs.json"
    f.write_bytes(BOM + json.dumps(CS, ensure_ascii=False).encode())
    nd = tmp_path / "more.ndjson"
    nd.write_bytes(BOM + json.dumps({**CS, "id": "b2", "version": "2"}, ensure_ascii=False).encode() + b"\n")
    rc, out = kodebro("import", "--db", tmp_path / "k.db", f, nd)
    assert rc == 0, out
    assert "CodeSystem: 2 added" in out


def test_windows_1252_json_is_named(tmp_path):
    f = tmp_path / "cp.json"
    f.write_bytes(json.dumps(CS, ensure_ascii=False).encode("cp1252"))
    db = tmp_path / "k.db"
    kodebro("import", "--db", db, f"{NORWAY}/fat-icd10-2026.json")
    before = snapshot(str(db))
    rc, out = kodebro("import", "--db", db, f)
    assert rc == 1
    assert "is not UTF-8 (it looks like Windows-1252 or Latin-1): save it as UTF-8" in out
    assert "surrogates" not in out
    assert snapshot(str(db)) == before


def test_nav_json_in_windows_1252(tmp_path):
    f = tmp_path / "icpc2-2026.json"
    f.write_bytes(open(ICPC2_NAV, encoding="utf-8").read().encode("cp1252", errors="replace"))
    rc, out = kodebro("import", "--db", tmp_path / "k.db", f, "--edition", "2026")
    assert rc == 1
    assert f"{f} is not UTF-8 (it looks like Windows-1252 or Latin-1): save it as UTF-8" in out


def test_rest_body_with_a_bom(client):
    body = BOM + json.dumps(CS, ensure_ascii=False).encode()
    r = client.post("/fhir/CodeSystem", data=body, content_type="application/fhir+json")
    assert r.status_code == 201, r.get_data(as_text=True)


def test_rest_body_in_windows_1252(client):
    body = json.dumps(CS, ensure_ascii=False).encode("cp1252")
    r = client.post("/fhir/CodeSystem", data=body, content_type="application/fhir+json")
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "not UTF-8 (it looks like Windows-1252 or Latin-1)" in text and "surrogates" not in text
