"""An include that lists codes of a code system the server has no definition for (not loaded, not sent along,
or one whose content is `not-present`) cannot be expanded: 422 not-found with the error a whole-system include
of it gets. The reference server refuses it so (FHIRsmith expand.js includeCodes asks for a complete or fragment
definition of every system an include names), and R4 $expand says a server that holds only an incomplete
definition SHALL return an error. An `example` code system still expands its listed codes. $validate-code of
such a value set keeps its own answers (a coding of an unknown system is `false` with the reason)."""
from tests.support.resources import cs, vs
from tests.support.tx_requests import out, post

UNKNOWN = "http://example.org/unknown"
LISTED = vs("http://ex.org/vs/listed-unknown", [{"system": UNKNOWN, "concept": [{"code": "a", "display": "A"}]}])


def _not_present():
    r = cs("http://ex.org/cs/np", "1", [], content="not-present")
    del r["concept"]
    return r


def _refused(status, b, system):
    assert status == 422, b
    (issue,) = b["issue"]
    assert (issue["severity"], issue["code"]) == ("error", "not-found")
    assert issue["details"]["text"] == (f"A definition for CodeSystem '{system}' could not be found, so the value "
                                        "set cannot be expanded")


def test_listed_codes_of_an_unknown_system(client):
    _refused(*post(client, "ValueSet/$expand", [("url", LISTED["url"])], [LISTED]), UNKNOWN)


def test_listed_codes_of_an_unknown_system_beside_a_known_one(client):
    known = cs("http://ex.org/cs/known", "1", [{"code": "k", "display": "K"}])
    v = vs("http://ex.org/vs/mixed", [{"system": known["url"]}, {"system": UNKNOWN, "concept": [{"code": "a"}]}])
    _refused(*post(client, "ValueSet/$expand", [("url", v["url"])], [known, v]), UNKNOWN)


def test_listed_codes_of_a_not_present_system(client):
    np = _not_present()
    v = vs("http://ex.org/vs/listed-np", [{"system": np["url"], "concept": [{"code": "a", "display": "A"}]}])
    _refused(*post(client, "ValueSet/$expand", [("url", v["url"])], [np, v]), np["url"])


def test_listed_codes_of_an_example_system_still_expand(client):
    ex = cs("http://ex.org/cs/example", "1", [{"code": "a", "display": "A"}], content="example")
    v = vs("http://ex.org/vs/listed-example", [{"system": ex["url"], "concept": [{"code": "a"}]}])
    status, b = post(client, "ValueSet/$expand", [("url", v["url"])], [ex, v])
    assert status == 200, b
    assert [c["code"] for c in b["expansion"]["contains"]] == ["a"]


def test_validate_code_of_such_a_value_set_answers_as_before(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", LISTED["url"]), ("system", UNKNOWN), ("code", "a")],
                     [LISTED])
    assert status == 200, b
    o = out(b)
    assert o["result"] is False and o["x-caused-by-unknown-system"] == UNKNOWN


def test_validate_code_against_listed_codes_of_a_not_present_system_answers_as_before(client):
    np = _not_present()
    v = vs("http://ex.org/vs/listed-np2", [{"system": np["url"], "concept": [{"code": "a", "display": "A"}]}])
    status, b = post(client, "ValueSet/$validate-code", [("url", v["url"]), ("system", np["url"]), ("code", "a")],
                     [np, v])
    assert status == 200 and out(b)["result"] is True, b


def test_listed_codes_of_an_unknown_system_that_an_exclude_names_too(client):
    v = vs("http://ex.org/vs/listed-excluded", [{"system": UNKNOWN, "concept": [{"code": "a"}, {"code": "b"}]}])
    v["compose"]["exclude"] = [{"system": UNKNOWN, "concept": [{"code": "b"}]}]
    _refused(*post(client, "ValueSet/$expand", [("url", v["url"])], [v]), UNKNOWN)


def test_a_whole_unknown_system_that_an_exclude_names_too(client):
    """An exclude looks its system up quietly and the absence is kept; the whole-system include that needs it still
    refuses (review s16 B M1: it expanded to total 0)."""
    v = vs("http://ex.org/vs/whole-excluded", [{"system": UNKNOWN}])
    v["compose"]["exclude"] = [{"system": UNKNOWN, "concept": [{"code": "b"}]}]
    _refused(*post(client, "ValueSet/$expand", [("url", v["url"])], [v]), UNKNOWN)
