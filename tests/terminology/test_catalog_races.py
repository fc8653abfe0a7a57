"""A resource deleted by another process after a catalog last looked at the store: the catalog's header list
still names it until its next refresh, and its body is gone. Found by the fifth fuzzing run (8 threads reading
and deleting ConceptMaps), where it was a 500."""
from __future__ import annotations

from terminology import open_store
from terminology.catalog import Catalog


def _map(i: int) -> dict:
    return {"resourceType": "ConceptMap", "id": f"m{i}", "url": f"http://example.org/cm/{i}", "status": "active",
            "group": [{"source": "http://a", "target": "http://b",
                       "element": [{"code": "x", "target": [{"code": "y", "equivalence": "equivalent"}]}]}]}


def _naming_system() -> dict:
    return {"resourceType": "NamingSystem", "id": "ns", "name": "NS", "status": "active", "kind": "codesystem",
            "date": "2026-01-01", "uniqueId": [{"type": "uri", "value": "http://example.org/cs", "preferred": True},
                                               {"type": "oid", "value": "1.2.3.4"}]}


def test_maps_and_naming_systems_deleted_since_the_last_refresh_are_left_out(tmp_path):
    store = open_store(str(tmp_path / "race.db"))
    store.write([_map(1), _map(2), _naming_system()])
    cat = Catalog(store)
    # another writer deletes behind the catalog's back; the catalog has not refreshed
    store.delete("ConceptMap", "m1")
    store.delete("NamingSystem", "ns")
    assert [cm["id"] for cm in cat.conceptmaps()] == ["m2"]
    # the aliases are built while headers are loaded: a body not read yet when its resource goes
    cat._body_cache.clear()
    assert cat._build_aliases() == {}
