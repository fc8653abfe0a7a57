"""Bench: resources a request brings, shared between the parts of one request (terminology.index_cache.IndexShelf).

A batch Bundle of 50 CodeSystem/$validate-code entries and a $batch-validate-code of 50 checks, all against one
2,000-code CodeSystem sent as a tx-resource (once, by the first entry: batch.py hands it to the later ones; or
with every entry, as copies). "index per overlay" is how every overlay indexed its resources before the shelf
(each overlay given a shelf of its own): the figure the shelf is measured against.

And a $batch-validate-code of 500 checks against a value set importing 300 others, all sent as tx-resources:
the import graph is walked once for the batch (its facts are kept with the batch's overlay,
terminology/operations/revision_cache.py; 500 walks before, 4.5-5.8 s on a loaded machine).

And a wide import fan (tests/valueset_operations/compose/fan.py: 300 middles each importing the same 300 leaves, 90,300
references to 601 value sets, all tx-resources), $validate-code and $expand of its top, linear in the references since
the value sets used are kept in sets beside their lists (terminology/operations/compose.py `note_valueset`;
a list scanned per reference made it quadratic before).
"""
from __future__ import annotations

import contextlib

N_CODES = 2_000
N_ENTRIES = 50
URL = "http://example.org/bench/overlay-cs"


def _codesystem() -> dict:
    return {"resourceType": "CodeSystem", "url": URL, "version": "1", "status": "active", "content": "complete",
            "concept": [{"code": f"K{i:05d}", "display": f"Kode nummer {i} for benken",
                         "designation": [{"language": "en", "value": f"Code number {i}"}]} for i in range(N_CODES)]}


def _validate(code: str, cs: dict | None) -> dict:
    params = [{"name": "url", "valueUri": URL}, {"name": "code", "valueCode": code}]
    if cs is not None:
        params.append({"name": "tx-resource", "resource": cs})
    return {"resourceType": "Parameters", "parameter": params}


def _bundle(cs: dict, copies: bool) -> dict:
    codes = [f"K{i * 37 % N_CODES:05d}" for i in range(N_ENTRIES)]
    return {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "POST", "url": "CodeSystem/$validate-code"},
         "resource": _validate(code, cs if copies or i == 0 else None)} for i, code in enumerate(codes)]}


def _batch_validate(cs: dict) -> dict:
    return {"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "resource": cs}] + [
        {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": URL}, {"name": "code", "valueCode": f"K{i * 37 % N_CODES:05d}"}]}}
        for i in range(N_ENTRIES)]}


N_CHECKS = 500
N_IMPORTS = 300
TOP = "http://example.org/bench/overlay-top"


def _imports_batch(cs: dict) -> dict:
    leaves = [{"resourceType": "ValueSet", "url": f"http://example.org/bench/overlay-leaf-{i}", "version": "1",
               "status": "active", "compose": {"include": [{"system": URL, "concept": [{"code": f"K{i:05d}"}]}]}}
              for i in range(N_IMPORTS)]
    top = {"resourceType": "ValueSet", "url": TOP, "version": "1", "status": "active",
           "compose": {"include": [{"valueSet": [leaf["url"]]} for leaf in leaves]}}
    return {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": TOP}] + [
        {"name": "tx-resource", "resource": r} for r in [cs, top] + leaves] + [
        {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
            {"name": "system", "valueUri": URL}, {"name": "code", "valueCode": f"K{i * 7 % N_IMPORTS:05d}"}]}}
        for i in range(N_CHECKS)]}


@contextlib.contextmanager
def _index_per_overlay():
    """Every overlay with a shelf of its own: each indexes the resources it was given, as before the shelf."""
    from fhir_api import supplied
    keep = supplied._shelf
    supplied._shelf = lambda: None
    try:
        yield
    finally:
        supplied._shelf = keep


N_FAN = 300


def _builds() -> int:
    from terminology.index_cache import IndexShelf
    return IndexShelf.builds


def run(bench) -> None:
    from fhir_api import create_app
    client = create_app({"DB": bench.db("overlay"), "DEMO": False}).test_client()
    cs = _codesystem()
    cases = [
        (f"batch Bundle, {N_ENTRIES} $validate-code sharing one {N_CODES:,}-code tx-resource",
         "/fhir", _bundle(cs, copies=False)),
        (f"batch Bundle, {N_ENTRIES} $validate-code each with a copy of a {N_CODES:,}-code tx-resource",
         "/fhir", _bundle(cs, copies=True)),
        (f"$batch-validate-code, {N_ENTRIES} checks, shared {N_CODES:,}-code tx-resource",
         "/fhir/CodeSystem/$batch-validate-code", _batch_validate(cs)),
    ]

    for name, path, body in cases:
        for label, ctx in (("index per overlay (before)", _index_per_overlay),
                           ("shared shelf", contextlib.nullcontext)):
            with ctx():
                def call(path=path, body=body):
                    r = client.post(path, json=body, content_type="application/fhir+json")
                    assert r.status_code == 200, r.get_json()
                call()      # warm-up: imports, validation of the bodies' shapes
                before = _builds()
                call()
                built = _builds() - before
                bench.measure(f"{name}: {label}, {built} index build(s)", call, n=3 if bench.quick else 10,
                              seconds=4.0)

    from terminology.operations import compose_checks
    body = _imports_batch(cs)
    def call(body=body):
        r = client.post("/fhir/ValueSet/$batch-validate-code", json=body, content_type="application/fhir+json")
        assert r.status_code == 200, r.get_json()
    call()
    before = compose_checks.WALKS[0]
    call()
    walks = compose_checks.WALKS[0] - before
    bench.measure(f"$batch-validate-code, {N_CHECKS} checks x {N_IMPORTS} imported value sets "
                  f"(tx-resources), {walks} walk(s)", call, n=3 if bench.quick else 5, seconds=8.0)

    from tests.valueset_operations.compose.fan import S, TOP, fan_resources
    setup = [{"name": "tx-resource", "resource": r} for r in fan_resources(N_FAN)]
    fan_cases = [("$validate-code", "/fhir/ValueSet/$validate-code",
                  [{"name": "url", "valueUri": TOP}, {"name": "system", "valueUri": S},
                   {"name": "code", "valueCode": "a"}]),
                 ("$expand", "/fhir/ValueSet/$expand", [{"name": "url", "valueUri": TOP}])]
    for op, path, params in fan_cases:
        body = {"resourceType": "Parameters", "parameter": params + setup}
        # (a list scan per reference made these 2.6 s / 1.3 s before the sets: docs/benchmarks.md)
        def call(path=path, body=body):
            r = client.post(path, json=body, content_type="application/fhir+json")
            assert r.status_code == 200, r.get_json()
        bench.measure(f"{op} through an import fan of {N_FAN} x {N_FAN} value sets (tx-resources)", call,
                      n=2 if bench.quick else 5, seconds=8.0)
