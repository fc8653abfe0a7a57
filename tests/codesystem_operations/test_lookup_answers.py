"""CodeSystem/$lookup as the reference servers (tx.fhir.org: FHIRsmith) answer it (notes: research-s10-lookup.md,
ranked items 1, 4 and 5): an unknown code's wording and issue type, `abstract` only when asked for (or nothing
is named), and a coding without a code."""
import json
import os

from tests.conftest import DATA
from tests.support.tx_requests import SIMPLE, out, post, simple_cs, tx_codes

from tests.support.resources import cs

EX = "http://ex.org/cs"
FLAT = "http://ex.org/flat"
ICD10 = "http://hl7.org/fhir/sid/icd-10-no"
SETUP = [cs(EX, "1.0.0", [{"code": "A", "display": "Alpha"}]), cs(FLAT, None, [{"code": "A", "display": "Alpha"}]),
         simple_cs()]


def _error(status: int, b: dict, want: int) -> dict:
    assert status == want, b
    assert b["resourceType"] == "OperationOutcome" and len(b["issue"]) == 1, b
    return b["issue"][0]


def test_an_unknown_code_is_not_found_in_the_version(client):
    issue = _error(*post(client, "CodeSystem/$lookup", [("system", EX), ("code", "Q")], SETUP), 404)
    assert issue["severity"] == "error" and issue["code"] == "not-found"
    assert tx_codes(issue) == ["not-found"]
    assert "expression" not in issue and "location" not in issue
    assert issue["details"]["text"] == "Unable to find code 'Q' in http://ex.org/cs version 1.0.0"


def test_an_unknown_code_of_a_system_without_version_says_version_unknown(client):
    issue = _error(*post(client, "CodeSystem/$lookup", [("coding", {"system": FLAT, "code": "Q"})], SETUP), 404)
    assert issue["code"] == "not-found" and tx_codes(issue) == ["not-found"]
    assert issue["details"]["text"] == "Unable to find code 'Q' in http://ex.org/flat version unknown"


def _names(client, *props) -> list:
    status, b = post(client, "CodeSystem/$lookup",
                     [("system", SIMPLE), ("code", "code1")] + [("property", p) for p in props], SETUP)
    assert status == 200, b
    return [p["name"] for p in b["parameter"]]


def test_abstract_only_when_no_property_or_asked_for(client):
    assert sorted(_names(client, "definition")) == ["code", "definition", "display", "name", "system", "version"]
    assert "abstract" not in _names(client, "prop")
    for props in ((), ("abstract",), ("*",), ("definition", "abstract")):
        assert _names(client, *props).count("abstract") == 1, props


def test_a_coding_without_a_code(client):
    issue = _error(*post(client, "CodeSystem/$lookup", [("coding", {"system": SIMPLE})], SETUP), 400)
    assert issue["code"] == "invalid"
    assert issue["details"]["text"] == "Coding parameter must include a code"
    # without a system as well: the system is asked for first (the reference checks it first)
    issue = _error(*post(client, "CodeSystem/$lookup", [("coding", {"display": "x"})], SETUP), 400)
    assert issue["details"]["text"] == "Coding parameter must include a system"


def _icd10() -> dict:
    with open(os.path.join(DATA, "lookup", "icd10no-j12.json"), encoding="utf-8") as fh:
        return json.load(fh)


def test_a_dotted_icd10_code_is_answered_with_its_stored_form(client):
    # Kodebro's own rule beside the reference's shapes: J12.8 is J128 in ICD-10-NO, and the answer says so
    icd = _icd10()
    status, b = post(client, "CodeSystem/$lookup", [("system", ICD10), ("code", "J12.8")], [icd])
    assert status == 200, b
    got = out(b)
    assert got["code"] == "J128" and got["display"] == "Annen spesifisert viruspneumoni"
    assert got["message"] == "J12.8 was matched in its canonical form as J128"
    issue = _error(*post(client, "CodeSystem/$lookup", [("system", ICD10), ("code", "J12.99")], [icd]), 404)
    assert issue["details"]["text"] == f"Unable to find code 'J12.99' in {ICD10} version 2026"
