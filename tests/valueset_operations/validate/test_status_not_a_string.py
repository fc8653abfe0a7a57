"""A stored concept whose `status` property is not a string (the store takes `valueInteger: 5`) says nothing about
the concept's status: $validate-code of any code of its system answers 200, the first request after the index is
built as every later one, over real HTTP."""
from __future__ import annotations

import requests

from tests.conftest import running_server

CS = "http://example.org/fhir/CodeSystem/status-not-a-string"


def test_a_status_that_is_no_string_breaks_no_validate_code(tmp_path):
    body = {"resourceType": "CodeSystem", "id": "status-not-a-string", "url": CS, "version": "1",
            "status": "active", "content": "complete",
            "concept": [{"code": "a", "display": "A"},
                        {"code": "b", "display": "B", "property": [{"code": "status", "valueInteger": 5}]}]}
    with running_server(str(tmp_path / "k.db"), workers=1) as (base, _started):
        r = requests.put(f"{base}/CodeSystem/status-not-a-string", json=body, timeout=10)
        assert r.status_code == 201, r.text
        answers = [requests.get(f"{base}/CodeSystem/$validate-code", params={"url": CS, "code": code}, timeout=10)
                   for code in ("a", "a", "b")]
        assert [a.status_code for a in answers] == [200, 200, 200], [a.text[:300] for a in answers]
        results = [{p["name"]: p.get("valueBoolean") for p in a.json()["parameter"]}.get("result") for a in answers]
        assert results == [True, True, True]
        # a status that says nothing makes the concept neither inactive nor gives it a status to report
        b = answers[2].json()["parameter"]
        assert not any(p["name"] in ("inactive", "status") for p in b), b
