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


# --- a change map with no group: one rule for "unchanged", by id as by url -----------------------------------------

CHANGE_LIST = "https://kodebro.no/fhir/StructureDefinition/change-list"


def _answer(client, path, **qs) -> tuple:
    r = client.get(path, query_string={"system": URL, **qs})
    assert r.status_code == 200, r.get_json()
    params = {p["name"]: p for p in r.get_json()["parameter"]}
    matches = [{q["name"]: q.get("valueCode") or q.get("valueCoding") for q in p["part"]}
               for p in r.get_json()["parameter"] if p["name"] == "match"]
    return params["result"]["valueBoolean"], params.get("message", {}).get("valueString"), matches


def _same_codes(client, inactive: bool = True):
    for year in ("2020", "2021"):
        cs = _edition(year, [("A1", "Alpha"), ("Z9", "Zeta")])
        cs["property"] = [{"code": "inactive", "type": "boolean"}]
        cs["concept"][1]["property"] = [{"code": "inactive", "valueBoolean": inactive}]
        assert client.post("/fhir/CodeSystem", json=cs, content_type=FJ).status_code == 201


def test_a_stored_change_map_with_no_group_answers_by_id_as_by_url(client):
    _same_codes(client)
    cm = {"resourceType": "ConceptMap", "id": "clempty", "url": "https://example.org/cm/clempty", "version": "1",
          "status": "active", "extension": [{"url": CHANGE_LIST, "extension": [
              {"url": "codebook", "valueUri": URL}, {"url": "edition", "valueString": "2021"}]}]}
    assert client.put("/fhir/ConceptMap/clempty", json=cm, content_type=FJ).status_code == 201
    for code in ("A1", "NOPE"):
        by_id = _answer(client, "/fhir/ConceptMap/clempty/$translate", code=code)
        by_url = _answer(client, "/fhir/ConceptMap/$translate", url=cm["url"], code=code)
        assert by_id == by_url and by_id[0] is False, (by_id, by_url)


def test_the_map_of_a_pair_without_changes_says_unchanged_as_a_map_with_changes_does(client):
    # an inactive code the complete edition lists is unchanged, as a change map's `unmapped` (provided) answers
    # a code it does not list; a code the edition lacks is not
    _same_codes(client)
    maps = [e["resource"] for e in client.get("/fhir/ConceptMap", query_string={"version": "2021"}).get_json()
            .get("entry", []) if "group" not in e["resource"]]
    assert len(maps) == 1
    cm = maps[0]
    for path, qs in ((f"/fhir/ConceptMap/{cm['id']}/$translate", {}),
                     ("/fhir/ConceptMap/$translate", {"url": cm["url"]})):
        result, _message, matches = _answer(client, path, code="Z9", **qs)
        assert result is True and [m["equivalence"] for m in matches] == ["equal"], (path, matches)
        assert matches[0]["concept"]["code"] == "Z9"
        result, message, matches = _answer(client, path, code="NOPE", **qs)
        assert result is False and not matches and "NOPE" in message, (path, message)


def test_a_fragment_the_request_brings_does_not_make_the_stored_editions_map_vouch_for_a_code(client):
    # the map of a pair without changes was derived from the stored editions: a tx-resource fragment of the same
    # edition (which admits any code) must not turn a made-up code into an `equal` match sourced from that map
    _same_codes(client)
    [cm] = [e["resource"] for e in client.get("/fhir/ConceptMap", query_string={"version": "2021"}).get_json()
            .get("entry", []) if "group" not in e["resource"]]
    fragment = _edition("2021", [("Q1", "Q")]) | {"content": "fragment"}
    r = client.post("/fhir/ConceptMap/$translate", content_type=FJ, json={"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": cm["url"]}, {"name": "system", "valueUri": URL},
        {"name": "code", "valueCode": "NOPE"}, {"name": "display", "valueString": "I made this up"},
        {"name": "tx-resource", "resource": fragment}]})
    assert r.status_code == 200, r.get_json()
    params = {p["name"]: p for p in r.get_json()["parameter"]}
    assert params["result"]["valueBoolean"] is False and "NOPE" in params["message"]["valueString"]
    assert not [p for p in r.get_json()["parameter"] if p["name"] == "match"]


def test_a_fragment_the_request_brings_does_not_make_a_change_map_call_a_code_unchanged(client):
    # the same rule for a map with changes (`unmapped` provided: a code it does not list is unchanged): a code the
    # stored complete edition lacks stays refused whatever fragment of that edition the request brings
    _load(client)
    [cm] = [e["resource"] for e in client.get("/fhir/ConceptMap", query_string={"version": "2021"}).get_json()
            .get("entry", []) if e["resource"].get("group")]
    fragment = _edition("2021", [("Q1", "Q")]) | {"content": "fragment"}
    for extra in ([], [{"name": "tx-resource", "resource": fragment}]):
        r = client.post("/fhir/ConceptMap/$translate", content_type=FJ, json={
            "resourceType": "Parameters", "parameter": [
                {"name": "url", "valueUri": cm["url"]}, {"name": "system", "valueUri": URL},
                {"name": "code", "valueCode": "NOPE"}, *extra]})
        assert r.status_code == 200, r.get_json()
        params = {p["name"]: p for p in r.get_json()["parameter"]}
        assert params["result"]["valueBoolean"] is False, (extra, params)
        assert not [p for p in r.get_json()["parameter"] if p["name"] == "match"]
