"""review-s14 F1: derived NKPK editions follow REST writes of NCMP/NCSP/NCRP editions (demo store)."""
import copy

import pytest

from fhir_api import create_app

NKPK = "urn:oid:2.16.578.1.12.4.1.1.7275"
NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"
JSON = "application/fhir+json"


@pytest.fixture
def demo(tmp_path):
    return create_app({"DB": str(tmp_path / "k.db"), "DEMO": True}).test_client()


def _lookup(c, system, code, version):
    return c.get(f"/fhir/CodeSystem/$lookup?system={system}&code={code}&version={version}").status_code


def _nkpk_versions(c):
    b = c.get(f"/fhir/CodeSystem?url={NKPK}&_elements=version&_count=100").get_json()
    return sorted(e["resource"]["version"] for e in b.get("entry", []))


def test_put_of_ncmp_edition_rebuilds_derived_nkpk(demo):
    body = copy.deepcopy(demo.get("/fhir/CodeSystem/NCMP-2021?_summary=false").get_json())
    body["concept"].append({"code": "ZZZZ99", "display": "ny prosedyre"})
    r = demo.put("/fhir/CodeSystem/NCMP-2021", json=body, headers={"Content-Type": JSON})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert _lookup(demo, NCMP, "ZZZZ99", "2021") == 200
    assert _lookup(demo, NKPK, "ZZZZ99", "2021") == 200


def test_create_of_ncmp_edition_builds_derived_nkpk(demo):
    body = copy.deepcopy(demo.get("/fhir/CodeSystem/NCMP-2021?_summary=false").get_json())
    body.pop("id")
    body["version"] = "2024"
    body["concept"].append({"code": "ZZZZ98", "display": "ny prosedyre"})
    r = demo.post("/fhir/CodeSystem", json=body, headers={"Content-Type": JSON})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert _lookup(demo, NKPK, "ZZZZ98", "2024") == 200


def test_delete_of_ncmp_edition_rebuilds_or_removes_derived_nkpk(demo):
    code0 = demo.get("/fhir/CodeSystem/NCMP-2021?_summary=false").get_json()["concept"][0]["code"]
    only_2021 = {c["code"] for c in demo.get("/fhir/CodeSystem/NCMP-2021?_summary=false").get_json()["concept"]} \
        - {c["code"] for c in demo.get("/fhir/CodeSystem/NCMP-2020?_summary=false").get_json()["concept"]}
    assert demo.delete("/fhir/CodeSystem/NCMP-2021").status_code == 200
    assert _lookup(demo, NCMP, code0, "2021") == 422   # the edition is no longer held: 422
    # NKPK 2021 no longer answers from the deleted edition: gone, or rebuilt from what remains
    if "2021" in _nkpk_versions(demo):
        for code in only_2021:
            assert _lookup(demo, NKPK, code, "2021") == 404, code
    else:
        assert _lookup(demo, NKPK, code0, "2021") == 422   # NKPK 2021 went with it: not held
    e = demo.get("/fhir/ValueSet/nkpk-aktive/$expand").get_json()
    used = [p["valueUri"] for p in e["expansion"]["parameter"] if p["name"] == "used-codesystem"]
    assert all(not u.endswith("|2021") for u in used), used


def test_batch_put_of_ncmp_edition_rebuilds_derived_nkpk(demo):
    body = copy.deepcopy(demo.get("/fhir/CodeSystem/NCMP-2021?_summary=false").get_json())
    body["concept"].append({"code": "ZZZZ97", "display": "ny prosedyre"})
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": body, "request": {"method": "PUT", "url": "CodeSystem/NCMP-2021"}}]}
    r = demo.post("/fhir", json=bundle, headers={"Content-Type": JSON})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["entry"][0]["response"]["status"].startswith("200"), r.get_json()
    assert _lookup(demo, NKPK, "ZZZZ97", "2021") == 200


def test_nkpk_from_a_file_is_never_touched(demo):
    body = copy.deepcopy(demo.get("/fhir/CodeSystem/NCMP-2021?_summary=false").get_json())
    nkpk = {"resourceType": "CodeSystem", "url": NKPK, "version": "2021", "status": "active",
            "content": "complete", "concept": [{"code": "FILE01", "display": "fra fil"}]}
    r = demo.put(f"/fhir/CodeSystem/{_nkpk_id(demo, '2021')}", json={**nkpk, "id": _nkpk_id(demo, "2021")},
                 headers={"Content-Type": JSON, "X-Kodebro-Replace": "true"})
    assert r.status_code == 200, r.get_data(as_text=True)
    body["concept"].append({"code": "ZZZZ96", "display": "ny prosedyre"})
    assert demo.put("/fhir/CodeSystem/NCMP-2021", json=body, headers={"Content-Type": JSON}).status_code == 200
    assert _lookup(demo, NKPK, "ZZZZ96", "2021") == 404
    assert _lookup(demo, NKPK, "FILE01", "2021") == 200
    assert demo.delete("/fhir/CodeSystem/NCMP-2021").status_code == 200
    assert _lookup(demo, NKPK, "FILE01", "2021") == 200


def _nkpk_id(c, version):
    b = c.get(f"/fhir/CodeSystem?url={NKPK}&version={version}&_elements=id").get_json()
    return b["entry"][0]["resource"]["id"]


def test_delete_of_the_only_source_of_a_year_deletes_that_derived_year(demo):
    # demo: NKPK 2021 is built from NCMP 2021 (NCSP, NCRP end in 2017); no source edition of 2021 remains
    assert "2021" in _nkpk_versions(demo)
    assert demo.delete("/fhir/CodeSystem/NCMP-2021").status_code == 200
    assert _nkpk_versions(demo) == ["2016", "2017", "2019", "2020"]


def test_put_moving_an_edition_to_another_year_moves_the_derived_year(demo):
    body = demo.get("/fhir/CodeSystem/NCMP-2020?_summary=false").get_json()
    body["version"] = "2022"
    assert demo.put("/fhir/CodeSystem/NCMP-2020", json=body, headers={"Content-Type": JSON}).status_code == 200
    assert _nkpk_versions(demo) == ["2016", "2017", "2019", "2021", "2022"]
    ext = demo.get(f"/fhir/CodeSystem/{_nkpk_id(demo, '2022')}").get_json()["extension"]
    assert f"{NCMP}|2022" in [e["valueCanonical"] for e in ext]


def test_refused_write_leaves_derived_nkpk_as_it_was(demo):
    before = demo.get(f"/fhir/CodeSystem/{_nkpk_id(demo, '2021')}?_summary=false").get_json()
    r = demo.delete("/fhir/CodeSystem/NCMP-2021", headers={"If-Match": 'W/"nope"'})
    assert r.status_code == 412
    assert demo.get(f"/fhir/CodeSystem/{_nkpk_id(demo, '2021')}?_summary=false").get_json() == before


def test_create_of_an_ncmp_edition_already_kept_is_still_a_409(demo):
    body = demo.get("/fhir/CodeSystem/NCMP-2021?_summary=false").get_json()
    body.pop("id")
    body["concept"].append({"code": "ZZZZ95", "display": "ny prosedyre"})
    r = demo.post("/fhir/CodeSystem", json=body, headers={"Content-Type": JSON})
    assert r.status_code == 409, r.get_data(as_text=True)
    assert "NCMP-2021" in r.get_data(as_text=True)
    assert _lookup(demo, NKPK, "ZZZZ95", "2021") == 404 and _lookup(demo, NCMP, "ZZZZ95", "2021") == 404


def test_delete_of_an_nkpk_from_a_file_leaves_its_year_derived(demo):
    # review-s14-mends 1: the demo's NKPK 2017 comes from the procedure table file; deleted, the year is
    # built from the NCMP/NCSP/NCRP editions up to 2017 like any other, not left without an NKPK
    b = demo.get(f"/fhir/CodeSystem?url={NKPK}&version=2017&_summary=false").get_json()
    stored = b["entry"][0]["resource"]
    assert not any("nkpk-built-from" in e.get("url", "") for e in stored.get("extension") or ())
    code = stored["concept"][0]["code"]
    assert demo.delete(f"/fhir/CodeSystem/{stored['id']}").status_code == 200
    assert "2017" in _nkpk_versions(demo)
    b = demo.get(f"/fhir/CodeSystem?url={NKPK}&version=2017").get_json()
    rebuilt = b["entry"][0]["resource"]
    assert any("nkpk-built-from" in e.get("url", "") for e in rebuilt.get("extension") or ())
    assert _lookup(demo, NKPK, code, "2017") == 200
