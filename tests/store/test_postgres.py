"""The PostgreSQL store against a real server: same behaviour as SQLite, shared by processes."""
import json
import time

import pytest

from terminology import Catalog, ImportRejected, import_paths, open_store
from terminology.hl7 import THO

PACKAGE = THO     # the THO package shipped in terminology/hl7/


def _cs(url, code, version="1"):
    return {"resourceType": "CodeSystem", "url": url, "version": version, "status": "active",
            "content": "complete", "concept": [{"code": code, "display": code.upper(),
                                                "concept": [{"code": code + "1"}]}]}


def _write(tmp_path, name, obj):
    p = tmp_path / name
    p.write_text(json.dumps(obj))
    return str(p)


def test_import_read_and_versions_side_by_side(pg_store, tmp_path):
    import_paths(pg_store, [_write(tmp_path, "a.json", _cs("http://example.org/a", "x")),
                            _write(tmp_path, "b.json", _cs("http://example.org/a", "y", "2"))])
    cat = Catalog(pg_store)
    assert cat.codesystem_versions("http://example.org/a") == ["1", "2"]
    cs = cat.codesystem("http://example.org/a")
    assert cs.version == "2" and cs.get("y1").parents == ["y"]
    assert cat.codesystem("http://example.org/a", "1").get("x") is not None


def test_import_stamps_last_updated(pg_store, tmp_path):
    import_paths(pg_store, [_write(tmp_path, "a.json", {**_cs("http://example.org/stamp", "x"),
                                                         "meta": {"lastUpdated": "2001-01-01T00:00:00Z",
                                                                  "tag": [{"code": "kept"}]}})])
    body = Catalog(pg_store).codesystem("http://example.org/stamp").resource
    assert body["meta"]["lastUpdated"] > "2026" and body["meta"]["tag"] == [{"code": "kept"}]


def test_refused_import_changes_nothing(pg_store):
    before = pg_store.generation()
    with pytest.raises(ImportRejected):
        import_paths(pg_store, [PACKAGE])
    assert pg_store.headers() == [] and pg_store.generation() == before


def test_a_second_process_view_notices_new_content(pg_store, tmp_path):
    other = open_store(pg_store.url)   # as another API process would
    cat = Catalog(other)
    assert cat.codesystem("http://example.org/n") is None
    import_paths(pg_store, [_write(tmp_path, "n.json", _cs("http://example.org/n", "z"))])
    cat.refresh(force=True)
    assert cat.codesystem("http://example.org/n").get("z") is not None
    other.close()


def test_package_import_and_replace(pg_store):
    report = import_paths(pg_store, [PACKAGE], skip_invalid=True)
    assert len(report.added) == 897 + 2499 + 658
    again = import_paths(pg_store, [PACKAGE], skip_invalid=True)
    assert len(again.unchanged) == 897 + 2499 + 658 and len(pg_store.headers()) == 897 + 2499 + 658


def test_api_on_postgres_with_what_a_new_store_gets(pg_store):
    """The first start on an empty PostgreSQL store, as the README starts it: the demo and the HL7 terminology,
    one transaction."""
    from fhir_api import create_app
    client = create_app({"DB": pg_store.url, "DEMO": True, "HL7": True}).test_client()
    assert pg_store.generation() == 1
    r = client.get("/fhir/CodeSystem/$lookup",
                   query_string={"system": "http://hl7.org/fhir/sid/icd-10-no", "code": "J12.8"})
    assert r.status_code == 200
    params = {p["name"]: p for p in r.get_json()["parameter"]}
    assert params["display"]["valueString"] == "Annen spesifisert viruspneumoni"
    r = client.get("/fhir/CodeSystem/$lookup",
                   query_string={"system": "urn:iso:std:iso:3166", "code": "NO", "displayLanguage": "nb"})
    assert r.status_code == 200 and {p["name"]: p for p in r.get_json()["parameter"]}["display"]["valueString"] == \
        "Norge"


def test_a_database_restart_is_a_503_then_answered_again(postgres_server, pg_store):
    """A PostgreSQL restart closes every connection: the request that meets the closed one is told to come back
    (503, not a 500), readiness says so, and the next request connects again (no restart of the API needed)."""
    from fhir_api import create_app
    _url, restart = postgres_server
    client = create_app({"DB": pg_store.url, "DEMO": True}).test_client()
    lookup = {"system": "http://hl7.org/fhir/sid/icd-10-no", "code": "J12.8"}
    assert client.get("/readyz").status_code == 200
    restart()
    seen = []
    for _ in range(3):       # (a refresh may have read the store before the restart: a later call meets it)
        time.sleep(1.1)      # past the catalog's once-a-second store check
        r = client.get("/fhir/CodeSystem/ICD10NO-2026")
        seen.append(r.status_code)
        if r.status_code == 503:
            assert r.get_json()["issue"][0]["code"] == "transient"
            break
    assert 500 not in seen and set(seen) <= {200, 503}, seen
    assert client.get("/readyz").status_code == 200
    r = client.get("/fhir/CodeSystem/$lookup", query_string=lookup)
    assert r.status_code == 200, r.get_json()
