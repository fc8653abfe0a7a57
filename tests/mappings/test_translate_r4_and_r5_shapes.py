"""$translate probed against the letter of R4 (OperationDefinition ConceptMap-translate, ConceptMap 4.0.1) and
the R5 shapes a request may bring: which maps answer, R5 additionalAttribute, malformed maps, `source` by id."""
from __future__ import annotations

import pytest

from tests.snomed.conftest import HANDMADE, SNOMED, client_at
from tests.support.tx_files import stored_client

TR = "/fhir/ConceptMap/$translate"
FJ = "application/fhir+json"
S = "http://example.org/fhir/CodeSystem/s"
T = "http://example.org/fhir/CodeSystem/t"
MAP_URL = "http://example.org/fhir/ConceptMap/probe"


def _post(client, *parameters):
    r = client.post(TR, json={"resourceType": "Parameters", "parameter": list(parameters)}, content_type=FJ)
    return r, r.get_json()


def _p(body, name):
    return [p for p in body["parameter"] if p["name"] == name]


def _parts(match: dict) -> dict:
    out: dict = {}
    for q in match["part"]:
        out.setdefault(q["name"], []).append(q.get("part") or next(v for k, v in q.items() if k.startswith("value")))
    return out


def _result(body) -> bool:
    return _p(body, "result")[0]["valueBoolean"]


def _codes(body) -> list[str]:
    return sorted(_parts(m)["concept"][0]["code"] for m in _p(body, "match") if "concept" in _parts(m))


def _uri(name, value):
    return {"name": name, "valueUri": value}


def _code(system, code):
    return [_uri("system", system), {"name": "code", "valueCode": code}]


def _cm(resource):
    return {"name": "conceptMap", "resource": resource}


def _tx(resource):
    return {"name": "tx-resource", "resource": resource}


def _map(**extra) -> dict:
    cm = {"resourceType": "ConceptMap", "url": MAP_URL, "version": "1", "status": "active",
          "group": [{"source": S, "target": T, "element": [
              {"code": "a", "target": [{"code": "x", "equivalence": "equivalent"}]}]}]}
    cm.update(extra)
    return cm


@pytest.fixture(scope="module")
def snomed_client(tmp_path_factory):
    return client_at(tmp_path_factory.mktemp("probe5-snomed"), HANDMADE)


# --- which maps answer ---------------------------------------------------------------------------------------

def test_a_map_sent_in_the_request_is_the_only_map_used(snomed_client):
    # 58437007 also has rows in the loaded SNOMED CT -> ICD-10 map refset; the client asked for its own map
    cm = {"resourceType": "ConceptMap", "url": MAP_URL, "status": "active",
          "group": [{"source": SNOMED, "target": T,
                     "element": [{"code": "58437007", "target": [{"code": "x", "equivalence": "wider"}]}]}]}
    r, body = _post(snomed_client, *_code(SNOMED, "58437007"), _cm(cm))
    assert r.status_code == 200 and _result(body) is True
    assert [_parts(m)["source"][0] for m in _p(body, "match")] == [MAP_URL]
    assert _codes(body) == ["x"]


def test_url_beside_a_conceptmap_must_name_that_map(client):
    r, body = _post(client, *_code(S, "a"), _cm(_map()), _uri("url", "http://example.org/fhir/ConceptMap/other"))
    assert r.status_code == 400 and body["resourceType"] == "OperationOutcome"
    assert "http://example.org/fhir/ConceptMap/other" in body["issue"][0]["details"]["text"]
    r, body = _post(client, *_code(S, "a"), _cm(_map()), _uri("url", MAP_URL),
                    {"name": "conceptMapVersion", "valueString": "2"})
    assert r.status_code == 400 and body["issue"][0]["expression"] == ["conceptMapVersion"] \
        if "expression" in body["issue"][0] else r.status_code == 400
    r, body = _post(client, *_code(S, "a"), _cm(_map()), _uri("url", MAP_URL + "|1"))
    assert r.status_code == 200 and _codes(body) == ["x"]


# --- R5 additionalAttribute: attribute codes stand for uris ----------------------------------------------------

AGE = "http://example.org/fhir/age-group"
SIDE = "http://example.org/fhir/laterality"


def _r5_map() -> dict:
    return {"resourceType": "ConceptMap", "url": MAP_URL, "version": "1", "status": "active",
            "additionalAttribute": [{"code": "age", "uri": AGE, "type": "code"},
                                    {"code": "side", "uri": SIDE, "type": "Coding"}],
            "group": [{"source": S, "target": T, "element": [{"code": "a", "target": [
                {"code": "x", "relationship": "source-is-broader-than-target", "comment": "adults",
                 "dependsOn": [{"attribute": "age", "valueCode": "adult"}],
                 "product": [{"attribute": "side", "valueCoding": {"system": "http://example.org/side", "code": "L"}}]},
                {"code": "y", "relationship": "source-is-broader-than-target", "comment": "children",
                 "dependsOn": [{"attribute": "age", "valueCode": "child"}]}]}]}]}


def _dependency(element, code):
    return {"name": "dependency", "part": [_uri("element", element),
                                           {"name": "concept", "valueCodeableConcept": {"coding": [{"code": code}]}}]}


@pytest.mark.parametrize("element", [AGE, "age"])
def test_dependency_names_an_r5_attribute_by_its_uri_or_code(client, element):
    r, body = _post(client, *_code(S, "a"), _cm(_r5_map()), _dependency(element, "adult"))
    assert r.status_code == 200 and _result(body) is True and _codes(body) == ["x"] and not _p(body, "message")


def test_r5_attribute_codes_are_answered_as_uris(client):
    r, body = _post(client, *_code(S, "a"), _cm(_r5_map()), _dependency(AGE, "adult"))
    (m,) = _p(body, "match")
    assert _parts(m)["product"][0][0] == {"name": "element", "valueUri": SIDE}       # R4: element is a uri
    r, body = _post(client, _uri("sourceSystem", S), {"name": "sourceCode", "valueCode": "a"}, _cm(_r5_map()),
                    _dependency(AGE, "adult"))
    (m,) = _p(body, "match")
    parts = _parts(m)
    assert parts["dependsOn"][0][0] == {"name": "attribute", "valueUri": AGE}
    assert parts["product"][0][0] == {"name": "attribute", "valueUri": SIDE}
    # without the dependency both conditional matches come back, and the message names the attribute's uri
    r, body = _post(client, *_code(S, "a"), _cm(_r5_map()))
    assert _codes(body) == ["x", "y"] and AGE in _p(body, "message")[0]["valueString"]


def test_a_note_never_makes_a_disjoint_match_a_translation(client):
    cm = _map()
    cm["group"][0]["element"][0]["target"] = [{"code": "x", "equivalence": "disjoint",
                                               "dependsOn": [{"property": AGE, "value": "adult"}]}]
    r, body = _post(client, *_code(S, "a"), _cm(cm))
    assert r.status_code == 200 and _result(body) is False and _codes(body) == ["x"]


# --- malformed maps sent with the request ------------------------------------------------------------------------

@pytest.mark.parametrize("junk", [5, ["http://example.org/fhir/ValueSet/s"], {"reference": "x"}, "", True])
@pytest.mark.parametrize("element", ["sourceScopeUri", "targetUri", "sourceCanonical"])
def test_a_scope_that_is_not_a_uri_is_400(client, junk, element):
    r, body = _post(client, *_code(S, "a"), _cm(_map(**{element: junk})))
    assert r.status_code == 400 and body["resourceType"] == "OperationOutcome"
    assert element in body["issue"][0]["details"]["text"]


def test_a_malformed_tx_resource_map_is_400_when_it_would_be_used(client):
    r, body = _post(client, *_code(S, "a"), _tx(_map(sourceScopeUri=5)))
    assert r.status_code == 400 and "sourceScopeUri" in body["issue"][0]["details"]["text"]
    # a broken map for another system is not asked, so it breaks nothing
    other = _map(sourceScopeUri=5)
    other["group"][0]["source"] = "http://example.org/fhir/CodeSystem/unrelated"
    r, body = _post(client, *_code(S, "a"), _tx(other), _tx({**_map(), "url": MAP_URL + "-good"}))
    assert r.status_code == 200 and _codes(body) == ["x"]


@pytest.mark.parametrize("target, what", [
    ({"code": "x", "equivalence": "same"}, "equivalence"),
    ({"code": "x", "relationship": "wider"}, "relationship"),     # an R4 code in the R5 element
    ({"code": "x"}, "neither equivalence"),
    ({"code": 7, "equivalence": "equal"}, "code"),
])
def test_a_target_without_a_valid_equivalence_is_400(client, target, what):
    cm = _map()
    cm["group"][0]["element"][0]["target"] = [target]
    r, body = _post(client, *_code(S, "a"), _cm(cm))
    assert r.status_code == 400 and what in body["issue"][0]["details"]["text"]


@pytest.mark.parametrize("shape", [{"element": 5}, {"unmapped": {"mode": "guess"}}, {"unmapped": "fixed"},
                                   {"unmapped": {"mode": "fixed"}}, {"unmapped": {"mode": "other-map"}}])
def test_malformed_groups_are_400_not_500(client, shape):
    cm = _map()
    cm["group"][0].update(shape)
    r, body = _post(client, *_code(S, "a"), _cm(cm))
    assert r.status_code == 400 and body["resourceType"] == "OperationOutcome"


def test_sourcescope_without_its_type_suffix_is_400(client):
    r, body = _post(client, *_code(S, "a"), _cm(_map(sourceScope="http://example.org/fhir/ValueSet/s")))
    assert r.status_code == 400 and "sourceScopeUri" in body["issue"][0]["details"]["text"]


@pytest.mark.parametrize("scope", ["http://snomed.info/sct?fhir_vs=ecl/<<<junk(",
                                   "http://snomed.info/sct?fhir_vs=ecl/<< 123",
                                   "http://snomed.info/sct?fhir_vs=isa/999999"])
@pytest.mark.parametrize("system, code", [(SNOMED, "58437007"), (S, "a")])
def test_a_scope_that_cannot_be_evaluated_is_400(snomed_client, scope, system, code):
    cm = {"resourceType": "ConceptMap", "url": MAP_URL, "status": "active", "sourceScopeUri": scope,
          "group": [{"source": system, "target": T,
                     "element": [{"code": code, "target": [{"code": "x", "equivalence": "wider"}]}]}]}
    r, body = _post(snomed_client, *_code(system, code), _cm(cm))
    if "isa/999999" in scope and system != SNOMED:
        # well formed, and a code of another system is simply outside it: no 400 for what cannot be told
        assert r.status_code == 200 and _result(body) is False
        return
    assert r.status_code == 400 and body["resourceType"] == "OperationOutcome"
    text = body["issue"][0]["details"]["text"]
    assert scope in text and "cannot be evaluated" in text


def test_a_stored_map_with_a_scope_that_cannot_be_evaluated_is_left_out_with_a_message(tmp_path):
    from fhir_api import create_app
    from terminology import import_paths, open_store
    db = str(tmp_path / "stored.db")
    store = open_store(db)
    import_paths(store, [HANDMADE], fmt="rf2")
    bad = {"resourceType": "ConceptMap", "id": "bad-scope", "url": MAP_URL, "version": "1", "status": "active",
           "sourceUri": "http://snomed.info/sct?fhir_vs=ecl/<< 123",
           "group": [{"source": SNOMED, "target": T,
                      "element": [{"code": "58437007", "target": [{"code": "x", "equivalence": "wider"}]}]}]}
    store.write([bad])
    store.close()
    client = create_app({"DB": db, "DEMO": False}).test_client()
    r, body = _post(client, *_code(SNOMED, "58437007"), _uri("url", MAP_URL))
    assert r.status_code == 200 and _result(body) is False and not _p(body, "match")
    text = _p(body, "message")[0]["valueString"]
    assert MAP_URL in text and "not used" in text
    # named by its id it is still the server's map, not the client's: left out and said, not a 400
    r2 = client.post("/fhir/ConceptMap/bad-scope/$translate", content_type="application/fhir+json",
                     json={"resourceType": "Parameters", "parameter": [{"name": n, **v} for n, v in
                                                                        [("system", {"valueUri": SNOMED}),
                                                                         ("code", {"valueCode": "58437007"})]]})
    assert r2.status_code == 200, r2.get_json()
    assert _p(r2.get_json(), "message")[0]["valueString"] == text


def test_a_stored_map_named_by_its_id_keeps_one_index(tmp_path):
    """Each call at instance level used to copy the stored map and index the copy again, keeping every copy."""
    from mappings import conceptmap_index as conceptmap
    client = stored_client(tmp_path, [_map(id="kept")])
    answers = []
    for _ in range(3):
        r = client.get(f"/fhir/ConceptMap/kept/$translate?system={S}&code=a")
        assert r.status_code == 200
        answers.append(r.get_json())
        if len(answers) == 1:
            indexes_after_first = len(conceptmap._indexes)
    assert answers[0]["parameter"] == answers[2]["parameter"] and _result(answers[0]) is True
    assert len(conceptmap._indexes) == indexes_after_first


def test_a_stored_target_without_equivalence_is_read_as_relatedto(tmp_path):
    cm = _map(id="no-equivalence")
    del cm["group"][0]["element"][0]["target"][0]["equivalence"]
    client = stored_client(tmp_path, [cm])
    r, body = _post(client, *_code(S, "a"))
    (m,) = _p(body, "match")
    assert r.status_code == 200 and _parts(m)["equivalence"] == ["relatedto"]


# --- `source` / `target` by logical id ---------------------------------------------------------------------------

def test_source_and_target_may_be_logical_ids(client):
    vs_s = {"resourceType": "ValueSet", "id": "probe-s", "url": "http://example.org/fhir/ValueSet/probe-s",
            "status": "active", "compose": {"include": [{"system": S}]}}
    vs_t = {"resourceType": "ValueSet", "id": "probe-t", "url": "http://example.org/fhir/ValueSet/probe-t",
            "status": "active", "compose": {"include": [{"system": T, "concept": [{"code": "z"}]}]}}
    r, body = _post(client, *_code(S, "a"), _cm(_map()), _uri("source", "probe-s"), _tx(vs_s))
    assert r.status_code == 200 and _result(body) is True
    r, body = _post(client, *_code(S, "a"), _cm(_map()), _uri("target", "probe-t"), _tx(vs_t))
    assert r.status_code == 200 and _result(body) is False and "probe-t" in _p(body, "message")[0]["valueString"]
    r, body = _post(client, *_code(S, "a"), _cm(_map()), _uri("target", "no-such-id"))
    assert r.status_code == 404


# --- messages ------------------------------------------------------------------------------------------------------

def _versioned_map() -> dict:
    return {"resourceType": "ConceptMap", "url": MAP_URL, "version": "1", "status": "active", "group": [
        {"source": S, "sourceVersion": "2020", "target": T, "element": [
            {"code": "a", "target": [{"code": "x", "equivalence": "equivalent"}]}]},
        {"source": S + "|2021", "target": T, "element": [
            {"code": "a", "target": [{"code": "x2", "relationship": "equivalent"}]}]}]}


def test_group_versions_choose_and_a_version_no_group_maps_is_said(client):
    def ask(version):
        return _post(client, *_code(S, "a"), {"name": "version", "valueString": version}, _cm(_versioned_map()))[1]
    assert _codes(ask("2020")) == ["x"] and _codes(ask("2021")) == ["x2"]
    body = ask("2022")
    assert _result(body) is False
    text = _p(body, "message")[0]["valueString"]
    assert "2020" in text and "2021" in text and "2022" in text and MAP_URL in text


def test_a_named_map_without_a_group_for_the_system_says_so(client):
    r, body = _post(client, *_code("http://example.org/fhir/CodeSystem/other", "a"), _cm(_map()))
    assert r.status_code == 200 and _result(body) is False
    assert "no group" in _p(body, "message")[0]["valueString"]
    r, body = _post(client, *_code(S, "a"), _uri("targetsystem", "http://example.org/fhir/CodeSystem/other"),
                    _cm(_map()))
    assert "no group" in _p(body, "message")[0]["valueString"]


def test_codeable_concept_codings_that_find_nothing_do_not_add_a_message(client):
    cc = {"coding": [{"system": S, "code": "a"}, {"system": "http://example.org/fhir/CodeSystem/other", "code": "q"}]}
    r, body = _post(client, {"name": "codeableConcept", "valueCodeableConcept": cc}, _tx(_map()))
    assert r.status_code == 200 and _result(body) is True and _codes(body) == ["x"] and not _p(body, "message")
    cc["coding"][0]["code"] = "zz"
    r, body = _post(client, {"name": "codeableConcept", "valueCodeableConcept": cc}, _tx(_map()))
    assert _result(body) is False and _p(body, "message")


# --- unmapped other-map chains ---------------------------------------------------------------------------------

def _chain_map(name: str, mapped: dict, unmapped: dict | None) -> dict:
    g = {"source": S, "target": T,
         "element": [{"code": c, "target": [{"code": t, "equivalence": "equivalent"}]} for c, t in mapped.items()]}
    if unmapped:
        g["unmapped"] = unmapped
    return {"resourceType": "ConceptMap", "url": f"http://example.org/fhir/ConceptMap/{name}", "version": "1",
            "status": "active", "group": [g]}


def test_other_map_chains_are_followed_and_cycles_are_said(client):
    a = _chain_map("A", {"a": "x"}, {"mode": "other-map", "url": "http://example.org/fhir/ConceptMap/B"})
    b = _chain_map("B", {"b": "y"}, {"mode": "other-map", "url": "http://example.org/fhir/ConceptMap/C|1"})
    c = _chain_map("C", {"c": "z"}, {"mode": "fixed", "code": "fallback"})
    ask = lambda code, *maps: _post(client, *_code(S, code), _uri("url", a["url"]), *map(_tx, maps))[1]  # noqa: E731
    assert _codes(ask("c", a, b, c)) == ["z"] and _codes(ask("q", a, b, c)) == ["fallback"]
    # B sends its unmapped codes back to A: the walk stops, and the message says where
    b_back = _chain_map("B", {"b": "y"}, {"mode": "other-map", "otherMap": a["url"]})     # R5 element name
    body = ask("q", a, b_back)
    assert _result(body) is False and not _p(body, "match")
    text = _p(body, "message")[0]["valueString"]
    assert "walked already" in text and "No translation" not in text
    # the other map is not known: the code stays unmapped, and the message names the map
    body = ask("q", a)
    assert _result(body) is False and b["url"] in _p(body, "message")[0]["valueString"]


@pytest.mark.parametrize("name, code_params", [
    ("targetScope", [_uri("sourceSystem", S), {"name": "sourceCode", "valueCode": "a"}]),
    ("sourceScope", [_uri("sourceSystem", S), {"name": "sourceCode", "valueCode": "a"}]),
    ("sourceScope", [_uri("targetSystem", T), {"name": "targetCode", "valueCode": "x"}]),
    ("target", _code(S, "a")),
])
def test_an_unknown_scope_is_404_naming_the_parameter_the_client_used(client, name, code_params):
    r, body = _post(client, *code_params, _uri(name, "http://example.org/fhir/ValueSet/nowhere"), _cm(_map()))
    assert r.status_code == 404
    issue = body["issue"][0]
    # the parameter is named in the text and in diagnostics; a bare parameter name is no path into a resource
    # (in the reference server's words)
    assert issue["details"]["text"] == ("The value set 'http://example.org/fhir/ValueSet/nowhere', which is the "
                                        f"{name} parameter, could not be found, so the scope of the translation "
                                        "cannot be determined")
    assert issue["diagnostics"].startswith(f"parameter: {name}")
    assert "expression" not in issue


def test_a_map_whose_source_scope_leaves_the_code_out_says_so(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/only-b", "status": "active",
          "compose": {"include": [{"system": S, "concept": [{"code": "b"}]}]}}
    r, body = _post(client, *_code(S, "a"), _tx(_map(sourceScopeUri=vs["url"])), _tx(vs))
    assert r.status_code == 200 and _result(body) is False and not _p(body, "match")
    text = _p(body, "message")[0]["valueString"]
    assert text == f"No ConceptMap that translates from '{S}' to '(unspecified)' has '{S}#a' in scope"


def test_an_r5_element_may_map_every_code_of_a_value_set(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/bc", "status": "active",
          "compose": {"include": [{"system": S, "concept": [{"code": "b"}, {"code": "c"}]}]}}
    cm = {"resourceType": "ConceptMap", "url": MAP_URL, "version": "1", "status": "active",
          "group": [{"source": S, "target": T, "element": [
              {"code": "a", "target": [{"code": "x", "relationship": "equivalent"}]},
              {"valueSet": vs["url"], "target": [{"code": "bc", "relationship": "source-is-narrower-than-target"}]}],
              "unmapped": {"mode": "fixed", "code": "other", "relationship": "related-to"}}]}
    ask = lambda code: _post(client, *_code(S, code), _cm(cm), _tx(vs))[1]   # noqa: E731
    body = ask("b")
    assert _result(body) is True and _codes(body) == ["bc"]
    assert _parts(_p(body, "match")[0])["equivalence"] == ["wider"]
    assert _codes(ask("a")) == ["x"] and _codes(ask("d")) == ["other"]


def test_a_stored_map_named_by_its_id_is_that_map_not_another_of_its_url(tmp_path):
    """ConceptMap/m1/$translate answers from m1 only, even when a later version of its url is stored and when
    the request brings a map of the same url."""
    def cm(rid, version, target):
        m = {"resourceType": "ConceptMap", "id": rid, "url": "http://example.org/cm/same", "status": "active",
             "group": [{"source": "http://s", "target": "http://t",
                        "element": [{"code": "a", "target": [{"code": target, "equivalence": "equivalent"}]}]}]}
        if version:
            m["version"] = version
        return m

    client = stored_client(tmp_path, [cm("m1", None, "OLD"), cm("m2", "2", "NEW")])
    sent = cm("sent", None, "SENT")
    for r in (client.get("/fhir/ConceptMap/m1/$translate?system=http://s&code=a"),
              client.post("/fhir/ConceptMap/m1/$translate", content_type=FJ,
                          json={"resourceType": "Parameters", "parameter": [
                              {"name": "system", "valueUri": "http://s"}, {"name": "code", "valueCode": "a"},
                              {"name": "tx-resource", "resource": sent}]})):
        assert r.status_code == 200, r.get_json()
        targets = [pp["valueCoding"]["code"] for m in _p(r.get_json(), "match") for pp in m["part"]
                   if pp["name"] == "concept"]
        assert targets == ["OLD"]


def test_a_sent_map_with_an_element_value_set_that_cannot_be_evaluated_is_400(snomed_client):
    """As a broken scope is: the map is broken whichever code is asked (it used to answer "No translation")."""
    bad = "http://snomed.info/sct?fhir_vs=ecl/<<<"
    cm = {"resourceType": "ConceptMap", "url": MAP_URL, "version": "1", "status": "active",
          "group": [{"source": "http://s", "target": T, "element": [
              {"valueSet": bad, "target": [{"code": "x", "relationship": "equivalent"}]}]}]}
    r, body = _post(snomed_client, *_code("http://s", "zz"), _cm(cm))
    assert r.status_code == 400 and body["resourceType"] == "OperationOutcome"
    assert bad in body["issue"][0]["details"]["text"]
