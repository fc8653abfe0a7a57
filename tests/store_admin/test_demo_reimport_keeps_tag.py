"""Re-importing the demo's own files into a store that holds the demo changes nothing (README: re-importing what
is stored changes nothing): a resource whose content is the stored demo resource keeps its demo tag, rev and
ETag, the editions derived from it (NKPK, ICD-10-NO rule value sets) too, and `remove --demo` still takes it.
Content that differs is the importer's own: it is written without the tag and `remove --demo` keeps it."""
from __future__ import annotations

import os

from click.testing import CliRunner

from scripts.cli import main
from terminology import open_store
from terminology.demo import DEMO_DIR, demo_files
from terminology.identifiers import is_demo

from .demo_store import demo_db

CHANGES = os.path.join(DEMO_DIR, "succession-changes.csv")


def _state(db):
    """(type, id, rev, demo?) of every stored resource, and the generation."""
    store = open_store(db)
    try:
        return (sorted((h.type, h.id, h.rev, is_demo(store.body(h.pk))) for h in store.headers()),
                store.generation())
    finally:
        store.close()


def _cli(db, *args):
    return CliRunner().invoke(main, [*args, "--db", db])


def test_the_demo_change_lists_imported_again_are_unchanged_and_stay_demo(tmp_path):
    db = demo_db(tmp_path)
    before = _state(db)
    r = _cli(db, "import", CHANGES)
    assert r.exit_code == 0, r.output
    assert "ConceptMap: 0 added, 0 replaced, 8 unchanged" in r.output
    assert _state(db) == before
    assert sum(demo for *_, demo in before[0]) == 34


def test_every_demo_file_imported_again_changes_nothing(tmp_path):
    db = demo_db(tmp_path)
    before = _state(db)
    for path in demo_files():
        r = _cli(db, "import", path)
        assert r.exit_code == 0, (path, r.output)
        assert " replaced" not in r.output.replace("0 replaced", ""), (path, r.output)
    assert _state(db) == before


def test_a_changed_change_list_is_the_importers_own_and_remove_demo_keeps_it(tmp_path):
    db = demo_db(tmp_path)
    text = open(CHANGES, encoding="utf-8").read()
    assert text.count("CTA Arteriografi av caput") == 1
    mine = tmp_path / "changes.csv"
    mine.write_text(text.replace("CTA Arteriografi av caput", "CT-arteriografi av caput"), encoding="utf-8")
    r = _cli(db, "import", str(mine))
    assert r.exit_code == 0, r.output
    assert "ConceptMap: 0 added, 1 replaced, 7 unchanged" in r.output
    store = open_store(db)
    maps = {h.id: is_demo(store.body(h.pk)) for h in store.headers("ConceptMap")}
    store.close()
    changed = [i for i, demo in maps.items() if not demo]
    assert len(changed) == 1
    assert _cli(db, "remove", "--demo", "--yes").exit_code == 0
    store = open_store(db)
    assert [h.id for h in store.headers("ConceptMap")] == changed
    store.close()


def test_the_demo_keeps_its_tag_by_the_stores_own_unchanged_rule(tmp_path):
    # an id another resource holds is not taken: the store keeps the stored one's id, so the content is the
    # stored demo resource's and the store reports it unchanged; the tag is kept by that same rule
    import json
    db = demo_db(tmp_path)
    before = _state(db)
    vs = json.load(open(os.path.join(DEMO_DIR, "valueset-fysioterapi-prosedyrer.json"), encoding="utf-8"))
    vs["id"] = "ncmp-aktive"          # another demo value set's id
    mine = tmp_path / "vs.json"
    mine.write_text(json.dumps(vs), encoding="utf-8")
    r = _cli(db, "import", str(mine))
    assert r.exit_code == 0, r.output
    assert "ValueSet: 0 added, 0 replaced, 1 unchanged" in r.output
    assert _state(db) == before
