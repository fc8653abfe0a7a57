"""Request parameters that named something unusable, or named it twice, and were read silently (review s12):
version rules with no system or two '|' (F6). ($related's one valueSetVersion for both urls, F3, is tx.fhir.org's
reading and stays: tests/valueset_operations.)"""
import pytest

from tests.support.tx_requests import post
from tests.support.resources import cs, vs

C = "http://ex.org/inputs/cs"
V = "http://ex.org/inputs/vs"
CS1 = cs(C, "1", [{"code": "a", "concept": [{"code": "b"}]}, {"code": "c"}])
CS2 = cs(C, "2", [{"code": "a", "concept": [{"code": "b"}]}, {"code": "c"}])
VS1 = vs(V, [{"system": C}], "1")
VS2 = vs(V, [{"system": C, "concept": [{"code": "a"}]}], "2")
SETUP = [CS1, CS2, VS1, VS2]


@pytest.mark.parametrize("name, value, said", [
    ("system-version", "|1", "it names no system"),
    ("force-system-version", C + "|1|2", "it holds more than one '|'"),
    ("check-system-version", "|1", "it names no system"),
    ("default-valueset-version", "|1", "it names no url"),
    ("force-valueset-version", V + "|1|2", "it holds more than one '|'"),
])
def test_a_version_rule_without_a_system_or_with_two_pipes_is_a_400(client, name, value, said):
    status, body = post(client, "ValueSet/$expand", [("url", V + "|2"), (name, value)], SETUP)
    assert status == 400, body
    text = body["issue"][0]["details"]["text"]
    assert text == f"parameter '{name}' must be '{'url' if 'valueset' in name else 'system'}|version', " \
                   f"not '{value}': {said}", text
