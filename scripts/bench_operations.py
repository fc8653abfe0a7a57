"""Operation figures: $lookup, $subsumes and $translate in process, text search on 20,000 and
370,000 concepts, and $lookup / $translate / $expand with a filter over HTTP.

Content: the Norwegian ICD-10 list (shared/data/norway, 19,634 codes) and the
ICPC-2 → ICD-10 conversion map when that folder is present, else generated
stand-ins of the same size; a generated 20,000-code system with Norwegian
words for the text search, and a generated 370,000-concept system with one
synonym per concept (SNOMED CT scale) for the index alone.
"""
from __future__ import annotations

import csv
import itertools
import json
import os
import random

from terminology import Catalog, open_store
from terminology.codesystem import CodeSystemIndex
from terminology.textsearch import TextIndex

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NORWAY = os.path.join(os.path.dirname(ROOT), "shared", "data", "norway")
ICD10 = "http://hl7.org/fhir/sid/icd-10-no"
ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
GEN = "https://kodebro.no/fhir/CodeSystem/bench-generated"
GEN_VS = "https://kodebro.no/fhir/ValueSet/bench-generated"

# real Norwegian clinical words, the seed of the generated displays
_WORDS = ("kolera hjerneslag fødsel øre ånde lunge betennelse svulst ondartet godartet akutt kronisk "
          "uspesifisert annen spesifisert infeksjon smerte brudd skade hjerte nyre lever mage tarm hud "
          "øye blod kar nerve rygg kne hofte skulder fot hånd barn svangerskap diabetes astma allergi "
          "feber hoste kvalme oppkast diaré forstoppelse svimmelhet hodepine tretthet angst depresjon "
          "søvn vekt ernæring mangel overskudd forgiftning komplikasjon etter ved med uten som skyldes "
          "virus bakterie sopp parasitt medfødt ervervet primær sekundær venstre høyre begge sider").split()


def _words(rng: random.Random, n: int) -> list[str]:
    base = list(_WORDS)
    # invented words built from real syllables, so that the vocabulary is large like a codebook's
    syll = ["ka", "lo", "re", "ti", "nø", "må", "sk", "vi", "ar", "en", "or", "fæ", "ul", "be", "tr"]
    while len(base) < n:
        base.append("".join(rng.choice(syll) for _ in range(rng.randint(2, 5))))
    return base


def generated_codesystem(n: int, url: str, synonyms: int = 0, seed: int = 7) -> dict:
    rng = random.Random(seed)
    vocab = _words(rng, 6000)
    concepts = []
    for i in range(n):
        c = {"code": f"{chr(65 + i % 26)}{i:06d}", "display": " ".join(rng.choices(vocab, k=rng.randint(2, 7)))}
        if synonyms:
            c["designation"] = [{"language": "nb", "value": " ".join(rng.choices(vocab, k=rng.randint(2, 6)))}
                                for _ in range(synonyms)]
        concepts.append(c)
    return {"resourceType": "CodeSystem", "url": url, "version": "1", "name": "BenchGenerated",
            "status": "active", "content": "complete", "language": "nb", "concept": concepts}


def icd10_codesystem() -> dict:
    path = os.path.join(NORWAY, "navikt-ICD10.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            rows = json.load(fh)
        concepts = [{"code": r["code"], "display": r["text"]} for r in rows]
    else:
        concepts = generated_codesystem(19634, ICD10)["concept"]
    return {"resourceType": "CodeSystem", "url": ICD10, "version": "2026", "name": "ICD10NO", "status": "active",
            "content": "complete", "language": "nb", "caseSensitive": False, "concept": concepts}


def icpc2_map(icd_codes: list[str]) -> dict:
    path = os.path.join(NORWAY, "icpc2_icd10_map.csv")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            rows = [(r["icpc2_code"], r["icd10_code"]) for r in csv.DictReader(fh)]
    else:
        rows = [(f"X{i:03d}", icd_codes[i * 7]) for i in range(728)]
    return {"resourceType": "ConceptMap", "url": "https://kodebro.no/fhir/ConceptMap/bench-icpc2-icd10",
            "version": "2019", "name": "BenchICPC2ICD10", "status": "active",
            "group": [{"source": ICPC2, "target": ICD10, "element": [
                {"code": s, "target": [{"code": t, "equivalence": "inexact"}]} for s, t in rows]}]}


def _warm_up(urls: list[str], connections: int = 16, rounds: int = 10) -> None:
    """Every worker builds its indexes on first use; measure the steady state, not that.

    Many connections at once, so that every worker process gets some of them.
    """
    import threading

    import requests

    def one():
        with requests.Session() as s:
            for _ in range(rounds):
                for u in urls:
                    s.get(u, timeout=120)

    threads = [threading.Thread(target=one) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _cycle(fn, items):
    it = itertools.cycle(items)
    return lambda: fn(next(it))


def run(bench) -> None:
    from fhir_api.ops_lookup import op_lookup, op_subsumes
    from fhir_api.ops_translate import op_translate
    from fhir_api.params import Params

    icd = icd10_codesystem()
    codes = [c["code"] for c in icd["concept"]]
    cmap = icpc2_map(codes)
    gen = generated_codesystem(20000, GEN)
    vs = {"resourceType": "ValueSet", "url": GEN_VS, "version": "1", "name": "BenchGenerated", "status": "active",
          "compose": {"include": [{"system": GEN}]}}
    db = bench.db("operations")
    store = open_store(db)
    store.write([icd, cmap, gen, vs])
    catalog = Catalog(store)

    sample = codes[::97]
    lookups = [Params([("system", ICD10), ("code", c)], "query") for c in sample]
    bench.measure("$lookup ICD-10-NO in process (handler, no HTTP)",
                  _cycle(lambda p: op_lookup(catalog, p, None), lookups), budget_us=20)
    dotted = [Params([("system", ICD10), ("code", c[:3] + "." + c[3:])], "query") for c in sample if len(c) > 3]
    bench.measure("$lookup dotted ICD-10 code in process", _cycle(lambda p: op_lookup(catalog, p, None), dotted),
                  budget_us=20)
    pairs = [Params([("system", ICD10), ("codeA", a), ("codeB", b)], "query") for a, b in zip(sample, reversed(sample))]
    bench.measure("$subsumes in process", _cycle(lambda p: op_subsumes(catalog, p, None), pairs))
    sources = [e["code"] for e in cmap["group"][0]["element"]][::5]
    trans = [Params([("system", ICPC2), ("code", c), ("targetsystem", ICD10)], "query") for c in sources]
    bench.measure("$translate ICPC-2 → ICD-10 ConceptMap in process",
                  _cycle(lambda p: op_translate(catalog, p, None), trans), budget_us=100)

    queries = ["kolera", "hjerne", "øre betennelse", "foedsel", "akutt sm", "A0001", "ondartet svulst lunge",
               "skyldes virus", "kr", "barn"]
    gen_cs = catalog.codesystem(GEN)
    with bench.timed("text index build, 20,000 generated codes"):
        gen_idx = TextIndex.of(gen_cs)
    bench.measure("text filter search, 20,000 codes (TextIndex)", _cycle(gen_idx.search, queries), budget_us=1000)
    icd_idx = TextIndex.of(catalog.codesystem(ICD10))
    bench.measure("text filter search, ICD-10-NO 19,634 codes (TextIndex)", _cycle(icd_idx.search, queries),
                  budget_us=1000)

    big_n = 100_000 if bench.quick else 370_000
    big_res = generated_codesystem(big_n, GEN + "-big", synonyms=2, seed=11)
    big = CodeSystemIndex.from_resource(big_res)
    del big_res
    with bench.timed(f"text index build, {big_n:,} concepts with 2 synonyms each"):
        big_idx = TextIndex.of(big)
    bench.measure(f"text filter search, {big_n:,} concepts (TextIndex)", _cycle(big_idx.search, queries),
                  budget_us=50_000, seconds=4)
    del big, big_idx
    store.close()

    with bench.server(db) as base:
        _warm_up([f"{base}/CodeSystem/$lookup?system={ICD10}&code=J128",
                  f"{base}/ConceptMap/$translate?system={ICPC2}&code=K90&targetsystem={ICD10}",
                  f"{base}/ValueSet/$expand?url={GEN_VS}&filter=kolera&count=20"])
        bench.load("HTTP GET $lookup ICD-10-NO", f"{base}/CodeSystem/$lookup?system={ICD10}&code=J128",
                   budget_rps=2700, budget_p99_ms=10)
        bench.load("HTTP GET $translate ICPC-2 → ICD-10",
                   f"{base}/ConceptMap/$translate?system={ICPC2}&code=K90&targetsystem={ICD10}")
        bench.load("HTTP GET $expand 20,000-code value set, filter=kolera",
                   f"{base}/ValueSet/$expand?url={GEN_VS}&filter=kolera&count=20", budget_rps=800)
