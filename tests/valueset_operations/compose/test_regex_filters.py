"""Probe 8, regex filters: anchored matching (as the shipped simple-expand-regex outputs teach), property
regexes, bad and catastrophic patterns answered at once."""
import pytest

from tests.support.tx_requests import SIMPLE, codes, cs, expansion, issues, out, post, simple_cs, vs


def _vs(prop, value, system=SIMPLE, url="http://ex.org/vs/r"):
    return vs(url, [{"system": system, "filter": [{"property": prop, "op": "regex", "value": value}]}])


def test_code_regex_matches_the_whole_code(client):
    exp = expansion(client, [("url", "http://ex.org/vs/r"), ("excludeNested", True)],
                    [simple_cs(), _vs("code", "code2a")])
    assert codes(exp) == ["code2a"]


def test_code_regex_with_alternation_and_classes(client):
    exp = expansion(client, [("url", "http://ex.org/vs/r"), ("excludeNested", True)],
                    [simple_cs(), _vs("code", "code(1|3)|code2a[IV]+")])
    assert sorted(codes(exp)) == ["code1", "code2aI", "code2aII", "code3"]


def test_property_regex_matches_any_value(client):
    exp = expansion(client, [("url", "http://ex.org/vs/r"), ("excludeNested", True)],
                    [simple_cs(), _vs("prop", "ne.")])
    assert sorted(codes(exp)) == ["code2", "code2a", "code2aII"]


def test_unicode_property_classes_are_understood(client):
    """FHIR regexes are XML-Schema-like; \\p{Lu} (an upper case letter) is part of that syntax."""
    exp = expansion(client, [("url", "http://ex.org/vs/r"), ("excludeNested", True)],
                    [simple_cs(), _vs("code", "code2a\\p{Lu}+")])
    assert sorted(codes(exp)) == ["code2aI", "code2aII"]


def test_validate_agrees_with_the_regex(client):
    setup = [simple_cs(), _vs("code", "code[0-9]")]
    for code, result in [("code1", True), ("code2a", False)]:
        status, b = post(client, "ValueSet/$validate-code", [("url", "http://ex.org/vs/r"), ("system", SIMPLE),
                                                              ("code", code)], setup)
        assert out(b)["result"] is result, b


def test_an_invalid_regex_is_an_error_not_an_empty_expansion(client):
    status, b = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/r")], [simple_cs(), _vs("code", "code(")])
    assert 400 <= status < 500 and b["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+b", "(\\w+\\s?)*$!", "((a*)*)*c"])
def test_catastrophic_patterns_over_a_thousand_codes_answer(client, pattern):
    big = cs("http://ex.org/cs/bt", "1", [{"code": "a" * 30 + str(i), "display": "a " * 20} for i in range(1000)])
    status, b = post(client, "ValueSet/$expand", [("url", "http://ex.org/vs/r"), ("count", 10)],
                     [big, _vs("code", pattern, system=big["url"])])
    assert status in (200, 422), b
    if status == 422:
        assert b["issue"][0]["code"] == "too-costly"
    status, b = post(client, "ValueSet/$validate-code", [("url", "http://ex.org/vs/r"), ("system", big["url"]),
                                                          ("code", "a" * 30 + "1")],
                     [big, _vs("code", pattern, system=big["url"])])
    assert status in (200, 422), b


def test_regex_filter_in_validate_with_an_unknown_code_says_unknown_code(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", "http://ex.org/vs/r"), ("system", SIMPLE),
                                                          ("code", "code9")], [simple_cs(), _vs("code", "code[0-9]")])
    o = out(b)
    assert o["result"] is False
    assert any("invalid-code" in [c["code"] for c in i["details"]["coding"]] for i in issues(b))
