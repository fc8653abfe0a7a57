"""A value set including one system in two versions (V|1.0.0 and V|2.0.0), in $validate-code: the includes are
tried newest version first; a coding naming no version is taken in the newest version that holds the code (and
has the display given, when one is given); an include naming exactly the coding's version is the only one used
(FHIRsmith validate.js check(): include sort, pickApplicableVersion, useThisVersion)."""
import pytest

from tests.support.tx_requests import issues, out, post, tx_codes

from .three_versions import V, VERSIONS, vs

TWO = vs("http://ex.org/vs/two", [{"system": V, "version": "1.0.0"}, {"system": V, "version": "2.0.0"}])


def _validate(client, coding: dict, valueset: dict = TWO) -> tuple[dict, dict]:
    status, b = post(client, "ValueSet/$validate-code", [("url", valueset["url"]), ("coding", {"system": V, **coding})],
                     VERSIONS + [valueset])
    assert status == 200, b
    return out(b), b


@pytest.mark.parametrize("valueset", [TWO, vs(TWO["url"], list(reversed(TWO["compose"]["include"])))],
                         ids=["older-first", "newer-first"])
def test_a_code_in_both_versions_is_taken_in_the_newest(client, valueset):
    got, _b = _validate(client, {"code": "a"}, valueset)
    assert got["result"] is True and got["version"] == "2.0.0" and got["display"] == "A 2.0"


def test_a_wrong_display_in_both_versions_is_judged_in_the_newest(client):
    got, _b = _validate(client, {"code": "a", "display": "A X"})
    assert got["result"] is False and got["version"] == "2.0.0"
    assert "Valid display is 'A 2.0'" in got["message"]


def test_a_coding_version_no_include_names_is_judged_against_the_newest_include(client):
    got, b = _validate(client, {"code": "a", "version": "1.2.0"})
    assert got["result"] is False and got["version"] == "2.0.0"
    assert got["message"] == (f"The code system '{V}' version '2.0.0' in the ValueSet include is different to the "
                              f"one in the value ('1.2.0')")
    assert [tx_codes(i) for i in issues(b)] == [["vs-invalid"]]


def test_the_include_naming_the_coding_version_is_the_only_one_used(client):
    got, b = _validate(client, {"code": "d", "version": "1.0.0"})
    assert got["result"] is False and got["version"] == "1.0.0"
    found = issues(b)
    assert not [i for i in found if "vs-invalid" in tx_codes(i)]
    assert any("invalid-code" in tx_codes(i) and "Unknown code 'd'" in i["details"]["text"] and "'1.0.0'" in
               i["details"]["text"] for i in found)
    assert any("not-in-vs" in tx_codes(i) for i in found)


@pytest.mark.parametrize("coding, version, display", [
    ({"code": "b"}, "1.0.0", "B 1.0"),                     # only in 1.0.0
    ({"code": "d"}, "2.0.0", "D 2.0"),                     # only in 2.0.0
    ({"code": "a", "display": "A 1.0"}, "1.0.0", "A 1.0"),  # the display of 1.0.0 picks it
    ({"code": "a", "version": "1.0.0"}, "1.0.0", "A 1.0"),
])
def test_unchanged_choices(client, coding, version, display):
    got, _b = _validate(client, coding)
    assert got["result"] is True and got["version"] == version and got["display"] == display


def test_an_unknown_code_is_reported_in_the_newest(client):
    got, _b = _validate(client, {"code": "z"})
    assert got["result"] is False and got["version"] == "2.0.0"
