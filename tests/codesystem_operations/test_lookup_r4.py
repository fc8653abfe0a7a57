"""Probe 9, CodeSystem/$lookup (R4 OperationDefinition CodeSystem-lookup): every input form, `property`,
`date`, designations, and the shape of the output parameters."""
import json


from tests.support.tx_requests import cs, post, simple_cs

from .simple_requests import FLAT, S, assert_outcome, first, named, parts, properties, raw

L = "CodeSystem/$lookup"
SETUP = [simple_cs()]

X = "http://ex.org/p9/props"
PROPS = cs(X, "2", [{
    "code": "p", "display": "Parent",
    "designation": [{"language": "de", "value": "Elter"},
                    {"language": "nb", "use": {"system": "http://snomed.info/sct", "code": "900000000000013009"},
                     "value": "Forelder"}],
    "property": [{"code": "s", "valueString": "hello"}, {"code": "i", "valueInteger": 3},
                 {"code": "b", "valueBoolean": True},
                 {"code": "c", "valueCoding": {"system": "http://ex.org/o", "code": "z", "display": "Zed"}},
                 {"code": "d", "valueDateTime": "2020-01-01"}, {"code": "dec", "valueDecimal": 1.5}],
    "concept": [{"code": "k", "display": "Kid"}]}],
    property=[{"code": "s", "type": "string"}, {"code": "i", "type": "integer"}, {"code": "b", "type": "boolean"},
              {"code": "c", "type": "Coding"}, {"code": "d", "type": "dateTime"},
              {"code": "dec", "type": "decimal"}],
    name="Props", language="en")
D1 = cs("http://ex.org/p9/dated", "1", [{"code": "a", "display": "A one"}], date="2020-01-01")
D2 = cs("http://ex.org/p9/dated", "2", [{"code": "a", "display": "A two"}], date="2022-01-01")


def test_required_outputs_name_and_display_and_version(client):
    """R4 CodeSystem-lookup: name 1..1, display 1..1, version 0..1 ('the version that these details are
    based on')."""
    status, b = post(client, L, [("system", S), ("code", "code1")], SETUP)
    assert status == 200
    assert first(b, "name") == "SimpleTestCodeSystem"
    assert first(b, "display") == "Display 1"
    assert first(b, "version") == "0.1.0"
    assert len(named(b, "name")) == len(named(b, "display")) == 1


def test_coding_form_equals_system_code_form(client):
    """'a client SHALL provide both a system and a code, either using the system+code parameters, or in the
    coding parameter'."""
    _, a = post(client, L, [("system", S), ("code", "code2a")], SETUP)
    _, b = post(client, L, [("coding", {"system": S, "code": "code2a"})], SETUP)
    assert a == b


def test_coding_version_selects_the_version(client):
    status, b = post(client, L, [("coding", {"system": S, "code": "code1", "version": "0.1.0"})], SETUP)
    assert status == 200 and first(b, "version") == "0.1.0"


def test_requested_parent_and_child_only(client):
    """'If no properties are specified, the server chooses what to return': with `property` given, only
    those come back, as property groups with code, value and (optional) description."""
    status, b = post(client, L, [("system", S), ("code", "code2a"), ("property", "parent"),
                                 ("property", "child")], SETUP)
    assert status == 200
    assert sorted(properties(b)) == [("child", "code2aI"), ("child", "code2aII"), ("parent", "code2")]
    assert not named(b, "designation")
    parent = next(p for p in named(b, "property") if parts(p)["code"] == "parent")
    assert parts(parent).get("description") in (None, "Display 2")


def test_property_part_order_follows_the_definition(client):
    """R4 lists the property parts as code, value, description, subproperty."""
    _, b = post(client, L, [("system", S), ("code", "code2a"), ("property", "parent")], SETUP)
    (p,) = named(b, "property")
    assert [q["name"] for q in p["part"]] == ["code", "value", "description"]


def test_designation_parts_are_language_use_value(client):
    """Designation parts: language 0..1 (code), use 0..1 (Coding), value 1..1 (string), in that order."""
    _, b = post(client, L, [("system", X), ("code", "p"), ("property", "designation")], [PROPS])
    designations = named(b, "designation")
    assert designations
    for d in designations:
        names = [q["name"] for q in d["part"]]
        assert names == [n for n in ("language", "use", "value") if n in names] and "value" in names
        for q in d["part"]:
            key = {"language": "valueCode", "use": "valueCoding", "value": "valueString"}[q["name"]]
            assert key in q, q
    nb = next(d for d in designations if parts(d).get("language") == "nb")
    assert parts(nb)["use"] == {"system": "http://snomed.info/sct", "code": "900000000000013009"}


def test_designation_property_leaves_out_other_properties(client):
    _, b = post(client, L, [("system", S), ("code", "code1"), ("property", "designation")], SETUP)
    values = [parts(d)["value"] for d in named(b, "designation")]
    assert "mine own first code" in values
    assert not named(b, "property")


def test_lang_x_gives_designations_in_that_language_only(client):
    """R4: 'for designations, lang.X where X is a designation language code'."""
    _, b = post(client, L, [("system", X), ("code", "p"), ("property", "lang.de")], [PROPS])
    assert [(parts(d).get("language"), parts(d)["value"]) for d in named(b, "designation")] == [("de", "Elter")]


def test_lang_x_without_such_designations_gives_none(client):
    _, b = post(client, L, [("system", X), ("code", "p"), ("property", "lang.fr")], [PROPS])
    assert not named(b, "designation")


def test_definition_property(client):
    status, b = post(client, L, [("system", S), ("code", "code1"), ("property", "definition")], SETUP)
    assert status == 200 and first(b, "definition") == "My first code"
    assert not named(b, "property")


def test_declared_properties_keep_their_types(client):
    """property.value is Element: each of the code system's own properties comes back in its own type."""
    status, b = post(client, L, [("system", X), ("code", "p")] + [("property", n) for n in
                                                                   ("s", "i", "b", "c", "d", "dec")], [PROPS])
    assert status == 200
    typed = {parts(p)["code"]: next(k for q in p["part"] if q["name"] == "value" for k in q if k != "name")
             for p in named(b, "property")}
    assert typed == {"s": "valueString", "i": "valueInteger", "b": "valueBoolean", "c": "valueCoding",
                     "d": "valueDateTime", "dec": "valueDecimal"}


def test_coding_property_has_description_from_its_display(client):
    _, b = post(client, L, [("system", X), ("code", "p"), ("property", "c")], [PROPS])
    (p,) = named(b, "property")
    assert parts(p).get("description") == "Zed"


def test_unknown_property_name_is_not_an_error(client):
    """'the server chooses what to return': a property the code system does not have is simply absent."""
    status, b = post(client, L, [("system", S), ("code", "code1"), ("property", "no-such-property")], SETUP)
    assert status == 200
    assert not named(b, "property")
    assert first(b, "display") == "Display 1"


def test_status_and_inactive_of_a_retired_concept(client):
    """code2 has the standard status property (concept-properties#status) = retired: it is inactive."""
    _, b = post(client, L, [("system", S), ("code", "code2"), ("property", "status"), ("property", "inactive")],
                SETUP)
    assert sorted(properties(b)) == [("inactive", True), ("status", "retired")]


def test_inactive_of_an_active_concept(client):
    _, b = post(client, L, [("system", S), ("code", "code1"), ("property", "inactive")], SETUP)
    assert properties(b) == [("inactive", False)]


def test_date_picks_the_version_in_force(client):
    """R4 `date`: 'the information as it would have been' on that date."""
    _, b = post(client, L, [("system", D1["url"]), ("code", "a"), ("date", "2021-06-01")], [D1, D2])
    assert (first(b, "version"), first(b, "display")) == ("1", "A one")
    _, b = post(client, L, [("system", D1["url"]), ("code", "a")], [D1, D2])
    assert (first(b, "version"), first(b, "display")) == ("2", "A two")


def test_display_language_picks_the_designation(client):
    _, b = post(client, L, [("system", X), ("code", "p"), ("displayLanguage", "de")], [PROPS])
    assert first(b, "display") == "Elter"


def test_get_with_repeated_and_comma_separated_property(stored):
    a = stored.get(f"/fhir/CodeSystem/$lookup?system={S}&code=code2a&property=parent&property=child").get_json()
    b = stored.get(f"/fhir/CodeSystem/$lookup?system={S}&code=code2a&property=parent,child").get_json()
    assert sorted(properties(a)) == sorted(properties(b)) == [("child", "code2aI"), ("child", "code2aII"),
                                                              ("parent", "code2")]


def test_get_coding_shorthand(stored):
    r = stored.get(f"/fhir/CodeSystem/$lookup?coding={S}|code1")
    assert r.status_code == 200 and first(r.get_json(), "display") == "Display 1"


def test_instance_level_get_and_post(stored):
    """At /CodeSystem/{id}/$lookup the system is the instance's."""
    r = stored.get("/fhir/CodeSystem/simple/$lookup?code=code3")
    assert r.status_code == 200 and first(r.get_json(), "display") == "Display 3"
    r = stored.post("/fhir/CodeSystem/simple/$lookup", json={
        "resourceType": "Parameters", "parameter": [{"name": "code", "valueCode": "code3"}]},
        content_type="application/fhir+json")
    assert r.status_code == 200 and first(r.get_json(), "version") == "0.1.0"


def test_instance_level_with_another_system_is_refused(stored):
    r = stored.get("/fhir/CodeSystem/simple/$lookup?code=code1&system=http://ex.org/other")
    assert_outcome(r.status_code, r.get_json(), 400, "invalid", "http://ex.org/other", tx="invalid-data")


def test_instance_level_unknown_id_is_404(stored):
    r = stored.get("/fhir/CodeSystem/no-such-id/$lookup?code=code1")
    assert_outcome(r.status_code, r.get_json(), 404, "not-found", "no-such-id")


def test_unknown_code_is_an_error_naming_code_and_system(client):
    status, b = post(client, L, [("system", S), ("code", "codeX")], SETUP)
    assert_outcome(status, b, 404, "not-found", "codeX", S, tx="not-found")


def test_unknown_system_is_not_found(client):
    status, b = post(client, L, [("system", S + "X"), ("code", "code1")], SETUP)
    assert_outcome(status, b, 422, "not-found", S + "X", tx="not-found")   # a code system (version) not held: 422


def test_unknown_version_lists_the_known_ones(client):
    status, b = post(client, L, [("system", S), ("code", "code1"), ("version", "9.9")], SETUP)
    assert_outcome(status, b, 422, "not-found", "9.9", "0.1.0", tx="not-found")   # a code system (version) not held: 422


def test_system_contradicting_coding_system_is_refused(client):
    status, b = raw(client, L, [{"name": "system", "valueUri": "http://ex.org/other"},
                                {"name": "coding", "valueCoding": {"system": S, "code": "code1"}}])
    assert_outcome(status, b, 400, "invalid", "system")


def test_version_contradicting_coding_version_is_refused(client):
    status, b = raw(client, L, [{"name": "version", "valueString": "9.9"},
                                {"name": "coding", "valueCoding": {"system": S, "code": "code1",
                                                                   "version": "0.1.0"}}])
    assert_outcome(status, b, 400, "invalid", "version")


NOT_PRESENT = cs("http://ex.org/p9/np", "1", [], content="not-present")


def test_hierarchy_stated_by_parent_property_gives_parent_and_child_once(client):
    _, b = post(client, L, [("system", FLAT["url"]), ("code", "mid"), ("property", "parent"),
                            ("property", "child")], [FLAT])
    assert sorted(properties(b)) == [("child", "leaf"), ("parent", "top")]


def test_accept_language_header_chooses_the_display(client):
    """R4 $expand displayLanguage (which $lookup refers to) defaults to the request's Accept-Language."""
    r = client.post("/fhir/" + L, data=json.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": X}, {"name": "code", "valueCode": "p"},
        {"name": "tx-resource", "resource": PROPS}]}), content_type="application/fhir+json",
        headers={"Accept-Language": "de"})
    assert first(r.get_json(), "display") == "Elter"


def test_display_language_parameter_wins_over_the_header(client):
    r = client.post("/fhir/" + L, data=json.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": X}, {"name": "code", "valueCode": "p"},
        {"name": "displayLanguage", "valueCode": "en"}, {"name": "tx-resource", "resource": PROPS}]}),
        content_type="application/fhir+json", headers={"Accept-Language": "de"})
    assert first(r.get_json(), "display") == "Parent"


def test_lookup_in_a_code_system_without_content_says_the_content_is_not_held(client):
    status, b = post(client, L, [("system", NOT_PRESENT["url"]), ("code", "x")], [NOT_PRESENT])
    assert 400 <= status < 500
    text = b["issue"][0]["details"]["text"].lower()
    assert "not held" in text or "content" in text
