"""ValueSet figures: $validate-code, $expand (text filter, is-a branch, paging) and $related, in process
and over HTTP.

Content: a generated 20,000-code system (Norwegian clinical words, four
levels of hierarchy, one Norwegian synonym per code), the value set of all
its codes and an is-a value set of one branch, loaded into a fresh store.
"""
from __future__ import annotations

import random

from terminology import Catalog, load, open_store
from terminology.importers.base import Item
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.related import relate
from terminology.operations.validate import ValidateRequest, validate_code

URL = "https://kodebro.no/fhir/CodeSystem/bench-valueset"
VS_ALL = "https://kodebro.no/fhir/ValueSet/bench-valueset-all"
VS_BRANCH = "https://kodebro.no/fhir/ValueSet/bench-valueset-branch"
N = 20_000
_WORDS = ("kolera hjerneslag fødsel øre ånde lunge betennelse svulst ondartet godartet akutt kronisk "
          "uspesifisert annen spesifisert infeksjon smerte brudd skade hjerte nyre lever mage tarm hud "
          "øye blod kar nerve rygg kne hofte skulder fot hånd barn svangerskap diabetes astma allergi "
          "feber hoste kvalme oppkast diaré forstoppelse svimmelhet hodepine tretthet angst depresjon").split()


def generated(n: int = N) -> list[dict]:
    rng = random.Random(11)
    syll = ["ka", "lo", "re", "ti", "nø", "må", "sk", "vi", "ar", "en", "or", "fæ", "ul", "be", "tr"]
    vocab = list(_WORDS) + ["".join(rng.choice(syll) for _ in range(rng.randint(2, 5))) for _ in range(4000)]
    concepts = []
    for i in range(n):
        c = {"code": f"{chr(65 + i % 26)}{i:05d}", "display": " ".join(rng.choices(vocab, k=rng.randint(2, 6))),
             "designation": [{"language": "nb", "value": " ".join(rng.choices(vocab, k=3))}]}
        if i >= 26:  # a tree: every code under an earlier one, a few levels deep
            c["property"] = [{"code": "parent", "valueCode": concepts[(i - 26) // 4]["code"]}]
        concepts.append(c)
    cs = {"resourceType": "CodeSystem", "id": "bench-valueset", "url": URL, "version": "1", "name": "BenchValueSet",
          "status": "active", "content": "complete", "language": "nb", "hierarchyMeaning": "is-a",
          "property": [{"code": "parent", "type": "code"}], "concept": concepts}
    vs_all = {"resourceType": "ValueSet", "id": "bench-valueset-all", "url": VS_ALL, "status": "active",
              "compose": {"include": [{"system": URL}]}}
    vs_branch = {"resourceType": "ValueSet", "id": "bench-valueset-branch", "url": VS_BRANCH, "status": "active",
                 "compose": {"include": [{"system": URL, "filter": [
                     {"property": "concept", "op": "is-a", "value": concepts[1]["code"]}]}]}}
    return [cs, vs_all, vs_branch]


def run(bench) -> None:
    db = bench.db("valueset")
    store = open_store(db)
    resources = generated()
    with bench.timed(f"import generated {N}-code system + 2 value sets"):
        load(store, [Item(resource=r, source="bench", trusted=True) for r in resources])
    catalog = Catalog(store)
    vs_all = catalog.valueset(VS_ALL)
    vs_branch = catalog.valueset(VS_BRANCH)
    code = resources[0]["concept"][12345]["code"]
    catalog.codesystem(URL)

    bench.measure("$validate-code (value set of 20,000 codes) in process",
                  lambda: validate_code(catalog, ValidateRequest(valueset=vs_all,
                                                                 codings=[{"system": URL, "code": code}])),
                  budget_us=20)
    bench.measure("CodeSystem $validate-code in process",
                  lambda: validate_code(catalog, ValidateRequest(codesystem=URL, codings=[{"code": code}])),
                  budget_us=20)
    expand(catalog, ExpandRequest(valueset=vs_all, filter="kolera", count=20))   # builds the text index once
    bench.measure("$expand filter='kolera' count=20, 20,000 codes, in process",
                  lambda: expand(catalog, ExpandRequest(valueset=vs_all, filter="kolera", count=20)),
                  budget_us=1000)
    bench.measure("$expand filter='hje kol' count=20 (two words), in process",
                  lambda: expand(catalog, ExpandRequest(valueset=vs_all, filter="hje kol", count=20)),
                  budget_us=1000)
    bench.measure("$expand filter='hje' count=20 (short prefix), in process",
                  lambda: expand(catalog, ExpandRequest(valueset=vs_all, filter="hje", count=20)),
                  budget_us=1000)
    bench.measure("$expand is-a branch filter='kolera' count=20, in process",
                  lambda: expand(catalog, ExpandRequest(valueset=vs_branch, filter="kolera", count=20)))
    bench.measure("$expand offset=10000 count=20 (paging, no filter), in process",
                  lambda: expand(catalog, ExpandRequest(valueset=vs_all, offset=10000, count=20,
                                                        exclude_nested=True)))
    bench.measure("$related all codes vs an is-a branch (whole system against a filter), in process",
                  lambda: relate(catalog, vs_all, vs_branch), seconds=2)
    store.close()
    _batch_with_supplied_codesystem(bench, db, resources[0])

    with bench.server(db) as base:
        _warm(base + f"/ValueSet/$expand?url={VS_ALL}&filter=kolera&count=20")
        bench.load("HTTP ValueSet/$expand filter='kolera' count=20",
                   f"{base}/ValueSet/$expand?url={VS_ALL}&filter=kolera&count=20", budget_rps=800)
        bench.load("HTTP ValueSet/$expand filter='hje kol' count=20",
                   f"{base}/ValueSet/$expand?url={VS_ALL}&filter=hje%20kol&count=20", budget_rps=800)
        _warm(f"{base}/ValueSet/$validate-code?url={VS_ALL}&system={URL}&code={code}")
        bench.load("HTTP ValueSet/$validate-code",
                   f"{base}/ValueSet/$validate-code?url={VS_ALL}&system={URL}&code={code}",
                   budget_rps=2700, budget_p99_ms=10)


def _batch_with_supplied_codesystem(bench, db: str, cs: dict, checks: int = 200) -> None:
    """$batch-validate-code with a 20,000-code CodeSystem as shared tx-resource: indexed once per request,
    not once per check."""
    from fhir_api import create_app
    cs = {**cs, "url": URL + "-supplied"}
    codes = [c["code"] for c in cs["concept"]]
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": cs["url"]}, {"name": "tx-resource", "resource": cs}] + [
        {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
            {"name": "code", "valueCode": codes[i * 7 % len(codes)]}]}} for i in range(checks)]}
    client = create_app({"DB": db, "DEMO": False}).test_client()
    with bench.timed(f"$batch-validate-code, {checks} checks, shared tx-resource of {N:,} codes (test client)",
                     budget_s=5):
        r = client.post("/fhir/CodeSystem/$batch-validate-code", json=body, content_type="application/fhir+json")
        assert r.status_code == 200


def _warm(url: str, seconds: float = 2.0, threads: int = 16) -> None:
    """Keep every worker busy for a while before measuring: the first request a worker serves loads
    the code system and builds its text index, which is start-up work, not the figure wanted."""
    import threading
    import time

    import requests
    stop = time.monotonic() + seconds

    def hammer():
        s = requests.Session()
        while time.monotonic() < stop:
            s.get(url, timeout=120)
    pool = [threading.Thread(target=hammer) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
