"""A value set that a compose imports and that is not held (in the version named): $expand answers 4xx with the
reference servers' VS_EXP_IMPORT_UNK(_PINNED) text and no place in the compose (FHIRsmith expand.js
checkCanExpandValueset: Issue path null); $validate-code answers result=false with Unable_to_resolve_value_Set_
worded with the canonical as written (FHIRsmith validate.js prepareConceptSet)."""
import pytest

from tests.support.tx_requests import issues, out, post, tx_codes

from .three_versions import V, VERSIONS, vs

U = "http://ex.org/vs/u"
U1 = vs(U, [{"system": V}], version="1")


def _importer(ref: str) -> dict:
    return vs("http://ex.org/vs/x", [{"valueSet": [ref]}])


@pytest.mark.parametrize("held", [[U1], []], ids=["other-version-held", "none-held"])
def test_expand_of_a_pinned_import_not_held(client, held):
    x = _importer(U + "|3.0.0")
    status, b = post(client, "ValueSet/$expand", [("url", x["url"])], VERSIONS + held + [x])
    assert 400 <= status < 500, b
    issue = b["issue"][0]
    assert issue["code"] == "not-found"
    assert tx_codes(issue) == ["not-found"]
    assert issue["details"]["text"] == f"Unable to find included value set '{U}' version '3.0.0'"
    assert "expression" not in issue and "location" not in issue


def test_expand_of_an_unpinned_import_not_held(client):
    x = _importer("http://ex.org/vs/none")
    status, b = post(client, "ValueSet/$expand", [("url", x["url"])], VERSIONS + [x])
    assert 400 <= status < 500, b
    issue = b["issue"][0]
    assert issue["code"] == "not-found" and tx_codes(issue) == ["not-found"]
    assert issue["details"]["text"] == "Unable to find included value set 'http://ex.org/vs/none'"
    assert "expression" not in issue and "location" not in issue


@pytest.mark.parametrize("held", [[U1], []], ids=["other-version-held", "none-held"])
@pytest.mark.parametrize("mode", ["code", "coding", "codeableConcept"])
def test_validate_code_of_a_pinned_import_not_held(client, held, mode):
    x = _importer(U + "|3.0.0")
    given = {"code": [("code", "a"), ("system", V)], "coding": [("coding", {"system": V, "code": "a"})],
             "codeableConcept": [("codeableConcept", {"coding": [{"system": V, "code": "a"}]})]}[mode]
    status, b = post(client, "ValueSet/$validate-code", [("url", x["url"]), *given], VERSIONS + held + [x])
    assert status == 200, b
    text = f"A definition for the value Set '{U}|3.0.0' could not be found"
    got = out(b)
    assert got["result"] is False and got["message"] == text
    [issue] = issues(b)
    assert issue["code"] == "not-found" and tx_codes(issue) == ["not-found"]
    assert issue["details"]["text"] == text
    assert "expression" not in issue and "location" not in issue


def test_validate_code_of_an_unpinned_import_not_held(client):
    x = _importer("http://ex.org/vs/none")
    status, b = post(client, "ValueSet/$validate-code", [("url", x["url"]), ("coding", {"system": V, "code": "a"})],
                     VERSIONS + [x])
    assert status == 200, b
    assert out(b)["result"] is False
    assert out(b)["message"] == "A definition for the value Set 'http://ex.org/vs/none' could not be found"
