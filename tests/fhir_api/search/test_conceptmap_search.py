"""ConceptMap search (R4 source, target, *-system, *-code, other, dependson, product) and R5-shaped maps.

The demo content is real (terminology/demo/README.md): the ICPC-2 → ICD-10 map
(ehelse slice) and the særkode/NCMP/NCSP/NCRP change lists. Edge cases use small
maps written here.
"""

import pytest

from terminology.loader import import_paths

FJ = "application/fhir+json"
ICPC2, ICD10 = "http://hl7.org/fhir/sid/icpc-2", "http://hl7.org/fhir/sid/icd-10-no"
NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"


def ids(client, query):
    r = client.get("/fhir/ConceptMap" + query)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    got = sorted(e["resource"]["id"] for e in body.get("entry", []))
    assert body["total"] == len(got)
    return got


def cm(rid, **extra):
    body = {"resourceType": "ConceptMap", "id": rid, "url": f"http://example.org/cm/{rid}", "version": "1",
            "status": "active", "group": [{"source": "http://example.org/cs/a", "target": "http://example.org/cs/b",
                                           "element": [{"code": "x", "target": [{"code": "y",
                                                                                 "equivalence": "equivalent"}]}]}]}
    body.update(extra)
    return body


def put(client, body, status=(200, 201)):
    r = client.put(f"/fhir/ConceptMap/{body['id']}", json=body, content_type=FJ)
    assert r.status_code in status, r.get_json()
    return r


# --- real maps (demo content) --------------------------------------------------------

def test_source_and_target_code(demo_client):
    assert ids(demo_client, "?source-code=A01") == ["ICPC2toICD10-2019"]
    assert ids(demo_client, "?source-code=OAEA00") == ["changes-ncmp-2020", "changes-ncmp-2021"]
    # ICD-10 is written without the dot in the map: the dotted form finds it, as $translate reads it
    assert ids(demo_client, "?target-code=R52.9") == ["ICPC2toICD10-2019"]
    assert ids(demo_client, "?source-code=NOSUCHCODE") == []


def test_token_system_forms(demo_client):
    assert ids(demo_client, f"?source-code={ICPC2}|A01") == ["ICPC2toICD10-2019"]
    assert ids(demo_client, f"?source-code={ICD10}|A01") == []
    # the bare OID names the same code system as its urn:oid form
    assert ids(demo_client, "?source-code=2.16.578.1.12.4.1.1.7220|OAEA00") == ["changes-ncmp-2020",
                                                                                 "changes-ncmp-2021"]
    assert ids(demo_client, "?source-code=|OAEA00") == []          # `|code`: a group without a system
    # changes-ncmp-2017: seed 001's 2017 text changes (WDAJ15, OBCA10)
    assert ids(demo_client, f"?source-code={NCMP}|") == ["changes-ncmp-2017", "changes-ncmp-2020",
                                                        "changes-ncmp-2021"]
    assert ids(demo_client, f"?target-code={ICD10}|R52.9") == ["ICPC2toICD10-2019"]


def test_or_and_semantics(demo_client):
    assert ids(demo_client, "?source-code=OAEA00,A01") == ["ICPC2toICD10-2019", "changes-ncmp-2020",
                                                          "changes-ncmp-2021"]
    assert ids(demo_client, "?source-code=OAEA00&source-code=A01") == []
    # the 2021 change list keeps OAEA00 (reactivated); the 2020 one retires it without a target
    assert ids(demo_client, "?source-code=OAEA00&target-code=OAEA00") == ["changes-ncmp-2021"]
    assert ids(demo_client, "?source-code=OAEA00&version=2020") == ["changes-ncmp-2020"]


def test_systems(demo_client):
    assert ids(demo_client, f"?source-system={ICPC2}") == ["ICPC2toICD10-2019"]
    assert ids(demo_client, f"?target-system={ICD10}") == ["ICPC2toICD10-2019"]
    assert ids(demo_client, f"?source-system={NCMP}") == ["changes-ncmp-2017", "changes-ncmp-2020",
                                                         "changes-ncmp-2021"]
    assert len(ids(demo_client, f"?target-system={NCMP}")) == 6
    assert ids(demo_client, f"?source-system={ICD10}") == []


def test_source_and_target_value_sets(demo_client):
    vs = ICPC2 + "?fhir_vs"
    assert ids(demo_client, f"?source={vs}") == ["ICPC2toICD10-2019"]
    assert ids(demo_client, f"?source-uri={vs}") == ["ICPC2toICD10-2019"]
    assert ids(demo_client, f"?target={ICD10}?fhir_vs") == ["ICPC2toICD10-2019"]
    assert ids(demo_client, f"?target-uri={vs}") == []


def test_paging_and_count_keep_the_filter(demo_client):
    page = demo_client.get(f"/fhir/ConceptMap?target-system={NCMP}&_count=2").get_json()
    assert page["total"] == 6 and len(page["entry"]) == 2
    nxt = next(l["url"] for l in page["link"] if l["relation"] == "next")
    assert "target-system=" in nxt
    counted = demo_client.get("/fhir/ConceptMap?source-code=OAEA00&_summary=count").get_json()
    assert counted["total"] == 2 and "entry" not in counted


def test_unknown_parameters_stay_errors(demo_client):
    strict = {"Prefer": "handling=strict"}  # without it R4 has them ignored (tests/fhir_api/search/test_search_r4.py)
    r = demo_client.get("/fhir/ConceptMap?bogus=1", headers=strict)
    assert r.status_code == 400 and "source-code" in r.get_json()["issue"][0]["details"]["text"]
    # the ConceptMap parameters belong to ConceptMap only
    r = demo_client.get("/fhir/CodeSystem?source-code=A01", headers=strict)
    assert r.status_code == 400 and r.get_json()["resourceType"] == "OperationOutcome"
    assert demo_client.get("/fhir/ValueSet?target=x", headers=strict).status_code == 400


def test_code_search_finds_the_map_of_a_code(demo_app):
    client = demo_app.test_client()
    assert ids(client, "?source-code=A01") == ["ICPC2toICD10-2019"]


# --- written maps: references, versions, revisions -----------------------------------

def test_canonical_references_and_versions(client):
    vs = {"resourceType": "ValueSet", "id": "vs-a", "url": "http://example.org/vs/a", "version": "2",
          "status": "active"}
    assert client.put("/fhir/ValueSet/vs-a", json=vs, content_type=FJ).status_code in (200, 201)
    put(client, cm("m1", sourceCanonical="http://example.org/vs/a|2", targetUri="http://example.org/vs/b"))
    put(client, cm("m2", sourceCanonical="http://example.org/vs/a"))
    put(client, cm("m3", sourceCanonical="http://example.org/vs/a|1"))
    assert ids(client, "?source=http://example.org/vs/a") == ["m1", "m2", "m3"]
    assert ids(client, "?source=http://example.org/vs/a|2") == ["m1"]
    # by the id of the stored value set: its url, in its version or without one
    assert ids(client, "?source=ValueSet/vs-a") == ["m1", "m2"]
    assert ids(client, "?source=vs-a") == ["m1", "m2"]
    assert ids(client, "?source-uri=http://example.org/vs/a") == []       # strict: sourceUri only
    assert ids(client, "?target-uri=http://example.org/vs/b") == ["m1"]
    assert ids(client, "?target=http://example.org/vs/b") == ["m1"]


def test_group_versions(client):
    body = cm("m1")
    body["group"][0].update(sourceVersion="2020", targetVersion="2021")
    put(client, body)
    assert ids(client, "?source-system=http://example.org/cs/a") == ["m1"]
    assert ids(client, "?source-system=http://example.org/cs/a|2020") == ["m1"]
    assert ids(client, "?source-system=http://example.org/cs/a|2019") == []
    assert ids(client, "?target-system=http://example.org/cs/b|2021") == ["m1"]


def test_other_dependson_product(client):
    body = cm("m1")
    t = body["group"][0]["element"][0]["target"][0]
    t["dependsOn"] = [{"property": "http://example.org/prop/sex", "value": "F"}]
    t["product"] = [{"property": "http://example.org/prop/laterality", "value": "L"}]
    body["group"][0]["unmapped"] = {"mode": "other-map", "url": "http://example.org/cm/fallback|3"}
    put(client, body)
    put(client, cm("m2"))
    assert ids(client, "?dependson=http://example.org/prop/sex") == ["m1"]
    assert ids(client, "?product=http://example.org/prop/laterality") == ["m1"]
    assert ids(client, "?product=http://example.org/prop/sex") == []
    assert ids(client, "?other=http://example.org/cm/fallback") == ["m1"]
    assert ids(client, "?other=http://example.org/cm/fallback|2") == []


def test_escaped_comma_is_part_of_the_value(client):
    body = cm("m1")
    body["group"][0]["element"][0]["code"] = "a,b"
    put(client, body)
    assert ids(client, "?source-code=a\\,b") == ["m1"]
    assert ids(client, "?source-code=a,b") == []


def test_results_follow_store_revisions(client):
    put(client, cm("m1"))
    assert ids(client, "?source-code=x") == ["m1"]
    changed = cm("m1")
    changed["group"][0]["element"][0]["code"] = "z"
    put(client, changed)
    assert ids(client, "?source-code=x") == []
    assert ids(client, "?source-code=z") == ["m1"]
    assert client.delete("/fhir/ConceptMap/m1").status_code == 200
    assert ids(client, "?source-code=z") == []


def test_derived_edition_maps_are_searched(client):
    for version, codes in (("2023", ["a", "b"]), ("2024", ["a", "c"])):
        r = client.post("/fhir/CodeSystem", content_type=FJ, json={
            "resourceType": "CodeSystem", "url": "http://example.org/cs/yearly", "version": version,
            "status": "active", "content": "complete",
            "concept": [{"code": c, "display": c.upper()} for c in codes]})
        assert r.status_code == 201
    assert ids(client, "?source-code=b") == ["changes-yearly-2024"]          # retired in 2024
    assert ids(client, "?source-system=http://example.org/cs/yearly|2023") == ["changes-yearly-2024"]
    assert ids(client, "?source-code=zz") == []


# --- R5-shaped maps are not stored ---------------------------------------------------

R5_MAP = {"resourceType": "ConceptMap", "id": "r5map", "url": "http://example.org/cm/r5", "version": "1",
          "status": "active", "sourceScopeUri": "http://example.org/vs/a",
          "group": [{"source": "http://example.org/cs/a", "target": "http://example.org/cs/b",
                     "element": [{"code": "x", "target": [{"code": "y", "relationship": "equivalent"}]}]}]}


@pytest.mark.parametrize("change", [
    {},                                                                          # R5 elements
    {"sourceScopeUri": None, "equivalence": "source-is-narrower-than-target"},   # R5 code in the R4 element
    {"sourceScopeUri": None, "equivalence": "equivalent", "unmapped": "use-source-code"},
])
def test_r5_map_is_refused_on_put_and_post(client, change):
    body = {k: v for k, v in R5_MAP.items() if change.get(k, "") is not None}
    if "equivalence" in change:
        body["group"] = [dict(body["group"][0], element=[{"code": "x", "target": [
            {"code": "y", "equivalence": change["equivalence"]}]}])]
    if "unmapped" in change:
        body["group"][0]["unmapped"] = {"mode": change["unmapped"]}
    for r in (client.put("/fhir/ConceptMap/r5map", json=body, content_type=FJ),
              client.post("/fhir/ConceptMap", json=body, content_type=FJ)):
        assert r.status_code == 422
        text = r.get_json()["issue"][0]["details"]["text"]
        assert "R5 shape" in text and "tx-resource" in text
    assert ids(client, "") == []


def test_r5_map_import_is_refused_and_nothing_stored(tmp_path, store):
    import json
    from terminology.errors import ImportRejected
    path = tmp_path / "r5.json"
    path.write_text(json.dumps(R5_MAP))
    with pytest.raises(ImportRejected) as err:
        import_paths(store, [str(path)])
    assert "R5 shape" in err.value.message and "sourceScopeUri" in err.value.message
    assert store.headers("ConceptMap") == []
    report = import_paths(store, [str(path)], skip_invalid=True)
    assert report.rejected and not report.added


def test_r5_map_still_translates_as_tx_resource(client):
    params = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": R5_MAP["url"]},
        {"name": "system", "valueUri": "http://example.org/cs/a"}, {"name": "code", "valueCode": "x"},
        {"name": "tx-resource", "resource": R5_MAP}]}
    r = client.post("/fhir/ConceptMap/$translate", json=params, content_type=FJ)
    assert r.status_code == 200
    out = {p["name"]: p for p in r.get_json()["parameter"]}
    assert out["result"]["valueBoolean"] is True
    match = next(p for p in r.get_json()["parameter"] if p["name"] == "match")
    assert {"name": "equivalence", "valueCode": "equivalent"} in match["part"]


def test_r4_map_with_all_r4_codes_is_stored(client):
    body = cm("r4map")
    body["group"][0]["element"][0]["target"] = [{"code": "y", "equivalence": e} for e in
                                                ("relatedto", "equal", "wider", "narrower", "inexact")]
    body["group"][0]["unmapped"] = {"mode": "provided"}
    put(client, body)
    assert ids(client, "?target-code=y") == ["r4map"]


def test_capability_statement_lists_the_parameters(client):
    cap = client.get("/fhir/metadata").get_json()
    rest = {r["type"]: r for r in cap["rest"][0]["resource"]}
    names = {p["name"]: p for p in rest["ConceptMap"]["searchParam"]}
    for n in ("url", "version", "name", "title", "status", "source", "source-uri", "target", "target-uri",
              "source-system", "target-system", "source-code", "target-code"):
        assert n in names
    assert names["source-code"]["type"] == "token"
    assert names["source-code"]["definition"] == "http://hl7.org/fhir/SearchParameter/ConceptMap-source-code"
    assert "source-code" not in {p["name"] for p in rest["CodeSystem"]["searchParam"]}


def test_codes_outside_r4_and_r5_are_refused_by_name(client):
    body = cm("typo")
    body["group"][0]["element"][0]["target"][0]["equivalence"] = "equivalnet"
    r = client.put("/fhir/ConceptMap/typo", json=body, content_type=FJ)
    assert r.status_code == 422
    text = r.get_json()["issue"][0]["details"]["text"]
    assert "'equivalnet' is not a ConceptMapEquivalence code" in text and "R5" not in text
