"""$translate with stored ConceptMaps that declare their value sets (scopes), in process.

A map that declares a source value set only speaks for the codes in it, so every translation asks
that value set about the code. The stored map keeps the value set resolved (per store revision);
these figures show what a translation costs with an implicit whole-system scope, with a stored
value set of regex filters, and with a request that brings its own tx-resource (no kept scope).
The codeableConcept lines go through the $translate handler: five codings of one request, with a
tx-resource ConceptMap beside the two stored scoped maps, so every coding asks all three maps.
"""
from __future__ import annotations

import itertools

from terminology import Catalog, open_store

from .bench_operations import ICD10, ICPC2, icd10_codesystem, icpc2_map

SCOPE_VS = "https://kodebro.no/fhir/ValueSet/bench-icd10-chapters-a-n"


def _reversed_map(forward: dict, url: str, scope: str) -> dict:
    """ICD-10 → ICPC-2 (the rows of the ICPC-2 → ICD-10 map turned round), declared for `scope`."""
    by_icd: dict[str, list[str]] = {}
    for el in forward["group"][0]["element"]:
        for t in el["target"]:
            by_icd.setdefault(t["code"], []).append(el["code"])
    return {"resourceType": "ConceptMap", "url": url, "version": "1", "status": "active", "sourceUri": scope,
            "group": [{"source": ICD10, "target": ICPC2, "element": [
                {"code": icd, "target": [{"code": c, "equivalence": "inexact"} for c in icpc]}
                for icd, icpc in by_icd.items()]}]}


def run(bench) -> None:
    from mappings.translate import TranslateRequest, translate

    icd = icd10_codesystem()
    forward = icpc2_map([c["code"] for c in icd["concept"]])
    implicit = _reversed_map(forward, "https://kodebro.no/fhir/ConceptMap/bench-implicit-scope", f"{ICD10}?fhir_vs")
    filtered = _reversed_map(forward, "https://kodebro.no/fhir/ConceptMap/bench-filtered-scope", SCOPE_VS)
    vs = {"resourceType": "ValueSet", "url": SCOPE_VS, "version": "1", "status": "active",
          "compose": {"include": [{"system": ICD10,
                                   "filter": [{"property": "code", "op": "regex", "value": "[A-N].*"}]}]}}
    db = bench.db("mappings")
    store = open_store(db)
    store.write([icd, implicit, filtered, vs])
    catalog = Catalog(store)
    codes = [el["code"] for el in implicit["group"][0]["element"]][::3]

    for cm in (implicit, filtered):
        it = itertools.cycle(codes)
        bench.measure(f"$translate stored map with sourceUri {cm['sourceUri'].rsplit('/', 1)[-1]} in process",
                      lambda cm=cm, it=it: translate(catalog, TranslateRequest(code=next(it), system=ICD10,
                                                                               conceptmap_url=cm["url"])),
                      budget_us=100)
    shadow = dict(vs, compose={"include": [{"system": ICD10, "filter": [
        {"property": "code", "op": "regex", "value": "[A-M].*"}]}]})
    it = itertools.cycle(codes)
    bench.measure("$translate stored scoped map, request with a tx-resource ValueSet (no kept scope)",
                  lambda: translate(catalog.overlay([shadow]), TranslateRequest(code=next(it), system=ICD10,
                                                                                conceptmap_url=filtered["url"])))
    _codeable_concept(bench, catalog, codes)
    store.close()


def _codeable_concept(bench, catalog, codes: list[str]) -> None:
    from fhir_api.ops_translate import op_translate
    from fhir_api.params import Params

    # a small map the request brings: its url is not asked for, so the stored maps from ICD-10 answer too
    mine = {"resourceType": "ConceptMap", "url": "https://kodebro.no/fhir/ConceptMap/bench-tx-resource",
            "version": "1", "status": "active", "group": [{"source": ICD10, "target": ICPC2, "element": [
                {"code": c, "target": [{"code": "A99", "equivalence": "inexact"}]} for c in codes[:50]]}]}
    batches = [codes[i:i + 5] for i in range(0, len(codes) - 5, 5)]
    requests = [Params([("codeableConcept", {"coding": [{"system": ICD10, "code": c} for c in batch]}),
                        ("tx-resource", mine)], "body") for batch in batches]
    it = itertools.cycle(requests)
    bench.measure("$translate codeableConcept of 5 codings with a tx-resource map (handler)",
                  lambda: op_translate(catalog, next(it), None))
    singles = [Params([("coding", {"system": ICD10, "code": batch[0]}), ("tx-resource", mine)], "body")
               for batch in batches]
    it1 = itertools.cycle(singles)
    bench.measure("$translate one coding with a tx-resource map (handler)",
                  lambda: op_translate(catalog, next(it1), None))
