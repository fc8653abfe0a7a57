"""Probe 8, value set versions: choosing one, and reporting one that is not held like the shipped
validation-simple-code-bad-valueSet output (4xx OperationOutcome, not-found, tx-issue-type not-found)."""
import pytest

from tests.support.tx_requests import cs, eparams, expansion, codes, out, post, vs

V = "http://ex.org/cs/v"
A1 = cs(V, "1.0.0", [{"code": "a", "display": "A one"}, {"code": "b", "display": "B one"}])
A2 = cs(V, "2.0.0", [{"code": "a", "display": "A two"}, {"code": "c", "display": "C two"}])
VS1 = vs("http://ex.org/vs/v", [{"system": V, "concept": [{"code": "a"}]}], version="1.0")
VS2 = vs("http://ex.org/vs/v", [{"system": V, "version": "1.0.0"}], version="2.0")
NOVER = vs("http://ex.org/vs/nover", [{"system": V}])
SETUP = [A1, A2, VS1, VS2, NOVER]


def _not_found(status, b, *words, expected=404):
    assert status == expected and b["resourceType"] == "OperationOutcome", b
    issue = b["issue"][0]
    assert issue["severity"] == "error" and issue["code"] == "not-found"
    assert [c["code"] for c in issue["details"]["coding"]] == ["not-found"]
    for w in words:
        assert w in issue["details"]["text"]


@pytest.mark.parametrize("params, text", [
    ([("url", "http://ex.org/vs/v"), ("valueSetVersion", "3.0")], "ValueSet not found: http://ex.org/vs/v version 3.0"),
    ([("url", "http://ex.org/vs/v|3.0")], "ValueSet not found: http://ex.org/vs/v|3.0"),
])
def test_unknown_value_set_version_in_expand(client, params, text):
    # $expand: 422 for a definition it lacks, in the reference server's $expand words (the url and version as sent)
    status, b = post(client, "ValueSet/$expand", params, SETUP)
    _not_found(status, b, expected=422)
    assert b["issue"][0]["details"]["text"] == text


@pytest.mark.parametrize("params", [
    [("url", "http://ex.org/vs/v"), ("valueSetVersion", "3.0")],
    [("url", "http://ex.org/vs/v|3.0")],
])
def test_unknown_value_set_version_in_validate_is_reported_as_an_unknown_value_set(client, params):
    _not_found(*post(client, "ValueSet/$validate-code", params + [("system", V), ("code", "a")], SETUP),
               "http://ex.org/vs/v|3.0", expected=422)


def test_without_value_set_version_the_latest_is_expanded(client):
    exp = expansion(client, [("url", "http://ex.org/vs/v")], SETUP)
    assert sorted(codes(exp)) == ["a", "b"]
    assert eparams(exp, "used-codesystem") == [V + "|1.0.0"]


def test_value_set_version_chooses_the_value_set(client):
    status, b = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/v"), ("valueSetVersion", "1.0")], SETUP)
    assert status == 200 and b["version"] == "1.0"
    assert codes(b["expansion"]) == ["a"]
    assert eparams(b["expansion"], "used-codesystem") == [V + "|2.0.0"]


def test_validate_in_the_version_named_by_value_set_version(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", "http://ex.org/vs/v"), ("valueSetVersion", "1.0"),
                                                          ("system", V), ("code", "b")], SETUP)
    assert out(b)["result"] is False
    status, b = post(client, "ValueSet/$validate-code", [("url", "http://ex.org/vs/v"), ("valueSetVersion", "2.0"),
                                                          ("system", V), ("code", "b")], SETUP)
    assert out(b)["result"] is True and out(b)["version"] == "1.0.0"


def test_value_set_version_of_a_value_set_held_without_version_is_not_found(client):
    _not_found(*post(client, "ValueSet/$expand", [("url", NOVER["url"]), ("valueSetVersion", "1")], SETUP),
               expected=422)  # $expand: 422 for a definition it lacks (the reference server's status)


def test_message_for_a_code_outside_a_versioned_value_set_names_url_and_version(client):
    """As the shipped validation-simple-code-bad-code output: '... not found in the value set 'url|version''."""
    status, b = post(client, "ValueSet/$validate-code", [("url", "http://ex.org/vs/v"), ("valueSetVersion", "1.0"),
                                                          ("system", V), ("code", "c")], SETUP)
    assert "'http://ex.org/vs/v|1.0'" in out(b)["message"]


@pytest.mark.parametrize("rule", ["force-valueset-version", "default-valueset-version"])
def test_expand_names_the_version_a_rule_chose_when_it_is_not_held(client, rule):
    """Not the version as sent when a rule chose another: the text must not name a version that is held."""
    params = [("url", "http://ex.org/vs/v"), (rule, "http://ex.org/vs/v|9.9")]
    status, b = post(client, "ValueSet/$expand", params, SETUP)
    _not_found(status, b, expected=422)
    assert b["issue"][0]["details"]["text"] == "ValueSet not found: http://ex.org/vs/v version 9.9"
    if rule == "force-valueset-version":
        status, b = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/v|1.0"), params[1]], SETUP)
        assert b["issue"][0]["details"]["text"] == "ValueSet not found: http://ex.org/vs/v version 9.9"
