"""Bench: resources a request brings, shared between the parts of one request (terminology.catalog.IndexShelf).

A batch Bundle of 50 CodeSystem/$validate-code entries and a $batch-validate-code of 50 checks, all against one
2,000-code CodeSystem sent as a tx-resource (once, by the first entry: batch.py hands it to the later ones; or
with every entry, as copies). "index per overlay" is how every overlay indexed its resources before the shelf
(each overlay given a shelf of its own): the figure the shelf is measured against.
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


def _builds() -> int:
    from terminology.catalog import IndexShelf
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
