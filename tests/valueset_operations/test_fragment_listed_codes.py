"""A code a value set lists (include.concept) that the code system, a fragment, does not hold is not a member,
as FHIRsmith's validate.js checkConceptSet (locate fails) and expand.js includeCodes (skipped) answer it, and
fhirserver's TValueSetChecker: $validate-code result false with the fragment warning (not in `message`) and the
not-in-vs error; $expand leaves it out. A whole-system include over a fragment still accepts an unknown code."""
from tests.support.tx_requests import codes, eparams, expansion, issues, out, post, tx_codes
from tests.support.resources import cs, vs

FRAG = cs("http://ex.org/frag", "1.0", [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}],
          content="fragment")
ENUM = vs("http://ex.org/vs-frag-enum", [{"system": FRAG["url"], "concept": [{"code": "a"}, {"code": "z"}]}], "1")
WHOLE = vs("http://ex.org/vs-frag-all", [{"system": FRAG["url"]}], "1")
SETUP = [FRAG, ENUM, WHOLE]
NOT_IN_VS = "The provided code 'http://ex.org/frag#z' was not found in the value set 'http://ex.org/vs-frag-enum|1'"


def test_listed_code_the_fragment_lacks_is_not_a_member(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", ENUM["url"]), ("system", FRAG["url"]), ("code", "z")], SETUP)
    assert status == 200, b
    o = out(b)
    assert o["result"] is False
    got = [(i["severity"], i["code"], tx_codes(i)) for i in issues(b)]
    assert got == [("warning", "code-invalid", ["invalid-code"]), ("error", "code-invalid", ["not-in-vs"])]
    assert "labeled as a fragment" in issues(b)[0]["details"]["text"]
    assert issues(b)[1]["details"]["text"] == NOT_IN_VS
    assert o["message"] == NOT_IN_VS


def test_listed_code_the_fragment_holds_is_a_member(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", ENUM["url"]), ("system", FRAG["url"]), ("code", "a")], SETUP)
    assert status == 200 and out(b)["result"] is True, b


def test_expand_leaves_the_unheld_listed_code_out(client):
    exp = expansion(client, [("url", ENUM["url"])], SETUP)
    assert codes(exp) == ["a"]
    assert exp["total"] == 1
    assert eparams(exp, "used-fragment") == ["http://ex.org/frag|1.0"]


def test_whole_system_include_over_a_fragment_still_accepts_an_unknown_code(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", WHOLE["url"]), ("system", FRAG["url"]), ("code", "z")], SETUP)
    assert status == 200 and out(b)["result"] is True, b
    assert [i["severity"] for i in issues(b)] == ["warning"]
    assert "message" not in out(b)


def test_listed_code_of_a_system_not_held_keeps_its_answer(client):
    # a system the server does not hold at all: nothing to tell membership by, answered as before
    unheld = vs("http://ex.org/vs-unheld-enum", [{"system": "http://ex.org/nowhere", "concept": [{"code": "z"}]}], "1")
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", unheld["url"]), ("system", "http://ex.org/nowhere"), ("code", "z")], [unheld])
    assert status == 200, b
    assert any("could not be found" in i["details"]["text"] for i in issues(b))
