"""Code system versions in $validate-code / $expand, played as the tx ecosystem tests play them: every
resource travels with the request as a `tx-resource` parameter.

Versions 1.0.0 and 1.2.0 of one code system (tests/data/codesystem_versions), value sets that pin 1.0.0, pin
1.2.0, pin nothing, or take code1 from 1.0.0 and code3 from 1.2.0 ("mixed").
"""
import json

import pytest

from tests.support.tx_files import data_file, tx_post, tx_validate

CS = "http://hl7.org/fhir/test/CodeSystem/version"
VS = "http://hl7.org/fhir/test/ValueSet/"
MIXED = VS + "version-mixed"


def _load(name):
    return data_file("codesystem_versions", name)


SETUP = [_load(n) for n in ("codesystem-version-1.json", "codesystem-version-2.json", "valueset-all-version-1.json",
                            "valueset-all-version-2.json", "valueset-all-version-none.json",
                            "valueset-version-mixed.json")]


def _post(client, op, *params, setup=SETUP):
    return tx_post(client, op, params, setup)


def _validate(client, *params, setup=SETUP):
    return tx_validate(client, params, setup)


def _issues(out):
    return [(i["severity"], i["code"], i["details"]["coding"][0]["code"], (i.get("expression") or [None])[0],
             i["details"]["text"]) for i in out.get("issues", {}).get("issue", [])]


def _coding(code, version=None):
    c = {"system": CS, "code": code}
    if version:
        c["version"] = version
    return c


# --- a value set that takes two pinned versions of one system --------------------------------------------

@pytest.mark.parametrize("rule", [("system-version", CS + "|1.2.0"), ("system-version", CS + "|1.0.0")])
def test_system_version_leaves_the_pinned_includes_of_a_mixed_value_set_alone(client, rule):
    """system-version is for includes without a version: the mixed value set pins both of its includes."""
    for code, version in (("code1", "1.0.0"), ("code3", "1.2.0")):
        out = _validate(client, ("url", MIXED), ("coding", _coding(code, version)), rule)
        assert out["result"] is True and out["version"] == version, _issues(out)
        assert "issues" not in out


def test_check_system_version_against_the_pin_of_a_mixed_value_set(client):
    """The include that selects code1|1.0.0 pins 1.0.0: the check refuses that version (as for a value set
    with one pin); the coding agrees with the pin, so there is no version mismatch to report."""
    out = _validate(client, ("url", MIXED), ("coding", _coding("code1", "1.0.0")),
                    ("check-system-version", CS + "|1.2.0"))
    assert out["result"] is False and out["version"] == "1.0.0"
    assert [i[:3] for i in _issues(out)] == [("error", "exception", "version-error")]
    assert "'1.0.0' is not allowed" in out["message"]


def test_force_system_version_in_a_mixed_value_set_names_the_pin_it_replaced(client):
    out = _validate(client, ("url", MIXED), ("coding", _coding("code1", "1.0.0")),
                    ("force-system-version", CS + "|1.2.0"))
    assert out["result"] is False and out["version"] == "1.2.0" and out["display"] == "Display 1 (1.2)"
    assert [i[:4] for i in _issues(out)] == [("error", "invalid", "vs-invalid", "Coding.version")]
    assert out["message"] == (f"The code system '{CS}' version '1.2.0' resulting from the version '1.0.0' in the "
                              f"ValueSet include is different to the one in the value ('1.0.0')")


def test_coding_version_of_the_other_pin_uses_only_that_include_of_a_mixed_value_set(client):
    """code1 is selected by the include pinned to 1.0.0; a coding of 1.2.0 is judged by the include naming 1.2.0
    alone (the reference servers' useThisVersion, FHIRsmith validate.js check()): that include lists code3 only,
    so code1|1.2.0 is not in the value set, validated in 1.2.0, with no version mismatch to report."""
    out = _validate(client, ("url", MIXED), ("coding", _coding("code1", "1.2.0")))
    assert out["result"] is False and out["version"] == "1.2.0"
    assert [i[:4] for i in _issues(out)] == [("error", "code-invalid", "not-in-vs", "Coding.code")]


def test_mixed_value_set_without_rules_still_validates_each_code_in_its_version(client):
    for code, version in (("code1", "1.0.0"), ("code3", "1.2.0")):
        out = _validate(client, ("url", MIXED), ("coding", _coding(code, version)))
        assert out["result"] is True and out["version"] == version and "issues" not in out
        out = _validate(client, ("url", MIXED), ("coding", _coding(code)))
        assert out["result"] is True and out["version"] == version and "issues" not in out


# --- the version rules themselves ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["force-system-version", "system-version"])
@pytest.mark.parametrize("op", ["ValueSet/$expand", "ValueSet/$validate-code"])
def test_two_different_versions_for_one_system_in_one_rule_are_refused(client, name, op):
    """Which of two forced (or default) versions would win is not for the server to guess: a version-error."""
    extra = [("coding", _coding("code1"))] if op.endswith("validate-code") else []
    status, body = _post(client, op, ("url", VS + "version-all-none"), *extra,
                         (name, CS + "|1.0.0"), (name, CS + "|1.2.0"))
    assert status == 400 and body["resourceType"] == "OperationOutcome"
    issue = body["issue"][0]
    assert issue["code"] == "exception" and issue["details"]["coding"][0]["code"] == "version-error"
    assert name in issue["details"]["text"] and "'1.0.0'" in issue["details"]["text"] \
        and "'1.2.0'" in issue["details"]["text"]


@pytest.mark.parametrize("name", ["force-valueset-version", "default-valueset-version"])
def test_two_different_versions_for_one_value_set_are_refused(client, name):
    status, body = _post(client, "ValueSet/$expand", ("url", VS + "version-all-none"),
                         (name, VS + "version-all-none|1.1.0"), (name, VS + "version-all-none|2.0.0"))
    assert status == 400 and body["issue"][0]["details"]["coding"][0]["code"] == "version-error"


def test_the_same_version_twice_is_not_a_conflict(client):
    status, body = _post(client, "ValueSet/$expand", ("url", VS + "version-all-none"),
                         ("force-system-version", CS + "|1.0.0"), ("force-system-version", CS + "|1.0.0"))
    assert status == 200
    used = [p["valueUri"] for p in body["expansion"]["parameter"] if p["name"] == "used-codesystem"]
    assert used == [CS + "|1.0.0"]


# --- which version is the latest -----------------------------------------------------------------------------

def test_a_release_is_later_than_its_pre_release():
    from terminology.versions import latest, version_key
    assert latest(["1.10.1", "1.10.1-beta", "1.9.0"]) == "1.10.1"
    assert sorted(["1.10.1", "1.2.0", "1.10.1-beta", "1.10.0", "2.0.0-rc.1"], key=version_key) == \
        ["1.2.0", "1.10.0", "1.10.1-beta", "1.10.1", "2.0.0-rc.1"]
    # a label is compared part by part: rc.2 before rc.10
    assert latest(["2.0.0-rc.10", "2.0.0-rc.2"]) == "2.0.0-rc.10"
    # editions and dates keep their order
    assert latest(["2023", "2024", "2023-10-01"]) == "2024"
    assert latest(["http://snomed.info/sct/900000000000207008/version/20240131",
                   "http://snomed.info/sct/900000000000207008/version/20230731"]).endswith("20240131")


def test_expand_without_a_version_takes_the_release_not_its_pre_release(client):
    beta = json.loads(json.dumps(SETUP[1]).replace("1.2.0", "1.2.1-beta").replace("(1.2)", "(beta)"))
    release = json.loads(json.dumps(SETUP[1]).replace("1.2.0", "1.2.1").replace("(1.2)", "(1.2.1)"))
    status, body = _post(client, "ValueSet/$expand", ("url", VS + "version-all-none"),
                         setup=[SETUP[0], release, beta, SETUP[4]])
    assert status == 200
    used = [p["valueUri"] for p in body["expansion"]["parameter"] if p["name"] == "used-codesystem"]
    assert used == [CS + "|1.2.1"]


# --- force-system-version on includes that list their codes ----------------------------------------------------

def test_forced_version_that_is_not_loaded_is_the_version_of_listed_codes(client):
    """The mixed value set lists its codes, but the code system is loaded (1.0.0, 1.2.0): a forced version it
    lacks is the whole-system include's 404 naming the valid versions, as $validate-code answers, never the
    listed codes under a version nobody has (review s12 F4; tests/versions/test_enumerated_version_rules.py)."""
    status, body = _post(client, "ValueSet/$expand", ("url", MIXED), ("force-system-version", CS + "|1.3.0"))
    assert status == 422, body  # $expand: 422 for a definition it lacks (the reference server's status)
    assert body["issue"][0]["details"]["text"] == (
        f"A definition for CodeSystem '{CS}' version '1.3.0' could not be found, so the value set cannot be "
        f"expanded. Valid versions: 1.0.0 or 1.2.0")
