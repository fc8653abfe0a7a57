"""A canonical url or version holding '|', or an empty url, could never be asked for again: refused with 422 when
stored and 400 as a tx-resource (review s12, F13)."""
import json

import pytest

from tests.probe8._tx import FJ, post

PIPE = "must not contain '|' (it separates url and version in a canonical reference)"
BASE = {"CodeSystem": {"status": "active", "content": "complete", "concept": [{"code": "a"}]},
        "ValueSet": {"status": "active", "compose": {"include": [{"system": "http://ex.org/cs"}]}},
        "ConceptMap": {"status": "active"}}
CASES = [({"url": "http://q/12|1"}, "url: 'http://q/12|1' " + PIPE),
         ({"url": "http://q/12", "version": "1|2"}, "version: '1|2' " + PIPE),
         ({"url": ""}, "url: must not be empty")]


@pytest.mark.parametrize("rtype", BASE)
@pytest.mark.parametrize("extra, said", CASES)
def test_stored_resources_are_refused(client, rtype, extra, said):
    res = {"resourceType": rtype, "id": "q12", **BASE[rtype], **extra}
    r = client.put(f"/fhir/{rtype}/q12", data=json.dumps(res), content_type=FJ)
    assert r.status_code == 422, r.get_json()
    assert said in json.dumps(r.get_json()), r.get_json()


@pytest.mark.parametrize("extra, said", CASES[:2])
def test_a_tx_resource_is_a_400(client, extra, said):
    res = {"resourceType": "CodeSystem", **BASE["CodeSystem"], **extra}
    status, body = post(client, "CodeSystem/$lookup", [("system", "http://q/12"), ("code", "a")], [res])
    assert status == 400, body
    assert said in body["issue"][0]["details"]["text"]
