"""MAX_EXPANSION is checked when the app is made (a bad value fails at start, as from the environment), its
default is the engine's, and the index shelf (now in terminology/index_cache.py) still takes an unchanged
resource's index from the process-wide cache."""
from __future__ import annotations

import copy

import pytest

from fhir_api import create_app
from fhir_api.settings import SETTINGS, load_settings
from terminology.index_cache import SUPPLIED_INDEXES, IndexShelf
from terminology.operations.expand import DEFAULT_MAX_EXPANSION


def test_the_max_expansion_default_is_the_engines():
    assert SETTINGS["MAX_EXPANSION"][0] == DEFAULT_MAX_EXPANSION


@pytest.mark.parametrize("bad", ["5k", "", "-3", 0, -1, 2.5, True, "1e3", [1000]])
def test_a_bad_max_expansion_fails_when_the_app_is_made(tmp_path, bad):
    with pytest.raises(ValueError, match="MAX_EXPANSION"):
        create_app({"DB": str(tmp_path / "k.db"), "DEMO": False, "MAX_EXPANSION": bad})


def test_a_bad_max_expansion_from_the_environment_fails_with_its_name(monkeypatch):
    monkeypatch.setenv("KODEBRO_MAX_EXPANSION", "5k")
    with pytest.raises(ValueError, match="KODEBRO_MAX_EXPANSION"):
        load_settings()


@pytest.mark.parametrize("given,kept", [(5000, 5000), ("5000", 5000), (" 20 ", 20), (None, DEFAULT_MAX_EXPANSION)])
def test_a_good_max_expansion_is_kept_as_a_number(given, kept):
    assert load_settings({"MAX_EXPANSION": given})["MAX_EXPANSION"] == kept


def test_a_string_max_expansion_is_the_limit_expand_uses(tmp_path):
    client = create_app({"DB": str(tmp_path / "k.db"), "DEMO": False, "MAX_EXPANSION": "3"}).test_client()
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/s15c", "status": "active",
          "content": "complete", "concept": [{"code": f"c{i}"} for i in range(5)]}
    vs = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": cs["url"]}]}}
    body = {"resourceType": "Parameters", "parameter": [{"name": "valueSet", "resource": vs},
                                                         {"name": "tx-resource", "resource": cs}]}
    r = client.post("/fhir/ValueSet/$expand", json=body)
    assert r.status_code == 422 and "too-costly" in r.get_data(as_text=True)


CS = {"resourceType": "CodeSystem", "url": "http://example.org/s15c/cached", "version": "1", "status": "active",
      "content": "complete", "concept": [{"code": f"c{i}", "display": f"Code {i}"} for i in range(50)]}


def _validate(client, code):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": CS["url"]}, {"name": "code", "valueCode": code},
        {"name": "tx-resource", "resource": copy.deepcopy(CS)}]}
    r = client.post("/fhir/CodeSystem/$validate-code", json=body)
    assert r.status_code == 200, r.get_json()
    return next(p["valueBoolean"] for p in r.get_json()["parameter"] if p["name"] == "result")


def test_an_unchanged_tx_resource_is_taken_from_the_index_cache(client):
    SUPPLIED_INDEXES.clear()
    try:
        builds = IndexShelf.builds
        assert _validate(client, "c1") is True
        hits = SUPPLIED_INDEXES.stats["hits"]
        assert _validate(client, "c2") is True
        assert SUPPLIED_INDEXES.stats["hits"] == hits + 1 and IndexShelf.builds == builds + 1
    finally:
        SUPPLIED_INDEXES.clear()


def test_the_catalog_still_offers_the_shelf():
    from terminology import catalog
    assert catalog.IndexShelf is IndexShelf
