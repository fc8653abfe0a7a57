"""$subsumes errors as the reference servers answer them (FHIRsmith tx/workers/subsumes.js): the parameter at
fault is named (a side that cannot say its system; the second coding when the two disagree), and an unknown
code is a 404 `code-invalid`, worded as $validate-code words an unknown code, at the parameter it came in."""
import pytest

from tests.support.tx_requests import post

from tests.support.resources import cs

U = "http://ex.org/ref/subsumes"
OTHER = "http://ex.org/ref/subsumes-other"
SETUP = [cs(U, "1.0.0", [{"code": "A", "concept": [{"code": "B"}]}]), cs(OTHER, "1.0.0", [{"code": "A"}])]
SB = "CodeSystem/$subsumes"


def _issue(client, params, status):
    got, b = post(client, SB, params, SETUP)
    assert got == status, b
    assert b["resourceType"] == "OperationOutcome"
    return b["issue"][0]


@pytest.mark.parametrize("params, where", [
    ([("codeA", "A"), ("codeB", "B")], "codeA"),
    ([("codingA", {"code": "A"}), ("codingB", {"system": U, "code": "B"})], "codingA"),
    ([("codingA", {"system": U, "code": "A"}), ("codingB", {"code": "B"})], "codingB"),
    ([("codingA", {"system": U, "code": "A"}), ("codingB", {"system": OTHER, "code": "A"})], "codingB"),
    ([("codingA", {"system": U, "code": "A", "version": "1.0.0"}),
      ("codingB", {"system": U, "code": "B", "version": "2.0.0"})], "codingB"),
], ids=["codes-without-system", "codingA-without-system", "codingB-without-system", "two-systems",
        "two-versions"])
def test_the_parameter_at_fault_is_named(client, params, where):
    issue = _issue(client, params, 400)
    assert issue["code"] == "invalid" and issue["expression"] == [where], issue


@pytest.mark.parametrize("params, where", [
    ([("system", U), ("codeA", "A"), ("codeB", "Q")], "codeB"),
    ([("codingA", {"system": U, "code": "Q"}), ("codingB", {"system": U, "code": "B"})], "codingA"),
])
def test_an_unknown_code_is_code_invalid_at_its_parameter(client, params, where):
    issue = _issue(client, params, 404)
    assert issue["code"] == "code-invalid" and issue["expression"] == [where]
    assert issue["details"]["text"] == f"Unknown code 'Q' in the CodeSystem '{U}' version '1.0.0'"
    assert [c["code"] for c in issue["details"]["coding"]] == ["invalid-code"]


@pytest.mark.parametrize("params, text", [
    ([("codeA", "A"), ("codeB", "B")], "No code system is provided for codeA, so subsumption cannot be tested"),
    ([("codingA", {"system": U, "code": "A"}), ("codingB", {"code": "B"})],
     "No code system is provided for codingB, so subsumption cannot be tested"),
    ([("codingA", {"system": U, "code": "A"}), ("codingB", {"system": OTHER, "code": "A"})],
     f"Subsumption can only be tested between two codes in the same code system, but the code systems are "
     f"'{U}' and '{OTHER}'"),
], ids=["codes-without-system", "codingB-without-system", "two-systems"])
def test_the_reference_servers_words(client, params, text):
    issue = _issue(client, params, 400)
    assert issue["details"]["text"] == text
    assert [c["code"] for c in issue["details"]["coding"]] == ["invalid-data"]


@pytest.mark.parametrize("params", [[], [("system", U), ("codeA", "A")], [("codingB", {"system": U, "code": "B"})]],
                         ids=["nothing", "codeA-only", "codingB-only"])
def test_a_side_missing_names_what_to_send_and_no_one_parameter(client, params):
    issue = _issue(client, params, 400)
    assert issue["details"]["text"] == "Must provide either codingA and codingB, or codeA and codeB with system"
    assert "expression" not in issue and "location" not in issue


def test_a_system_given_once_serves_both_codings(client):
    got, b = post(client, SB, [("system", U), ("codingA", {"code": "A"}), ("codingB", {"code": "B"})], SETUP)
    assert got == 200 and b["parameter"] == [{"name": "outcome", "valueCode": "subsumes"}]
