"""FHIR search over many CodeSystems and ValueSets: `python -m scripts.bench search`.

The store holds 1,500 CodeSystems (20 concepts each) and 1,500 ValueSets. A search on the header
fields (url, name, version, status, date) must cost a scan of headers, never a read of bodies;
a search on a body field (description, jurisdiction) reads bodies once and then from the cache.
"""
from __future__ import annotations

N = 1500


def _resources() -> list[dict]:
    out = []
    for i in range(N):
        out.append({"resourceType": "CodeSystem", "id": f"bench-cs-{i}", "url": f"https://kodebro.no/bench/cs-{i % 500}",
                    "version": f"{i // 500}.0", "name": f"BenchCodeSystem{i}", "status": "active",
                    "content": "complete", "date": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
                    "description": f"Kodeverk nummer {i} for måling av blodtrykk",
                    "jurisdiction": [{"coding": [{"system": "urn:iso:std:iso:3166", "code": "NO" if i % 2 else "SE"}]}],
                    "concept": [{"code": f"C{i}-{j}", "display": f"Concept {j}"} for j in range(20)]})
        out.append({"resourceType": "ValueSet", "id": f"bench-vs-{i}", "url": f"https://kodebro.no/bench/vs-{i}",
                    "version": "1", "name": f"BenchValueSet{i}", "status": "active" if i % 3 else "draft",
                    "compose": {"include": [{"system": f"https://kodebro.no/bench/cs-{i % 500}"}]}})
    return out


def run(bench) -> None:
    from fhir_api import create_app
    from terminology import open_store
    from terminology.importers.base import Item
    from terminology.loader import load

    db = bench.db("search")
    store = open_store(db)
    load(store, [Item("bench", resource=r, trusted=True) for r in _resources()])
    store.close()
    client = create_app({"DB": db, "DEMO": False}).test_client()

    def get(query, total):
        def one():
            r = client.get("/fhir/" + query)
            assert r.status_code == 200 and r.get_json().get("total") == total, r.get_json()
        return one

    def post(form, total):
        def one():
            r = client.post("/fhir/CodeSystem/_search", data=form)
            assert r.status_code == 200 and r.get_json()["total"] == total, r.get_json()
        return one

    bench.measure("CodeSystem?url=<url> (3 versions of 1,500 systems)",
                  get("CodeSystem?url=https://kodebro.no/bench/cs-7", 3), budget_us=1000)
    bench.measure("CodeSystem?url=<url>&version=1.0", get("CodeSystem?url=https://kodebro.no/bench/cs-7&version=1.0", 1))
    bench.measure("CodeSystem?name=BenchCodeSystem14&_summary=count (header scan)",
                  get("CodeSystem?name=BenchCodeSystem14&_summary=count", 111))
    bench.measure("CodeSystem?date=ge2020&date=lt2022&_summary=count (header scan)",
                  get("CodeSystem?date=ge2020&date=lt2022&_summary=count", 200))
    bench.measure("CodeSystem?_sort=-date,name&_count=20 (1,500 sorted)", get("CodeSystem?_sort=-date,name&_count=20", N))
    with bench.timed("first CodeSystem?description=… (reads 1,500 bodies)"):
        get("CodeSystem?description=kodeverk&_summary=count", N)()
    bench.measure("CodeSystem?description:contains=blodtrykk&_summary=count (bodies cached)",
                  get("CodeSystem?description:contains=blodtrykk&_summary=count", N))
    bench.measure("CodeSystem?jurisdiction=NO&_summary=count", get("CodeSystem?jurisdiction=NO&_summary=count", N // 2))
    bench.measure("ValueSet?reference=<system>&_summary=count", get("ValueSet?reference=https://kodebro.no/bench/cs-3&_summary=count", 3))
    with bench.timed("first CodeSystem?code=C7-3 (builds the indexes of 1,500 systems)"):
        get("CodeSystem?code=C7-3&_summary=count", 1)()
    bench.measure("CodeSystem?code=C7-3&_summary=count (indexes built)", get("CodeSystem?code=C7-3&_summary=count", 1))
    bench.measure("POST CodeSystem/_search name=BenchCodeSystem14", post({"name": "BenchCodeSystem14"}, 111))
    # the largest searches a request may ask (fhir_api.search MAX_*), and what is refused at once
    many = ",".join(f"NoSuchName{i}" for i in range(1000))
    bench.measure("CodeSystem?name=<1,000 alternatives>&_summary=count (the most allowed)",
                  get(f"CodeSystem?name={many}&_summary=count", 0))
    bench.measure("CodeSystem?code=<1,000 alternatives>&_summary=count",
                  get("CodeSystem?code=" + ",".join(f"X{i}" for i in range(1000)) + "&_summary=count", 0))
    fifty = "&".join(["name=B"] * 50)
    bench.measure("CodeSystem?name=B x 50 (the most search tests)", get(f"CodeSystem?{fifty}&_summary=count", N))

    def refused(form):
        def one():
            r = client.post("/fhir/CodeSystem/_search", data=form, content_type="application/x-www-form-urlencoded")
            assert r.status_code == 400, r.status_code
        return one
    bench.measure("POST _search with 20,000 alternatives (refused, 400)",
                  refused("name=" + ",".join(f"n{i}" for i in range(20_000))))
    bench.measure("GET name=B x 1,150 (refused, 400)", refused("&".join(["name=B"] * 1150)))
    with bench.server(db) as base:
        bench.load("HTTP ValueSet?url=<url>, 16 connections", base + "/ValueSet?url=https://kodebro.no/bench/vs-42")
        bench.load("HTTP CodeSystem?name=<prefix>&_summary=count, 16 connections",
                   base + "/CodeSystem?name=BenchCodeSystem14&_summary=count")
