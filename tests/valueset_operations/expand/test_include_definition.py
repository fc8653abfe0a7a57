"""$expand answers the value set's definition (compose and its descriptive elements: purpose, contact, copyright,
publisher, extension, contained) only with includeDefinition=true, as FHIRsmith's expand.js, fhirserver and the
Java expander strip them; name, title, status, version and url stay."""
from tests.support.tx_requests import expansion, post
from tests.support.resources import cs, vs

CS = cs("http://ex.org/def/cs", "1", [{"code": "a", "display": "A"}])
DESCRIBED = vs("http://ex.org/def/vs", [{"system": CS["url"]}], "1", name="Described", title="Described",
               purpose="for a test", publisher="Kodebro", copyright="none",
               contact=[{"name": "someone"}],
               extension=[{"url": "http://ex.org/ext", "valueString": "x"}],
               contained=[{"resourceType": "ValueSet", "id": "inner", "status": "active",
                           "compose": {"include": [{"system": CS["url"]}]}}])
DEFINITION = ("compose", "purpose", "contact", "copyright", "publisher", "extension", "contained")


def test_without_include_definition_the_definition_is_left_out(client):
    status, b = post(client, "ValueSet/$expand", [("url", DESCRIBED["url"])], [CS, DESCRIBED])
    assert status == 200, b
    assert not set(DEFINITION) & set(b)
    assert (b["url"], b["version"], b["name"], b["title"], b["status"]) == \
        (DESCRIBED["url"], "1", "Described", "Described", "active")
    assert [c["code"] for c in b["expansion"]["contains"]] == ["a"]


def test_with_include_definition_it_is_answered(client):
    status, b = post(client, "ValueSet/$expand", [("url", DESCRIBED["url"]), ("includeDefinition", True)],
                     [CS, DESCRIBED])
    assert status == 200, b
    assert set(DEFINITION) <= set(b)
    assert b["purpose"] == "for a test" and b["extension"] == DESCRIBED["extension"]
