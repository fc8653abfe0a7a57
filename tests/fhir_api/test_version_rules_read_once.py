"""$validate-code and $expand read a request's version rules once: the rules read to find the value set are the
ones the engine gets. Read where they were read before (an instance or a url, not a value set sent in the
body), so a request with two faults is still refused for the one it was refused for, and the rules still
decide the answer."""
import pytest

from tests.support.resources import cs, vs
from tests.support.tx_requests import post

C = "http://ex.org/rules-once/cs"
V = "http://ex.org/rules-once/vs"
SETUP = [cs(C, "1", [{"code": "a"}, {"code": "b"}]), cs(C, "2", [{"code": "a"}]),
         vs(V, [{"system": C}], "1")]
BAD_RULE = ("system-version", "|1")       # names no system: a 400 where it is read


def _text(body) -> str:
    return body["issue"][0]["details"]["text"]


@pytest.mark.parametrize("op", ["ValueSet/$validate-code", "ValueSet/$expand"])
def test_no_value_set_named_is_refused_before_a_bad_rule(client, op):
    status, body = post(client, op, [("system", C), ("code", "a"), BAD_RULE], SETUP)
    assert status == 400 and "system-version" not in _text(body), body


@pytest.mark.parametrize("op", ["ValueSet/$validate-code", "ValueSet/$expand"])
def test_a_bad_rule_is_refused_before_a_value_set_not_held(client, op):
    status, body = post(client, op, [("url", V + "-not-held"), ("system", C), ("code", "a"), BAD_RULE], SETUP)
    assert status == 400 and _text(body).startswith("parameter 'system-version' must be"), body


def test_a_code_missing_is_refused_before_a_bad_rule_with_a_value_set_sent(client):
    status, body = post(client, "ValueSet/$validate-code",
                        [("valueSet", vs(V, [{"system": C}], "9")), BAD_RULE], SETUP)
    assert status == 400 and "system-version" not in _text(body), body


def test_a_bad_rule_with_a_value_set_sent_is_refused(client):
    status, body = post(client, "ValueSet/$validate-code",
                        [("valueSet", vs(V, [{"system": C}], "9")), ("system", C), ("code", "a"), BAD_RULE], SETUP)
    assert status == 400 and _text(body).startswith("parameter 'system-version' must be"), body


@pytest.mark.parametrize("version, valid", [("1", True), ("2", False)])
def test_the_rule_read_to_find_the_value_set_decides_the_answer(client, version, valid):
    # b is in version 1 of the code system only; force-system-version picks the version validated against
    status, body = post(client, "ValueSet/$validate-code",
                        [("url", V), ("system", C), ("code", "b"), ("force-system-version", f"{C}|{version}")],
                        SETUP)
    assert status == 200, body
    result = next(p["valueBoolean"] for p in body["parameter"] if p["name"] == "result")
    assert result is valid, body


def test_the_expansion_echoes_the_rule_it_applied(client):
    status, body = post(client, "ValueSet/$expand", [("url", V), ("force-system-version", f"{C}|2")], SETUP)
    assert status == 200, body
    assert [c["code"] for c in body["expansion"]["contains"]] == ["a"]
    echoed = [p for p in body["expansion"]["parameter"] if p["name"] == "force-system-version"]
    assert echoed and echoed[0]["valueUri"] == f"{C}|2", body["expansion"]["parameter"]
