"""The HL7 terminology shipped with Kodebro (terminology/hl7/: FHIR R4 core 4.0.1 and THO 7.0.1, the packages as
published, see terminology/hl7/README.md) loads into an empty store at first start, so the code systems FHIR binds
its own elements to answer as on any reference server; THO answers for the URLs both packages define."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import requests

from scripts.server_process import ROOT, running_server

GENDER = "http://hl7.org/fhir/administrative-gender"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


@pytest.fixture(scope="module")
def hl7_store(tmp_path_factory):
    from terminology import open_store
    from terminology.hl7 import fill_empty_store
    store = open_store(str(tmp_path_factory.mktemp("hl7") / "k.db"))
    first = fill_empty_store(store, demo=False, hl7=True)
    yield store, first.report
    store.close()


@pytest.fixture(scope="module")
def client(hl7_store):
    from fhir_api import create_app
    store, _report = hl7_store
    return create_app({"DB": store.path, "DEMO": False, "HL7": False}).test_client()


def _value(params: dict, name: str):
    for p in params["parameter"]:
        if p["name"] == name:
            return next(v for k, v in p.items() if k.startswith("value"))
    return None


def test_the_code_systems_fhir_binds_to_answer(client):
    r = client.get(f"/fhir/CodeSystem/$validate-code?url={GENDER}&code=female")
    assert r.status_code == 200
    assert (_value(r.json, "result"), _value(r.json, "display"), _value(r.json, "version")) == (True, "Female", "4.0.1")
    r = client.get("/fhir/ValueSet/$expand?url=http://hl7.org/fhir/ValueSet/administrative-gender")
    assert sorted(c["code"] for c in r.json["expansion"]["contains"]) == ["female", "male", "other", "unknown"]
    r = client.get("/fhir/CodeSystem/$validate-code?url=http://hl7.org/fhir/publication-status&code=retired")
    assert _value(r.json, "result") is True


def test_tho_answers_for_the_urls_both_packages_define(hl7_store, client):
    store, _report = hl7_store
    versions = sorted(h.version for h in store.headers() if h.type == "CodeSystem" and h.url == ACT_CODE)
    assert versions == ["9.0.0"]        # THO 7.0.1's; core 4.0.1 carries the 2018-08-12 copy
    r = client.get(f"/fhir/CodeSystem/$lookup?system={ACT_CODE}&code=AMB")
    assert r.status_code == 200 and _value(r.json, "version") == "9.0.0"
    assert _value(r.json, "display") == "ambulatory"


def test_no_core_copy_of_a_tho_url_is_read(hl7_store):
    from terminology.hl7 import CORE, THO, hl7_items
    seen: dict = {}
    for item in hl7_items():
        res = item.resource or {}
        if res.get("url"):
            seen.setdefault((res["resourceType"], res["url"]), set()).add(item.source.split(":package/")[0])
    assert not [k for k, where in seen.items() if len(where) > 1]
    assert ("CodeSystem", ACT_CODE) in seen and seen[("CodeSystem", ACT_CODE)] == {THO}
    assert seen[("CodeSystem", GENDER)] == {CORE}


def test_the_packages_invalid_resources_are_skipped_by_name(hl7_store):
    _store, report = hl7_store
    names = {src.rsplit("/", 1)[-1] for src, _rid, _why in report.rejected}
    # THO: NamingSystems without uniqueId.type; core: a url holding '|'
    assert {"NamingSystem-MeSH.json", "NamingSystem-v3-loinc.json", "CodeSystem-v2-2.1-0006.json"} <= names
    assert len(report.rejected) < 20
    assert report.counts()["CodeSystem"]["added"] > 1000


def test_a_store_holding_anything_is_left_as_it_is(tmp_path):
    from terminology import open_store
    from terminology.hl7 import fill_empty_store
    store = open_store(str(tmp_path / "k.db"))
    fill_empty_store(store, demo=True, hl7=False)
    before = len(store.headers())
    assert fill_empty_store(store, demo=True, hl7=True) is None
    assert len(store.headers()) == before
    store.close()


def test_demo_and_hl7_load_in_one_transaction_and_remove_demo_keeps_hl7(tmp_path):
    from terminology import open_store
    from terminology.demo import demo_headers
    from terminology.hl7 import fill_empty_store
    db = str(tmp_path / "k.db")
    store = open_store(db)
    first = fill_empty_store(store, demo=True, hl7=True)
    assert store.generation() == 1          # one write: a start cut off half-way leaves an empty store
    assert (first.demo, first.namingsystems) == (34, 6)
    assert re.fullmatch(r"\d{4} CodeSystem, 77 ConceptMap, 658 NamingSystem, \d{4} ValueSet \(\d+ invalid R4 "
                        r"resources of the packages skipped\)", first.hl7_summary())
    assert len(demo_headers(store)) == 34
    store.close()
    r = _kodebro("remove", "--demo", "--yes", db=db)
    assert r.returncode == 0 and "deleted 34 resource(s)" in r.stdout
    store = open_store(db)
    left = [h for h in store.headers() if h.url == GENDER]
    assert left and not demo_headers(store)
    store.close()


def test_the_setting_is_on_unless_turned_off(monkeypatch):
    from fhir_api.settings import load_settings
    monkeypatch.delenv("KODEBRO_HL7", raising=False)
    assert load_settings()["HL7"] is True
    monkeypatch.setenv("KODEBRO_HL7", "false")
    assert load_settings()["HL7"] is False


def _kodebro(*args, db):
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, KODEBRO_DB=db), timeout=300)


def test_import_hl7_into_a_store_started_without_it(tmp_path):
    db = str(tmp_path / "k.db")
    r = _kodebro("import", "--hl7", db=db)
    assert r.returncode == 0, r.stderr
    added = int(re.search(r"^CodeSystem: (\d+) added, 0 replaced$", r.stdout, re.M).group(1))
    assert added > 1000
    assert re.search(r"^\d+ invalid R4 resource\(s\) of the HL7 packages skipped; the rest was imported$", r.stderr,
                     re.M)
    again = _kodebro("import", "--hl7", db=db)
    assert again.returncode == 0 and f"CodeSystem: 0 added, 0 replaced, {added} unchanged" in again.stdout


def test_import_hl7_stands_alone(tmp_path):
    r = _kodebro("import", "--hl7", "--namingsystems", db=str(tmp_path / "k.db"))
    assert r.returncode == 2
    assert "--hl7 imports the shipped HL7 terminology on its own" in r.stderr
    assert not os.path.exists(tmp_path / "k.db")      # refused before the store was opened


def test_serve_on_a_new_store_loads_it_and_says_so(tmp_path):
    db = str(tmp_path / "k.db")
    log = tmp_path / "serve.log"
    with running_server(db, workers=1, log=str(log), env={"KODEBRO_HL7": "true"}, timeout=180) as (base, _took):
        r = requests.get(f"{base}/CodeSystem/$lookup", params={"system": GENDER, "code": "other"}, timeout=10)
    assert r.status_code == 200 and _value(r.json(), "display") == "Other"
    text = log.read_text()
    assert "loading the demo content and the HL7 terminology (FHIR R4 core 4.0.1, HL7 Terminology THO 7.0.1)" in text
    assert re.search(r"^loaded the HL7 terminology: \d{4} CodeSystem, 77 ConceptMap, \d+ NamingSystem", text, re.M)


def test_it_is_tagged_so_people_and_clients_can_tell_it_from_the_codebooks(hl7_store, client):
    from terminology.identifiers import HL7_TAG, is_hl7
    store, _report = hl7_store
    assert all(is_hl7(store.body(h.pk)) for h in store.headers())
    tag = f"{HL7_TAG['system']}|{HL7_TAG['code']}"
    r = client.get("/fhir/CodeSystem", query_string={"_tag": tag, "_summary": "true", "_count": "1000"})
    assert r.json["total"] > 1000
    # the search page reads the tag from the summary and pages on with the next link
    assert HL7_TAG["code"] in {t["code"] for t in r.json["entry"][0]["resource"]["meta"]["tag"]}
    assert any(link["relation"] == "next" for link in r.json["link"])


def test_list_counts_it_in_one_line_unless_asked(tmp_path, hl7_db):
    import shutil
    db = str(tmp_path / "k.db")
    shutil.copy(hl7_db, db)
    assert _kodebro("import", "--namingsystems", db=db).returncode == 0
    short = _kodebro("list", db=db).stdout
    assert short.startswith("CodeSystems: 0 code systems, 0 editions\n")
    assert "NamingSystems (6):" in short and GENDER not in short
    assert re.search(r"^HL7 terminology \(reference data, FHIR R4 core 4\.0\.1 and THO 7\.0\.1, with ISO 3166 and ISO 4217\): "
                     r"\d{4} CodeSystem, "
                     r"77 ConceptMap, 658 NamingSystem, \d{4} ValueSet; `kodebro list --hl7` lists them$", short, re.M)
    full = _kodebro("list", "--hl7", db=db).stdout
    assert f"  {GENDER}  4.0.1 (4 concepts)" in full and "HL7 terminology (reference data" not in full


def test_placeholders_without_codes_are_not_loaded(hl7_store, client):
    """The core package's SNOMED CT CodeSystem has content not-present: stored, every SNOMED CT code would be
    'valid' on a server that holds no SNOMED CT edition."""
    store, _report = hl7_store
    assert not [h for h in store.headers() if h.url == "http://snomed.info/sct"]
    r = client.get("/fhir/CodeSystem/$validate-code?url=http://snomed.info/sct&code=22298006")
    assert _value(r.json, "result") is False
    assert "could not be found" in _value(r.json, "message")


def test_a_code_system_answers_by_its_own_oid_too(client):
    """HL7 v2 messages and CDA documents name code systems by OID (CodeSystem.identifier): v2-0001 is
    2.16.840.1.113883.18.2, v3 AdministrativeGender 2.16.840.1.113883.5.1."""
    r = client.get("/fhir/CodeSystem/$validate-code?url=urn:oid:2.16.840.1.113883.18.2&code=M")
    assert (_value(r.json, "result"), _value(r.json, "system"), _value(r.json, "display")) == \
        (True, "http://terminology.hl7.org/CodeSystem/v2-0001", "Male")
    r = client.get("/fhir/CodeSystem/$lookup?system=2.16.840.1.113883.5.1&code=F")
    assert r.status_code == 200 and _value(r.json, "display") == "Female"
    r = client.get("/fhir/CodeSystem/$lookup?system=urn:oid:2.16.840.1.113883.5.999999&code=F")
    assert r.status_code in (404, 422)


def test_an_oid_several_code_systems_claim_names_none_of_them(client):
    """THO's triggerEventID (a fragment) and v3-triggerEventID (complete) both claim 2.16.840.1.113883.1.18: the
    fragment must not answer a made-up code 'valid' for it."""
    r = client.get("/fhir/CodeSystem/$validate-code?url=urn:oid:2.16.840.1.113883.1.18&code=ZZZZ")
    assert _value(r.json, "result") is False
    assert "could not be found" in _value(r.json, "message")


def test_a_code_system_the_request_brings_answers_by_its_own_url(client):
    import json
    mine = {"resourceType": "CodeSystem", "url": "urn:oid:2.16.840.1.113883.18.2", "status": "active",
            "content": "complete", "concept": [{"code": "X", "display": "Mine"}]}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": mine["url"]}, {"name": "code", "valueCode": "X"},
        {"name": "tx-resource", "resource": mine}]}
    r = client.post("/fhir/CodeSystem/$validate-code", data=json.dumps(body), content_type="application/fhir+json")
    assert (_value(r.json, "result"), _value(r.json, "display")) == (True, "Mine")
