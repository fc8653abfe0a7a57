"""An include (or exclude) must take codes from a system or from value sets (R4 invariant vsd-1), and a JSON
array in FHIR is never empty: `valueSet: []` names no value set. $validate-code and $expand give the same 400
for it, whether the value set is stored or brought with the request."""
import pytest

from tests.support.resources import example_vs as _vs
from tests.support.tx_files import stored_client
from tests.support.tx_requests import post

S = "http://ex.org/cs/empty-imports"
CS = {"resourceType": "CodeSystem", "url": S, "version": "1", "status": "active", "content": "complete",
      "concept": [{"code": "A", "display": "Alpha"}]}


EMPTY_INCLUDE = _vs("empty-include", [{"system": S}, {"valueSet": []}])
EMPTY_EXCLUDE = _vs("empty-exclude", [{"system": S}], [{"valueSet": []}])
CASES = [(EMPTY_INCLUDE, "ValueSet.compose.include[1]"), (EMPTY_EXCLUDE, "ValueSet.compose.exclude[0]")]
OPS = [("ValueSet/$validate-code", [("system", S), ("code", "A")]), ("ValueSet/$expand", [])]


def _refused(status, body, path):
    assert status == 400 and body["resourceType"] == "OperationOutcome", body
    issue = body["issue"][0]
    assert issue["code"] == "invalid" and issue["details"]["coding"][0]["code"] == "vs-invalid", issue
    assert issue["details"]["text"].startswith(f"{path} has neither system nor valueSet"), issue
    assert issue.get("location") == [path], issue


@pytest.mark.parametrize("vs, path", CASES)
@pytest.mark.parametrize("op, params", OPS)
def test_empty_value_set_list_as_tx_resource(client, vs, path, op, params):
    _refused(*post(client, op, [("url", vs["url"])] + params, [CS, vs]), path)


@pytest.mark.parametrize("vs, path", CASES)
@pytest.mark.parametrize("op, params", OPS)
def test_empty_value_set_list_stored(tmp_path, vs, path, op, params):
    client = stored_client(tmp_path, [CS, vs])
    _refused(*post(client, op, [("url", vs["url"])] + params), path)


@pytest.mark.parametrize("op, params", OPS)
def test_same_answer_for_both_operations(client, op, params):
    answers = {o: post(client, o, [("url", EMPTY_INCLUDE["url"])] + p, [CS, EMPTY_INCLUDE]) for o, p in OPS}
    (s1, b1), (s2, b2) = answers.values()
    assert s1 == s2 == 400 and b1["issue"] == b2["issue"]
