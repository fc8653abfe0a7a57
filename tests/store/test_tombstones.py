"""Deletion records (tombstones): a deleted (type, id) is remembered, in the delete's own transaction, so a read can
answer 410 Gone rather than 404 (R4 http.html#read), until that id is written again. SQLite and PostgreSQL."""
from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from terminology import import_paths, open_store
from terminology.store.base import Precondition

from .conftest import new_database


def _cs(rid: str, code: str = "a", url: str | None = None) -> dict:
    return {"resourceType": "CodeSystem", "id": rid, "url": url or f"http://example.org/tomb/{rid}", "version": "1",
            "status": "active", "content": "complete", "concept": [{"code": code}]}


def test_a_delete_records_its_instant(any_store):
    any_store.write([_cs("a"), _cs("b")])
    report = any_store.write((), delete=[("CodeSystem", "a")])
    assert report["deleted"] == [("CodeSystem", "a")]
    gone = any_store.deleted("CodeSystem", "a")
    assert gone is not None and (gone.type, gone.id) == ("CodeSystem", "a")
    assert gone.at == report["lastUpdated"]
    assert any_store.deleted("CodeSystem", "b") is None          # kept
    assert any_store.deleted("ValueSet", "a") is None             # another type's id
    assert any_store.header("CodeSystem", "a") is None


def test_writing_the_id_again_clears_it(any_store, tmp_path):
    any_store.write([_cs("a")])
    any_store.write((), delete=[("CodeSystem", "a")])
    report = any_store.write([_cs("a", "x")], delete=[("CodeSystem", "a")])      # as a PUT writes
    assert report["added"] and report["deleted"] == []
    assert any_store.deleted("CodeSystem", "a") is None and any_store.header("CodeSystem", "a") is not None
    # and by an import of a file with that id
    any_store.write((), delete=[("CodeSystem", "a")])
    assert any_store.deleted("CodeSystem", "a") is not None
    path = tmp_path / "a.json"
    path.write_text(json.dumps(_cs("a", "y")))
    import_paths(any_store, [str(path)])
    assert any_store.deleted("CodeSystem", "a") is None and any_store.header("CodeSystem", "a") is not None


def test_a_put_replacing_a_resource_leaves_no_record(any_store):
    any_store.write([_cs("a")])
    # a PUT that moves the resource to another url deletes the old row and writes the new one under the same id
    any_store.write([_cs("a", url="http://example.org/tomb/moved")], delete=[("CodeSystem", "a")])
    assert any_store.deleted("CodeSystem", "a") is None


def test_a_refused_delete_records_nothing(any_store):
    any_store.write([_cs("a")])
    before = any_store.generation()

    def refuse(current):
        raise RuntimeError("precondition failed")
    with pytest.raises(RuntimeError):
        any_store.write((), delete=[("CodeSystem", "a")], precondition=Precondition("CodeSystem", "a", refuse))
    assert any_store.deleted("CodeSystem", "a") is None and any_store.header("CodeSystem", "a") is not None
    assert any_store.generation() == before


def test_a_delete_of_nothing_records_nothing(any_store):
    before = any_store.generation()
    assert any_store.write((), delete=[("CodeSystem", "never")])["deleted"] == []
    assert any_store.deleted("CodeSystem", "never") is None and any_store.generation() == before


def test_what_a_derivation_removes_with_its_source_gets_no_record(any_store):
    # the store's own derived resources (NKPK editions, rule value sets) are rebuilt from their sources: their
    # removal with a source is not a deletion anyone asked for, and reads of them stay 404
    any_store.write([_cs("src"), _cs("derived")])
    any_store.write((), delete=[("CodeSystem", "src")], derive=lambda s: ([], [("CodeSystem", "derived")]))
    assert any_store.header("CodeSystem", "derived") is None
    assert any_store.deleted("CodeSystem", "src") is not None
    assert any_store.deleted("CodeSystem", "derived") is None


def test_kodebro_remove_records_what_it_removes(tmp_path):
    from scripts.cli import main
    db = str(tmp_path / "r.db")
    store = open_store(db)
    store.write([{"resourceType": "ValueSet", "id": "ward", "url": "http://example.org/tomb/ward", "status": "active"}])
    store.close()
    r = CliRunner().invoke(main, ["remove", "--url", "http://example.org/tomb/ward", "--yes", "--db", db])
    assert r.exit_code == 0, r.output
    store = open_store(db)
    try:
        assert store.deleted("ValueSet", "ward") is not None
    finally:
        store.close()


# --- a store written by an older Kodebro (schema 3: no deletion records) opens and migrates -----------------------
def _write_schema_3(execute, migrations, generation: int) -> None:
    """What a Kodebro of schema 3 wrote (no deletion records): its tables, at `generation`, with one value set."""
    execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for version in (1, 2, 3):
        for stmt in migrations[version]:
            execute(stmt)
    execute(f"INSERT INTO meta VALUES ('schema_version', '3'), ('generation', '{generation}')")
    execute("INSERT INTO resource (type, id, url, version, body, rev) VALUES "
            f"('ValueSet', 'v', 'http://example.org/v', '1', '{{\"resourceType\": \"ValueSet\"}}', {generation})")


def test_an_sqlite_store_of_schema_3_migrates(tmp_path):
    from terminology.store.migrations import MIGRATIONS, SCHEMA_VERSION
    path = str(tmp_path / "old.db")
    conn = sqlite3.connect(path)
    _write_schema_3(conn.execute, MIGRATIONS, 5)
    conn.commit()
    conn.close()
    s = open_store(path)
    try:
        assert s.schema_version() == SCHEMA_VERSION >= 4 and s.generation() == 5
        assert s.deleted("ValueSet", "v") is None
        s.write((), delete=[("ValueSet", "v")])
        assert s.deleted("ValueSet", "v") is not None and s.generation() == 6
    finally:
        s.close()


def test_a_postgres_store_of_schema_3_migrates(postgres_url):
    import psycopg
    from terminology.store.postgres import MIGRATIONS
    from terminology.store.migrations import SCHEMA_VERSION
    _name, url = new_database(postgres_url)
    with psycopg.connect(url, autocommit=True) as c:
        _write_schema_3(c.execute, MIGRATIONS, 2)
    s = open_store(url)
    try:
        assert s.schema_version() == SCHEMA_VERSION and s.generation() == 2
        s.write((), delete=[("ValueSet", "v")])
        assert s.deleted("ValueSet", "v") is not None and s.generation() == 3
    finally:
        s.close()


def test_rest_on_postgres_answers_410_then_201(pg_store):
    from fhir_api import create_app
    c = create_app({"DB": pg_store.url, "DEMO": False}).test_client()
    fj = "application/fhir+json"
    assert c.put("/fhir/CodeSystem/pg-gone", json=_cs("pg-gone"), content_type=fj).status_code == 201
    assert c.delete("/fhir/CodeSystem/pg-gone").status_code == 200
    r = c.get("/fhir/CodeSystem/pg-gone")
    assert r.status_code == 410 and r.get_json()["issue"][0]["code"] == "deleted"
    assert c.delete("/fhir/CodeSystem/pg-never").status_code == 200
    assert c.get("/fhir/CodeSystem/pg-never").status_code == 404
    assert c.put("/fhir/CodeSystem/pg-gone", json=_cs("pg-gone"), content_type=fj).status_code == 201
    assert c.get("/fhir/CodeSystem/pg-gone").status_code == 200


# --- a rollback: a Kodebro from before migration 4 wrote schema 3 back over a schema-4 store ---------------------
def test_a_store_whose_version_a_rollback_wrote_back_opens_again(tmp_path):
    path = str(tmp_path / "k.db")
    s = open_store(path)
    s.write([_cs("kept")], delete=[])
    s.write((), delete=[("CodeSystem", "kept")])
    s.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    s = open_store(path)
    try:
        from terminology.store.migrations import SCHEMA_VERSION
        assert s.schema_version() == SCHEMA_VERSION and s.deleted("CodeSystem", "kept") is not None
    finally:
        s.close()


def test_a_read_of_an_id_with_a_nul_on_postgres_is_404(pg_store):
    from fhir_api import create_app
    c = create_app({"DB": pg_store.url, "DEMO": False}).test_client()
    r = c.get("/fhir/CodeSystem/a%00b")
    assert r.status_code == 404 and r.get_json()["resourceType"] == "OperationOutcome"
    [entry] = c.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": "CodeSystem/a%00b"}}]}).get_json()["entry"]
    assert entry["response"]["status"] == "404"
