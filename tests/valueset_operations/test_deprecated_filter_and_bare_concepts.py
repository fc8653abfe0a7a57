"""A `deprecated` filter answers from what makes a concept deprecated (its status, or R4's deprecated date), as
`inactive` does; a concept with no display of its own is shown by its first designation meant as a display."""
from tests.support.tx_requests import codes, cs, expansion, out, post, vs

URL = "http://example.org/deprecated-filter/cs"
CS = cs(URL, "1", [
    {"code": "a", "display": "Aye"},
    {"code": "b", "designation": [{"language": "de", "value": "Bee"}]},
    {"code": "c", "display": "Cee", "property": [{"code": "status", "valueCode": "deprecated"}]},
    {"code": "d", "display": "Dee", "property": [{"code": "deprecated", "valueDateTime": "2020-01-01"}]},
    {"code": "e", "display": "Eee", "property": [{"code": "deprecated", "valueDateTime": "2999-01-01"}]},
], property=[{"code": "deprecated", "type": "dateTime", "uri": "http://hl7.org/fhir/concept-properties#deprecated"}])


def _filtered(client, op, value):
    return codes(expansion(client, [("valueSet", vs("http://example.org/deprecated-filter/vs", [{"system": URL, "filter": [
        {"property": "deprecated", "op": op, "value": value}]}]))], [CS]))


def test_deprecated_true_selects_the_concepts_deprecated_today(client):
    # c by its status, d by a deprecation date passed; e's date is still to come
    assert sorted(_filtered(client, "=", "true")) == ["c", "d"]


def test_deprecated_false_selects_every_other_concept(client):
    assert sorted(_filtered(client, "=", "false")) == ["a", "b", "e"]


def test_deprecated_in_and_exists(client):
    assert sorted(_filtered(client, "in", "true")) == ["c", "d"]
    assert sorted(_filtered(client, "not-in", "true")) == ["a", "b", "e"]
    assert sorted(_filtered(client, "exists", "true")) == ["c", "d"]
    assert sorted(_filtered(client, "exists", "false")) == ["a", "b", "e"]


def test_a_stated_deprecation_date_still_matches_itself(client):
    assert _filtered(client, "=", "2020-01-01") == ["d"]


def test_a_concept_without_display_is_shown_by_its_designation(client):
    status, body = post(client, "CodeSystem/$lookup", [("system", URL), ("code", "b")], [CS])
    assert status == 200 and out(body)["display"] == "Bee"
    exp = expansion(client, [("valueSet", vs("http://example.org/deprecated-filter/vs", [{"system": URL}]))], [CS])
    assert {c["code"]: c.get("display") for c in exp["contains"]}["b"] == "Bee"
    status, body = post(client, "ValueSet/$validate-code",
                        [("valueSet", vs("http://example.org/deprecated-filter/vs", [{"system": URL}])), ("system", URL), ("code", "b")], [CS])
    assert status == 200 and out(body)["result"] is True and out(body)["display"] == "Bee"


def test_the_deprecated_filter_is_judged_on_the_day_the_request_asks_about(client):
    later = [("date", "3000-01-01")]
    assert sorted(codes(expansion(client, [("valueSet", _dep_vs("=", "true")), *later], [CS]))) == ["c", "d", "e"]
    earlier = [("date", "2019-06-01")]
    assert sorted(codes(expansion(client, [("valueSet", _dep_vs("=", "true")), *earlier], [CS]))) == ["c"]
    # and the rule made for one day is not kept for the next request
    assert sorted(_filtered(client, "=", "true")) == ["c", "d"]


def _dep_vs(op, value):
    return vs("http://example.org/deprecated-filter/vs", [{"system": URL, "filter": [
        {"property": "deprecated", "op": op, "value": value}]}])


NB = cs("http://example.org/deprecated-filter/nb", "1", [
    {"code": "b", "designation": [{"language": "de", "value": "Bee-de"}, {"language": "nb", "value": "Bee-nb"}]}],
    language="nb")


def test_a_bare_concept_asked_in_its_systems_language_gets_the_designation_in_it(client):
    asked = [("displayLanguage", "nb")]
    status, body = post(client, "CodeSystem/$lookup", [("system", NB["url"]), ("code", "b"), *asked], [NB])
    assert status == 200 and out(body)["display"] == "Bee-nb"
    whole = vs("http://example.org/deprecated-filter/nb-vs", [{"system": NB["url"]}])
    exp = expansion(client, [("valueSet", whole), *asked], [NB])
    assert exp["contains"][0]["display"] == "Bee-nb"
    status, body = post(client, "ValueSet/$validate-code",
                        [("valueSet", whole), ("system", NB["url"]), ("code", "b"), *asked], [NB])
    assert out(body)["result"] is True and out(body)["display"] == "Bee-nb"


def test_a_bare_concept_listed_with_a_value_set_designation_is_shown_by_its_own(client):
    listed = vs("http://example.org/deprecated-filter/listed", [{"system": URL, "concept": [
        {"code": "b", "designation": [{"language": "fr", "value": "Bé"}]}]}])
    exp = expansion(client, [("valueSet", listed)], [CS])
    assert exp["contains"][0]["display"] == "Bee"
    status, body = post(client, "ValueSet/$validate-code", [("valueSet", listed), ("system", URL), ("code", "b")],
                        [CS])
    assert out(body)["display"] == "Bee"
