"""The demo content shipped in the package: loads through the importers and answers the README examples."""
from __future__ import annotations

from terminology.identifiers import ICD10_NO, NCMP, NCRP, NKPK

from .conftest import params, props

PHYSIO = "https://kodebro.no/fhir/ValueSet/fysioterapi-prosedyrer"


def test_demo_loads_without_rejections(store):
    from terminology.demo import load_demo
    report = load_demo(store)
    assert report.rejected == []
    urls = {h.url for h in store.headers()}
    assert {ICD10_NO, NCMP, NCRP, NKPK, PHYSIO} <= urls


def test_demo_lookup_and_rules(demo_client):
    p = params(demo_client.get("/fhir/CodeSystem/$lookup",
                               query_string={"system": ICD10_NO, "code": "J12.8"}).get_json())
    assert p["display"] == "Annen spesifisert viruspneumoni"
    r = demo_client.get("/fhir/CodeSystem/$lookup",
                        query_string={"system": NCRP, "code": "AXW96X", "property": "*"})
    assert props(r.get_json())["requiresAdditionalCode"] == ["ZXM"]


def test_demo_physiotherapy_code_list(demo_client):
    def ok(code):
        r = demo_client.get("/fhir/ValueSet/$validate-code",
                            query_string={"url": PHYSIO, "system": NCMP, "code": code})
        return params(r.get_json())["result"]
    assert ok("OAAJ00") is True
    assert ok("JAGD55") is False          # an NCMP code, but not one the clinic keeps


def test_demo_ncmp_2021_reactivated_and_retired_codes(demo_client):
    def lookup(code, version):
        return demo_client.get("/fhir/CodeSystem/$lookup", query_string={
            "system": NCMP, "code": code, "version": version, "property": "*"})
    p = props(lookup("ZWUU40", "2021").get_json())
    assert p.get("status") == ["retired"]
    assert lookup("OAEA00", "2021").status_code == 200


def test_demo_namingsystems_make_oids_and_aliases_work(demo_client):
    for system in ("2.16.578.1.12.4.1.1.7270", "http://helsedir.no/fhir/CodeSystem/no-kodeverk-7270-ncrp"):
        r = demo_client.get("/fhir/CodeSystem/$lookup", query_string={"system": system, "code": "SAA0AP"})
        assert params(r.get_json())["system"] == NCRP
