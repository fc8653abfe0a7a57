"""A version rule naming a version the server lacks of a code system it does have: an enumerated include
(a concept list) answers as a whole-system include does — the 404 naming the valid versions, or for
check-system-version the version-error 400 — instead of expanding the listed codes under the missing
version. A system the server lacks altogether is still expanded from its listed codes."""
import pytest

from tests.support.tx_requests import cs, post, vs

S = "http://ex.org/cs/enumver"
CS1 = cs(S, "1", [{"code": "a", "display": "A"}])
CS2 = cs(S, "2", [{"code": "a", "display": "A"}])
ENUM = vs("http://ex.org/vs/enumver", [{"system": S, "concept": [{"code": "a"}]}], version="2")
WHOLE = vs("http://ex.org/vs/enumver", [{"system": S}], version="1")
SETUP = [CS1, CS2, ENUM, WHOLE]
MISSING_TEXT = (f"A definition for CodeSystem '{S}' version '999' could not be found, so the value set cannot be "
                f"expanded. Valid versions: 1 or 2")


def _text(b):
    return b["issue"][0]["details"]["text"]


@pytest.mark.parametrize("rule", ["force-system-version", "system-version"])
@pytest.mark.parametrize("which", ["1", "2"])
def test_missing_version_is_not_found_for_both_include_shapes(client, rule, which):
    status, b = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/enumver|" + which),
                                                  (rule, S + "|999")], SETUP)
    assert status == 422 and b["resourceType"] == "OperationOutcome", b  # $expand: 422 for a definition it lacks (the reference server's status)
    assert _text(b) == MISSING_TEXT


def test_check_system_version_never_claims_the_missing_version(client):
    whole = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/enumver|1"),
                                              ("check-system-version", S + "|999")], SETUP)
    enum = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/enumver|2"),
                                             ("check-system-version", S + "|999")], SETUP)
    assert enum[0] == whole[0] and enum[0] >= 400, (enum, whole)
    assert _text(enum[1]) == _text(whole[1])


def test_known_version_still_expands_the_listed_codes(client):
    status, b = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/enumver|2"),
                                                  ("force-system-version", S + "|1")], SETUP)
    assert status == 200, b
    assert [c["code"] for c in b["expansion"]["contains"]] == ["a"]
    assert "999" not in str(b)


def test_system_not_loaded_is_not_expanded_from_its_list(client):
    # $expand needs the definition of a system whose codes an include lists, as the reference server does
    # (tests/valueset_operations/expand/test_listed_codes_without_definition.py)
    other = vs("http://ex.org/vs/enumother", [{"system": "http://ex.org/cs/absent", "concept": [{"code": "z"}]}])
    status, b = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/enumother")], [other])
    assert status == 422, b
    assert b["issue"][0]["details"]["text"] == ("A definition for CodeSystem 'http://ex.org/cs/absent' could not "
                                                "be found, so the value set cannot be expanded")
