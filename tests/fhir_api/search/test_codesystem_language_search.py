"""CodeSystem?language= reads the languages the engine keeps with a code system's index: a write of another
resource leaves them as they were, a new revision of the code system answers with its own. (Replaces the search
test that looked into fhir_api.search_params' own process-wide cache, which is gone.)"""
from __future__ import annotations

FJ = "application/fhir+json"
URL = "http://example.org/cs/alpha"


def _cs(language):
    return {"resourceType": "CodeSystem", "id": "alpha", "url": URL, "version": "1.0.0", "status": "active",
            "content": "complete",
            "concept": [{"code": "BP", "display": "Blood pressure", "designation": [{"language": language,
                                                                                     "value": "x"}]}]}


def _ids(client, query):
    r = client.get("/fhir/" + query)
    assert r.status_code == 200, r.get_json()
    return [e["resource"]["id"] for e in r.get_json().get("entry", [])]


def _languages(client):
    from fhir_api.store import get_catalog
    with client.application.app_context():
        cat = get_catalog()
        return cat.codesystem_by_pk(cat.find_header("CodeSystem", URL).pk).designation_languages()


def test_language_is_kept_across_unrelated_writes(client):
    assert client.put("/fhir/CodeSystem/alpha", json=_cs("nb"), content_type=FJ).status_code in (200, 201)
    assert _ids(client, "CodeSystem?language=nb") == ["alpha"]
    kept = _languages(client)
    assert kept == ("nb",)
    vs = {"resourceType": "ValueSet", "id": "vs", "url": "http://example.org/vs", "status": "active"}
    assert client.put("/fhir/ValueSet/vs", json=vs, content_type=FJ).status_code in (200, 201)
    assert _ids(client, "CodeSystem?language=nb") == ["alpha"]
    assert _languages(client) is kept                      # the same answer, not worked out again
    assert client.put("/fhir/CodeSystem/alpha", json=_cs("se"), content_type=FJ).status_code == 200
    assert _ids(client, "CodeSystem?language=nb") == []
    assert _ids(client, "CodeSystem?language=se") == ["alpha"]
