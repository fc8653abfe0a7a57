"""Probe 9, CodeSystem/$subsumes (R4 OperationDefinition CodeSystem-subsumes): codeA/codeB and
codingA/codingB, systems, versions, unknown codes."""
import pytest

from tests.support.tx_requests import cs, post, simple_cs

from .simple_requests import FLAT, S, assert_outcome, first, raw

SB = "CodeSystem/$subsumes"
SETUP = [simple_cs()]
CI = cs("http://ex.org/p9/ci", "1", [{"code": "Abc", "concept": [{"code": "Def"}]}], caseSensitive=False)


def outcome(client, params, setup=SETUP):
    status, b = post(client, SB, params, setup)
    assert status == 200, b
    assert [p["name"] for p in b["parameter"]] == ["outcome"]
    return first(b, "outcome")


@pytest.mark.parametrize("a,b,expected", [
    ("code2", "code2aI", "subsumes"), ("code2aI", "code2", "subsumed-by"), ("code1", "code1", "equivalent"),
    ("code1", "code3", "not-subsumed"), ("code2a", "code2b", "not-subsumed")])
def test_the_four_outcomes(client, a, b, expected):
    """outcome: 'equivalent, subsumes, subsumed-by, and not-subsumed' (concept-subsumption-outcome)."""
    assert outcome(client, [("system", S), ("codeA", a), ("codeB", b)]) == expected


def test_codings_carry_the_system(client):
    assert outcome(client, [("codingA", {"system": S, "code": "code2"}),
                            ("codingB", {"system": S, "code": "code2b"})]) == "subsumes"


def test_codings_without_system_use_the_system_parameter(client):
    assert outcome(client, [("system", S), ("codingA", {"code": "code2"}),
                            ("codingB", {"code": "code2a"})]) == "subsumes"


def test_mixed_code_and_coding(client):
    assert outcome(client, [("system", S), ("codeA", "code2a"),
                            ("codingB", {"system": S, "code": "code2"})]) == "subsumed-by"


def test_version_given_and_held(client):
    assert outcome(client, [("system", S), ("version", "0.1.0"), ("codeA", "code2"),
                            ("codeB", "code2aII")]) == "subsumes"


def test_hierarchy_from_the_parent_property(client):
    assert outcome(client, [("system", FLAT["url"]), ("codeA", "top"), ("codeB", "leaf")], [FLAT]) == "subsumes"
    assert outcome(client, [("system", FLAT["url"]), ("codeA", "leaf"), ("codeB", "top")], [FLAT]) == "subsumed-by"


def test_case_insensitive_system_sees_one_concept(client):
    assert outcome(client, [("system", CI["url"]), ("codeA", "abc"), ("codeB", "ABC")], [CI]) == "equivalent"
    assert outcome(client, [("system", CI["url"]), ("codeA", "ABC"), ("codeB", "def")], [CI]) == "subsumes"


def test_instance_level_get(stored):
    r = stored.get("/fhir/CodeSystem/simple/$subsumes?codeA=code2&codeB=code2a")
    assert r.status_code == 200 and first(r.get_json(), "outcome") == "subsumes"


def test_type_level_get(stored):
    r = stored.get(f"/fhir/CodeSystem/$subsumes?system={S}&codeA=code2aI&codeB=code2")
    assert r.status_code == 200 and first(r.get_json(), "outcome") == "subsumed-by"


def test_unknown_code_is_an_error_not_an_outcome(client):
    """'If the server is unable to determine the relationship between the codes/Codings, then it returns an
    error response with an OperationOutcome'."""
    status, b = post(client, SB, [("system", S), ("codeA", "codeX"), ("codeB", "code1")], SETUP)
    # issue code as the reference servers give it (and as $validate-code words an unknown code)
    issue = assert_outcome(status, b, 404, "code-invalid", "Unknown code 'codeX' in the CodeSystem", tx="invalid-code")
    assert issue["expression"] == ["codeA"]


def test_unknown_code_b_is_located_at_code_b(client):
    status, b = post(client, SB, [("system", S), ("codeA", "code1"), ("codeB", "codeY")], SETUP)
    assert assert_outcome(status, b, 404, "code-invalid", "codeY")["expression"] == ["codeB"]


def test_unknown_system_is_not_found(client):
    status, b = post(client, SB, [("system", S + "X"), ("codeA", "code1"), ("codeB", "code2")], SETUP)
    assert_outcome(status, b, 422, "not-found", S + "X", tx="not-found")   # a code system (version) not held: 422


def test_unknown_version_lists_the_held_ones(client):
    status, b = post(client, SB, [("system", S), ("version", "9"), ("codeA", "code1"), ("codeB", "code2")],
                     SETUP)
    assert_outcome(status, b, 422, "not-found", "'9'", "0.1.0", tx="not-found")   # a code system (version) not held: 422


def test_codings_of_two_systems_are_refused(client):
    """codingA/B: 'the relationships between the code systems must be well established'; between two
    unrelated systems they are not, so the server cannot determine it: an error."""
    status, b = post(client, SB, [("codingA", {"system": S, "code": "code2"}),
                                  ("codingB", {"system": "http://ex.org/other", "code": "code2b"})], SETUP)
    assert_outcome(status, b, 400, "invalid", S, "http://ex.org/other", tx="invalid-data")


def test_two_versions_are_refused(client):
    status, b = post(client, SB, [("system", S), ("version", "0.1.0"),
                                  ("codingA", {"system": S, "version": "0.2", "code": "code2"}),
                                  ("codeB", "code2a")], SETUP)
    assert_outcome(status, b, 400, "invalid", "0.1.0", "0.2")


def test_missing_code_b(client):
    """'a client SHALL provide both a and codes'."""
    status, b = post(client, SB, [("system", S), ("codeA", "code1")], SETUP)
    assert_outcome(status, b, 400, "invalid", "codeB", tx="invalid-data")


def test_missing_system(client):
    """'The system parameter is required unless the operation is invoked on an instance'."""
    status, b = post(client, SB, [("codeA", "code1"), ("codeB", "code2")], SETUP)
    assert_outcome(status, b, 400, "invalid", "system", tx="invalid-data")


def test_code_a_and_coding_a_naming_different_codes(client):
    status, b = post(client, SB, [("system", S), ("codeA", "code1"), ("codeB", "code2"),
                                  ("codingA", {"system": S, "code": "code3"})], SETUP)
    assert_outcome(status, b, 400, "invalid", "codeA", "codingA")


def test_coding_a_sent_as_a_string(client):
    status, b = raw(client, SB, [{"name": "system", "valueUri": S}, {"name": "codingA", "valueString": "code2"},
                                 {"name": "codeB", "valueCode": "code2a"}])
    assert_outcome(status, b, 400, "invalid", "codingA", "Coding", tx="invalid-data")
