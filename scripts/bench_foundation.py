"""Foundation figures: FHIR package import, server start, HTTP metadata/read."""
from __future__ import annotations

import os

from terminology import import_paths, open_store

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "tests", "data", "fhir-packages", "hl7.terminology.r4-7.0.1.tgz")


def run(bench) -> None:
    db = bench.db("foundation")
    store = open_store(db)
    with bench.timed("import hl7.terminology.r4 7.0.1 (--skip-invalid)", budget_s=20):
        import_paths(store, [PACKAGE], skip_invalid=True)
    store.close()
    with bench.server(bench.db("demo-start")) as base:
        bench._add({"name": "server start with demo content (to first /metadata)", "kind": "once",
                    "seconds": round(bench.last_start_seconds, 3), "peak_rss_mb": 0,
                    "budget": {"s": 2}, "within_budget": bench.last_start_seconds <= 2})
    with bench.server(db) as base:
        bench.load("HTTP GET /metadata", base + "/metadata")
        bench.load("HTTP search CodeSystem by url", base + "/CodeSystem?url=http://terminology.hl7.org/CodeSystem/v3-ActCode")
