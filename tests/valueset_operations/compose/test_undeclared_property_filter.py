"""A compose filter on a property the code system does not declare is not understood, even when its concepts
carry that property: the reference servers (fhirserver getProperty, FHIRsmith propertyDefinitions, the Java
expander's isDefinedProperty) refuse it. Declared properties and the generic ones still filter."""
from tests.support.tx_requests import issues, out, post, tx_codes
from tests.support.resources import cs, vs

URL = "http://ex.org/undeclared/cs"
CS = cs(URL, "1", [{"code": "A", "display": "A", "property": [{"code": "colour", "valueCode": "red"}]},
                   {"code": "B", "display": "B", "property": [{"code": "undeclared", "valueString": "u1"},
                                                              {"code": "colour", "valueCode": "blue"}]}],
        property=[{"code": "colour", "type": "code"}])
UNDECLARED = vs("http://ex.org/undeclared/vs", [{"system": URL, "filter": [
    {"property": "undeclared", "op": "=", "value": "u1"}]}], "1")
DECLARED = vs("http://ex.org/undeclared/vs-ok", [{"system": URL, "filter": [
    {"property": "colour", "op": "=", "value": "blue"}]}], "1")
SETUP = [CS, UNDECLARED, DECLARED]
TEXT = ('The filter "undeclared = u1" from the value set http://ex.org/undeclared/vs|1 was not understood in '
        'the context of http://ex.org/undeclared/cs')


def test_expand_refuses_a_filter_on_an_undeclared_property(client):
    status, b = post(client, "ValueSet/$expand", [("url", UNDECLARED["url"])], SETUP)
    assert status == 400, b
    issue = b["issue"][0]
    assert issue["code"] == "not-supported" and tx_codes(issue) == ["vs-invalid"]
    assert issue["details"]["text"] == TEXT
    assert issue["expression"] == ["ValueSet.compose.include[0].filter[0]"]


def test_validate_code_says_the_same(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", UNDECLARED["url"]), ("system", URL),
                                                         ("code", "B")], SETUP)
    texts = [i["details"]["text"] for i in (b.get("issue") or issues(b))]
    assert TEXT in texts, b
    if status == 200:
        assert out(b)["result"] is False


def test_a_declared_property_still_filters(client):
    status, b = post(client, "ValueSet/$expand", [("url", DECLARED["url"])], SETUP)
    assert status == 200, b
    assert [c["code"] for c in b["expansion"]["contains"]] == ["B"]
