"""CodeSystem/$lookup through the API (GET and POST, type and instance level) and the engine."""
from __future__ import annotations

from terminology.errors import NotFound
from terminology.operations.lookup import LookupRequest, lookup

from .conftest import ICD10, SIMPLE, FJ, data, params, post


def test_get_lookup_icd10_code(cs_client):
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=A000")
    assert r.status_code == 200 and r.mimetype == FJ
    p = params(r.get_json())
    assert p["display"] == ["Kolera som skyldes Vibrio cholerae 01, biovar cholerae"]
    assert p["version"] == ["2026"]            # latest loaded edition by default
    assert p["name"] == ["ICD10NO"] and p["code"] == ["A000"] and p["system"] == [ICD10]


def test_dotted_icd10_code_is_answered_with_the_canonical_code(cs_client):
    p = params(cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=J12.8").get_json())
    assert p["code"] == ["J128"]
    assert p["display"] == ["Annen spesifisert viruspneumoni"]
    assert any("J12.8" in m and "J128" in m for m in p["message"])


def test_oid_alias_is_accepted(cs_client):
    r = cs_client.get("/fhir/CodeSystem/$lookup?system=urn:oid:2.16.578.1.12.4.1.1.7110&code=I64")
    assert params(r.get_json())["system"] == [ICD10]


def test_version_selects_edition_and_unknown_version_lists_loaded(cs_client):
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=U071&version=2025")
    assert r.status_code == 404                 # U07.1 is not in the 2025 test edition
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=A000&version=2025")
    assert params(r.get_json())["version"] == ["2025"]
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=A000&version=1999")
    assert r.status_code == 422   # a code system (version) not held: 422
    text = r.get_json()["issue"][0]["details"]["text"]
    assert "1999" in text and "2025" in text and "2026" in text


def test_date_picks_the_edition_in_force(cs_client):
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=A000&date=2025-06-01")
    assert params(r.get_json())["version"] == ["2025"]
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=A000&date=2026-02-01T10:00:00Z")
    assert params(r.get_json())["version"] == ["2026"]
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=A000&date=2001-01-01")
    assert r.status_code == 422 and r.get_json()["resourceType"] == "OperationOutcome"


def test_unknown_code_is_404_and_unknown_system_422(cs_client):
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=XXX")
    assert r.status_code == 404 and "XXX" in r.get_json()["issue"][0]["details"]["text"]
    r = cs_client.get("/fhir/CodeSystem/$lookup?system=http://example.org/none&code=a")
    assert r.status_code == 422 and "http://example.org/none" in r.get_json()["issue"][0]["details"]["text"]


def test_missing_code_or_system_is_400(cs_client):
    assert cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}").status_code == 400
    assert cs_client.get("/fhir/CodeSystem/$lookup?code=A000").status_code == 400


def test_all_properties_of_a_hierarchical_code(cs_client):
    r = post(cs_client, "/fhir/CodeSystem/$lookup", {"name": "coding", "valueCoding": {"system": SIMPLE, "code": "code2"}},
             {"name": "property", "valueCode": "*"})
    p = params(r.get_json())
    props = {(x["code"], str(x.get("value"))) for x in p["property"]}
    assert ("child", "code2a") in props and ("child", "code2b") in props
    assert ("inactive", "True") in props and ("status", "retired") in props and ("notSelectable", "True") in props
    assert p["abstract"] == [True]
    assert p["definition"] == ["My second code, with children"]
    assert {d["value"] for d in p["designation"]} == {"Display 2", "mine own second code"}
    child = next(x for x in p["property"] if x["code"] == "child" and x["value"] == "code2a")
    assert child["description"] == "Display 2a"


def test_requested_properties_only(cs_client):
    r = post(cs_client, "/fhir/CodeSystem/$lookup", {"name": "system", "valueUri": SIMPLE},
             {"name": "code", "valueCode": "code2aI"}, {"name": "property", "valueCode": "parent"})
    p = params(r.get_json())
    assert [(x["code"], x["value"]) for x in p["property"]] == [("parent", "code2a")]
    assert "designation" not in p and "definition" not in p
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={SIMPLE}&code=code1&property=status,prop")
    props = {(x["code"], x["value"]) for x in params(r.get_json())["property"]}
    assert props == {("status", "active"), ("prop", "old")}


def test_instance_level_lookup(cs_client, catalog):
    h = catalog.find_header("CodeSystem", SIMPLE)
    r = cs_client.get(f"/fhir/CodeSystem/{h.id}/$lookup?code=code3")
    assert params(r.get_json())["display"] == ["Display 3"]


def test_lookup_against_a_supplied_code_system(cs_client):
    cs = data("codesystem-simple.json")
    cs["url"] = "http://example.org/only-in-request"
    r = post(cs_client, "/fhir/CodeSystem/$lookup", {"name": "system", "valueUri": cs["url"]},
             {"name": "code", "valueCode": "code1"}, {"name": "tx-resource", "resource": cs})
    assert params(r.get_json())["display"] == ["Display 1"]
    # never stored
    assert cs_client.get(f"/fhir/CodeSystem?url={cs['url']}").get_json()["total"] == 0


def test_display_language_picks_a_designation(cs_client):
    cs = data("codesystem-simple.json")
    cs["url"] = "http://example.org/languages"
    cs["concept"][0]["designation"].append({"language": "nb", "value": "Visning 1"})
    base = [{"name": "system", "valueUri": cs["url"]}, {"name": "code", "valueCode": "code1"},
            {"name": "tx-resource", "resource": cs}]
    r = post(cs_client, "/fhir/CodeSystem/$lookup", *base, {"name": "displayLanguage", "valueCode": "nb"})
    assert params(r.get_json())["display"] == ["Visning 1"]
    r = cs_client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Parameters", "parameter": base},
                       content_type=FJ, headers={"Accept-Language": "nb-NO, en;q=0.5"})
    assert params(r.get_json())["display"] == ["Visning 1"]
    r = post(cs_client, "/fhir/CodeSystem/$lookup", *base, {"name": "displayLanguage", "valueCode": "en"})
    assert params(r.get_json())["display"] == ["Display 1"]


def test_engine_lookup_without_http(catalog):
    res = lookup(catalog, LookupRequest(code="i64", system=ICD10))
    assert res.code == "I64" and res.version == "2026" and res.display.startswith("Hjerneslag")
    try:
        lookup(catalog, LookupRequest(code="A000", system=ICD10, version="2020"))
    except NotFound as e:
        # the loaded versions are listed in the shared wording of compose.unknown_system
        assert "Valid versions: 2025" in e.message and "2026" in e.message
    else:
        raise AssertionError("expected NotFound")


def test_index_subclass_can_add_properties(catalog):
    """A CodeSystemIndex subclass (SNOMED CT) plugs in with lookup_properties."""
    from terminology.codesystem import INDEX_CLASSES, CodeSystemIndex
    from terminology.operations.lookup import LookupProperty, concept_properties

    class WithExtra(CodeSystemIndex):
        def lookup_properties(self, concept, wanted):
            return concept_properties(self, concept, wanted) + [LookupProperty("moduleId", "valueCode", "123")]

    cs = data("codesystem-simple.json")
    cs["url"] = "http://example.org/with-extra-properties"
    INDEX_CLASSES[cs["url"]] = WithExtra
    try:
        res = lookup(catalog.overlay([cs]), LookupRequest(code="code1", system=cs["url"]))
    finally:
        del INDEX_CLASSES[cs["url"]]
    assert res.properties[-1].code == "moduleId"


def test_coding_as_system_bar_code_in_a_query(cs_client):
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?coding={ICD10}|I64")
    assert params(r.get_json())["code"] == ["I64"]
    assert cs_client.get("/fhir/CodeSystem/$lookup?coding=I64").status_code == 400


def test_date_forms(cs_client):
    for d in ("2025", "2025-07", "2025-07-01T12:00:00+02:00"):
        r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=A000&date={d.replace('+', '%2B')}")
        assert params(r.get_json())["version"] == ["2025"], d
    r = cs_client.get(f"/fhir/CodeSystem/$lookup?system={ICD10}&code=A000&date=yesterday")
    assert r.status_code == 400


def test_abstract_follows_the_not_selectable_uri_whatever_its_code(cs_client):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/cs/ns-alias", "status": "active",
          "content": "complete",
          "property": [{"code": "ns", "uri": "http://hl7.org/fhir/concept-properties#notSelectable",
                        "type": "boolean"}],
          "concept": [{"code": "group", "display": "A heading", "property": [{"code": "ns", "valueBoolean": True}]},
                      {"code": "leaf", "display": "A code"}]}

    def abstract(code):
        r = post(cs_client, "/fhir/CodeSystem/$lookup", {"name": "system", "valueUri": cs["url"]},
                 {"name": "code", "valueCode": code}, {"name": "tx-resource", "resource": cs})
        return params(r.get_json())["abstract"]
    assert abstract("group") == [True]
    assert abstract("leaf") == [False]


def test_lang_property_returns_the_designations_in_that_language(cs_client):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/cs/langs", "status": "active",
          "content": "complete", "language": "en", "concept": [{"code": "a", "display": "Alpha", "designation": [
              {"language": "nb", "value": "Alfa"}, {"language": "nb-NO", "value": "Alfa (Norge)"},
              {"language": "de", "value": "Alpha (de)"}]}]}

    def designations(*props):
        r = post(cs_client, "/fhir/CodeSystem/$lookup", {"name": "system", "valueUri": cs["url"]},
                 {"name": "code", "valueCode": "a"}, {"name": "tx-resource", "resource": cs},
                 *({"name": "property", "valueCode": p} for p in props))
        return sorted(d["value"] for d in params(r.get_json()).get("designation", []))
    assert designations("lang.nb") == ["Alfa", "Alfa (Norge)"]
    assert designations("lang.no") == ["Alfa", "Alfa (Norge)"]     # 'no' is Bokmål and Nynorsk
    assert designations("lang.de", "lang.en") == ["Alpha", "Alpha (de)"]
    assert designations("designation") == ["Alfa", "Alfa (Norge)", "Alpha", "Alpha (de)"]
    assert designations("display") == []


def test_case_insensitive_match_adds_no_message(cs_client):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/cs/nocase", "status": "active",
          "content": "complete", "caseSensitive": False, "concept": [{"code": "abc", "display": "ABC"}]}
    r = post(cs_client, "/fhir/CodeSystem/$lookup", {"name": "system", "valueUri": cs["url"]},
             {"name": "code", "valueCode": "ABC"}, {"name": "tx-resource", "resource": cs})
    out = params(r.get_json())
    assert out["code"] == ["abc"] and "message" not in out
