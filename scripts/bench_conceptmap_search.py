"""ConceptMap search by code and system over many maps, some large: `python -m scripts.bench conceptmap_search`.

The store holds 300 small maps (100 elements) and 10 large ones (5,000 elements,
the size of a codebook succession map or a term-bank map): a code search must
cost lookups per map, not a walk over 80,000 elements.
"""
from __future__ import annotations

SRC, TGT = "https://kodebro.no/bench/search-src", "https://kodebro.no/bench/search-tgt"


def _maps(n_small: int = 300, n_large: int = 10) -> list[dict]:
    def cm(i, n):
        return {"resourceType": "ConceptMap", "id": f"bench-search-{i}", "url": f"https://kodebro.no/bench/cm-{i}",
                "version": "1", "status": "active",
                "group": [{"source": f"{SRC}-{i % 30}", "target": TGT,
                           "element": [{"code": f"S{i}-{j}", "target": [{"code": f"T{j}", "equivalence": "equivalent"}]}
                                       for j in range(n)]}]}
    return [cm(i, 100) for i in range(n_small)] + [cm(n_small + i, 5000) for i in range(n_large)]


def run(bench) -> None:
    from fhir_api import create_app
    from terminology import open_store
    from terminology.importers.base import Item
    from terminology.loader import load

    db = bench.db("conceptmap-search")
    store = open_store(db)
    load(store, [Item("bench", resource=cm, trusted=True) for cm in _maps()])
    store.close()
    client = create_app({"DB": db, "DEMO": False}).test_client()

    def get(query, total):
        def one():
            r = client.get("/fhir/ConceptMap" + query)
            assert r.status_code == 200 and r.get_json()["total"] == total, r.get_json()
        return one

    with bench.timed("first ConceptMap code search (builds the per-revision map index, 310 maps, 80k elements)"):
        get("?source-code=S305-4999&_summary=count", 1)()
    bench.measure("ConceptMap?source-code=<code in a large map>&_summary=count (310 maps)",
                  get("?source-code=S305-4999&_summary=count", 1))
    bench.measure("ConceptMap?source-code=<no such code>&_summary=count (310 maps)",
                  get("?source-code=NOPE&_summary=count", 0))
    bench.measure("ConceptMap?target-code=T42 (310 maps, first page of 50)", get("?target-code=T42", 310))
    bench.measure(f"ConceptMap?source-system={SRC}-7&_summary=count (310 maps)",
                  get(f"?source-system={SRC}-7&_summary=count", 11))
    bench.measure("ConceptMap?_summary=count, no filter (310 maps): the floor", get("?_summary=count", 310))
    with bench.server(db) as base:
        bench.load("HTTP ConceptMap?source-code=<code>&_summary=count, 16 connections",
                   base + "/ConceptMap?source-code=S305-4999&_summary=count")
