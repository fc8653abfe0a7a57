"""A stored ConceptMap may not take the url of a SNOMED CT implicit ConceptMap, read by the rule the server reads
those urls with (terminology.snomed.implicit.map_url): a url it would answer as one, or one meant as one that it
cannot read. A url that only looks alike (another host, a parameter that is not fhir_cm) is the map's own."""
from __future__ import annotations

import pytest

from terminology.validation import RESERVED_MAP_ID, reserved_map_problems

MAP = {"resourceType": "ConceptMap", "status": "active",
       "group": [{"source": "http://example.org/a", "target": "http://example.org/b", "element": [
           {"code": "1", "target": [{"code": "2", "equivalence": "equivalent"}]}]}]}


@pytest.mark.parametrize("url", ["http://snomed.info/sctx?fhir_cmy", "http://snomed.info/sct?fhir_cmy=1",
                                 "http://snomed.info/sctx?fhir_cm=447562003", "http://snomed.info/sct/x/y",
                                 "https://example.org/cm?fhir_cm=447562003"])
def test_a_url_the_server_would_not_read_as_an_implicit_map_is_the_maps_own(client, url):
    assert reserved_map_problems("mine", url) == []
    r = client.put("/fhir/ConceptMap/mine", json={**MAP, "id": "mine", "url": url})
    assert r.status_code == 201, r.get_json()


@pytest.mark.parametrize("url", ["http://snomed.info/sct?fhir_cm=447562003",
                                 "http://snomed.info/sct/51000202101?fhir_cm=900000000000526001",
                                 "http://snomed.info/sct?fhir_cm=abc", "http://snomed.info/sct?fhir_cm"])
def test_an_implicit_map_url_is_refused(client, url):
    r = client.put("/fhir/ConceptMap/mine", json={**MAP, "id": "mine", "url": url})
    assert r.status_code == 422, r.get_json()
    assert "reserved for SNOMED CT implicit ConceptMaps" in r.get_json()["issue"][0]["details"]["text"]


def test_the_reserved_id_prefix_is_one_constant():
    assert RESERVED_MAP_ID == "sct-cm-"
    assert reserved_map_problems(RESERVED_MAP_ID + "447562003", None)
    assert reserved_map_problems("sct-c", None) == []
