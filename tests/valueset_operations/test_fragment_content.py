"""Probe 8, content = fragment / example / not-present: an unknown code may exist elsewhere, so it is a
warning, not an error (R4 CodeSystem.content: a fragment holds 'a subset of the code system concepts')."""
import pytest

from tests.support.tx_requests import codes, cs, expansion, issues, out, post, vs

FRAG = cs("http://ex.org/cs/frag", "1", [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}],
          content="fragment")
EXAMPLE = cs("http://ex.org/cs/ex", "1", [{"code": "a", "display": "A"}], content="example")
ALL_FRAG = vs("http://ex.org/vs/frag", [{"system": FRAG["url"]}])
LISTED = vs("http://ex.org/vs/listed", [{"system": FRAG["url"], "concept": [{"code": "a"}]}])
ALL_EX = vs("http://ex.org/vs/ex", [{"system": EXAMPLE["url"]}])
SETUP = [FRAG, EXAMPLE, ALL_FRAG, LISTED, ALL_EX]


@pytest.mark.parametrize("op,params", [
    ("CodeSystem/$validate-code", [("url", FRAG["url"]), ("code", "zz")]),
    ("ValueSet/$validate-code", [("url", ALL_FRAG["url"]), ("system", FRAG["url"]), ("code", "zz")]),
    ("ValueSet/$validate-code", [("url", ALL_FRAG["url"]), ("coding", {"system": FRAG["url"], "code": "zz"})]),
])
def test_unknown_code_in_a_fragment_is_a_warning(client, op, params):
    status, b = post(client, op, params, SETUP)
    o = out(b)
    assert status == 200 and o["result"] is True
    assert [i["severity"] for i in issues(b)] == ["warning"]
    assert "fragment" in issues(b)[0]["details"]["text"]


def test_unknown_code_in_an_example_code_system_is_a_warning(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", ALL_EX["url"]), ("system", EXAMPLE["url"]),
                                                          ("code", "zz")], SETUP)
    # the unknown code's warning, and the reference server's for any code of an example
    assert out(b)["result"] is True and [i["severity"] for i in issues(b)] == ["warning", "warning"]


def test_known_code_of_a_fragment_with_a_wrong_display_is_still_an_error(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", FRAG["url"]), ("code", "a"), ("display", "Wrong")],
                     SETUP)
    o = out(b)
    assert o["result"] is False
    assert any(i["severity"] == "error" and "invalid-display" in [c["code"] for c in i["details"]["coding"]]
               for i in issues(b))


def test_a_code_not_listed_by_the_value_set_is_not_a_member_even_in_a_fragment(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", LISTED["url"]), ("system", FRAG["url"]),
                                                          ("code", "b")], SETUP)
    assert out(b)["result"] is False


def test_expansion_of_a_fragment_lists_what_is_held(client):
    exp = expansion(client, [("url", ALL_FRAG["url"])], SETUP)
    assert sorted(codes(exp)) == ["a", "b"]


def test_lookup_of_a_code_a_fragment_lacks_is_not_found(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", FRAG["url"]), ("code", "zz")], SETUP)
    assert status == 404 and b["resourceType"] == "OperationOutcome"
