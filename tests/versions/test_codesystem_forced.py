"""CodeSystem/$validate-code with `version` and a force-system-version naming another version: the code is
validated in the forced version and the version asked for is reported as differing from it (the reference
servers copy `version` into the coding and validate against a value set pinning the forced version:
VALUESET_VALUE_MISMATCH at 'version' / 'Coding.version'), so the answer is false."""
import pytest

from tests.support.tx_requests import issues, out, post, tx_codes

from .three_versions import V, VERSIONS

MISMATCH = (f"The code system '{V}' version '2.0.0' in the ValueSet include is different to the one in the value "
            f"('1.0.0')")


@pytest.mark.parametrize("given, where", [
    ([("url", V), ("version", "1.0.0"), ("code", "d")], "version"),
    ([("coding", {"system": V, "version": "1.0.0", "code": "d"})], "Coding.version"),
])
def test_a_forced_version_other_than_the_one_asked_for(client, given, where):
    status, b = post(client, "CodeSystem/$validate-code", [*given, ("force-system-version", V + "|2.0.0")], VERSIONS)
    assert status == 200, b
    got = out(b)
    assert got["result"] is False and got["version"] == "2.0.0"
    assert got["message"] == MISMATCH
    [issue] = issues(b)
    assert tx_codes(issue) == ["vs-invalid"] and issue["expression"] == [where]


def test_a_forced_version_equal_to_the_one_asked_for(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", V), ("version", "2.0.0"), ("code", "d"),
                                                           ("force-system-version", V + "|2.0.0")], VERSIONS)
    assert status == 200 and out(b)["result"] is True
