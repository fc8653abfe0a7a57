"""content=example: an unknown code gets the reference servers' fragment wording (fhirserver TValueSetChecker and
FHIRsmith validate.js use UNKNOWN_CODE_IN_FRAGMENT for any content other than complete); still a warning."""
from tests.support.tx_requests import issues, out, post, tx_codes
from tests.support.resources import cs

EXAMPLE = cs("http://ex.org/example-cs", "1", [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}],
             content="example")


def test_unknown_code_in_an_example_uses_the_fragment_text(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", EXAMPLE["url"]), ("code", "z")], [EXAMPLE])
    assert status == 200 and out(b)["result"] is True, b
    issue, example = issues(b)
    assert (issue["severity"], issue["code"], tx_codes(issue)) == ("warning", "code-invalid", ["invalid-code"])
    assert issue["details"]["text"] == (
        "Unknown Code 'z' in the CodeSystem 'http://ex.org/example-cs' version '1' - note that the code system is "
        "labeled as a fragment, so the code may be valid in some other fragment")
    # and, as the reference server adds for any code of an example (FHIRsmith checkCodeableConcept)
    assert (example["severity"], example["code"], tx_codes(example)) == ("warning", "not-found", ["vs-invalid"])
    assert example["details"]["text"] == out(b)["message"] == (
        "The system http://ex.org/example-cs was found but did not contain enough information to properly validate "
        'the code "z" (mode = example)')


def test_a_known_code_of_an_example_is_valid_with_the_reference_warning(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", EXAMPLE["url"]), ("code", "a"), ("display", "A")],
                     [EXAMPLE])
    assert status == 200 and out(b)["result"] is True, b
    (issue,) = issues(b)
    assert issue["severity"] == "warning" and issue["details"]["text"] == (
        'The system http://ex.org/example-cs was found but did not contain enough information to properly validate '
        'the code "a" ("A") (mode = example)')
