"""Bench: a CodeSystem a request brings, indexed once for the process (terminology/index_cache.py).

In-process CodeSystem/$validate-code against a 12,000-concept CodeSystem sent as a tx-resource with every
request, as FHIR validators and the HL7 test suite send it:
- "first request": nothing known of the body (shape check, digest, index build);
- "index every request": the shape check's verdict remembered but the index cache emptied before each call
  (what every request paid before the cache);
- "repeated request": the verdict and the index both kept (one serialisation of the body for the digest).
The body is posted as pre-written JSON bytes, so the figures do not include the test client writing it.
"""
from __future__ import annotations

import hashlib
import json

import orjson

N_CONCEPTS = 12_000
URL = "http://example.org/bench/supplied-cs"


def _codesystem() -> dict:
    return {"resourceType": "CodeSystem", "url": URL, "version": "1", "status": "active", "content": "complete",
            "caseSensitive": True, "property": [{"code": "status", "type": "code"}],
            "concept": [{"code": f"S{i:05d}", "display": f"Supplied concept number {i}",
                         "designation": [{"language": "nb", "value": f"Tilført begrep nummer {i}"}],
                         "property": [{"code": "status", "valueCode": "active"}]} for i in range(N_CONCEPTS)]}


def _request(cs: dict, code: str) -> bytes:
    return orjson.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": URL}, {"name": "code", "valueCode": code},
        {"name": "display", "valueString": f"Supplied concept number {int(code[1:])}"},
        {"name": "tx-resource", "resource": cs}]})


def run(bench) -> None:
    from fhir_api import create_app, supplied
    from terminology.index_cache import IndexShelf
    from terminology.index_cache import SUPPLIED_INDEXES, content_digest

    client = create_app({"DB": bench.db("supplied"), "DEMO": False}).test_client()
    cs = _codesystem()
    body = _request(cs, "S01234")

    def call():
        r = client.post("/fhir/CodeSystem/$validate-code", data=body, content_type="application/fhir+json")
        assert r.status_code == 200, r.get_json()
        assert any(p["name"] == "result" and p["valueBoolean"] for p in r.get_json()["parameter"])

    # warm imports and the app on a small body, so the first request below pays for the big body alone
    small = {**cs, "url": URL + "/small", "concept": cs["concept"][:5]}
    client.post("/fhir/CodeSystem/$validate-code", data=orjson.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": small["url"]}, {"name": "code", "valueCode": "S00001"},
        {"name": "tx-resource", "resource": small}]}), content_type="application/fhir+json")

    SUPPLIED_INDEXES.clear()
    supplied._VERDICTS._kept.clear()
    with bench.timed(f"$validate-code, {N_CONCEPTS:,}-concept tx-resource: first request"):
        call()

    def index_every_request():
        SUPPLIED_INDEXES.clear()
        call()

    before = IndexShelf.builds
    bench.measure(f"$validate-code, {N_CONCEPTS:,}-concept tx-resource: index every request (before)",
                  index_every_request, n=5 if bench.quick else 20, seconds=4.0)
    built = IndexShelf.builds - before

    call()
    before, hits = IndexShelf.builds, SUPPLIED_INDEXES.stats["hits"]
    bench.measure(f"$validate-code, {N_CONCEPTS:,}-concept tx-resource: repeated request (kept index)",
                  call, n=20 if bench.quick else 100, seconds=4.0)
    print(f"   index builds: {built} with the cache emptied each call; {IndexShelf.builds - before} over the "
          f"repeated calls ({SUPPLIED_INDEXES.stats['hits'] - hits} taken from the cache)", flush=True)

    # the digest itself: orjson (now) against the stdlib json it replaced
    bench.measure(f"content digest of the {N_CONCEPTS:,}-concept body (orjson, sorted keys)",
                  lambda: content_digest(cs), n=20 if bench.quick else 100)
    bench.measure(f"content digest of the {N_CONCEPTS:,}-concept body (stdlib json, before)",
                  lambda: hashlib.sha256(json.dumps(cs, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                                    allow_nan=False).encode()).digest(),
                  n=10 if bench.quick else 50)
    SUPPLIED_INDEXES.clear()
