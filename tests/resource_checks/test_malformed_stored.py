"""A value set written straight into the store (not through an importer, PUT or tx-resource, which check its
shape) is checked for the same shape when it is first read for evaluation: a malformed one is a 400
OperationOutcome naming the element, as the same body sent as a tx-resource is, never a 500."""
import pytest

from terminology import open_store
from tests.support.resources import example_vs as _vs
from tests.support.tx_requests import post

S = "http://ex.org/cs/robust"
CS = {"resourceType": "CodeSystem", "url": S, "version": "1", "status": "active", "content": "complete",
      "concept": [{"code": "A", "display": "Alpha"}, {"code": "B", "display": "Beta"}]}
GOOD = "http://ex.org/vs/robust-good"


BAD = {
    "version-number": (_vs("version-number", [{"system": S, "version": 2}]), "include[0].version"),
    "version-list": (_vs("version-list", [{"system": S, "version": ["1"]}]), "include[0].version"),
    "version-dict": (_vs("version-dict", [{"system": S, "version": {"v": "1"}}]), "include[0].version"),
    "concept-string": (_vs("concept-string", [{"system": S, "concept": ["A"]}]), "include[0].concept[0]"),
    "concept-number": (_vs("concept-number", [{"system": S, "concept": [{"code": "A"}, 3]}]),
                       "include[0].concept[1]"),
    "exclude-concept-null": (_vs("exclude-concept-null", [{"system": S}], [{"system": S, "concept": [None]}]),
                             "exclude[0].concept"),
    "compose-list": ({**_vs("compose-list", []), "compose": [{"include": [{"system": S}]}]}, "compose"),
    "compose-extension-object": ({**_vs("compose-extension-object", [{"system": S}]),
                                  "extension": {"url": "http://x"}}, "extension"),
}
# a sound value set importing a malformed one: the import is refused where it is read
IMPORTER = _vs("importer", [{"valueSet": ["http://ex.org/vs/version-number"]}])


@pytest.fixture
def stored(db_path):
    store = open_store(db_path)
    store.write([CS, _vs("robust-good", [{"system": S}]), IMPORTER] + [vs for vs, _ in BAD.values()])
    store.close()


def _refused(status, body, where):
    assert status == 400 and body["resourceType"] == "OperationOutcome", body
    text = body["issue"][0]["details"]["text"]
    assert "malformed" in text and where in text, text
    assert body["issue"][0]["code"] == "invalid"


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("code", ["A", "Z"])
def test_validate_code_refuses_a_malformed_stored_value_set(stored, client, name, code):
    vs, where = BAD[name]
    _refused(*post(client, "ValueSet/$validate-code", [("url", vs["url"]), ("system", S), ("code", code)]), where)


@pytest.mark.parametrize("name", sorted(BAD))
def test_expand_refuses_a_malformed_stored_value_set(stored, client, name):
    vs, where = BAD[name]
    _refused(*post(client, "ValueSet/$expand", [("url", vs["url"])]), where)


@pytest.mark.parametrize("op, params", [("ValueSet/$expand", [("url", IMPORTER["url"])]),
                                        ("ValueSet/$validate-code", [("url", IMPORTER["url"]), ("system", S),
                                                                     ("code", "A")])])
def test_an_import_of_a_malformed_stored_value_set_is_refused(stored, client, op, params):
    _refused(*post(client, op, params), "include[0].version")


def test_a_sound_stored_value_set_still_answers(stored, client):
    status, body = post(client, "ValueSet/$validate-code", [("url", GOOD), ("system", S), ("code", "A")])
    assert status == 200 and body["parameter"][0] == {"name": "result", "valueBoolean": True}, body
    status, body = post(client, "ValueSet/$expand", [("url", GOOD)])
    assert status == 200 and [c["code"] for c in body["expansion"]["contains"]] == ["A", "B"], body


def test_the_same_body_as_a_tx_resource_is_refused_too(client):
    vs, _ = BAD["version-number"]
    status, body = post(client, "ValueSet/$validate-code", [("url", vs["url"]), ("system", S), ("code", "A")],
                        [CS, vs])
    assert status == 400 and body["resourceType"] == "OperationOutcome", body
