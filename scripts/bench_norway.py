"""Norwegian codebooks: import of NAV's full ICD-10 list, and the operations coders use over it."""
from __future__ import annotations

import os
from urllib.parse import urlencode

from terminology import Catalog, import_paths, open_store
from terminology.identifiers import ICD10_NO
from terminology.norway.rules import MAIN_CONDITION_VS, REPORTABLE_VS
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.lookup import LookupRequest, lookup
from terminology.operations.validate import ValidateRequest, validate_code

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICD10 = os.path.join(ROOT, "tests", "data", "norway", "navikt-ICD10-2026.json")


def run(bench) -> None:
    db = bench.db("norway")
    store = open_store(db)
    with bench.timed("import NAV ICD-10 2026 (19,634 codes + WHO groupings)", budget_s=2):
        import_paths(store, [ICD10])
    with bench.timed("re-import (replace) the same edition", budget_s=2):
        import_paths(store, [ICD10])
    catalog = Catalog(store)
    main_vs = catalog.valueset(MAIN_CONDITION_VS, "2026")
    reportable_vs = catalog.valueset(REPORTABLE_VS, "2026")
    catalog.codesystem(ICD10_NO, "2026")      # build the index once, as a running server has it

    bench.measure("$lookup J12.8 in process", lambda: lookup(catalog, LookupRequest(code="J12.8", system=ICD10_NO)),
                  budget_us=20)
    bench.measure("$validate-code U07.1 vs main-condition VS in process",
                  lambda: validate_code(catalog, ValidateRequest(valueset=main_vs, codings=[
                      {"system": ICD10_NO, "code": "U07.1"}])), budget_us=20)
    bench.measure("$validate-code J12.8 vs main-condition VS in process",
                  lambda: validate_code(catalog, ValidateRequest(valueset=main_vs, codings=[
                      {"system": ICD10_NO, "code": "J12.8"}])), budget_us=20)
    bench.measure("$expand filter=kolera (reportable, 19,634) in process",
                  lambda: expand(catalog, ExpandRequest(valueset=reportable_vs, filter="kolera", count=20)),
                  budget_us=1000)
    bench.measure("$expand filter='hjerteinfarkt fremre' in process",
                  lambda: expand(catalog, ExpandRequest(valueset=reportable_vs, filter="hjerteinfarkt fremre",
                                                        count=20)), budget_us=1000)
    store.close()
    _xml_rows(bench, db)
    with bench.server(db) as base:
        q = urlencode({"system": ICD10_NO, "code": "J12.8"})
        bench.load("HTTP $lookup J12.8", f"{base}/CodeSystem/$lookup?{q}", budget_rps=2700, budget_p99_ms=10)
        q = urlencode({"url": MAIN_CONDITION_VS, "system": ICD10_NO, "code": "U07.1"})
        bench.load("HTTP $validate-code U07.1 main condition", f"{base}/ValueSet/$validate-code?{q}",
                   budget_rps=2700, budget_p99_ms=10)
        q = urlencode({"url": REPORTABLE_VS, "filter": "kolera", "count": 20})
        bench.load("HTTP $expand filter=kolera", f"{base}/ValueSet/$expand?{q}", budget_rps=800)
        # the same answers in FHIR XML: held to the JSON budgets (DESIGN names none of its own)
        q = urlencode({"system": ICD10_NO, "code": "J12.8", "_format": "xml"})
        bench.load("HTTP $lookup J12.8 in XML", f"{base}/CodeSystem/$lookup?{q}", budget_rps=2700,
                   budget_p99_ms=10)
        q = urlencode({"url": MAIN_CONDITION_VS, "system": ICD10_NO, "code": "U07.1", "_format": "xml"})
        bench.load("HTTP $validate-code U07.1 main condition in XML", f"{base}/ValueSet/$validate-code?{q}",
                   budget_rps=2700, budget_p99_ms=10)
        q = urlencode({"url": REPORTABLE_VS, "filter": "kolera", "count": 20, "_format": "xml"})
        bench.load("HTTP $expand filter=kolera in XML", f"{base}/ValueSet/$expand?{q}", budget_rps=800)


def _xml_rows(bench, db: str) -> None:
    """Writing and reading FHIR XML in process: a $lookup answer, and a 1,000-code page of an expansion, as the
    API answers them in JSON."""
    from fhir_api import create_app
    from terminology.fhir_xml.read import from_xml
    from terminology.fhir_xml.write import to_xml
    client = create_app({"DB": db, "DEMO": False, "HL7": False}).test_client()
    looked = client.get("/fhir/CodeSystem/$lookup?" + urlencode({"system": ICD10_NO, "code": "J12.8"})).get_json()
    page = client.get("/fhir/ValueSet/$expand?" + urlencode({"url": REPORTABLE_VS, "count": 1000})).get_json()
    assert len(page["expansion"]["contains"]) == 1000
    bench.measure("FHIR XML: write the $lookup J12.8 answer", lambda: to_xml(looked))
    bench.measure("FHIR XML: read the $lookup J12.8 answer", lambda b=to_xml(looked).encode(): from_xml(b))
    bench.measure("FHIR XML: write a 1,000-code $expand page", lambda: to_xml(page), n=50)
    bench.measure("FHIR XML: read a 1,000-code $expand page", lambda b=to_xml(page).encode(): from_xml(b), n=50)
