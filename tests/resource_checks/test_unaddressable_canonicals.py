"""A canonical url or version holding '|', or an empty url, could never be asked for again: refused with 422 when
stored (review s12, F13). A request's own resource is read as it is (the R4 core package's v2 code systems carry
'|' in their urls), and is simply not found under another canonical."""
import json

import pytest

from tests.support.tx_requests import FJ, post

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


@pytest.mark.parametrize("extra", [c for c, _said in CASES[:2]])
def test_a_tx_resource_is_read_as_it_is(client, extra):
    res = {"resourceType": "CodeSystem", **BASE["CodeSystem"], **extra}
    status, body = post(client, "CodeSystem/$lookup", [("system", res["url"]), ("code", "a")], [res])
    assert status in (200, 422), body        # found under its own url|version, or not held (422): never refused
