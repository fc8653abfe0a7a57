"""A code system held without any version, asked for a version: the answer names the system as the unknown one by
its bare URL (FHIRsmith resolveCodeSystem: UNKNOWN_CODESYSTEM_VERSION_NONE with setUnknownSystem(url); validate.js
check(): the system alone when no versions are held)."""
import pytest

from tests.support.tx_requests import issues, out, post

from .three_versions import V, VERSIONS, cs, vs

NOV = "http://ex.org/cs/nov"
NOV_CS = cs(NOV, None, [{"code": "a", "display": "A"}])
NOV_VS = vs("http://ex.org/vs/nov", [{"system": NOV}])
NONE_TEXT = (f"A definition for CodeSystem '{NOV}' version '2' could not be found, so the code cannot be validated. "
             f"No versions of this code system are known")


def _caused_by(b: dict) -> str | None:
    return next((p["valueCanonical"] for p in b["parameter"] if p["name"] == "x-caused-by-unknown-system"), None)


@pytest.mark.parametrize("given", [[("code", "a"), ("version", "2")],
                                   [("coding", {"system": NOV, "version": "2", "code": "a"})]], ids=["code", "coding"])
def test_codesystem_validate_code_names_the_bare_url(client, given):
    if given[0][0] == "code":
        given = [("url", NOV)] + given
    status, b = post(client, "CodeSystem/$validate-code", given, [NOV_CS])
    assert status == 200, b
    assert out(b)["result"] is False
    assert _caused_by(b) == NOV
    assert NONE_TEXT in [i["details"]["text"] for i in issues(b)]


def test_valueset_validate_code_names_the_bare_url(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", NOV_VS["url"]), ("coding", {"system": NOV, "version": "2", "code": "a"})],
                     [NOV_CS, NOV_VS])
    assert status == 200, b
    assert out(b)["result"] is False
    assert _caused_by(b) == NOV


def test_a_system_with_versions_keeps_the_version_asked(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", V), ("code", "a"), ("version", "9")], VERSIONS)
    assert status == 200, b
    assert _caused_by(b) == V + "|9"


def test_an_unknown_system_is_named_by_its_url(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", "http://ex.org/cs/nowhere"), ("code", "a"),
                                                           ("version", "9")])
    assert status == 200, b
    assert _caused_by(b) == "http://ex.org/cs/nowhere"
