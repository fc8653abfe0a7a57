"""CodeSystem/$validate-code of a system the server does not hold, as the reference servers (FHIRsmith
validate.js resolveCodeSystem / handlePrepareError) answer it: with a version and no versions of it known at all,
the system is named by its url alone; a relative system lists both issues but the message is the not-found
text alone."""
from tests.support.tx_requests import issues, out, post, simple_cs, tx_codes

SIMPLE_X = "http://hl7.org/fhir/test/CodeSystem/simpleX"


def test_unknown_system_with_a_version_is_named_by_its_url(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", SIMPLE_X), ("version", "1"), ("code", "code1")],
                     [simple_cs()])
    assert status == 200, b
    got = out(b)
    assert got["result"] is False
    assert got["x-caused-by-unknown-system"] == SIMPLE_X
    assert got["message"] == (f"A definition for CodeSystem '{SIMPLE_X}' version '1' could not be found, so the "
                              "code cannot be validated. No versions of this code system are known")


def test_unknown_system_without_a_version_unchanged(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", SIMPLE_X), ("code", "code1")], [simple_cs()])
    assert status == 200 and out(b)["x-caused-by-unknown-system"] == SIMPLE_X


NOT_FOUND = "A definition for CodeSystem 'simple' could not be found, so the code cannot be validated"
RELATIVE = "Coding.system must be an absolute reference, not a local reference"


def _relative(client, given):
    status, b = post(client, "CodeSystem/$validate-code", given, [simple_cs()])
    assert status == 200, b
    got = out(b)
    assert got["result"] is False
    assert got["message"] == NOT_FOUND
    assert got["x-caused-by-unknown-system"] == "simple"
    listed = issues(b)
    assert [i["details"]["text"] for i in listed] == [NOT_FOUND, RELATIVE]
    assert [tx_codes(i) for i in listed] == [["not-found"], ["invalid-data"]]
    return listed


def test_relative_system_message_is_the_not_found_text(client):
    listed = _relative(client, [("url", "simple"), ("code", "code1")])
    assert all(i["expression"] == ["system"] for i in listed)


def test_relative_system_in_a_coding(client):
    listed = _relative(client, [("coding", {"system": "simple", "code": "code1"})])
    assert all(i["expression"] == ["Coding.system"] for i in listed)
