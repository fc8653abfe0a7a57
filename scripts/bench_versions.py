"""Value set versions: `python -m scripts.bench versions`.

One value set URL held in 40 versions (1.0.0 … 4.9.0) and a value set importing it. Naming a version exactly
must cost what a plain lookup costs; an open (`|2?`) or wildcard (`|2.x`) version reads the list of held
versions once per lookup, which is the price of matching them.
"""
from __future__ import annotations

CS = "https://kodebro.no/bench/versions-cs"
VS = "https://kodebro.no/bench/versions-vs"


def _resources() -> list[dict]:
    out = [{"resourceType": "CodeSystem", "id": "bench-versions-cs", "url": CS, "version": "1", "status": "active",
            "content": "complete", "concept": [{"code": f"c{i}", "display": f"Concept {i}"} for i in range(50)]}]
    for major in range(1, 5):
        for minor in range(10):
            out.append({"resourceType": "ValueSet", "id": f"bench-versions-vs-{major}-{minor}", "url": VS,
                        "version": f"{major}.{minor}.0", "status": "active",
                        "compose": {"include": [{"system": CS, "concept": [{"code": f"c{i}"}
                                                                           for i in range(major + minor)]}]}})
    out.append({"resourceType": "ValueSet", "id": "bench-versions-importer", "url": VS + "-importer",
                "version": "1", "status": "active", "compose": {"include": [{"valueSet": [VS + "|2?"]}]}})
    return out


def run(bench) -> None:
    from fhir_api import create_app
    from terminology import Catalog, open_store
    from terminology.importers.base import Item
    from terminology.loader import load
    from terminology.operations.version_rules import find_valueset

    db = bench.db("versions")
    store = open_store(db)
    load(store, [Item("bench", resource=r, trusted=True) for r in _resources()])
    catalog = Catalog(store)
    for version in ("3.4.0", "3?", "3.x", None):
        assert find_valueset(catalog, VS, version) is not None
        bench.measure(f"find_valueset {version or 'latest'} (40 versions held)",
                      lambda v=version: find_valueset(catalog, VS, v), budget_us=100)
    client = create_app({"DB": db, "DEMO": False}).test_client()

    def expand(query, version):
        def one():
            r = client.get("/fhir/ValueSet/$expand?" + query)
            assert r.status_code == 200 and r.get_json()["version"] == version, r.get_json()
        return one

    bench.measure("$expand url|3.4.0 in process", expand(f"url={VS}|3.4.0", "3.4.0"))
    bench.measure("$expand url|3? (open) in process", expand(f"url={VS}|3?", "3.9.0"))
    bench.measure("$expand importer of |2? in process", expand(f"url={VS}-importer", "1"))
    store.close()
