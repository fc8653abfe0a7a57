"""Foundation figures: the shipped HL7 terminology's import, server start (new store, restart), HTTP metadata/read."""
from __future__ import annotations

from terminology import open_store
from terminology.hl7 import load_hl7


def run(bench) -> None:
    db = bench.db("foundation")
    store = open_store(db)
    with bench.timed("import the shipped HL7 terminology (THO 7.0.1 + FHIR R4 core 4.0.1, `import --hl7`)",
                     budget_s=20):
        load_hl7(store)
    store.close()
    first = bench.db("first-start")
    with bench.server(first):
        _start_row(bench, "server first start on a new store (demo content + HL7 terminology loaded, to first "
                          "/metadata)", budget_s=20)
    with bench.server(first):
        _start_row(bench, "server restart on that store (to first /metadata)", budget_s=2)
    with bench.server(db) as base:
        bench.load("HTTP GET /metadata", base + "/metadata")
        bench.load("HTTP search CodeSystem by url", base + "/CodeSystem?url=http://terminology.hl7.org/CodeSystem/v3-ActCode")


def _start_row(bench, name: str, budget_s: float) -> None:
    took = bench.last_start_seconds
    bench._add({"name": name, "kind": "once", "seconds": round(took, 3), "peak_rss_mb": 0,
                "budget": {"s": budget_s}, "within_budget": took <= budget_s})
