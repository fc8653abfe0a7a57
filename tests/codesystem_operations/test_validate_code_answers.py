"""CodeSystem/$validate-code as the reference servers (tx.fhir.org: FHIRsmith) answer it (notes:
research-s10-lookup.md, ranked items 2 and 3): a single coding of another system than `url` is judged in its own
code system, and a codeableConcept without `url` whose first coding has no system is an answer, not a 400."""
import json

from tests.support.tx_requests import FJ, SIMPLE, body, issues, out, post, simple_cs, tx_codes

from tests.support.resources import cs

EX = "http://ex.org/cs"
SETUP = [simple_cs(), cs(EX, "1.0.0", [{"code": "A", "display": "Alpha"}])]
NO_SYSTEM = ("Coding has no system. A code with no system has no defined meaning, and it cannot be validated. "
             "A system should be provided")


def _validate(client, params) -> dict:
    status, b = post(client, "CodeSystem/$validate-code", params, SETUP)
    assert status == 200, b
    return b


def _names(b: dict) -> list:
    return [p["name"] for p in b["parameter"]]


def _only_issue(b: dict) -> dict:
    [issue] = issues(b)
    assert issue["severity"] == "error"
    assert out(b)["message"] == issue["details"]["text"]
    return issue


def test_a_coding_of_an_unknown_system(client):
    b = _validate(client, [("url", SIMPLE), ("coding", {"system": "http://x/unk", "code": "A"})])
    got = out(b)
    assert got["result"] is False and got["system"] == "http://x/unk" and got["code"] == "A"
    assert got["x-unknown-system"] == "http://x/unk" and "x-caused-by-unknown-system" not in got
    issue = _only_issue(b)
    assert issue["code"] == "not-found" and tx_codes(issue) == ["not-found"]
    assert issue["expression"] == ["Coding.system"]
    assert issue["details"]["text"] == ("A definition for CodeSystem 'http://x/unk' could not be found, so the code "
                                        "cannot be validated")


def test_a_coding_of_another_system_that_does_not_hold_the_code(client):
    b = _validate(client, [("url", SIMPLE), ("coding", {"system": EX, "code": "Q"})])
    got = out(b)
    assert got["result"] is False and got["system"] == EX and got["code"] == "Q"
    issue = _only_issue(b)
    assert issue["code"] == "code-invalid" and tx_codes(issue) == ["invalid-code"]
    assert issue["expression"] == ["Coding.code"]
    assert issue["details"]["text"] == "Unknown code 'Q' in the CodeSystem 'http://ex.org/cs' version '1.0.0'"


def test_a_coding_of_another_system_that_holds_the_code(client):
    b = _validate(client, [("url", SIMPLE), ("coding", {"system": EX, "code": "A"})])
    got = out(b)
    assert got["result"] is False and got["system"] == EX and got["code"] == "A"
    assert got["version"] == "1.0.0" and got["display"] == "Alpha"
    issue = _only_issue(b)
    assert issue["code"] == "code-invalid" and tx_codes(issue) == ["not-in-vs"]
    assert issue["expression"] == ["Coding.code"]
    assert issue["details"]["text"] == (f"The provided code 'http://ex.org/cs#A' was not found in the value set "
                                        f"'{SIMPLE}/vs|0.1.0'")
    assert not any("is not the code system" in i["details"]["text"] for i in issues(b))


def test_a_coding_of_another_system_with_a_wrong_display(client):
    b = _validate(client, [("url", SIMPLE), ("coding", {"system": EX, "code": "A", "display": "Beta"})])
    assert out(b)["result"] is False
    found = issues(b)
    assert [tx_codes(i) for i in found] == [["invalid-display"]], found
    assert found[0]["expression"] == ["Coding.display"]


def _post_cc(client, cc: dict, params=()) -> tuple[int, dict]:
    b = body(list(params), SETUP)
    b["parameter"].insert(0, {"name": "codeableConcept", "valueCodeableConcept": cc})
    r = client.post("/fhir/CodeSystem/$validate-code", data=json.dumps(b), content_type=FJ)
    return r.status_code, r.get_json()


def _no_system_answer(status: int, b: dict, cc: dict) -> None:
    assert status == 200, b
    got = out(b)
    assert got["result"] is False and got["message"] == NO_SYSTEM
    assert got["codeableConcept"] == cc
    assert not {"code", "system", "version", "display"} & set(_names(b))
    assert not [n for n in _names(b) if n.startswith("x-")]
    [issue] = issues(b)
    assert issue["severity"] == "warning" and issue["code"] == "invalid" and tx_codes(issue) == ["invalid-data"]
    assert issue["expression"] == ["CodeableConcept"]
    assert issue["details"]["text"] == NO_SYSTEM


def test_a_codeable_concept_without_url_whose_coding_has_no_system(client):
    cc = {"coding": [{"code": "code1"}]}
    _no_system_answer(*_post_cc(client, cc), cc)


def test_only_the_first_coding_names_the_system(client):
    cc = {"coding": [{"code": "code1"}, {"system": SIMPLE, "code": "code1"}]}
    _no_system_answer(*_post_cc(client, cc), cc)
    # a first coding with a system names the code system, as before
    status, b = _post_cc(client, {"coding": [{"system": SIMPLE, "code": "code1"}, {"code": "code1"}]})
    assert status == 200 and out(b)["result"] is True, b


def test_a_text_only_codeable_concept_without_url_is_still_refused(client):
    status, b = _post_cc(client, {"text": "pneumonia"})
    assert status == 400, b
