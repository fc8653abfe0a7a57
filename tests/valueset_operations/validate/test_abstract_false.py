"""abstract=false refuses a not-selectable code before its status is looked at: the answer carries the abstract
error (and, against a value set, not-in-vs) but no inactive/status parameters and no inactive warning, as
FHIRsmith's validate.js (checkConceptSet, check) and fhirserver answer. The HL7 suite's simple code system
holds such a code: code2 is notSelectable and retired."""
from tests.support.tx_requests import SIMPLE, SIMPLE_ALL, issues, out, post, simple_cs, tx_codes
from tests.support.tx_files import tx_file


def _setup():
    return [simple_cs(), tx_file("simple/valueset-all.json")]


ABSTRACT = f"Code '{SIMPLE}#code2' is abstract, and not allowed in this context"


def test_valueset_validate_of_an_abstract_retired_code_names_no_status(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", SIMPLE_ALL), ("system", SIMPLE), ("code", "code2"), ("abstract", False)], _setup())
    assert status == 200, b
    got = out(b)
    assert got["result"] is False
    assert "inactive" not in got and "status" not in got
    assert [(i["severity"], i["code"], tx_codes(i)) for i in issues(b)] == [
        ("error", "business-rule", ["code-rule"]), ("error", "code-invalid", ["not-in-vs"])]
    assert got["message"] == (f"{ABSTRACT}; The provided code '{SIMPLE}#code2' was not found in the value set "
                              f"'{SIMPLE_ALL}|5.0.0'")
    assert got["code"] == "code2" and got["system"] == SIMPLE and got["version"] == "0.1.0"


def test_codesystem_validate_of_an_abstract_retired_code_names_no_status(client):
    status, b = post(client, "CodeSystem/$validate-code",
                     [("url", SIMPLE), ("code", "code2"), ("abstract", False)], _setup())
    assert status == 200, b
    got = out(b)
    assert got["result"] is False and "inactive" not in got and "status" not in got
    assert got["message"] == ABSTRACT
    assert len(issues(b)) == 1


def test_abstract_allowed_keeps_the_status_notes(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", SIMPLE_ALL), ("system", SIMPLE), ("code", "code2")], _setup())
    got = out(b)
    assert got["result"] is True and got["inactive"] is True and got["status"] == "retired"
    assert "has a status of retired and inactive" in got["message"]
