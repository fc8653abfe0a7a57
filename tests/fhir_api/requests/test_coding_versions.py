"""A version parameter (version, systemVersion) and coding.version that name one version, one more precisely
(a partial version 1.0 of 1.0.0, a wildcard 1.x of 1.0.1), are no contradiction: the more specific one is used,
as terminology.versions picks a code system version. Versions that cannot be one are still refused."""
import json

import pytest

from ._content import FJ, S, VS, error_text, first, parameters


def _post(client, op: str, *pairs):
    return client.post(f"/fhir/{op}", data=json.dumps(parameters(*pairs)), content_type=FJ)


def _coding(version: str, code: str = "a") -> tuple:
    return ("coding", "valueCoding", {"system": S, "version": version, "code": code})


@pytest.mark.parametrize("param,coding_version,used", [
    ("1.0.0", "1.0", "1.0.0"),     # the parameter is the more specific: it is used
    ("1.0", "1.0.0", "1.0.0"),     # the coding is
    ("1.0.1", "1.x", "1.0.1"),     # a wildcard names the release
    ("1.0.*", "1.0.0", "1.0.0"),
    ("1", "1.0.0", "1.0.0"),
])
def test_lookup_takes_the_more_specific_of_two_agreeing_versions(stored, param, coding_version, used):
    r = _post(stored, "CodeSystem/$lookup", ("version", "valueString", param), _coding(coding_version))
    assert r.status_code == 200, r.get_json()
    assert first(r.get_json(), "version") == used
    assert first(r.get_json(), "display") == f"A in {used}"


@pytest.mark.parametrize("param,coding_version", [("1.0.0", "2.0.0"), ("1.0", "2.0.0"), ("1.1", "1.10.0"),
                                                  ("2.x", "1.0.0"), ("1.0.0", "1.0.1")])
def test_lookup_still_refuses_two_versions(stored, param, coding_version):
    r = _post(stored, "CodeSystem/$lookup", ("version", "valueString", param), _coding(coding_version))
    assert r.status_code == 400
    assert f"version '{param}' and coding.version '{coding_version}'" in error_text(r)


def test_lookup_query_coding_with_a_partial_version(stored):
    r = stored.get(f"/fhir/CodeSystem/$lookup?coding={S}|1.0|a&version=1.0.0")
    assert r.status_code == 200, r.get_json()
    assert first(r.get_json(), "version") == "1.0.0"


@pytest.mark.parametrize("param,coding_version,used", [("1.0.0", "1.0", "1.0.0"), ("1.0", "1.0.0", "1.0.0"),
                                                       ("1.0.0", "1.0.0", "1.0.0")])
def test_codesystem_validate_code_takes_the_more_specific_version(stored, param, coding_version, used):
    for name in ("version", "systemVersion"):
        r = _post(stored, "CodeSystem/$validate-code", ("url", "valueUri", S), (name, "valueString", param),
                  _coding(coding_version), )
        b = r.get_json()
        assert r.status_code == 200 and first(b, "result") is True, b
        assert first(b, "version") == used, b


def test_valueset_validate_code_takes_the_more_specific_version(stored):
    r = _post(stored, "ValueSet/$validate-code", ("url", "valueUri", VS["url"]),
              ("systemVersion", "valueString", "1.0.0"), _coding("1.0"))
    b = r.get_json()
    assert r.status_code == 200 and first(b, "result") is True, b
    assert first(b, "version") == "1.0.0", b
    # a display of another version than the one used is not this version's
    r = stored.get(f"/fhir/ValueSet/$validate-code?url={VS['url']}&coding={S}|1.0|a&systemVersion=1.0.1")
    assert r.status_code == 200 and first(r.get_json(), "version") == "1.0.1", r.get_json()


# CodeSystem/$validate-code answers two versions with a version mismatch (tests/valueset_operations/validate)
@pytest.mark.parametrize("op,name,extra", [("ValueSet/$validate-code", "systemVersion",
                                            ("url", "valueUri", VS["url"]))])
def test_validate_code_still_refuses_two_versions(stored, op, name, extra):
    r = _post(stored, op, extra, (name, "valueString", "1.0"), _coding("2.0.0"))
    assert r.status_code == 400
    assert f"{name} '1.0' and coding.version '2.0.0'" in error_text(r)
    r = stored.get(f"/fhir/{op}?{extra[0]}={extra[2]}&{name}=1.0.0&coding={S}|2.0.0|a")
    assert r.status_code == 400, r.get_json()
