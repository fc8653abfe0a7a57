"""Writing what is stored already changes nothing: the resource keeps its rev, lastUpdated and ETag, the write
report counts it as unchanged, and the store's generation stays (the catalog keeps its revision). On SQLite
and on PostgreSQL."""
from __future__ import annotations

import copy
import json
import os

import pytest

from terminology import Catalog, import_paths, open_store
from terminology.errors import Duplicate
from terminology.store import Precondition
from tests.conftest import DATA

ICD10_NAV = os.path.join(DATA, "norway", "navikt-ICD10-2026.json")
EXAMPLES = [os.path.join(DATA, "fhir", name) for name in
            ("CodeSystem-example.json", "CodeSystem-list-example-codes.json", "ConceptMap-101.json")]
JSON = {"Content-Type": "application/fhir+json"}


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    """(store, what create_app takes as DB) of each backend."""
    if request.param == "sqlite":
        path = str(tmp_path / "k.db")
        store = open_store(path)
        yield store, path
        store.close()
    else:
        store = request.getfixturevalue("pg_store")
        yield store, store.url


def _stamps(store) -> dict:
    return {(h.type, h.id): (h.pk, h.rev, store.body(h.pk)["meta"]["lastUpdated"], h.concept_count)
            for h in store.headers()}


def _copy_changed(tmp_path, path: str, change) -> str:
    with open(path, encoding="utf-8") as f:
        res = json.load(f)
    change(res)
    out = tmp_path / os.path.basename(path)
    out.write_text(json.dumps(res))
    return str(out)


def test_identical_reimport_of_an_edition_keeps_rev_and_last_updated(db):
    store, _ = db
    first = import_paths(store, [ICD10_NAV] + EXAMPLES)
    assert [r[0] for r in first.added].count("CodeSystem") == 3
    before, generation = _stamps(store), store.generation()
    concepts = {pk: list(store.concepts(pk)) for pk, *_ in before.values()}
    again = import_paths(store, [ICD10_NAV] + EXAMPLES)
    assert again.added == [] and again.replaced == []
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.counts()["CodeSystem"] == {"added": 0, "replaced": 0, "unchanged": 3}
    assert _stamps(store) == before and store.generation() == generation
    assert {pk: list(store.concepts(pk)) for pk in concepts} == concepts


def test_one_changed_of_three_bumps_only_that_one(db, tmp_path):
    store, _ = db
    import_paths(store, EXAMPLES)
    before, generation = _stamps(store), store.generation()
    changed = _copy_changed(tmp_path, EXAMPLES[1], lambda r: r.update(title=str(r.get("title")) + " (revised)"))
    report = import_paths(store, [EXAMPLES[0], changed, EXAMPLES[2]])
    assert [r[1] for r in report.replaced] == ["list-example-codes"] and len(report.unchanged) == 2
    after = _stamps(store)
    assert store.generation() == generation + 1
    for key, (pk, rev, stamp, count) in after.items():
        if key == ("CodeSystem", "list-example-codes"):
            assert rev == generation + 1 and count == before[key][3]
        else:
            assert (pk, rev, stamp, count) == before[key]


def _edition(store):
    (h,) = store.headers("CodeSystem")
    return h


def test_a_changed_concept_gets_a_new_rev_and_the_concepts_as_given(db, tmp_path):
    store, _ = db
    import_paths(store, [ICD10_NAV])
    h = _edition(store)
    stored = list(store.concepts(h.pk))
    n = len(stored)

    def relabel(entries):      # the last code's text, so most concepts compare equal before the change
        entries[-1]["text"] += " (rettet)"
    report = import_paths(store, [_copy_changed(tmp_path, ICD10_NAV, relabel)])
    assert [r[0] for r in report.replaced] == ["CodeSystem"]
    h2 = _edition(store)
    assert h2.rev > h.rev and h2.concept_count == n and h2.pk == h.pk
    now = list(store.concepts(h2.pk))
    assert [c["code"] for c in now] == [c["code"] for c in stored]
    differ = [c for c, s in zip(now, stored) if c != s]
    assert len(differ) == 1 and "(rettet)" in json.dumps(differ[0]) and differ[0]["code"] == "Z999"

    def drop_last(entries):     # fewer concepts: the others are kept, the count follows
        entries.pop()
    import_paths(store, [_copy_changed(tmp_path, ICD10_NAV, drop_last)])
    h3 = _edition(store)
    assert h3.rev > h2.rev and h3.concept_count == n - 1
    assert [c["code"] for c in store.concepts(h3.pk)] == [c["code"] for c in stored if c["code"] != "Z999"]
    # and back to the edition as published: every concept as given
    import_paths(store, [ICD10_NAV])
    h4 = _edition(store)
    assert h4.concept_count == n and list(store.concepts(h4.pk)) == stored
    assert Catalog(store).codesystem(h4.url).get("Z999") is not None


def test_a_write_that_changes_nothing_keeps_the_catalog_revision(db):
    store, _ = db
    import_paths(store, EXAMPLES)
    catalog = Catalog(store)
    index = catalog.codesystem("http://hl7.org/fhir/CodeSystem/example")
    import_paths(store, EXAMPLES)
    catalog.refresh(force=True)
    assert catalog.codesystem("http://hl7.org/fhir/CodeSystem/example") is index


def test_create_of_an_identical_resource_is_still_a_duplicate(db):
    store, _ = db
    with open(EXAMPLES[0], encoding="utf-8") as f:
        res = json.load(f)
    store.write([copy.deepcopy(res)], only_new=True)
    generation = store.generation()
    with pytest.raises(Duplicate):
        store.write([copy.deepcopy(res)], only_new=True)
    assert store.generation() == generation


def test_preconditions_and_deletions_behave_as_before(db):
    store, _ = db
    with open(EXAMPLES[0], encoding="utf-8") as f:
        res = json.load(f)
    store.write([copy.deepcopy(res)])
    (h,) = store.headers()

    def refuse(current):
        assert current is not None and current.rev == h.rev
        raise RuntimeError("refused")
    with pytest.raises(RuntimeError):
        store.write([copy.deepcopy(res)], delete=[("CodeSystem", h.id)],
                    precondition=Precondition("CodeSystem", h.id, refuse))
    # the PUT shape: delete then write back the same; nothing changes, the report says it stood
    report = store.write([copy.deepcopy(res)], delete=[("CodeSystem", h.id)])
    assert report["deleted"] == [] and report["unchanged"] == [("CodeSystem", h.id, h.url, h.version)]
    assert report["rev"] == h.rev and report["lastUpdated"] == store.body(h.pk)["meta"]["lastUpdated"]
    # a deletion that is no rewrite in the same write still happens, and starts a generation
    other = {**copy.deepcopy(res), "id": "other", "url": "http://example.org/other"}
    store.write([other])
    report = store.write([copy.deepcopy(res)], delete=[("CodeSystem", "other")])
    assert report["deleted"] == [("CodeSystem", "other")] and len(report["unchanged"]) == 1
    assert [x.id for x in store.headers()] == [h.id] and report["rev"] == store.generation()
    # a changed PUT is reported as before: the deletion and the resource written anew
    report = store.write([{**copy.deepcopy(res), "title": "changed"}], delete=[("CodeSystem", h.id)])
    assert report["deleted"] == [("CodeSystem", h.id)] and [r[1] for r in report["added"]] == [h.id]


def test_put_of_the_same_body_answers_the_old_etag(db):
    _, url = db
    from fhir_api import create_app
    client = create_app({"DB": url, "DEMO": False}).test_client()
    with open(EXAMPLES[0], encoding="utf-8") as f:
        res = json.load(f)
    path = f"/fhir/CodeSystem/{res['id']}"
    first = client.put(path, json=res, headers=JSON)
    assert first.status_code == 201
    tag = first.headers["ETag"]
    # as a client sends it back: with the meta the server stamped, which the server ignores
    again = client.put(path, json=first.get_json(), headers={**JSON, "If-Match": tag})
    assert again.status_code == 200 and again.headers["ETag"] == tag
    assert again.get_json()["meta"]["lastUpdated"] == first.get_json()["meta"]["lastUpdated"]
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    changed = client.put(path, json={**res, "title": "Changed"}, headers=JSON)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 200
    # a create of the same url and version is still refused, identical or not
    assert client.post("/fhir/CodeSystem", json={**res, "title": "Changed"}, headers=JSON).status_code == 409
