"""Supplements probed (session 7): a required supplement that cannot be used fails every operation alike.

A supplement of version 2 of a code system, named by useSupplement or by the value set's valueset-supplement
extension while the request uses version 1, used to be ignored by $expand and both $validate-code (only $lookup
refused it). Now each answers not-found (404; $expand 422 and $lookup 400, as the reference server answers them)
with the reference servers' message ("Required supplement not found: <as named>") and a diagnostics line naming the
version it supplements and the loaded versions.
"""
import pytest

from tests.support.tx_files import param_pairs as _params, stored_client, supplement_refused as _refused

B = "http://example.org/fhir/"
CS = B + "CodeSystem/s7"
SUP = B + "CodeSystem/s7-sup2"
E = "http://hl7.org/fhir/StructureDefinition/"
TX = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"


def _cs(version, display):
    return {"resourceType": "CodeSystem", "id": "s7-" + version, "url": CS, "version": version, "status": "active",
            "content": "complete", "concept": [{"code": "a", "display": display}, {"code": "b", "display": "B"}]}


SUP_V2 = {"resourceType": "CodeSystem", "id": "s7-sup2", "url": SUP, "version": "1", "status": "active",
          "content": "supplement", "supplements": CS + "|2",
          "concept": [{"code": "a", "designation": [{"language": "fr", "value": "A deux"}]}]}
VS1 = {"resourceType": "ValueSet", "id": "s7-v1", "url": B + "ValueSet/s7-v1", "status": "active",
       "compose": {"include": [{"system": CS, "version": "1"}]}}
VS1_EXT = {"resourceType": "ValueSet", "id": "s7-v1x", "url": B + "ValueSet/s7-v1x", "status": "active",
           "extension": [{"url": E + "valueset-supplement", "valueCanonical": SUP}],
           "compose": {"include": [{"system": CS, "version": "1"}]}}
VS2 = {"resourceType": "ValueSet", "id": "s7-v2", "url": B + "ValueSet/s7-v2", "status": "active",
       "compose": {"include": [{"system": CS, "version": "2"}]}}
VS_BOTH = {"resourceType": "ValueSet", "id": "s7-both", "url": B + "ValueSet/s7-both", "status": "active",
           "compose": {"include": [{"system": CS, "version": "1"}, {"system": CS, "version": "2"}]}}


@pytest.fixture
def client(tmp_path):
    return stored_client(tmp_path, [_cs("1", "A1"), _cs("2", "A2"), SUP_V2, VS1, VS1_EXT, VS2, VS_BOTH])




def _says_versions(issue: dict) -> None:
    why = issue.get("diagnostics") or ""
    assert f"{SUP}|1 supplements {CS} version 2" in why, why
    assert "uses version 1" in why and "loaded versions: 1, 2" in why, why


# --- a supplement of another version than the one used ------------------------------------------------------
def test_expand_refuses_use_supplement_of_another_version(client):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": VS1["url"], "useSupplement": SUP})
    _says_versions(_refused(r, SUP))


def test_expand_refuses_valueset_supplement_extension_of_another_version(client):
    _says_versions(_refused(client.get("/fhir/ValueSet/$expand", query_string={"url": VS1_EXT["url"]}), SUP))


def test_codesystem_validate_code_refuses_supplement_of_another_version(client):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={
        "url": CS, "version": "1", "code": "a", "useSupplement": SUP})
    _says_versions(_refused(r, SUP))


def test_valueset_validate_code_refuses_supplement_of_another_version(client):
    r = client.get("/fhir/ValueSet/$validate-code", query_string={
        "url": VS1["url"], "system": CS, "code": "a", "useSupplement": SUP + "|1"})
    _says_versions(_refused(r, SUP + "|1"))
    r = client.get("/fhir/ValueSet/$validate-code", query_string={"url": VS1_EXT["url"], "system": CS, "code": "a"})
    _says_versions(_refused(r, SUP))


def test_lookup_names_the_versions_too(client):
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": CS, "version": "1", "code": "a",
                                                             "useSupplement": SUP})
    _says_versions(_refused(r, SUP))


def test_post_with_supplied_value_set_is_refused_alike(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": {**VS1, "id": "s7-sent", "url": B + "ValueSet/s7-sent"}},
        {"name": "useSupplement", "valueCanonical": SUP}]}
    _says_versions(_refused(client.post("/fhir/ValueSet/$expand", json=body), SUP))


# --- a supplement that is not there at all ---------------------------------------------------------------------
@pytest.mark.parametrize("op", ["ValueSet/$expand", "ValueSet/$validate-code", "CodeSystem/$validate-code",
                                "CodeSystem/$lookup"])
def test_missing_supplement_version_names_the_loaded_ones(client, op):
    q = {"ValueSet/$expand": {"url": VS2["url"]},
         "ValueSet/$validate-code": {"url": VS2["url"], "system": CS, "code": "a"},
         "CodeSystem/$validate-code": {"url": CS, "version": "2", "code": "a"},
         "CodeSystem/$lookup": {"system": CS, "version": "2", "code": "a"}}[op]
    issue = _refused(client.get("/fhir/" + op, query_string={**q, "useSupplement": SUP + "|9"}), SUP + "|9")
    assert issue.get("diagnostics") == f"loaded versions of {SUP}: 1"
    # one that never existed: the reference servers' message alone
    issue = _refused(client.get("/fhir/" + op, query_string={**q, "useSupplement": B + "nope"}), B + "nope")
    assert "diagnostics" not in issue


# --- the right version: applied and named -----------------------------------------------------------------------
def test_supplement_of_the_version_used_is_applied_and_named(client):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": VS2["url"], "useSupplement": SUP,
                                                           "displayLanguage": "fr"})
    assert r.status_code == 200, r.get_json()
    exp = r.get_json()["expansion"]
    assert ("used-supplement", SUP + "|1") in _params(exp)
    assert {c["code"]: c["display"] for c in exp["contains"]}["a"] == "A deux"
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={
        "url": CS, "version": "2", "code": "a", "display": "A deux", "useSupplement": SUP})
    assert ("result", True) in _params(r.get_json())


def test_value_set_of_both_versions_uses_the_supplement_for_its_version(client):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": VS_BOTH["url"], "useSupplement": SUP,
                                                           "displayLanguage": "fr"})
    assert r.status_code == 200, r.get_json()
    exp = r.get_json()["expansion"]
    assert ("used-supplement", SUP + "|1") in _params(exp)
    shown = {(c.get("version"), c["code"]): c["display"] for c in exp["contains"]}
    assert shown[("2", "a")] == "A deux" and shown[("1", "a")] == "A1"


def test_a_page_of_a_whole_system_is_held_to_the_same_rule(client):
    # paging a whole system reads the index straight (no walk over the compose): the rule holds there too
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": VS1["url"], "useSupplement": SUP, "count": 1})
    _says_versions(_refused(r, SUP))
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": VS2["url"], "useSupplement": SUP, "count": 1,
                                                           "displayLanguage": "fr"})
    assert r.status_code == 200, r.get_json()
    exp = r.get_json()["expansion"]
    assert ("used-supplement", SUP + "|1") in _params(exp) and exp["contains"][0]["display"] == "A deux"
