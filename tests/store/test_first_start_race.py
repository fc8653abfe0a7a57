"""Several API processes starting together on one new store (PostgreSQL behind several stateless processes):
each finds it empty and reads the first content, and only the first to take the write lock writes it; the
others leave what that one wrote as it is, with no error and no second generation."""
from __future__ import annotations

from terminology import open_store
from terminology.hl7 import fill_empty_store
from terminology.identifiers import DEMO_TAG
from terminology.loader import StoreNotEmpty, load


def _location(store) -> str:
    return getattr(store, "path", None) or store.url


def test_a_store_another_process_fills_meanwhile_is_filled_once(any_store):
    other = open_store(_location(any_store))
    filled = []

    def the_other_process_fills_it():       # called after this one found the store empty, before it writes
        filled.append(fill_empty_store(other, demo=True, hl7=False))

    assert fill_empty_store(any_store, demo=True, hl7=False, starting=the_other_process_fills_it) is None
    assert filled[0] is not None and filled[0].demo == 34
    assert any_store.generation() == 1      # one write: the other's
    assert len(any_store.tagged(DEMO_TAG)) == 34
    other.close()


def test_a_load_into_an_empty_store_refuses_one_that_holds_anything(any_store):
    from terminology.importers import Item
    cs = {"resourceType": "CodeSystem", "id": "a", "url": "http://example.org/a", "status": "active",
          "content": "complete", "concept": [{"code": "x"}]}
    load(any_store, [Item("a.json", resource=cs)])
    try:
        load(any_store, [Item("b.json", resource=dict(cs, id="b", url="http://example.org/b"))], into_empty=True)
    except StoreNotEmpty as e:
        assert "nothing was written" in e.message
    else:
        raise AssertionError("a load into an empty store wrote into one holding a CodeSystem")
    assert [h.id for h in any_store.headers()] == ["a"] and any_store.generation() == 1
