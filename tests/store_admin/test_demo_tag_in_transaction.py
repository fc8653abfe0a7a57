"""Whether an import keeps the demo tag on a resource is decided inside the write's transaction, by the store
(`write(..., keep_tag=DEMO_TAG)`): against the stored resource as the write finds it, not as it was before the
write began, and with no second look at the store for each resource."""
from __future__ import annotations

import copy
import json
import os

from terminology import open_store
from terminology.demo import DEMO_DIR
from terminology.identifiers import DEMO_TAG, is_demo
from terminology.loader import load, read_items

from .demo_store import demo_db

VS_FILE = os.path.join(DEMO_DIR, "valueset-fysioterapi-prosedyrer.json")


def _stored_vs(db, url):
    store = open_store(db)
    try:
        (h,) = store.by_url("ValueSet", url)
        return store.body(h.pk)
    finally:
        store.close()


def test_a_stored_resource_changed_before_the_write_is_not_demo_content_the_import_repeats(tmp_path):
    db = demo_db(tmp_path)
    demo_vs = json.load(open(VS_FILE, encoding="utf-8"))
    assert is_demo(_stored_vs(db, demo_vs["url"]))

    def another_writer(_total):
        # between the import's checks and its write, someone writes their own content at the same url|version
        other = open_store(db)
        try:
            other.write([{**copy.deepcopy(demo_vs), "title": "Someone else's"}])
        finally:
            other.close()
        return lambda: None

    store = open_store(db)
    try:
        report = load(store, read_items([VS_FILE]), writing=another_writer)
    finally:
        store.close()
    assert len(report.replaced) == 1, report
    stored = _stored_vs(db, demo_vs["url"])
    assert stored["title"] == demo_vs["title"]
    # the import replaced the other writer's content: it is the importer's own, which remove --demo keeps
    assert not is_demo(stored)


def test_write_keeps_the_tag_on_content_that_repeats_stored_demo_content(tmp_path):
    db = demo_db(tmp_path)
    demo_vs = json.load(open(VS_FILE, encoding="utf-8"))
    before = _stored_vs(db, demo_vs["url"])
    store = open_store(db)
    try:
        out = store.write([copy.deepcopy(demo_vs)], keep_tag=DEMO_TAG)
        assert out["unchanged"] and not out["replaced"], out
        assert _stored_vs(db, demo_vs["url"]) == before
        # without the option the same content is the writer's own
        out = store.write([copy.deepcopy(demo_vs)])
        assert out["replaced"], out
        assert not is_demo(_stored_vs(db, demo_vs["url"]))
        # and once it is, the option keeps nothing: the stored resource is no demo content any more
        mine = _stored_vs(db, demo_vs["url"])
        out = store.write([copy.deepcopy(demo_vs)], keep_tag=DEMO_TAG)
        assert out["unchanged"], out
        assert _stored_vs(db, demo_vs["url"]) == mine
    finally:
        store.close()


def test_an_import_reads_each_stored_resource_once(tmp_path):
    # a store without demo content: the import looks up what it replaces once per resource, in the write
    db = str(tmp_path / "k.db")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"cs{i}.json").write_text(json.dumps({
            "resourceType": "CodeSystem", "id": f"cs{i}", "url": f"http://example.org/cs{i}", "version": "1",
            "status": "active", "content": "complete", "concept": [{"code": "a"}]}), encoding="utf-8")
    store = open_store(db)
    try:
        load(store, read_items([str(folder)]))
        statements: list[str] = []
        store._conn().set_trace_callback(statements.append)
        report = load(store, read_items([str(folder)]))
        assert len(report.unchanged) == 3, report
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "body FROM resource" in s]
        assert len(reads) == 3, reads
    finally:
        store.close()
