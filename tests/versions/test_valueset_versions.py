"""Value set versions in $expand and $validate-code: `url|version`, `valueSetVersion`, the latest of several
versions, wildcard and open versions (a version is not a prefix: 1 and 1.0 do not name 1.0.0), and the
versions of imported value sets (compose.include.valueSet
with default-/force-/check-valueset-version). Played as the tx ecosystem tests play them: every resource
travels with the request as a `tx-resource` parameter; the instance-level tests use a store.

Data: tests/data/vs_versions (one value set URL in versions 1.0.0 and 2.0.0 pinning code system 1.0.0 and
1.2.0, and value sets importing it). Decisions are in docs/versions.md.
"""
import copy

import pytest

from tests.support.tx_files import data_file, stored_client, tx_post, tx_validate

CS = "http://hl7.org/fhir/test/CodeSystem/version"
V = "http://hl7.org/fhir/test/ValueSet/"
VSV = V + "vs-version"


def _load(name):
    return data_file("vs_versions", name)


CS1, CS2 = _load("codesystem-version-1.json"), _load("codesystem-version-2.json")
VS1, VS2 = _load("valueset-vs-version-1.json"), _load("valueset-vs-version-2.json")
IMPORTS = [_load(f"valueset-import-{n}.json") for n in ("none", "1", "wrong", "major")]
SETUP = [CS1, CS2, VS1, VS2, *IMPORTS]


def _version_of(vs: dict, version: str, cs_version: str = "1.0.0") -> dict:
    """Another version of value set `vs`, pinning code system `cs_version`."""
    out = copy.deepcopy(vs)
    out["id"] = out["id"].rsplit("-", 1)[0] + "-" + version.replace(".", "-")
    out["version"] = version
    out["compose"]["include"][0]["version"] = cs_version
    return out


def _post(client, op, *params, setup=SETUP):
    return tx_post(client, op, params, setup)


def _expand(client, *params, setup=SETUP):
    status, body = _post(client, "ValueSet/$expand", *params, setup=setup)
    assert status == 200, body
    return body


def _used(body, name):
    return [p["valueUri"] for p in body["expansion"]["parameter"] if p["name"] == name]


def _codes(body):
    return sorted(c["code"] for c in body["expansion"].get("contains", []))


def _validate(client, *params, setup=SETUP):
    return tx_validate(client, params, setup)


def _coding(code, version=None):
    return {"system": CS, "code": code, **({"version": version} if version else {})}


# --- which version a request names ---------------------------------------------------------------------------

@pytest.mark.parametrize("params, version", [
    ([("url", VSV)], "2.0.0"),
    ([("url", VSV + "|1.0.0")], "1.0.0"),
    ([("url", VSV), ("valueSetVersion", "1.0.0")], "1.0.0"),
    ([("url", VSV + "|1.0.0"), ("valueSetVersion", "1.0.0")], "1.0.0"),    # both, agreeing
    ([("url", VSV + "|1.x")], "1.0.0"),
    ([("url", VSV + "|*")], "2.0.0"),
])
def test_the_version_a_request_names_is_the_version_expanded(client, params, version):
    body = _expand(client, *params)
    assert body["version"] == version
    assert _used(body, "used-codesystem") == [CS + ("|1.0.0" if version == "1.0.0" else "|1.2.0")]


@pytest.mark.parametrize("op", ["ValueSet/$expand", "ValueSet/$validate-code"])
def test_url_version_and_value_set_version_that_differ_are_refused(client, op):
    """Which of two versions the client meant is not the server's to guess (was: valueSetVersion won silently)."""
    extra = [("coding", _coding("code1"))] if op.endswith("validate-code") else []
    status, body = _post(client, op, ("url", VSV + "|1.0.0"), ("valueSetVersion", "2.0.0"), *extra)
    assert status == 400 and body["resourceType"] == "OperationOutcome"
    text = body["issue"][0]["details"]["text"]
    assert "'1.0.0'" in text and "'2.0.0'" in text and "valueSetVersion" in text


@pytest.mark.parametrize("op", ["ValueSet/$expand", "ValueSet/$validate-code"])
def test_a_version_that_is_not_held_is_not_found_and_the_held_ones_are_listed(client, op):
    extra = [("coding", _coding("code1"))] if op.endswith("validate-code") else []
    status, body = _post(client, op, ("url", VSV + "|3.0.0"), *extra)
    # a definition the request needs is not held: 422 in both (the reference server's status)
    assert status == 422
    issue = body["issue"][0]
    assert issue["code"] == "not-found"
    assert issue["details"]["text"] == (f"ValueSet not found: {VSV}|3.0.0" if op.endswith("$expand") else
                                        f"A definition for the value Set '{VSV}|3.0.0' could not be found")
    assert issue["diagnostics"] == "Valid versions: 1.0.0 or 2.0.0"


def test_an_unknown_value_set_has_no_versions_to_list(client):
    status, body = _post(client, "ValueSet/$expand", ("url", V + "nowhere|1.0.0"))
    # $expand: 422 for a definition it lacks (the reference server's status)
    assert status == 422 and "diagnostics" not in body["issue"][0]


# --- partial, wildcard and open versions -----------------------------------------------------------------------

@pytest.mark.parametrize("asked, found", [("1.0.*", "1.0.2"), ("1.0.x", "1.0.2"), ("1.x", "1.0.2"), ("1?", "1.0.2"),
                                          ("1.0?", "1.0.2"), ("2?", "2.0.0"), ("2.X", "2.0.0")])
def test_a_pattern_names_the_latest_release_it_matches(client, asked, found):
    """A wildcard (1.0.x) or an open tail (1?) names the newest it matches, a release before a pre-release."""
    setup = SETUP + [_version_of(VS1, "1.0.2"), _version_of(VS1, "1.0.3-beta")]
    body = _expand(client, ("url", f"{VSV}|{asked}"), setup=setup)
    assert body["version"] == found


@pytest.mark.parametrize("asked", ["1.0", "1", "2", "2.0"])
def test_a_partial_version_is_not_a_prefix(client, asked):
    """As the reference servers match versions, and as code system versions are matched here: 1 and 1.0 do not
    name 1.0.0 (was: the newest they began). Not found, worded as for any version not held."""
    setup = SETUP + [_version_of(VS1, "1.0.2")]
    status, body = _post(client, "ValueSet/$expand", ("url", f"{VSV}|{asked}"), setup=setup)
    assert status == 422, body  # $expand: 422 for a definition it lacks (the reference server's status)
    assert body["issue"][0]["details"]["text"] == f"ValueSet not found: {VSV}|{asked}"


def test_an_exact_version_wins_over_a_partial_match(client):
    setup = SETUP + [_version_of(VS1, "1.0", "1.2.0"), _version_of(VS1, "1.0.2")]
    assert _expand(client, ("url", VSV + "|1.0"), setup=setup)["version"] == "1.0"
    assert _expand(client, ("url", VSV + "|1.0.0"), setup=setup)["version"] == "1.0.0"


def test_a_partial_version_counts_parts_not_characters(client):
    setup = SETUP + [_version_of(VS1, "1.10.0")]
    status, body = _post(client, "ValueSet/$expand", ("url", VSV + "|1.1"), setup=setup)
    # $expand: 422 for a definition it lacks (the reference server's status)
    assert status == 422 and "1.10.0" in body["issue"][0]["diagnostics"]


def test_dated_versions_latest_and_exact(client):
    dated = [_version_of(VS1, v) for v in ("2023-04-01", "2023-12-31", "2024-01-15")]
    setup = [CS1, CS2, *dated]
    assert _expand(client, ("url", VSV), setup=setup)["version"] == "2024-01-15"
    assert _expand(client, ("url", VSV + "|2023-04-01"), setup=setup)["version"] == "2023-04-01"
    for partial in ("2023", "2023-04"):     # a date is not a prefix either
        assert _post(client, "ValueSet/$expand", ("url", f"{VSV}|{partial}"), setup=setup)[0] == 422


def test_integer_versions_are_ordered_as_numbers(client):
    setup = [CS1, *(_version_of(VS1, v) for v in ("9", "10", "2"))]
    assert _expand(client, ("url", VSV), setup=setup)["version"] == "10"


def test_version_rules_unit():
    from terminology.versions import matches_version, newest_named, partial_match
    assert not matches_version("1.0", "1.0.0") and not matches_version("1", "1.2.0")
    assert not matches_version("2023", "2023-04-01")
    assert matches_version("1?", "1.2.0") and matches_version("1.0?", "1.0.0") and not matches_version("1?", "10.0.0")
    assert newest_named("1.0?", ["1.0.0", "1.0.2", "1.0.3-beta", "1.1.0"]) == "1.0.2"
    assert newest_named("1.0.x", ["1.0.1-beta"]) == "1.0.1-beta"    # only a pre-release: that one
    assert newest_named("3.x", ["1.0.0", "2.0.0"]) is None
    # partial_match is only whether two versions one request gives can be one ($lookup's coding and version)
    assert partial_match("1.0", "1.0.0") and partial_match("2023", "20230401")
    assert not partial_match("1.1", "1.10.0") and not partial_match("1.0.0", "1.0.0-beta")


# --- imported value sets ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("importer, params, version", [
    ("vs-import-none", [], "2.0.0"),                                                   # latest
    ("vs-import-1", [], "1.0.0"),                                                      # as pinned
    ("vs-import-none", [("default-valueset-version", VSV + "|1.0.0")], "1.0.0"),
    ("vs-import-1", [("default-valueset-version", VSV + "|2.0.0")], "1.0.0"),          # default: pins stay
    ("vs-import-1", [("force-valueset-version", VSV + "|2.0.0")], "2.0.0"),            # force: pins replaced
    ("vs-import-none", [("force-valueset-version", VSV + "|1.x")], "1.0.0"),           # a wildcard force
    ("vs-import-none", [("check-valueset-version", VSV + "|1.0.0")], "1.0.0"),         # the one allowed
    ("vs-import-none", [("check-valueset-version", VSV + "|1.0?")], "1.0.0"),          # open check
    ("vs-import-none", [("check-valueset-version", VSV + "|1.x")], "1.0.0"),           # wildcard check
])
def test_the_version_of_an_imported_value_set(client, importer, params, version):
    body = _expand(client, ("url", V + importer), *params)
    assert body["version"] == "1.0.0"                     # the importer's own version
    assert _used(body, "used-valueset") == [f"{VSV}|{version}"]
    assert _codes(body) == (["code1", "code2"] if version == "1.0.0" else ["code1", "code2", "code3"])


@pytest.mark.parametrize("importer, params", [
    ("vs-import-wrong", []),
    ("vs-import-none", [("default-valueset-version", VSV + "|3.0.0")]),
    ("vs-import-1", [("force-valueset-version", VSV + "|3.0.0")]),
])
def test_an_imported_version_that_is_not_held(client, importer, params):
    status, body = _post(client, "ValueSet/$expand", ("url", V + importer), *params)
    assert status == 422  # $expand: 422 for a definition it lacks (the reference server's status)
    issue = body["issue"][0]
    assert issue["details"]["text"] == f"Unable to find included value set '{VSV}' version '3.0.0'"
    assert issue["diagnostics"] == "Valid versions: 1.0.0 or 2.0.0"
    out = _validate(client, ("url", V + importer), ("coding", _coding("code1")), *params)
    assert out["result"] is False
    # $validate-code words it as the reference's does (Unable_to_resolve_value_Set_, the canonical as written)
    assert out["message"] == f"A definition for the value Set '{VSV}|3.0.0' could not be found"


@pytest.mark.parametrize("importer, params", [
    ("vs-import-major", []),                                                     # pinned |1
    ("vs-import-none", [("force-valueset-version", VSV + "|1")]),
])
def test_an_imported_partial_version_is_not_found(client, importer, params):
    """'|1' does not name 1.0.0 (a version is not a prefix): the import is of a version not held."""
    status, body = _post(client, "ValueSet/$expand", ("url", V + importer), *params)
    assert status == 422  # $expand: 422 for a definition it lacks (the reference server's status)
    assert body["issue"][0]["details"]["text"] == f"Unable to find included value set '{VSV}' version '1'"
    out = _validate(client, ("url", V + importer), ("coding", _coding("code1")), *params)
    assert out["result"] is False
    assert out["message"] == f"A definition for the value Set '{VSV}|1' could not be found"


def test_a_partial_check_valueset_version_names_nothing(client):
    """check-valueset-version=|1.0 chooses no version it does not name: the latest, 2.0.0, is then refused."""
    status, body = _post(client, "ValueSet/$expand", ("url", V + "vs-import-none"),
                         ("check-valueset-version", VSV + "|1.0"))
    assert status == 400 and body["issue"][0]["details"]["coding"][0]["code"] == "version-error"


def test_check_valueset_version_refuses_a_pinned_import(client):
    status, body = _post(client, "ValueSet/$expand", ("url", V + "vs-import-1"),
                         ("check-valueset-version", VSV + "|2.0.0"))
    assert status == 400 and body["issue"][0]["details"]["coding"][0]["code"] == "version-error"


@pytest.mark.parametrize("importer, params, code, result, version", [
    ("vs-import-none", [], "code3", True, "1.2.0"),
    ("vs-import-1", [], "code3", False, "1.0.0"),
    ("vs-import-none", [("default-valueset-version", VSV + "|1.0.0")], "code3", False, "1.0.0"),
    ("vs-import-1", [("force-valueset-version", VSV + "|2.0.0")], "code3", True, "1.2.0"),
])
def test_validate_code_reads_the_imported_version(client, importer, params, code, result, version):
    out = _validate(client, ("url", V + importer), ("coding", _coding(code)), *params)
    assert out["result"] is result and out["version"] == version


def test_validate_code_with_a_partial_value_set_version(client):
    """valueSetVersion=1 does not name 1.0.0: not found, as any value set version not held (was: validated in
    1.0.0); an open version (1?) does name it."""
    status, body = _post(client, "ValueSet/$validate-code", ("url", VSV), ("valueSetVersion", "1"),
                         ("coding", _coding("code3")))
    assert status == 422 and body["issue"][0]["details"]["text"] == \
        f"A definition for the value Set '{VSV}|1' could not be found"
    out = _validate(client, ("url", VSV), ("valueSetVersion", "1?"), ("coding", _coding("code3")))
    assert out["result"] is False and f"'{VSV}|1.0.0'" in out["message"]


# --- instance level: exactly that version -----------------------------------------------------------------------

@pytest.fixture
def stored(tmp_path):
    return stored_client(tmp_path, [CS1, CS2, VS1, VS2])


def test_instance_expand_uses_that_version_not_the_latest(stored):
    r = stored.get("/fhir/ValueSet/vs-version-1/$expand")
    assert r.status_code == 200 and r.get_json()["version"] == "1.0.0"
    r = stored.get("/fhir/ValueSet/vs-version-1/$expand", query_string={"valueSetVersion": "1.0.0"})
    assert r.status_code == 200


def test_instance_with_another_value_set_version_is_refused(stored):
    r = stored.get("/fhir/ValueSet/vs-version-1/$expand", query_string={"valueSetVersion": "2.0.0"})
    assert r.status_code == 400 and "'2.0.0'" in r.get_json()["issue"][0]["details"]["text"]


def test_stored_partial_and_unknown_versions(stored):
    r = stored.get("/fhir/ValueSet/$expand", query_string={"url": VSV + "|2"})
    assert r.status_code == 422     # 2 does not name 2.0.0 ($expand: 422 for a definition it lacks, as the reference)
    r = stored.get("/fhir/ValueSet/$expand", query_string={"url": VSV + "|2.x"})
    assert r.status_code == 200 and r.get_json()["version"] == "2.0.0"
    r = stored.get("/fhir/ValueSet/$expand", query_string={"url": VSV, "valueSetVersion": "4.0.0"})
    assert r.status_code == 422 and r.get_json()["issue"][0]["diagnostics"] == "Valid versions: 1.0.0 or 2.0.0"
