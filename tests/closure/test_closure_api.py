"""$closure through the Flask test client on the demo store: initialise, add, replay, as the R4 terminology service
page (terminology-service.html#closure) describes them, and the errors a client can cause."""
from __future__ import annotations

import pytest

from tests.closure.conftest import ICD, ICPC, pairs, params

OID_7220 = "urn:oid:2.16.578.1.12.4.1.1.7220"


def _valid_r4_conceptmap(cm: dict) -> None:
    from fhir.resources.R4B.conceptmap import ConceptMap
    ConceptMap.model_validate(cm)


def test_initialise_answers_an_empty_conceptmap_at_version_0(closure):
    status, cm = closure("registry-1")
    assert status == 200
    assert cm["resourceType"] == "ConceptMap" and cm["version"] == "0"
    assert cm["name"] == "Closure Table registry-1 Creation" and cm["status"] == "active"
    assert "group" not in cm
    _valid_r4_conceptmap(cm)


def test_a_new_code_answers_its_pairs_with_the_codes_already_in_the_table(closure):
    closure("t")
    status, cm = closure("t", (ICD, "J12.8"))
    assert status == 200 and cm["version"] == "1" and "group" not in cm     # nothing to relate to yet
    status, cm = closure("t", (ICD, "J12"))
    assert status == 200 and cm["version"] == "2"
    assert cm["name"] == "Updates for Closure Table t"
    # R4 ConceptMap reads from target to source: the target J12 subsumes the source J12.8
    assert pairs(cm) == {(ICD, "J12.8", "subsumes", "J12")}
    group = cm["group"][0]
    assert group["target"] == ICD and group["sourceVersion"] == "2026"
    assert group["element"][0]["display"] == "Annen spesifisert viruspneumoni"
    _valid_r4_conceptmap(cm)


def test_direction_agrees_with_subsumes(demo_client, closure):
    closure("t")
    _s, cm = closure("t", (ICD, "J09-J18"), (ICD, "J13"))
    (system, source, equivalence, target), = pairs(cm)
    r = demo_client.get(f"/fhir/CodeSystem/$subsumes?system={ICD}&codeA={target}&codeB={source}")
    assert r.get_json()["parameter"][0]["valueCode"] == "subsumes" and equivalence == "subsumes"


def test_several_new_codes_are_related_among_themselves_and_transitively(closure):
    closure("t")
    closure("t", (ICD, "J12"))
    _s, cm = closure("t", (ICD, "J12.8"), (ICD, "J09-J18"), (ICD, "J13"), (ICD, "A00.0"))
    assert pairs(cm) == {(ICD, "J12.8", "subsumes", "J12"), (ICD, "J12.8", "subsumes", "J09-J18"),
                         (ICD, "J12", "subsumes", "J09-J18"), (ICD, "J13", "subsumes", "J09-J18")}


def test_a_code_already_in_the_table_adds_nothing_and_keeps_the_version(closure):
    closure("t")
    closure("t", (ICD, "J12"), (ICD, "J12.8"))
    status, cm = closure("t", (ICD, "J12"))
    assert status == 200 and cm["version"] == "1" and "group" not in cm


def test_two_spellings_of_one_concept_are_equal(closure):
    closure("t")
    closure("t", (ICD, "J12.8"))
    _s, cm = closure("t", (ICD, "J128"))
    assert pairs(cm) == {(ICD, "J128", "equal", "J12.8")}


def test_a_code_system_named_by_its_oid_is_grouped_under_its_url(closure):
    closure("t")
    _s, cm = closure("t", ("urn:oid:2.16.578.1.12.4.1.1.7110", "J12"), (ICD, "J12.8"))
    assert pairs(cm) == {(ICD, "J12.8", "subsumes", "J12")}


def test_codes_of_two_code_systems_make_no_pairs(closure):
    closure("t")
    _s, cm = closure("t", (ICD, "J12"), (ICPC, "R81"), (ICPC, "R"))
    assert pairs(cm) == {(ICPC, "R81", "subsumes", "R")}


def test_replay_answers_every_entry_after_the_version_at_the_current_version(closure):
    closure("t")
    closure("t", (ICD, "J12"), (ICD, "J12.8"))                  # version 1
    closure("t", (ICD, "J09-J18"))                              # version 2
    status, cm = closure("t", version=1)
    assert status == 200 and cm["version"] == "2"
    assert pairs(cm) == {(ICD, "J12", "subsumes", "J09-J18"), (ICD, "J12.8", "subsumes", "J09-J18")}
    _s, everything = closure("t", version=0)
    assert pairs(everything) == pairs(cm) | {(ICD, "J12.8", "subsumes", "J12")}
    _s, nothing = closure("t", version=2)
    assert "group" not in nothing and nothing["version"] == "2"
    _valid_r4_conceptmap(everything)


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "99"])
def test_a_version_that_is_no_version_of_the_table_is_400(closure, bad):
    closure("t")
    closure("t", (ICD, "J12"))
    status, oo = closure("t", version=bad)
    assert status == 400 and oo["resourceType"] == "OperationOutcome"
    assert "version" in oo["issue"][0]["details"]["text"]


def test_an_unknown_table_is_404_telling_to_initialise(closure):
    for call in (lambda: closure("never-made", (ICD, "J12")), lambda: closure("never-made", version=0)):
        status, oo = call()
        assert status == 404
        assert "Initialise it first" in oo["issue"][0]["details"]["text"]


def test_initialising_again_empties_the_table_and_an_older_replay_must_reinitialise(closure):
    closure("t")
    closure("t", (ICD, "J12"), (ICD, "J12.8"))                  # version 1
    status, cm = closure("t")
    assert status == 200 and cm["version"] == "2" and "group" not in cm
    _s, cm = closure("t", version=0)
    assert "group" not in cm
    status, oo = closure("t", version=1)
    assert status == 422 and "must be reinitialized" in oo["issue"][0]["details"]["text"]
    # the codes come in again as new
    _s, cm = closure("t", (ICD, "J12"), (ICD, "J12.8"))
    assert pairs(cm) == {(ICD, "J12.8", "subsumes", "J12")}


def test_a_failing_call_changes_nothing(closure):
    closure("t")
    closure("t", (ICD, "J12"))
    status, oo = closure("t", (ICD, "J12.8"), (ICD, "NOPE1"))
    assert status == 404 and "NOPE1" in oo["issue"][0]["details"]["text"]
    assert oo["issue"][0]["expression"] == ["concept[1]"]
    _s, cm = closure("t", version=0)
    assert cm["version"] == "1" and "group" not in cm           # J12.8 was not kept
    _s, cm = closure("t", (ICD, "J12.8"))
    assert pairs(cm) == {(ICD, "J12.8", "subsumes", "J12")}


def test_an_unknown_code_system_is_422_naming_it(closure):
    closure("t")
    status, oo = closure("t", ("http://example.org/no-such-system", "X"))
    assert status == 422 and "http://example.org/no-such-system" in oo["issue"][0]["details"]["text"]


def test_an_unknown_edition_is_422_naming_the_loaded_ones(closure):
    closure("t")
    status, oo = closure("t", (OID_7220, "OAAJ00", "1999"))
    text = oo["issue"][0]["details"]["text"]
    assert status == 422 and "1999" in text and "2021" in text   # a code system (version) not held: 422


def test_a_table_relates_a_code_system_in_one_edition(closure):
    closure("t")
    assert closure("t", (OID_7220, "OAAJ00", "2020"))[0] == 200
    status, oo = closure("t", (OID_7220, "OADB00", "2021"))
    assert status == 400 and "'2020'" in oo["issue"][0]["details"]["text"]
    _s, cm = closure("t", (OID_7220, "OADB00"))                  # no version: the table's edition
    assert _s == 200 and cm["version"] == "2"


def test_an_edition_removed_under_the_table_means_initialise_again(demo_client, closure):
    closure("t")
    closure("t", (OID_7220, "OAAJ00"))                          # the latest: 2021
    found = demo_client.get(f"/fhir/CodeSystem?url={OID_7220}&version=2021").get_json()
    rid = found["entry"][0]["resource"]["id"]
    assert demo_client.delete(f"/fhir/CodeSystem/{rid}").status_code in (200, 204)
    status, oo = closure("t", (OID_7220, "OADB00"))
    assert status == 422 and "must be reinitialized" in oo["issue"][0]["details"]["text"]
    assert closure("t")[0] == 200 and closure("t", (OID_7220, "OADB00"))[0] == 200


def test_a_code_gone_from_its_edition_means_initialise_again(demo_client, closure):
    closure("t")
    closure("t", (OID_7220, "OAAJ00"))
    found = demo_client.get(f"/fhir/CodeSystem?url={OID_7220}&version=2021").get_json()
    rid = found["entry"][0]["resource"]["id"]
    cs = demo_client.get(f"/fhir/CodeSystem/{rid}").get_json()
    cs["concept"] = [c for c in cs["concept"] if c["code"] != "OAAJ00"]
    assert demo_client.put(f"/fhir/CodeSystem/{rid}", json=cs).status_code == 200
    status, oo = closure("t", (OID_7220, "OADB00"))
    assert status == 422 and "OAAJ00" in oo["issue"][0]["details"]["text"]


@pytest.mark.parametrize("body, says", [
    (params(None, (ICD, "J12")), "name"),
    (params(""), "name"),
    (params("two words"), "invalid closure name"),
    (params("x" * 65), "invalid closure name"),
    (params("t", {"code": "J12"}), "no system"),
    (params("t", {"system": ICD}), "no code"),
    (params("t", {"system": ICD, "code": 12}), "string"),
    (params("t", (ICD, "J12"), version=0), "not both"),
    (params("t", **{"tx-resource": {"resource": {"resourceType": "CodeSystem"}}}), "tx-resource"),
    (params("t", reset={"valueBoolean": True}), "reset"),
    ({"resourceType": "Parameters", "parameter": [{"name": "name", "valueCoding": {"code": "t"}}]}, "name"),
    ({"resourceType": "Parameters", "parameter": [{"name": "name", "valueString": "t"},
                                                  {"name": "concept", "valueInteger": 5}]}, "concept"),
    ({"resourceType": "Parameters", "parameter": [{"name": "name", "valueString": "t"},
                                                  {"name": "concept", "valueString": "J12"}]}, "no system"),
    ({"resourceType": "Parameters", "parameter": [{"name": "name", "valueString": "t"},
                                                  {"name": "version", "valueCoding": {"code": "1"}}]}, "version"),
    ({"resourceType": "Parameters", "parameter": [{"name": "name", "valueString": "a"},
                                                  {"name": "name", "valueString": "b"}]}, "two"),
    ({"resourceType": "ConceptMap"}, "Parameters"),
])
def test_malformed_input_is_400_saying_what_is_wrong(demo_client, body, says):
    demo_client.post("/fhir/$closure", json=params("t"))
    r = demo_client.post("/fhir/$closure", json=body)
    assert r.status_code == 400, r.get_json()
    oo = r.get_json()
    assert oo["resourceType"] == "OperationOutcome"
    text = " ".join(i["details"]["text"] + i.get("diagnostics", "") for i in oo["issue"])
    assert says in text


def test_ten_thousand_concepts_in_one_call_is_too_costly(closure):
    closure("t")
    status, oo = closure("t", *[(ICD, f"J{i}") for i in range(10_000)])
    assert status == 422 and oo["issue"][0]["code"] == "too-costly"
    assert "at most 1000" in oo["issue"][0]["details"]["text"]


def test_get_replays_but_does_not_change_the_table(demo_client, closure):
    closure("t")
    closure("t", (ICD, "J12"), (ICD, "J12.8"))
    r = demo_client.get("/fhir/$closure?name=t&version=0")
    assert r.status_code == 200 and pairs(r.get_json()) == {(ICD, "J12.8", "subsumes", "J12")}
    for url in ("/fhir/$closure?name=t", f"/fhir/$closure?name=t&concept={ICD}|J13"):
        r = demo_client.get(url)
        assert r.status_code == 405 and "POST" in r.get_json()["issue"][0]["details"]["text"]
    assert demo_client.head("/fhir/$closure?name=made-by-head").status_code == 405
    assert closure("made-by-head", version=0)[0] == 404
    assert closure("t", version=0)[1]["version"] == "1"


def test_query_parameters_of_a_post_are_read_as_for_other_operations(demo_client):
    demo_client.post("/fhir/$closure?name=q")
    r = demo_client.post(f"/fhir/$closure?name=q&concept={ICD}|J12&concept={ICD}|J12.8")
    assert r.status_code == 200 and pairs(r.get_json()) == {(ICD, "J12.8", "subsumes", "J12")}


def test_conceptmap_closure_is_the_same_operation(closure):
    closure("t", path="/fhir/ConceptMap/$closure")
    _s, cm = closure("t", (ICD, "J12"), (ICD, "J12.8"), path="/fhir/ConceptMap/$closure")
    assert pairs(cm) == {(ICD, "J12.8", "subsumes", "J12")}
    assert closure("t", version=0)[1]["version"] == "1"


def test_a_batch_entry_adds_to_a_table(demo_client):
    entries = [{"request": {"method": "POST", "url": "ConceptMap/$closure"}, "resource": params("b")},
               {"request": {"method": "POST", "url": "ConceptMap/$closure"},
                "resource": params("b", (ICD, "J12"), (ICD, "J12.8"))}]
    r = demo_client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": entries})
    out = r.get_json()["entry"]
    assert [e["response"]["status"] for e in out] == ["200", "200"]
    assert pairs(out[1]["resource"]) == {(ICD, "J12.8", "subsumes", "J12")}


def test_a_batch_entry_at_the_base_adds_to_a_table(demo_client):
    entries = [{"request": {"method": "POST", "url": "$closure"}, "resource": params("b")}]
    r = demo_client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": entries})
    assert r.get_json()["entry"][0]["response"]["status"] == "200"


def test_a_get_batch_entry_is_refused_as_a_get_request_is(demo_client):
    """A GET entry may only replay, as a GET request (review s16 A L1: the batch's own POST let it initialise)."""
    entries = [{"request": {"method": "GET", "url": "$closure?name=g"}},
               {"request": {"method": "POST", "url": "$closure"}, "resource": params("g")},
               {"request": {"method": "GET", "url": "$closure?name=g&version=0"}}]
    r = demo_client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": entries})
    assert [e["response"]["status"] for e in r.get_json()["entry"]] == ["405", "200", "200"]


def test_writing_a_table_starts_no_store_generation(demo_app, closure):
    store = demo_app.extensions["kodebro.store"]
    before = store.generation()
    closure("t")
    closure("t", (ICD, "J12"), (ICD, "J12.8"))
    assert store.generation() == before


def test_the_capability_statements_and_the_definition(demo_client):
    cs = demo_client.get("/fhir/metadata").get_json()
    ops = {o["name"]: o["definition"] for o in cs["rest"][0]["operation"]}
    definition = demo_client.get("/fhir/OperationDefinition/ConceptMap-closure").get_json()
    assert ops["closure"] == definition["url"]
    assert definition["system"] is True and definition["type"] is False and definition["affectsState"] is True
    assert definition["base"] == "http://hl7.org/fhir/OperationDefinition/ConceptMap-closure"
    assert {p["name"] for p in definition["parameter"]} == {"name", "concept", "version", "return"}
    tc = demo_client.get("/fhir/metadata?mode=terminology").get_json()
    assert tc["closure"] == {"translation": False}
