"""$expand of SNOMED CT with designations keeps each description's acceptability (preferred or acceptable in
its language reference set): clients choose the Norwegian term by it."""
from .conftest import HANDMADE, SNOMED, client_at

ACCEPTABILITY = "https://kodebro.no/fhir/StructureDefinition/snomed-acceptability"


def test_expanded_designations_keep_their_acceptability(tmp_path):
    client = client_at(tmp_path, HANDMADE)
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": f"{SNOMED}?fhir_vs=isa/233604007",
                                                          "includeDesignations": "true", "count": 1})
    assert r.status_code == 200, r.get_json()
    designations = r.get_json()["expansion"]["contains"][0]["designation"]
    marked = [d for d in designations if any(e["url"] == ACCEPTABILITY for e in d.get("extension", ()))]
    assert marked and len(marked) >= len(designations) - 1


def test_a_supplement_of_snomed_ct_is_refused_in_expand_and_validate_not_a_500(tmp_path):
    from .conftest import DUMMY
    client = client_at(tmp_path, DUMMY)
    code = client.get("/fhir/ValueSet/$expand", query_string={"url": f"{SNOMED}?fhir_vs", "count": 1}) \
        .get_json()["expansion"]["contains"][0]["code"]
    sup = {"resourceType": "CodeSystem", "url": "http://example.org/sct-sup", "status": "active",
           "content": "supplement", "supplements": SNOMED,
           "concept": [{"code": code, "designation": [{"language": "nb", "value": "x"}]}]}
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/sct", "status": "active",
          "compose": {"include": [{"system": SNOMED, "filter": [{"property": "concept", "op": "is-a",
                                                                 "value": code}]}]}}
    common = [{"name": "valueSet", "resource": vs}, {"name": "tx-resource", "resource": sup},
              {"name": "useSupplement", "valueCanonical": sup["url"]}]
    for op, extra in (("expand", []), ("validate-code", [{"name": "coding", "valueCoding": {"system": SNOMED,
                                                                                            "code": code}}])):
        r = client.post(f"/fhir/ValueSet/${op}", json={"resourceType": "Parameters", "parameter": common + extra},
                        content_type="application/fhir+json")
        assert r.status_code == 400, (op, r.get_json())
        assert "useSupplement" in r.get_json()["issue"][0]["details"]["text"]
