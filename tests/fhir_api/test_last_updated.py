"""meta.lastUpdated says when a resource last changed on this server (R4 resource.html#Meta): every write stamps
it, an import as much as a PUT, one instant per write, and `_lastUpdated` search finds imported content by it."""
from __future__ import annotations

import json
import time

from terminology import import_paths

CS = {"resourceType": "CodeSystem", "url": "http://example.org/lu", "version": "1", "status": "active",
      "content": "complete", "meta": {"lastUpdated": "2001-01-01T00:00:00Z", "versionId": "7"},
      "concept": [{"code": "a"}]}
VS = {"resourceType": "ValueSet", "url": "http://example.org/lu-vs", "status": "active"}


def _client(db_path):
    from fhir_api import create_app
    return create_app({"DB": db_path, "DEMO": False}).test_client()


def _import(store, tmp_path, *resources):
    paths = []
    for i, r in enumerate(resources):
        p = tmp_path / f"r{i}.json"
        p.write_text(json.dumps(r))
        paths.append(str(p))
    import_paths(store, paths)


def test_an_import_stamps_every_resource_with_one_instant(store, db_path, tmp_path):
    _import(store, tmp_path, CS, VS)
    c = _client(db_path)
    got = [c.get(f"/fhir/{t}?url={u}").get_json()["entry"][0]["resource"]["meta"]
           for t, u in (("CodeSystem", CS["url"]), ("ValueSet", VS["url"]))]
    assert got[0]["lastUpdated"] == got[1]["lastUpdated"] > "2026"
    assert got[0]["versionId"] == "7"       # the rest of meta is the resource's own
    since = got[0]["lastUpdated"]
    found = c.get(f"/fhir/CodeSystem?_lastUpdated=ge{since}&url={CS['url']}").get_json()
    assert found["total"] == 1
    assert c.get(f"/fhir/CodeSystem?_lastUpdated=lt2002&url={CS['url']}").get_json()["total"] == 0


def test_a_later_write_gets_a_later_stamp(store, db_path, tmp_path):
    _import(store, tmp_path, VS)
    c = _client(db_path)
    first = c.get(f"/fhir/ValueSet?url={VS['url']}").get_json()["entry"][0]["resource"]
    time.sleep(1.1)     # stamps are to the second
    put = c.put(f"/fhir/ValueSet/{first['id']}", json={**first, "title": "changed"})
    assert put.status_code == 200
    assert put.get_json()["meta"]["lastUpdated"] > first["meta"]["lastUpdated"]
