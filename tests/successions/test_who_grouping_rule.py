"""One rule for "this display is WHO's grouping text" (origin=who, terminology.norway.properties.who_grouping): the
history of a codebook with one loaded edition (read from the catalog) labels a text as the succession graph does
once a second edition is loaded, a grouping only (the ICD-10-NO importers add WHO concepts as parents only)."""
from __future__ import annotations

import pytest

from mappings.succession_history import WHO_SOURCE, code_history
from terminology import Catalog, open_store

URL = "http://example.org/fhir/CodeSystem/who-book"


def _edition(year: str) -> dict:
    def who(code, display, **more):
        return {"code": code, "display": display, **more,
                "property": [{"code": "notSelectable", "valueBoolean": True}, {"code": "origin", "valueCode": "who"}]}
    return {"resourceType": "CodeSystem", "url": URL, "version": year, "status": "active", "content": "complete",
            "property": [{"code": "notSelectable", "type": "boolean"}, {"code": "origin", "type": "code"}],
            "concept": [who("A00-A09", "Intestinal infectious diseases", concept=[{"code": "A00", "display": "Kolera"}]),
                        who("B99", "Other infectious diseases (a leaf)")]}


def _sources(catalog, code: str) -> set:
    return {t["source"] for t in code_history(catalog, URL, code)["texts"]}


@pytest.mark.parametrize("years", [("2025",), ("2025", "2026")])
def test_who_text_is_a_grouping_in_one_edition_as_in_two(tmp_path, years):
    store = open_store(str(tmp_path / "k.db"))
    store.write([{**_edition(y), "id": f"who-book-{y}"} for y in years])
    catalog = Catalog(store)
    assert _sources(catalog, "A00-A09") == {WHO_SOURCE}
    assert _sources(catalog, "A00") == {"edition"}
    assert _sources(catalog, "B99") == {"edition"}
