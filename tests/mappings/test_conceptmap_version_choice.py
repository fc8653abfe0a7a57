"""$translate with a map named by url (and conceptMapVersion) chooses the map's version by the one rule of every
lookup by url (terminology.catalog.pick_version); every map holding that version answers, a supplied one first."""
from __future__ import annotations

import json

import pytest

from mappings.translate import TranslateRequest, translate
from terminology import Catalog
from terminology.errors import NotFound
from terminology.loader import import_paths

URL = "http://ex.org/cm/pick"


def _map(version, target, url=URL):
    cm = {"resourceType": "ConceptMap", "url": url, "status": "active",
          "group": [{"source": "http://ex.org/a", "target": "http://ex.org/b",
                     "element": [{"code": "a1", "target": [{"code": target, "equivalence": "equivalent"}]}]}]}
    if version is not None:
        cm["version"] = version
    return cm


@pytest.fixture
def cat(store, tmp_path):
    path = tmp_path / "stored.json"
    path.write_text(json.dumps(_map("1.0", "stored10")))
    import_paths(store, [str(path)])
    return Catalog(store)


def _codes(catalog, version=None, url=URL):
    got = translate(catalog, TranslateRequest(code="a1", system="http://ex.org/a", conceptmap_url=url,
                                              conceptmap_version=version))
    return [m.code for m in got.matches]


def test_no_version_reads_the_newest(cat):
    assert _codes(cat.overlay([_map("1.1", "s11"), _map("0.9", "s09")])) == ["s11"]


def test_a_version_less_map_loses_to_a_versioned_one(cat):
    assert _codes(cat.overlay([_map(None, "none")])) == ["stored10"]


def test_a_named_version_reads_that_version(cat):
    assert _codes(cat.overlay([_map("1.1", "s11")]), "1.0") == ["stored10"]
    assert _codes(cat.overlay([_map("1.1", "s11")]), None, URL + "|1.0") == ["stored10"]


def test_a_version_nothing_holds_is_not_found(cat):
    with pytest.raises(NotFound, match="9.9"):
        _codes(cat, "9.9")


def test_a_supplied_and_a_stored_map_of_one_version_answer_together(cat):
    # as they do when the request names no map: the supplied one first
    assert _codes(cat.overlay([_map("1.0", "supplied10")])) == ["supplied10", "stored10"]
    assert _codes(cat.overlay([_map("1.0", "supplied10")]), "1.0") == ["supplied10", "stored10"]


def test_maps_of_one_url_without_versions_answer_together(cat):
    two = cat.overlay([_map(None, "n1", "http://ex.org/cm/nov"), _map(None, "n2", "http://ex.org/cm/nov")])
    assert _codes(two, None, "http://ex.org/cm/nov") == ["n1", "n2"]


@pytest.mark.parametrize("how", ["parameter", "canonical"])
def test_a_version_pattern_reads_the_newest_version_it_names(cat, how):
    # the one rule of lookups by url; before, every version the pattern named answered (s11, s12 and stored10)
    two = cat.overlay([_map("1.1", "s11"), _map("1.2", "s12")])
    got = _codes(two, "1.x") if how == "parameter" else _codes(two, None, URL + "|1.x")
    assert got == ["s12"]
