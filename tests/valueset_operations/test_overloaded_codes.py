"""Probe 8, overloaded codes: one code string in two code systems of one value set."""
from tests.support.tx_requests import codes, cs, expansion, issues, out, post, vs

X = cs("http://ex.org/cs/x", "1", [{"code": "a", "display": "A of X"}, {"code": "only-x", "display": "OX"}])
Y = cs("http://ex.org/cs/y", "1", [{"code": "a", "display": "A of Y"}])
XY = vs("http://ex.org/vs/xy", [{"system": X["url"]}, {"system": Y["url"]}])
SETUP = [X, Y, XY]


def test_expansion_holds_both_codes(client):
    exp = expansion(client, [("url", XY["url"])], SETUP)
    assert sorted((c["system"], c["code"]) for c in exp["contains"]) == \
        [(X["url"], "a"), (X["url"], "only-x"), (Y["url"], "a")]
    assert exp["total"] == 3


def test_code_only_that_is_in_both_systems_cannot_be_inferred(client):
    """The shipped simple-code-implied-* outputs infer the system from the value set; when two systems hold
    the code, there is no single system to infer: result false, with a cannot-infer issue at `code`."""
    status, b = post(client, "ValueSet/$validate-code", [("url", XY["url"]), ("code", "a"), ("inferSystem", True)], SETUP)
    o = out(b)
    assert status == 200 and o["result"] is False and "system" not in o
    assert any("cannot-infer" in [c["code"] for c in i["details"]["coding"]] and i.get("expression") == ["code"]
               for i in issues(b))


def test_code_only_that_is_in_one_system_is_inferred(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", XY["url"]), ("code", "only-x"), ("inferSystem", True)], SETUP)
    o = out(b)
    assert o["result"] is True and o["system"] == X["url"] and o["display"] == "OX"


def test_with_a_system_each_code_is_its_own(client):
    for system, display in [(X["url"], "A of X"), (Y["url"], "A of Y")]:
        status, b = post(client, "ValueSet/$validate-code", [("url", XY["url"]), ("system", system), ("code", "a"),
                                                              ("display", display)], SETUP)
        o = out(b)
        assert o["result"] is True and o["system"] == system and o["display"] == display


def test_the_other_systems_display_is_wrong(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", XY["url"]), ("system", Y["url"]), ("code", "a"),
                                                          ("display", "A of X")], SETUP)
    o = out(b)
    assert o["result"] is False and o["display"] == "A of Y"
    assert any("invalid-display" in [c["code"] for c in i["details"]["coding"]] for i in issues(b))


def test_codeable_concept_with_the_code_in_both_systems(client):
    cc = {"coding": [{"system": X["url"], "code": "a"}, {"system": Y["url"], "code": "a"}]}
    status, b = post(client, "ValueSet/$validate-code", [("url", XY["url"]), ("codeableConcept", cc)], SETUP)
    assert out(b)["result"] is True


def test_same_code_listed_twice_is_one_entry(client):
    twice = vs("http://ex.org/vs/twice", [{"system": X["url"], "concept": [{"code": "a"}]}, {"system": X["url"]}])
    exp = expansion(client, [("url", twice["url"])], [X, twice])
    assert sorted(codes(exp)) == ["a", "only-x"] and exp["total"] == 2


V = "http://ex.org/cs/v"
V1 = cs(V, "1.0.0", [{"code": "a", "display": "A one"}, {"code": "b", "display": "B one"}])
V2 = cs(V, "2.0.0", [{"code": "a", "display": "A two"}, {"code": "c", "display": "C two"}])
BOTH = vs("http://ex.org/vs/both", [{"system": V, "version": "1.0.0"}, {"system": V, "version": "2.0.0"}])


def test_a_code_in_two_versions_of_a_value_set_validates_in_the_version_whose_display_fits(client):
    for display, version in [("A one", "1.0.0"), ("A two", "2.0.0")]:
        status, b = post(client, "ValueSet/$validate-code", [("url", BOTH["url"]), ("system", V), ("code", "a"),
                                                              ("display", display)], [V1, V2, BOTH])
        o = out(b)
        assert o["result"] is True and o["version"] == version and o["display"] == display


def test_a_display_of_another_version_is_wrong_when_the_coding_names_its_version(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", BOTH["url"]), ("coding", {"system": V, "version": "2.0.0", "code": "a",
                                                        "display": "A one"})], [V1, V2, BOTH])
    o = out(b)
    assert o["result"] is False and o["version"] == "2.0.0" and o["display"] == "A two"
    assert any("invalid-display" in [c["code"] for c in i["details"]["coding"]] for i in issues(b))
