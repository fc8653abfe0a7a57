"""Paging a SNOMED CT filtered value set: the page and total come from the index's concept numbers and agree
with the full expansion (one filter, and two filters intersected)."""
from __future__ import annotations

import os

import pytest

from terminology.operations.expand import ExpandRequest, expand
from tests.conftest import DATA

SNOMED = "http://snomed.info/sct"
HANDMADE = os.path.join(DATA, "snomed", "handmade-no")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    import terminology.snomed  # noqa: F401
    from terminology import Catalog, import_paths, open_store
    store = open_store(str(tmp_path_factory.mktemp("snomed_paging") / "snomed.db"))
    import_paths(store, [HANDMADE], fmt="rf2")
    return Catalog(store)


def _flat(items):
    out = []
    for it in items:
        out.append(it.code)
        out.extend(_flat(it.children))
    return out


def _vs(*filters):
    return {"resourceType": "ValueSet", "status": "active",
            "compose": {"include": [{"system": SNOMED, "filter": list(filters)}]}}


@pytest.mark.parametrize("filters", [
    [{"property": "concept", "op": "is-a", "value": "404684003"}],
    [{"property": "concept", "op": "is-a", "value": "404684003"},
     {"property": "concept", "op": "descendent-of", "value": "64572001"}],
])
def test_pages_agree_with_the_whole_expansion(catalog, filters):
    vs = _vs(*filters)
    whole = expand(catalog, ExpandRequest(valueset=vs, exclude_nested=True))
    codes = _flat(whole.items)
    assert whole.total == len(codes) > 2
    counted = expand(catalog, ExpandRequest(valueset=vs, count=0))
    assert counted.total == whole.total and counted.items == []
    paged = []
    for off in range(0, whole.total, 2):
        page = expand(catalog, ExpandRequest(valueset=vs, offset=off, count=2))
        assert page.total == whole.total and page.offset == off
        paged += [it.code for it in page.items]
    assert paged == codes
    assert any(p[0] == "used-codesystem" for p in counted.parameters)
