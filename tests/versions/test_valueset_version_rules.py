"""Review of the value set versions change: the version rules on instance calls, url|version and
valueSetVersion that name one version in two ways, an empty valueSetVersion, and wildcard versions in
ConceptMap scopes. A version is not a prefix (1 and 1.0 do not name 1.0.0), as for code system versions.
Data: tests/data/vs_versions (see test_vs_versions_probe6.py); decisions in docs/versions.md.
"""
import json

import pytest

from tests.versions.test_valueset_versions import CS, CS1, CS2, IMPORTS, SETUP, V, VS1, VS2, VSV, \
    _expand, _post, _used, _version_of

INSTANCE = "/fhir/ValueSet/vs-version-1/$expand"


@pytest.fixture
def stored(db_path):
    from fhir_api import create_app
    from terminology import open_store
    store = open_store(db_path)
    store.write([CS1, CS2, VS1, VS2, *IMPORTS])
    store.close()
    return create_app({"DB": db_path, "DEMO": False}).test_client()


# --- 1. the version rules on an instance ------------------------------------------------------------------------

def test_check_valueset_version_refuses_an_instance_of_another_version(stored):
    r = stored.get(INSTANCE, query_string={"check-valueset-version": VSV + "|2.0.0"})
    assert r.status_code == 400, r.get_json()
    issue = r.get_json()["issue"][0]
    assert issue["details"]["coding"][0]["code"] == "version-error"
    assert "'1.0.0'" in issue["details"]["text"] and "'2.0.0'" in issue["details"]["text"]


@pytest.mark.parametrize("check", ["1.0.0", "1.0?", "1.x", "1?"])
def test_check_valueset_version_allows_an_instance_it_names(stored, check):
    r = stored.get(INSTANCE, query_string={"check-valueset-version": f"{VSV}|{check}"})
    assert r.status_code == 200 and r.get_json()["version"] == "1.0.0"


@pytest.mark.parametrize("check", ["1.0", "1"])
def test_check_valueset_version_with_a_partial_version_refuses_the_instance(stored, check):
    """1.0 and 1 do not name 1.0.0 (was: allowed, as a prefix)."""
    r = stored.get(INSTANCE, query_string={"check-valueset-version": f"{VSV}|{check}"})
    assert r.status_code == 400 and r.get_json()["issue"][0]["details"]["coding"][0]["code"] == "version-error"


def test_default_valueset_version_does_not_move_an_instance(stored):
    """The instance is named exactly: a default only gives a reference without a version its version."""
    r = stored.get(INSTANCE, query_string={"default-valueset-version": VSV + "|2.0.0"})
    assert r.status_code == 200 and r.get_json()["version"] == "1.0.0"


def test_force_valueset_version_naming_another_version_than_the_instance_is_refused(stored):
    r = stored.get(INSTANCE, query_string={"force-valueset-version": VSV + "|2.0.0"})
    assert r.status_code == 400
    issue = r.get_json()["issue"][0]
    assert issue["details"]["coding"][0]["code"] == "version-error" and "'2.0.0'" in issue["details"]["text"]
    r = stored.get(INSTANCE, query_string={"force-valueset-version": VSV + "|1"})
    assert r.status_code == 400     # 1 does not name 1.0.0
    r = stored.get(INSTANCE, query_string={"force-valueset-version": VSV + "|1.x"})
    assert r.status_code == 200 and r.get_json()["version"] == "1.0.0"


def test_the_rules_still_reach_the_imports_of_an_instance(stored):
    r = stored.get("/fhir/ValueSet/vs-import-none/$expand", query_string={"force-valueset-version": VSV + "|1.0.0"})
    assert r.status_code == 200 and _used(r.get_json(), "used-valueset") == [VSV + "|1.0.0"]
    r = stored.get("/fhir/ValueSet/vs-import-1/$expand", query_string={"check-valueset-version": VSV + "|2.0.0"})
    assert r.status_code == 400


def test_validate_code_on_an_instance_is_checked_too(stored):
    r = stored.get("/fhir/ValueSet/vs-version-1/$validate-code",
                   query_string={"system": CS, "code": "code1", "check-valueset-version": VSV + "|2.0.0"})
    assert r.status_code == 400


# --- 2. two ways of naming one version ----------------------------------------------------------------------------

@pytest.mark.parametrize("asked", ["1.0.0", "1.0?", "1.x", "1?", "1.*"])
def test_an_instance_with_a_value_set_version_that_names_it(stored, asked):
    r = stored.get(INSTANCE, query_string={"valueSetVersion": asked})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == "1.0.0"


@pytest.mark.parametrize("asked", ["2.0.0", "2", "2.x", "1.0.0.1", "1.1", "1", "1.0"])
def test_an_instance_with_a_value_set_version_that_names_another(stored, asked):
    r = stored.get(INSTANCE, query_string={"valueSetVersion": asked})
    assert r.status_code == 400


@pytest.mark.parametrize("in_url, vsv, version", [
    ("1.0?", "1.0.0", "1.0.0"), ("1.0.0", "1.0.x", "1.0.0"), ("1.x", "1.0.0", "1.0.0"), ("1?", "1.x", "1.0.0"),
    ("*", "2.0.0", "2.0.0"), ("2?", "2.0.*", "2.0.0"),
])
def test_url_version_and_value_set_version_that_agree(client, in_url, vsv, version):
    body = _expand(client, ("url", f"{VSV}|{in_url}"), ("valueSetVersion", vsv))
    assert body["version"] == version


@pytest.mark.parametrize("in_url, vsv", [("1.0", "2.0.0"), ("1.x", "2"), ("1.0.0", "1.0.1"), ("1.1", "1.10.0"),
                                         ("1.0", "1.0.0"), ("1", "1.0.0")])     # a version is not a prefix
def test_url_version_and_value_set_version_in_real_conflict(client, in_url, vsv):
    status, body = _post(client, "ValueSet/$expand", ("url", f"{VSV}|{in_url}"), ("valueSetVersion", vsv))
    assert status == 400 and body["issue"][0]["details"]["coding"][0]["code"] == "version-error"


def test_the_more_precise_of_two_agreeing_versions_is_used(client):
    """url|1.x with valueSetVersion=1.0.0 reads 1.0.0, not the newest 1.x (1.1.0)."""
    setup = SETUP + [_version_of(VS1, "1.1.0")]
    assert _expand(client, ("url", VSV + "|1.x"), ("valueSetVersion", "1.0.0"), setup=setup)["version"] == "1.0.0"
    assert _expand(client, ("url", VSV + "|1.0.0"), ("valueSetVersion", "1?"), setup=setup)["version"] == "1.0.0"


def test_requested_valueset_unit():
    from terminology.errors import InvalidRequest
    from terminology.operations.version_rules import requested_valueset
    assert requested_valueset(VSV + "|1.0?", "1.0.0") == (VSV, "1.0.0")
    with pytest.raises(InvalidRequest):
        requested_valueset(VSV + "|1.0", "1.0.0")     # 1.0 does not name 1.0.0
    assert requested_valueset(VSV, "1.x", "1.0.0") == (VSV, "1.0.0")
    assert requested_valueset(VSV, "", "1.0.0") == (VSV, "1.0.0")
    with pytest.raises(InvalidRequest):
        requested_valueset(VSV, "1.0.0.1", "1.0.0")     # an instance is exact: it names no longer version


# --- 3. an empty valueSetVersion is not given --------------------------------------------------------------------

def test_an_empty_value_set_version_is_not_given(client, stored):
    body = _expand(client, ("url", VSV), ("valueSetVersion", ""))
    assert body["version"] == "2.0.0"
    r = stored.get("/fhir/ValueSet/$expand", query_string={"url": VSV, "valueSetVersion": ""})
    assert r.status_code == 200 and r.get_json()["version"] == "2.0.0"
    r = stored.get(INSTANCE, query_string={"valueSetVersion": ""})
    assert r.status_code == 200 and r.get_json()["version"] == "1.0.0"
    r = stored.get("/fhir/ValueSet/$validate-code", query_string={"url": VSV, "valueSetVersion": "",
                                                                  "system": CS, "code": "code1"})
    assert r.status_code == 200


@pytest.mark.parametrize("name", ["default-valueset-version", "force-valueset-version", "check-valueset-version",
                                  "system-version", "force-system-version", "check-system-version"])
def test_an_empty_version_rule_is_not_given(stored, name):
    r = stored.get("/fhir/ValueSet/$expand", query_string={"url": VSV, name: ""})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == "2.0.0"


# --- 4. partial and wildcard versions in ConceptMap scopes -------------------------------------------------------

TARGET = "http://example.org/fhir/CodeSystem/review6-target"


def _map(scope: str) -> dict:
    return {"resourceType": "ConceptMap", "id": "review6", "url": "http://example.org/fhir/ConceptMap/review6",
            "version": "1", "status": "active", "sourceCanonical": scope,
            "group": [{"source": CS, "target": TARGET,
                       "element": [{"code": c, "target": [{"code": c.upper(), "equivalence": "equivalent"}]}
                                   for c in ("code1", "code3")]}]}


def _translate(client, code, scope):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": CS}, {"name": "code", "valueCode": code},
        *[{"name": "tx-resource", "resource": r} for r in (*SETUP, _map(scope))]]}
    r = client.post("/fhir/ConceptMap/$translate", data=json.dumps(body), content_type="application/fhir+json")
    assert r.status_code == 200, r.get_json()
    return {p["name"]: p.get("valueBoolean", p.get("valueString")) for p in r.get_json()["parameter"]}


@pytest.mark.parametrize("scope", [VSV + "|1.0?", VSV + "|1.x", VSV + "|1?", VSV + "|1.0.0"])
def test_a_map_scope_with_a_wildcard_version_reads_that_value_set(client, scope):
    """The map's source scope is 1.0.0 (code system 1.0.0: code1, code2): code3 (in 2.0.0, by code system 1.2.0)
    is outside it; was: the scope's version was dropped, so the latest (2.0.0) was read."""
    assert _translate(client, "code1", scope)["result"] is True
    out = _translate(client, "code3", scope)
    assert out["result"] is False and "scope" in out["message"]


def _translate_source(client, source):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": CS}, {"name": "code", "valueCode": "code3"},
        {"name": "source", "valueUri": source},
        *[{"name": "tx-resource", "resource": r} for r in (*SETUP, _map(V + "elsewhere"))]]}
    return client.post("/fhir/ConceptMap/$translate", data=json.dumps(body), content_type="application/fhir+json")


def test_a_translate_source_with_a_wildcard_version(client):
    r = _translate_source(client, VSV + "|1.x")
    assert r.status_code == 200, r.get_json()
    out = {p["name"]: p.get("valueBoolean", p.get("valueString")) for p in r.get_json()["parameter"]}
    assert out["result"] is False and "is not in the value set" in out["message"]


def test_a_translate_source_with_a_partial_version_is_not_found(client):
    """|1.0 does not name 1.0.0: no value set held has that version."""
    r = _translate_source(client, VSV + "|1.0")
    assert r.status_code == 404 and r.get_json()["issue"][0]["code"] == "not-found"


def test_one_name_one_signature():
    """find_valueset(catalog, url, version) is the version rules' only; a scope's reference is named_valueset."""
    import mappings.scope as scope
    assert not hasattr(scope, "find_valueset") and callable(scope.named_valueset)
