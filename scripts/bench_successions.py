"""Succession figures: a generated codebook of 100,000 codes over 10 editions with realistic churn.

Each edition 2016..2024 renames ~2 % of the live codes, retires ~0.3 %, replaces
~0.5 % 1:1, merges ~0.3 % in pairs, splits ~0.3 % into 2-3 alternatives, moves
~0.2 % to a second codebook, reactivates some codes retired two or more editions
before and adds ~0.5 % new codes. The change lists go into the store as the
ConceptMaps Kodebro keeps them as; the graph is built from the store, as a server
process does.
"""
from __future__ import annotations

import os
import random
import resource

from mappings.changelist import Change, to_conceptmaps
from terminology import Catalog, open_store
from terminology.importers import Item
from terminology.loader import load

A = "https://kodebro.no/bench/codebook-a"
B = "https://kodebro.no/bench/codebook-b"
EDITIONS = [str(y) for y in range(2015, 2025)]


def generate(n_codes: int = 100_000, seed: int = 4) -> tuple[list[Change], list[str]]:
    rnd = random.Random(seed)
    counter = [n_codes]

    def fresh(prefix="C"):
        counter[0] += 1
        return f"{prefix}{counter[0]:07d}"

    live = [f"C{i:07d}" for i in range(n_codes)]
    start_codes = list(live)
    retired: list[tuple[str, int]] = []
    changes: list[Change] = []
    for i, ed in enumerate(EDITIONS[1:], 1):
        rnd.shuffle(live)
        n = len(live)
        cut = iter(range(n))

        def take(frac):
            k = int(n * frac)
            return [live[next(cut)] for _ in range(k)]
        gone: set = set()
        for c in take(0.02):
            changes.append(Change(A, ed, "text", c, old_text=f"tekst {c} før {ed}", new_text=f"tekst {c} fra {ed}"))
        for c in take(0.003):
            changes.append(Change(A, ed, "retired", c))
            gone.add(c)
            retired.append((c, i))
        for c in take(0.005):
            changes.append(Change(A, ed, "replaced", c, [fresh()]))
            gone.add(c)
        pair = take(0.006)
        for a, b in zip(pair[::2], pair[1::2]):
            t = fresh()
            changes += [Change(A, ed, "merged", a, [t]), Change(A, ed, "merged", b, [t])]
            gone.update((a, b))
        for c in take(0.003):
            changes.append(Change(A, ed, "split", c, [fresh() for _ in range(rnd.choice((2, 3)))]))
            gone.add(c)
        for c in take(0.002):
            changes.append(Change(A, ed, "moved", c, [fresh("M")], successor_codebook=B))
            gone.add(c)
        back = [c for c, when in retired if i - when >= 2 and rnd.random() < 0.2]
        for c in back:
            changes.append(Change(A, ed, "reactivated", c))
        retired = [(c, w) for c, w in retired if c not in set(back)]
        news = [fresh() for _ in range(int(n * 0.005))]
        for c in news:
            changes.append(Change(A, ed, "new", c, new_text=f"ny kode {c}"))
        successors = [s for ch in changes if ch.edition == ed and ch.kind in ("replaced", "merged", "split")
                      for s in ch.successor]
        live = [c for c in live if c not in gone] + back + news + sorted(set(successors))
    return changes, start_codes


def _rss_now_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


LOCAL = "https://kodebro.no/bench/local"


def _supplied_map() -> bytes:
    """A small request-supplied ConceptMap, as JSON: each request parses its own copy."""
    import orjson
    return orjson.dumps({"resourceType": "ConceptMap", "url": "https://kodebro.no/bench/supplied", "status": "draft",
                         "group": [{"source": LOCAL, "target": A, "element": [
                             {"code": f"L{i}", "target": [{"code": f"C{i:07d}", "equivalence": "equivalent"}]}
                             for i in range(20)]}]})


def _tx_resource(bench, catalog, what: str) -> None:
    """$translate with one tx-resource ConceptMap, in process, as a request does it: a fresh overlay each time."""
    import orjson

    from mappings.translate import TranslateRequest, translate
    body = _supplied_map()
    req = TranslateRequest(code="L7", system=LOCAL, target_system=A)

    def one():
        res = translate(catalog.overlay([orjson.loads(body)]), req)
        assert res.result
    bench.measure(f"$translate with one tx-resource ConceptMap in process ({what})", one)


def _tx_resource_many_maps(bench, n_maps: int = 300) -> None:
    """The same with a server that holds many maps (term banks, codebook-to-codebook maps ...)."""
    maps = [{"resourceType": "ConceptMap", "id": f"bench-map-{i}", "url": f"https://kodebro.no/bench/map-{i}",
             "status": "active", "group": [{"source": f"https://kodebro.no/bench/src-{i % 40}", "target": B,
                                            "element": [{"code": f"S{j}", "target": [
                                                {"code": f"M{j}", "equivalence": "equivalent"}]}
                                                for j in range(100)]}]}
            for i in range(n_maps)]
    store = open_store(bench.db("successions-maps"))
    load(store, [Item("bench", resource=cm, trusted=True) for cm in maps])
    catalog = Catalog(store)
    _tx_resource(bench, catalog, f"{n_maps} stored maps")
    store.close()


def run(bench) -> None:
    from mappings.succession_build import build_from_catalog, graph_for
    from mappings.translate import TranslateRequest, translate

    changes, start_codes = generate()
    db = bench.db("successions")
    store = open_store(db)
    with bench.timed(f"store {len(changes)} generated change rows (100k codes, 10 editions) as ConceptMaps"):
        load(store, [Item("bench", resource=cm, trusted=True) for cm in to_conceptmaps(changes)])
    catalog = Catalog(store)
    catalog.conceptmaps()
    before = _rss_now_mb()
    with bench.timed("succession graph build from the store (100k codes, 10 editions)"):
        sg = graph_for(catalog)
    grown = _rss_now_mb() - before
    bench._add({"name": f"succession graph memory ({sg.g.number_of_nodes()} nodes, "
                        f"{sg.g.number_of_edges()} edges): RSS growth", "kind": "once", "seconds": 0,
                "peak_rss_mb": round(grown, 1), "budget": {}, "within_budget": True})
    del build_from_catalog

    rnd = random.Random(7)
    sample = [rnd.choice(start_codes) for _ in range(2000)]
    reqs = [TranslateRequest(code=c, system=A, version="2015", target_version="2024") for c in sample]
    it = iter(range(10**9))

    def one():
        translate(catalog, reqs[next(it) % len(reqs)])
    bench.measure("$translate across 10 editions in process (generated churn)", one, budget_us=100)

    changed = [c.code for c in changes if c.edition == "2016" and c.kind in ("split", "merged", "replaced")][:500]
    creqs = [TranslateRequest(code=c, system=A, version="2015", target_version="2024") for c in changed]
    it2 = iter(range(10**9))

    def one_changed():
        translate(catalog, creqs[next(it2) % len(creqs)])
    bench.measure("$translate across 10 editions in process (codes changed in the first edition)", one_changed,
                  budget_us=100)
    _tx_resource(bench, catalog, f"{len(catalog.conceptmaps())} stored change-list maps")
    store.close()
    _tx_resource_many_maps(bench)

    import requests
    for attempt in range(3):
        try:
            with bench.server(db) as base:
                code = changed[0]
                url = f"{base}/ConceptMap/$translate?system={A}&code={code}&version=2015&target-version=2024"
                # every worker process builds its graph on first use: reach them all before measuring
                from concurrent.futures import ThreadPoolExecutor
                with ThreadPoolExecutor(16) as pool:
                    list(pool.map(lambda _: requests.get(url, timeout=120), range(64)))
                bench.load("HTTP $translate across 10 editions (16 connections)", url)
            return
        except (requests.RequestException, RuntimeError) as e:   # a slow first /metadata (probe timeout 1 s)
            print(f"server attempt {attempt + 1} failed: {e}", flush=True)
