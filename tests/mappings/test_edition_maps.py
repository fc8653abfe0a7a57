"""Adjacent editions without a change list are still served as plain ConceptMaps."""
FJ = "application/fhir+json"
URL = "http://example.org/fhir/CodeSystem/book"


def _edition(year, concepts):
    return {"resourceType": "CodeSystem", "url": URL, "version": year, "name": "Book", "status": "active",
            "content": "complete", "concept": [{"code": c, "display": d} for c, d in concepts]}


def _load(client):
    client.post("/fhir/CodeSystem", json=_edition("2020", [("A1", "Alpha"), ("B1", "Beta"), ("C1", "Gamma")]),
                content_type=FJ)
    client.post("/fhir/CodeSystem", json=_edition("2021", [("A1", "Alpha"), ("B1", "Beta, revised"),
                                                           ("D1", "Delta")]), content_type=FJ)


def test_derived_map_is_searchable_readable_and_translates(client):
    _load(client)
    found = client.get("/fhir/ConceptMap", query_string={"version": "2021"}).get_json()
    maps = [e["resource"] for e in found.get("entry", []) if e["resource"]["group"][0]["source"] == URL]
    assert len(maps) == 1
    cm = client.get(f"/fhir/ConceptMap/{maps[0]['id']}").get_json()
    assert cm["group"][0]["sourceVersion"] == "2020" and cm["group"][0]["targetVersion"] == "2021"
    kinds = {el["code"]: el for el in cm["group"][0]["element"]}
    assert set(kinds) == {"B1", "C1", "D1"}          # A1 is unchanged, so not listed
    assert kinds["C1"]["target"][0]["equivalence"] == "unmatched"
    r = client.get("/fhir/ConceptMap/$translate", query_string={
        "url": cm["url"], "system": URL, "code": "B1"}).get_json()
    params = {p["name"]: p for p in r["parameter"]}
    assert params["result"]["valueBoolean"] is True
    r = client.get(f"/fhir/ConceptMap/{cm['id']}/$translate", query_string={"system": URL, "code": "C1"}).get_json()
    assert {p["name"]: p for p in r["parameter"]}["result"]["valueBoolean"] is False


def test_no_derived_map_for_fragments(client):
    for year in ("2020", "2021"):
        client.post("/fhir/CodeSystem", json={**_edition(year, [("A1", "Alpha" + year)]), "content": "fragment"},
                    content_type=FJ)
    found = client.get("/fhir/ConceptMap").get_json()
    assert found["total"] == 0
