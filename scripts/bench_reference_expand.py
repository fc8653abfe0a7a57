"""Figures for the exclude-version rule (compose.py `_exclude_scope`): $expand and $validate-code of a value set
that includes one version of a 20,000-code system and excludes 2,000 listed codes, the exclude unversioned (it
reads the latest version: only the include's version) and pinned to another version (the versions-apart case,
removal by code)."""
from __future__ import annotations

from terminology import Catalog, load, open_store
from terminology.importers.base import Item
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.validate import ValidateRequest, validate_code

URL = "https://kodebro.no/fhir/CodeSystem/bench-exclude-versions"
N = 20_000


def _cs(version: str) -> dict:
    return {"resourceType": "CodeSystem", "id": "bench-exclude-versions-" + version.replace(".", "-"), "url": URL,
            "version": version, "status": "active", "content": "complete",
            "concept": [{"code": f"C{i:05d}", "display": f"Code {i}"} for i in range(N)]}


def _vs(name: str, exclude_version: str | None) -> dict:
    exc = {"system": URL, "concept": [{"code": f"C{i:05d}"} for i in range(0, N, 10)]}
    if exclude_version:
        exc["version"] = exclude_version
    return {"resourceType": "ValueSet", "url": "https://kodebro.no/fhir/ValueSet/bench-exclude-" + name,
            "status": "active", "compose": {"include": [{"system": URL, "version": "1.0.0"}], "exclude": [exc]}}


def run(bench) -> None:
    db = bench.db("reference_expand")
    store = open_store(db)
    with bench.timed("load two versions of a 20,000-code system"):
        load(store, [Item(resource=r, source="bench", trusted=True) for r in (_cs("1.0.0"), _cs("2.0.0"))])
    catalog = Catalog(store)
    for name, version, total in (("latest", None, N), ("apart", "2.0.0", N - N // 10)):
        vs = _vs(name, version)
        assert expand(catalog, ExpandRequest(valueset=vs, count=0)).total == total
        bench.measure(f"$expand count=10 (exclude {name}), in process",
                      lambda vs=vs: expand(catalog, ExpandRequest(valueset=vs, count=10)), budget_us=200_000)
        bench.measure(f"$validate-code of an excluded code (exclude {name}), in process",
                      lambda vs=vs: validate_code(catalog, ValidateRequest(
                          valueset=vs, codings=[{"system": URL, "code": "C00010"}])), budget_us=2_000)
