"""Import of FHIR content: packages, folders, bundles; all-or-nothing transactions."""
import json
import os

import pytest
from click.testing import CliRunner

from scripts.cli import main
from terminology import ImportRejected, import_paths
from terminology.hl7 import THO

PACKAGE = THO     # the THO package shipped in terminology/hl7/


def _counts(store):
    out = {}
    for h in store.headers():
        out[h.type] = out.get(h.type, 0) + 1
    return out


def test_invalid_package_is_refused_whole(store):
    with pytest.raises(ImportRejected) as exc:
        import_paths(store, [PACKAGE])
    names = {os.path.basename(src.split(":")[-1]) for src, _id, _why in exc.value.rejected}
    assert names == {"NamingSystem-v3-loinc.json", "NamingSystem-MeSH.json"}
    assert all("uniqueId" in why and "type" in why for _s, _i, why in exc.value.rejected)
    assert store.headers() == []


def test_skip_invalid_imports_the_rest_and_reimport_replaces(store):
    report = import_paths(store, [PACKAGE], skip_invalid=True)
    assert len(report.rejected) == 2
    assert _counts(store) == {"CodeSystem": 897, "ValueSet": 2499, "NamingSystem": 658}
    again = import_paths(store, [PACKAGE], skip_invalid=True)
    assert again.added == [] and len(again.unchanged) == 897 + 2499 + 658
    assert _counts(store) == {"CodeSystem": 897, "ValueSet": 2499, "NamingSystem": 658}


def _cs(url, code="a", **extra):
    return {"resourceType": "CodeSystem", "id": url.rsplit("/", 1)[-1], "url": url, "version": "1",
            "status": "active", "content": "complete", "concept": [{"code": code, "display": code.upper()}],
            **extra}


def test_folder_with_one_broken_resource_changes_nothing(store, tmp_path):
    import_paths(store, [_write(tmp_path / "before", "cs.json", _cs("http://example.org/before"))])
    before = [(h.type, h.url, h.version) for h in store.headers()]
    folder = tmp_path / "batch"
    _write(folder, "good.json", _cs("http://example.org/good"))
    _write(folder, "broken.json", {**_cs("http://example.org/broken"), "status": "finished"})
    with pytest.raises(ImportRejected) as exc:
        import_paths(store, [str(folder)])
    assert exc.value.rejected[0][0].endswith("broken.json")
    assert "status" in exc.value.rejected[0][2]
    assert [(h.type, h.url, h.version) for h in store.headers()] == before


def test_bad_json_is_named(store, tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "oops.json").write_text("{not json")
    with pytest.raises(ImportRejected) as exc:
        import_paths(store, [str(folder)])
    assert "oops.json" in exc.value.rejected[0][0] and "invalid JSON" in exc.value.rejected[0][2]


def test_bundle_and_ndjson(store, tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": _cs("http://example.org/b1")}, {"resource": _cs("http://example.org/b2")}]}
    p1 = _write(tmp_path, "bundle.json", bundle)
    p2 = tmp_path / "x.ndjson"
    p2.write_text(json.dumps(_cs("http://example.org/n1")) + "\n" + json.dumps(_cs("http://example.org/n2")) + "\n")
    report = import_paths(store, [p1, str(p2)])
    assert len(report.added) == 4
    assert sorted(h.url for h in store.headers()) == [f"http://example.org/{x}" for x in ("b1", "b2", "n1", "n2")]


def test_versions_live_side_by_side(store, tmp_path):
    v1 = _cs("http://example.org/e", "old")
    v2 = {**_cs("http://example.org/e", "new"), "version": "2"}
    import_paths(store, [_write(tmp_path, "v1.json", v1), _write(tmp_path, "v2.json", v2)])
    hs = [h for h in store.headers() if h.url == "http://example.org/e"]
    assert sorted(h.version for h in hs) == ["1", "2"]
    assert len({h.id for h in hs}) == 2


def test_cli_refuses_then_skips(tmp_path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    r = runner.invoke(main, ["import", PACKAGE, "--db", db])
    assert r.exit_code == 1
    assert "NamingSystem-MeSH.json" in r.output and "NamingSystem-v3-loinc.json" in r.output
    r = runner.invoke(main, ["import", PACKAGE, "--skip-invalid", "--db", db])
    assert "CodeSystem: 897 added" in r.output and "ValueSet: 2499 added" in r.output
    assert "NamingSystem: 658 added" in r.output
    assert r.exit_code == 2  # imported, but something was rejected: the exit says so
    r = runner.invoke(main, ["list", "--db", db])
    assert r.exit_code == 0
    assert "http://terminology.hl7.org/CodeSystem/v3-ActCode" in r.output
    assert "897 editions" in r.output     # CodeSystems: N code systems, 897 editions


def _write(folder, name, obj):
    os.makedirs(folder, exist_ok=True)
    p = os.path.join(folder, name)
    with open(p, "w") as fh:
        json.dump(obj, fh)
    return p


def test_catalog_keeps_unchanged_indexes_and_drops_replaced_ones(store, tmp_path):
    from terminology import Catalog
    import_paths(store, [_write(tmp_path, "a.json", _cs("http://example.org/a", "x")),
                         _write(tmp_path, "b.json", _cs("http://example.org/b", "y"))])
    cat = Catalog(store)
    a, b = cat.codesystem("http://example.org/a"), cat.codesystem("http://example.org/b")
    import_paths(store, [_write(tmp_path, "b2.json", _cs("http://example.org/b", "z"))])
    cat.refresh(force=True)
    assert cat.codesystem("http://example.org/a") is a          # untouched: same index object
    b2 = cat.codesystem("http://example.org/b")
    assert b2 is not b and b2.get("z") is not None and b2.get("y") is None


def test_schema_upgrades_itself_from_version_1(tmp_path):
    import sqlite3
    from terminology import open_store
    from terminology.store.migrations import MIGRATIONS, SCHEMA_VERSION
    path = str(tmp_path / "old.db")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for stmt in MIGRATIONS[1]:
        conn.execute(stmt)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('generation', '0')")
    conn.execute("INSERT INTO resource (type, id, url, version, body) VALUES "
                 "('ValueSet', 'v', 'http://example.org/v', '1', '{\"resourceType\": \"ValueSet\"}')")
    conn.commit()
    conn.close()
    s = open_store(path)
    assert s.schema_version() == SCHEMA_VERSION
    assert [h.id for h in s.headers()] == ["v"]


def test_progress_callbacks_see_every_resource(store, tmp_path):
    read, written = [], []

    def writing(total):
        written.append(total)
        return lambda: written.append("one")
    paths = [_write(tmp_path, f"{i}.json", _cs(f"http://example.org/p{i}")) for i in range(3)]
    import_paths(store, paths, progress=read.append, writing=writing)
    assert len(read) == 3 and written == [3, "one", "one", "one"]


def test_an_importer_that_fails_midway_is_a_rejection_not_a_crash(store, tmp_path):
    import types
    from terminology.importers import REGISTRY, formats
    from terminology.importers.base import Item

    def read(path, **_):
        yield Item(path, resource=_cs("http://example.org/ok"))
        raise ValueError("row 7: unexpected end of data")
    formats()  # the registry is filled on first use
    REGISTRY["test-broken"] = types.SimpleNamespace(FORMAT="test-broken", detect=lambda p: False, read=read)
    try:
        with pytest.raises(ImportRejected) as exc:
            import_paths(store, [_write(tmp_path, "x.json", {})], fmt="test-broken")
    finally:
        del REGISTRY["test-broken"]
    assert "row 7" in exc.value.rejected[-1][2] and exc.value.rejected[-1][0].endswith("x.json")
    assert store.headers() == []
    # with --skip-invalid the broken file counts whole or not at all: its first resource is not kept
    REGISTRY["test-broken"] = types.SimpleNamespace(FORMAT="test-broken", detect=lambda p: False, read=read)
    try:
        from terminology.loader import load, read_items
        report = load(store, read_items([_write(tmp_path, "x.json", {})], "test-broken"), skip_invalid=True)
    finally:
        del REGISTRY["test-broken"]
    assert report.rejected and store.headers() == []


def test_a_stream_that_breaks_while_writing_leaves_the_store_as_it_was(store, tmp_path):
    from terminology.importers.base import Item
    from terminology.loader import load
    import_paths(store, [_write(tmp_path, "before.json", _cs("http://example.org/before"))])
    before = [(h.url, h.version) for h in store.headers()]

    def concepts():
        yield {"code": "a"}
        raise ValueError("truncated concept file")
    big = {**_cs("http://example.org/streamed"), "_flat_concepts": concepts()}
    big.pop("concept")
    with pytest.raises(ImportRejected) as exc:
        load(store, [Item("release", resource=big, trusted=True)])
    assert "truncated concept file" in exc.value.message
    assert [(h.url, h.version) for h in store.headers()] == before

