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
