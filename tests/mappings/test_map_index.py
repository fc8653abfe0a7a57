"""The by-system index of stored ConceptMaps is built once per store revision; a request adds only its own maps."""
from __future__ import annotations

import copy
import json
import os

from mappings.conceptmap import stored_maps, supplied_maps
from mappings.translate import TranslateRequest, translate
from terminology import Catalog
from terminology.loader import import_paths

from tests.conftest import DATA

HERE = os.path.join(DATA, "successions")
MAP = os.path.join(HERE, "conceptmap-icpc2-icd10-subset.json")
SEED_CHANGES = os.path.join(HERE, "changes-seed.csv")


def _map() -> dict:
    with open(MAP, encoding="utf-8") as fh:
        return json.load(fh)


def _draft(version: str = "2020") -> dict:
    """The same map as a request would bring a draft of it: another version, D11 mapped elsewhere."""
    cm = copy.deepcopy(_map())
    cm["version"] = version
    d11 = next(el for el in cm["group"][0]["element"] if el["code"] == "D11")
    d11["target"] = [{"code": "K590", "equivalence": "inexact"}]
    return cm


def _req(**kw) -> TranslateRequest:
    src = _map()["group"][0]["source"]
    return TranslateRequest(code="D11", system=src, **kw)


def test_stored_index_is_built_once_per_revision_and_shared_by_overlays(store):
    import_paths(store, [SEED_CHANGES])
    cat = Catalog(store)
    first = stored_maps(cat)
    a, b = cat.overlay([_map()]), cat.overlay([_draft()])
    assert stored_maps(a) is first and stored_maps(b) is first
    assert [m.code for m in translate(a, _req()).matches] == ["K591"]
    assert [m.code for m in translate(b, _req()).matches] == ["K590"]
    # what a request brings never reaches the shared index
    assert _map()["url"] not in first.by_url and stored_maps(cat) is first
    import_paths(store, [MAP])
    cat.refresh(force=True)
    again = stored_maps(cat)
    assert again is not first and _map()["url"] in again.by_url


def test_an_overlay_indexes_only_its_own_maps(store):
    import_paths(store, [SEED_CHANGES])
    cat = Catalog(store)
    ov = cat.overlay([_draft()])
    mine = supplied_maps(ov)
    assert list(mine.by_url) == [_map()["url"]] and supplied_maps(ov) is mine
    assert not supplied_maps(cat).by_url
    assert len(stored_maps(ov).by_url) == 6       # the seed change lists: one map per codebook and edition


def test_supplied_and_stored_maps_answer_together(store):
    import_paths(store, [MAP])
    cat = Catalog(store)
    other = _draft()
    other["url"] += "-draft"
    got = translate(cat.overlay([other]), _req())
    assert [m.code for m in got.matches] == ["K590", "K591"]          # supplied first, as before


def test_url_and_version_choose_among_supplied_and_stored(store):
    import_paths(store, [MAP])
    cat = Catalog(store)
    ov = cat.overlay([_draft("2020")])
    url = _map()["url"]
    assert [m.code for m in translate(ov, _req(conceptmap_url=url)).matches] == ["K590"]   # newest version
    assert [m.code for m in translate(ov, _req(conceptmap_url=url, conceptmap_version="2019")).matches] == ["K591"]
    assert [m.code for m in translate(cat, _req(conceptmap_url=url)).matches] == ["K591"]
