"""A stored supplement of a stored code system is applied once per store revision, never mixed with a
request's own supplements, and a new revision of the supplement is seen at once."""
import pytest

from terminology import Catalog, open_store
from terminology.supplements import SupplementSet

from tests.support.tx_files import stored_client
from tests.valueset_operations.test_spec_areas import B, LANG, LANG_CS, SUP

FJ = "application/fhir+json"
SUP2 = {**SUP, "id": "lang-sup2", "url": B + "CodeSystem/lang-sup2",
        "concept": [{"code": "c2", "designation": [{"language": "fr", "value": "Poumon"}]}]}
VS = {"resourceType": "ValueSet", "id": "lang", "url": B + "ValueSet/lang", "status": "active",
      "compose": {"include": [{"system": LANG_CS}]}}


@pytest.fixture
def client(tmp_path):
    return stored_client(tmp_path, [LANG, SUP, VS])


def _displays(client, **q):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": VS["url"], "displayLanguage": "fr", **q})
    assert r.status_code == 200, r.get_json()
    return dict(_flat(r.get_json()["expansion"].get("contains", [])))


def _flat(contains):
    for c in contains:
        yield c["code"], c.get("display")
        yield from _flat(c.get("contains", []))


def test_stored_supplement_index_is_built_once_per_revision(tmp_path):
    s = open_store(str(tmp_path / "k.db"))
    s.write([LANG, SUP])
    catalog = Catalog(s)
    cs = catalog.codesystem(LANG_CS, "1")
    first = SupplementSet(catalog, [SUP["url"]])(cs)
    again = SupplementSet(catalog, [SUP["url"]])(cs)
    assert first is again and first is not cs
    assert any(d.get("value") == "Coeur" for d in first.concepts["c1"].designations)
    assert not any(d.get("value") == "Coeur" for d in cs.concepts["c1"].designations)   # the base is untouched
    s.close()


def test_one_cached_copy_whatever_the_order_or_repetition_of_the_supplements(tmp_path):
    sup3 = {**SUP2, "id": "lang-sup3", "url": B + "CodeSystem/lang-sup3", "version": "1",
            "concept": [{"code": "c2", "designation": [{"language": "de", "value": "Lunge"}]}]}
    s = open_store(str(tmp_path / "k.db"))
    s.write([LANG, SUP, sup3])
    catalog = Catalog(s)
    cs = catalog.codesystem(LANG_CS, "1")
    first = SupplementSet(catalog, [SUP["url"], sup3["url"]])(cs)
    again = SupplementSet(catalog, [sup3["url"] + "|1", SUP["url"], SUP["url"] + "|1"])(cs)
    assert again is first
    assert [r["url"] for r in SupplementSet(catalog, [SUP["url"], SUP["url"] + "|1"]).supplements] == [SUP["url"]]
    s.close()


def test_a_supplied_supplement_posing_as_the_stored_one_does_not_poison_the_cache(client):
    poison = {**SUP, "concept": [{"code": "c1", "designation": [{"language": "fr", "value": "Empoisonné"}]}]}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": VS["url"]}, {"name": "displayLanguage", "valueCode": "fr"},
        {"name": "useSupplement", "valueCanonical": SUP["url"] + "|1"},
        {"name": "tx-resource", "resource": poison}]}
    r = client.post("/fhir/ValueSet/$expand", json=body, content_type=FJ)
    assert dict(_flat(r.get_json()["expansion"]["contains"]))["c1"] == "Empoisonné"   # the request's own
    assert _displays(client, useSupplement=SUP["url"])["c1"] == "Coeur"
    assert _displays(client, useSupplement=SUP["url"] + "|1", filter="coeur") == {"c1": "Coeur"}


def test_text_filter_finds_supplement_designations_on_every_request(client):
    for _ in range(2):
        assert _displays(client, useSupplement=SUP["url"], filter="coeur") == {"c1": "Coeur"}
    assert _displays(client, filter="coeur") == {}


def test_request_supplement_does_not_outlive_its_request(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": VS["url"]}, {"name": "displayLanguage", "valueCode": "fr"},
        {"name": "useSupplement", "valueCanonical": SUP["url"]},
        {"name": "useSupplement", "valueCanonical": SUP2["url"]},
        {"name": "tx-resource", "resource": SUP2}]}
    r = client.post("/fhir/ValueSet/$expand", json=body, content_type=FJ)
    got = dict(_flat(r.get_json()["expansion"]["contains"]))
    assert got["c1"] == "Coeur" and got["c2"] == "Poumon"
    assert _displays(client, useSupplement=SUP["url"], filter="poumon") == {}


def test_a_new_revision_of_the_supplement_is_seen_at_once(client):
    assert _displays(client, useSupplement=SUP["url"], filter="coeur") == {"c1": "Coeur"}
    changed = {**SUP, "concept": [{"code": "c1", "designation": [{"language": "fr", "value": "Cœur rouge"}]}]}
    assert client.put("/fhir/CodeSystem/lang-sup", json=changed, content_type=FJ).status_code == 200
    assert _displays(client, useSupplement=SUP["url"], filter="rouge") == {"c1": "Cœur rouge"}
