"""Foundation figures: the shipped HL7 terminology's import, server start (new store, restart), HTTP metadata/read."""
from __future__ import annotations

import time

import requests

from terminology import open_store
from terminology.hl7 import load_hl7

GENDER = "http://hl7.org/fhir/administrative-gender"
FIRST_REQUESTS = (
    ("ValueSet $validate-code", f"/ValueSet/$validate-code?url=http://hl7.org/fhir/ValueSet/administrative-gender"
                                f"&system={GENDER}&code=male"),
    ("ConceptMap $translate", "/ConceptMap/$translate?system=http://hl7.org/fhir/address-use&code=home"),
    ("CodeSystem $lookup", "/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-no&code=J12.8"),
    ("BCP 47 $validate-code", "/CodeSystem/$validate-code?url=urn:ietf:bcp:47&code=nn-NO"))


def run(bench) -> None:
    db = bench.db("foundation")
    store = open_store(db)
    with bench.timed("import the shipped HL7 terminology (THO 7.0.1 + FHIR R4 core 4.0.1, `import --hl7`)",
                     budget_s=20):
        load_hl7(store)
    store.close()
    # DESIGN's "server start with the demo content": a new store without the HL7 terminology (KODEBRO_HL7=false)
    with bench.server(bench.db("first-start-demo"), env={"KODEBRO_HL7": "false"}):
        _start_row(bench, "server first start on a new store, demo content only (to first /metadata)", budget_s=2)
    first = bench.db("first-start")
    with bench.server(first):
        # once per store: the HL7 terminology is ~5,000 resources more (the default)
        _start_row(bench, "server first start on a new store (demo content + HL7 terminology loaded, to first "
                          "/metadata)", budget_s=5)
    with bench.server(first, workers=1) as base:
        _start_row(bench, "server restart on that store (to first /metadata)", budget_s=2)
        # the first request of a kind a new worker answers: what it imports or builds then, a client waits for
        for name, path in FIRST_REQUESTS:
            t0 = time.perf_counter()
            requests.get(base + path, timeout=30).raise_for_status()
            took = time.perf_counter() - t0
            bench._add({"name": f"first {name} of a new worker (HTTP)", "kind": "once", "seconds": round(took, 3),
                        "peak_rss_mb": 0, "budget": {"s": 0.1}, "within_budget": took <= 0.1})
    with bench.server(db) as base:
        bench.load("HTTP GET /metadata", base + "/metadata")
        bench.load("HTTP search CodeSystem by url", base + "/CodeSystem?url=http://terminology.hl7.org/CodeSystem/v3-ActCode")


def _start_row(bench, name: str, budget_s: float) -> None:
    took = bench.last_start_seconds
    bench._add({"name": name, "kind": "once", "seconds": round(took, 3), "peak_rss_mb": 0,
                "budget": {"s": budget_s}, "within_budget": took <= budget_s})
