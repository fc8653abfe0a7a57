"""Batch Bundles of operations and reads: each entry answered in order, failures stay in their entry."""
from __future__ import annotations

from .conftest import ICD10, ICPC2, SIMPLE, FJ, params


def _batch(client, *entries):
    r = client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": list(entries)},
                    content_type=FJ)
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["resourceType"] == "Bundle" and body["type"] == "batch-response"
    return body.get("entry", [])        # (a batch of no entries answers none: FHIR JSON has no empty arrays)


def test_operations_and_reads_in_one_batch(cs_client, catalog):
    h = catalog.find_header("CodeSystem", SIMPLE)
    entries = _batch(
        cs_client,
        {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={ICD10}&code=A000"}},
        {"request": {"method": "POST", "url": "CodeSystem/$lookup"},
         "resource": {"resourceType": "Parameters", "parameter": [
             {"name": "system", "valueUri": ICD10}, {"name": "code", "valueCode": "J12.8"}]}},
        {"request": {"method": "GET", "url": f"/fhir/ConceptMap/$translate?system={ICPC2}&code=K90"}},
        {"request": {"method": "GET", "url": f"CodeSystem/{h.id}/$subsumes?codeA=code2&codeB=code2a"}},
        {"request": {"method": "GET", "url": f"http://localhost/fhir/CodeSystem/{h.id}"}},
        {"request": {"method": "GET", "url": "CodeSystem?url=" + SIMPLE}},
        {"request": {"method": "GET", "url": "CodeSystem/%24lookup?system=" + SIMPLE + "&code=code1"}},
    )
    assert [e["response"]["status"] for e in entries] == ["200"] * 7
    assert params(entries[0]["resource"])["display"][0].startswith("Kolera")
    assert params(entries[1]["resource"])["code"] == ["J128"]
    assert params(entries[2]["resource"])["match"][0]["concept"]["code"] == "I64"
    assert params(entries[3]["resource"])["outcome"] == ["subsumes"]
    assert entries[4]["resource"]["url"] == SIMPLE
    assert entries[5]["resource"]["total"] == 1
    assert params(entries[6]["resource"])["display"] == ["Display 1"]


def test_failing_entries_answer_in_place(cs_client):
    entries = _batch(
        cs_client,
        {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={ICD10}&code=NOPE"}},
        {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={ICD10}&code=A001"}},
        {"request": {"method": "GET", "url": "CodeSystem/$nosuchop"}},
        {"request": {"method": "GET"}},
        "not an entry",
        {"request": {"method": "FETCH", "url": "CodeSystem"}},
        {"request": {"method": "GET", "url": "$lookup"}},
        {"request": {"method": "POST", "url": "CodeSystem/$lookup"}, "resource": ["x"]},
        {"request": {"method": "GET", "url": "CodeSystem/nope"}},
    )
    statuses = [e["response"]["status"] for e in entries]
    assert statuses == ["404", "200", "404", "400", "400", "400", "400", "400", "404"]
    for e in entries:
        if e["response"]["status"] != "200":
            assert e["resource"]["resourceType"] == "OperationOutcome"


def test_whole_batch_errors(cs_client):
    r = cs_client.post("/fhir", json={"resourceType": "Bundle", "type": "transaction", "entry": []},
                       content_type=FJ)
    assert r.status_code == 400
    r = cs_client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": "x"}, content_type=FJ)
    assert r.status_code == 400
    many = [{"request": {"method": "GET", "url": "metadata"}}] * 1001
    r = cs_client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": many}, content_type=FJ)
    assert r.status_code == 422 and r.get_json()["issue"][0]["code"] == "too-costly"
    assert _batch(cs_client) == []


def test_value_set_operations_in_a_batch(cs_client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/simple-all", "status": "active",
          "compose": {"include": [{"system": SIMPLE}]}}
    entries = _batch(
        cs_client,
        {"request": {"method": "POST", "url": "ValueSet/$expand"},
         "resource": {"resourceType": "Parameters", "parameter": [
             {"name": "url", "valueUri": vs["url"]}, {"name": "filter", "valueString": "display 2a"},
             {"name": "tx-resource", "resource": vs}]}},
        {"request": {"method": "POST", "url": "ValueSet/$validate-code"},
         "resource": {"resourceType": "Parameters", "parameter": [
             {"name": "url", "valueUri": vs["url"]}, {"name": "code", "valueCode": "code3"},
             {"name": "system", "valueUri": SIMPLE}, {"name": "tx-resource", "resource": vs}]}},
        {"request": {"method": "GET", "url": f"CodeSystem/$validate-code?url={SIMPLE}&code=nope"}},
    )
    assert [e["response"]["status"] for e in entries] == ["200", "200", "200"]
    codes = [c["code"] for c in entries[0]["resource"]["expansion"]["contains"]]
    assert codes[0] == "code2a"
    assert params(entries[1]["resource"])["result"] == [True]
    assert params(entries[2]["resource"])["result"] == [False]


def test_entry_methods_and_foreign_hosts(cs_client):
    lookup = {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": SIMPLE}, {"name": "code", "valueCode": "code1"}]}
    entries = _batch(
        cs_client,
        {"request": {"method": "PUT", "url": "CodeSystem/$lookup"}, "resource": lookup},
        {"request": {"method": "DELETE", "url": f"CodeSystem/$lookup?system={SIMPLE}&code=code1"}},
        {"request": {"method": "GET", "url": "CodeSystem/$lookup"}, "resource": lookup},
        {"request": {"method": "GET", "url": f"http://elsewhere.example/fhir/CodeSystem/$lookup?system={SIMPLE}"
                                             "&code=code1"}},
        {"request": {"method": "GET", "url": f"http://localhost/other/CodeSystem/$lookup?system={SIMPLE}"
                                             "&code=code1"}},
        {"request": {"method": "GET", "url": f"http://localhost/fhir/CodeSystem/$lookup?system={SIMPLE}"
                                             "&code=code1"}},
    )
    statuses = [e["response"]["status"] for e in entries]
    assert statuses == ["405", "405", "400", "400", "400", "200"]
    assert "GET or POST" in entries[0]["resource"]["issue"][0]["details"]["text"]
    assert "POST" in entries[2]["resource"]["issue"][0]["details"]["text"]
    assert "another server" in entries[3]["resource"]["issue"][0]["details"]["text"]
    assert params(entries[5]["resource"])["display"] == ["Display 1"]


def test_base_url_setting_governs_links_and_batch_urls(tmp_path):
    from fhir_api import create_app
    app = create_app({"DB": str(tmp_path / "b.db"), "DEMO": True, "BASE_URL": "https://tx.example.no/fhir/"})
    c = app.test_client()
    bundle = c.get("/fhir/CodeSystem?_count=1").get_json()
    assert bundle["entry"][0]["fullUrl"].startswith("https://tx.example.no/fhir/CodeSystem/")
    assert bundle["link"][0]["url"].startswith("https://tx.example.no/fhir/CodeSystem?")
    r = c.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": "https://tx.example.no/fhir/metadata"}},
        {"request": {"method": "GET", "url": "http://localhost/fhir/metadata"}}]}, content_type=FJ)
    assert [e["response"]["status"] for e in r.get_json()["entry"]] == ["200", "400"]


def test_tx_resources_of_an_entry_serve_the_entries_after_it(cs_client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/batch-shared", "status": "active",
          "compose": {"include": [{"system": SIMPLE, "concept": [{"code": "code1"}]}]}}
    narrower = {**vs, "compose": {"include": [{"system": SIMPLE, "concept": [{"code": "code3"}]}]}}

    def validate(code, *extra):
        return {"request": {"method": "POST", "url": "ValueSet/$validate-code"},
                "resource": {"resourceType": "Parameters", "parameter": [
                    {"name": "url", "valueUri": vs["url"]}, {"name": "system", "valueUri": SIMPLE},
                    {"name": "code", "valueCode": code}, *extra]}}
    entries = _batch(
        cs_client,
        validate("code1", {"name": "tx-resource", "resource": vs}),
        validate("code1"),                                              # uses the first entry's value set
        validate("code1", {"name": "tx-resource", "resource": narrower}),  # its own resource decides
        {"request": {"method": "POST", "url": "ValueSet/$validate-code"},
         "resource": {"resourceType": "Parameters", "parameter": [
             {"name": "url", "valueUri": "http://example.org/vs/none"}, {"name": "code", "valueCode": "x"},
             {"name": "tx-resource", "resource": {"resourceType": "ValueSet", "url": "http://example.org/vs/bad",
                                                  "status": 5}}]}},
        validate("code1"),                                 # the latest entry's resource of that URL serves
    )
    assert [e["response"]["status"] for e in entries] == ["200", "200", "200", "400", "200"]
    assert [params(e["resource"]).get("result") for e in entries if e["response"]["status"] == "200"] == \
        [[True], [True], [False], [False]]


def test_shared_resources_never_replace_stored_content(cs_client):
    fake = {"resourceType": "CodeSystem", "url": SIMPLE, "version": "0.1.0", "status": "active",
            "content": "complete", "concept": [{"code": "zzz", "display": "Brought along"}]}
    lookup = f"CodeSystem/$lookup?system={SIMPLE}&code=code1"
    entries = _batch(
        cs_client,
        {"request": {"method": "POST", "url": "CodeSystem/$lookup"},
         "resource": {"resourceType": "Parameters", "parameter": [
             {"name": "system", "valueUri": SIMPLE}, {"name": "code", "valueCode": "zzz"},
             {"name": "tx-resource", "resource": fake}]}},
        {"request": {"method": "GET", "url": lookup}},
    )
    assert [e["response"]["status"] for e in entries] == ["200", "200"]
    assert params(entries[1]["resource"])["display"] == ["Display 1"]


def test_odd_entries_are_their_own_400_and_default_ports_are_this_server(cs_client):
    entries = _batch(
        cs_client,
        {"request": {"method": "POST", "url": "ValueSet/$expand"},
         "resource": {"resourceType": "Parameters", "parameter": [
             {"name": "tx-resource", "resource": {"resourceType": "ValueSet", "url": ["a"]}}]}},
        {"request": {"method": "GET", "url": f"http://localhost:80/fhir/CodeSystem/$lookup?system={SIMPLE}"
                                             "&code=code1"}},
        {"request": {"method": "GET", "url": f"http://localhost:8080/fhir/CodeSystem/$lookup?system={SIMPLE}"
                                             "&code=code1"}},
    )
    assert [e["response"]["status"] for e in entries] == ["400", "200", "400"]
