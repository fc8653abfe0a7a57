"""SNOMED CT figures on a synthetic national-edition-sized release (scripts/gen_rf2.py).

Import time and peak RSS (budget 120 s, 2 GB), index load, then in process:
$subsumes, $lookup, $expand with a text filter and with a << ECL value set,
ECL evaluation and repeated $validate-code against an ECL value set (given as a value set, and named by its
URL as a request names it; also over HTTP), $translate to ICD-10 with and without patient context.
`--quick` uses a release at a tenth of the size.
"""
from __future__ import annotations

import os
import random
import shutil
from urllib.parse import urlencode

from scripts.gen_rf2 import generate

SNOMED = "http://snomed.info/sct"


def run(bench) -> None:
    import terminology.snomed  # noqa: F401  (registers SnomedIndex)
    from mappings.translate import TranslateRequest, translate
    from terminology import Catalog, import_paths, open_store
    from terminology.operations.expand import ExpandRequest, expand
    from terminology.operations.lookup import LookupRequest, lookup
    from terminology.operations.subsumes import subsumes
    from terminology.operations.validate import ValidateRequest, validate_code
    from terminology.implicit import resolve

    scale = 0.1 if bench.quick else 1.0
    rf2 = os.path.join(bench.workdir, f"rf2-synthetic-{scale}")
    if not os.path.isdir(rf2):
        generate(rf2, scale=scale, quiet=True)
    db = bench.db("snomed")
    store = open_store(db)
    with bench.timed(f"import synthetic RF2 (scale {scale}: {int(370_000 * scale):,} active concepts)",
                     budget_s=120 * scale, budget_rss_mb=2048):
        import_paths(store, [rf2], fmt="rf2")
    catalog = Catalog(store)
    with bench.timed("load SnomedIndex from the store", budget_rss_mb=2048):
        cs = catalog.codesystem(SNOMED)
    with bench.timed("build SNOMED text index (first text search)", budget_rss_mb=2048):
        cs.search("warm")
    rnd = random.Random(3)
    active = [c for i, c in enumerate(cs.codes) if cs.active[i]]
    sample = rnd.sample(active, 2000)
    pairs = [(rnd.choice(sample), rnd.choice(sample)) for _ in range(2000)]
    # pairs where the first subsumes the second, so the answer walks the hierarchy
    for code in sample[:500]:
        anc = list(cs.ancestors(code))
        if anc:
            pairs.append((rnd.choice(anc), code))
    rnd.shuffle(pairs)
    it = {"i": 0}

    def nxt(seq):
        it["i"] = (it["i"] + 1) % len(seq)
        return seq[it["i"]]

    bench.measure("SNOMED $subsumes in process",
                  lambda: subsumes(catalog, system=SNOMED, code_a=nxt(pairs)[0], code_b=pairs[it["i"]][1]),
                  budget_us=20)
    bench.measure("SNOMED $lookup in process",
                  lambda: lookup(catalog, LookupRequest(code=nxt(sample), system=SNOMED)), budget_us=20)
    bench.measure("SNOMED $lookup displayLanguage nb, properties parent+inactive",
                  lambda: lookup(catalog, LookupRequest(code=nxt(sample), system=SNOMED, languages=["nb"],
                                                        properties=["parent", "inactive"])))
    words = ["akutt lungebet", "fracture femur", "kronisk", "bakteriell infeksjon lever", "tumour", "brudd kne",
             "hjarte", "ulcer stomach"]
    bench.measure("SNOMED text search in the index (SnomedIndex.search)", lambda: cs.search(nxt(words)),
                  budget_us=50_000)
    vs_all = resolve(catalog, SNOMED + "?fhir_vs")
    vs_isa = resolve(catalog, SNOMED + "?fhir_vs=isa/404684003")
    bench.measure("SNOMED $expand ?fhir_vs filter=<text> count=20",
                  lambda: expand(catalog, ExpandRequest(valueset=vs_all, filter=nxt(words), count=20)),
                  budget_us=50_000, seconds=4)
    bench.measure("SNOMED $expand isa/404684003 filter=<text> count=20",
                  lambda: expand(catalog, ExpandRequest(valueset=vs_isa, filter=nxt(words), count=20)),
                  budget_us=50_000, seconds=4)
    bench.measure("SNOMED $expand isa/404684003 count=20, no filter (a page: no total)",
                  lambda: expand(catalog, ExpandRequest(valueset=vs_isa, count=20)), seconds=4)
    mids = [c for c in sample if 20 <= len(cs.descendant_numbers(cs.pos[c])) <= 2000][:50] or sample[:50]
    ecl_sets = [resolve(catalog, f"{SNOMED}?fhir_vs=ecl/<< {c}") for c in mids]
    bench.measure("SNOMED $expand ecl/<< <concept> (20-2000 members) count=100",
                  lambda: expand(catalog, ExpandRequest(valueset=nxt(ecl_sets), count=100)), seconds=4)
    kids = sorted(cs.children_of(cs.pos["404684003"]), key=lambda k: -len(cs.descendant_numbers(k)))
    big = f"<< 404684003 MINUS << {cs.codes[kids[len(kids) // 2]]}"
    # the index remembers evaluated filters; _filter_numbers is the evaluation itself
    evaluate = getattr(cs, "_filter_numbers", cs.filter_numbers)
    size = len(evaluate("constraint", "=", big))
    bench.measure(f"SNOMED ECL evaluation '<< 404684003 MINUS << x' ({size:,} concepts, index only, uncached)",
                  lambda: evaluate("constraint", "=", big), seconds=3)
    ecl_url = f"{SNOMED}?fhir_vs=ecl/{big}"
    ecl_vs = resolve(catalog, ecl_url)
    members = sorted(cs.filter_numbers("constraint", "=", big))
    probe = [cs.codes[i] for i in rnd.sample(members, min(500, len(members)))] + sample[:500]
    rnd.shuffle(probe)
    bench.measure(f"SNOMED ValueSet $validate-code ecl/'<< 404684003 MINUS << x', repeated, in process",
                  lambda: validate_code(catalog, ValidateRequest(valueset=ecl_vs,
                                                                 codings=[{"system": SNOMED, "code": nxt(probe)}])),
                  budget_us=20, seconds=3)
    # what a request naming the value set by its URL does (url=...?fhir_vs=ecl/...): resolve it every time
    bench.measure(f"SNOMED ValueSet $validate-code url=...?fhir_vs=ecl/'<< 404684003 MINUS << x', resolved per call",
                  lambda: validate_code(catalog, ValidateRequest(valueset=resolve(catalog, ecl_url),
                                                                 codings=[{"system": SNOMED, "code": nxt(probe)}])),
                  budget_us=20, seconds=3)
    mapped = list(cs.maps.get("447562003", {}))
    mapped_codes = [cs.codes[i] for i in rnd.sample(mapped, min(2000, len(mapped)))]
    url = SNOMED + "?fhir_cm=447562003"
    bench.measure("SNOMED $translate to ICD-10 (no context) in process",
                  lambda: translate(catalog, TranslateRequest(code=nxt(mapped_codes), system=SNOMED,
                                                              conceptmap_url=url)), budget_us=100)
    deps = [("http://snomed.info/id/263495000", {"system": SNOMED, "code": "248152002"}),
            ("http://snomed.info/id/445518008", {"value": 42, "code": "a"})]
    bench.measure("SNOMED $translate to ICD-10 with sex+age context in process",
                  lambda: translate(catalog, TranslateRequest(code=nxt(mapped_codes), system=SNOMED,
                                                              conceptmap_url=url, dependencies=deps)),
                  budget_us=100)
    store.close()
    # the same question over HTTP, as an EHR asks it: GET with the implicit value set's URL, one worker per core
    query = urlencode({"url": ecl_url, "system": SNOMED, "code": probe[0]})
    with bench.server(db) as base:
        bench.load("HTTP SNOMED $validate-code url=...?fhir_vs=ecl/'<< 404684003 MINUS << x', 16 connections",
                   f"{base}/ValueSet/$validate-code?{query}", budget_rps=2700, budget_p99_ms=10)
    if not bench.quick:   # a full-size release and store take about 1 GB of disk
        shutil.rmtree(rf2, ignore_errors=True)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
