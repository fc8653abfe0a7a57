"""review-s15 F20: how a stored resource is shown lives in fhir_api.resource_views, under public names, and the
answers it shapes (read, search, _summary, _elements, an instance $operation) are what they were."""
import ast
import os

import pytest

from tests.conftest import ROOT

JSON = "application/fhir+json"
VIEW_NAMES = ("stored_body", "existing_body", "full_resource", "shape", "summary_arg", "elements_arg",
              "derived_bodies", "derived_headers", "find_resource", "REQUIRED", "SUMMARY_ELEMENTS", "MANDATORY",
              "LARGE_CODESYSTEM", "SUBSETTED")
SUBSETTED_TAG = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


def test_views_are_public_names_of_resource_views():
    from fhir_api import resource_views, resources, search, search_params
    for name in VIEW_NAMES:
        assert hasattr(resource_views, name), name
        assert not hasattr(resources, "_" + name), name      # moved, not copied
    assert resource_views.SUBSETTED == SUBSETTED_TAG
    assert callable(search.strict_handling) and not hasattr(search, "_strict")
    assert callable(search_params.map_parameters) and not hasattr(search_params, "_map_parameters")


def test_no_flask_in_resource_views_and_nobody_imports_views_from_the_routes():
    path = os.path.join(ROOT, "fhir_api", "resource_views.py")
    tree = ast.parse(open(path, encoding="utf-8").read())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.split(".")[0] in ("flask", "werkzeug") for m in modules)
    for f in os.listdir(os.path.join(ROOT, "fhir_api")):
        if not f.endswith(".py"):
            continue
        tree = ast.parse(open(os.path.join(ROOT, "fhir_api", f), encoding="utf-8").read())
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom) and n.module == "resources" and n.level == 1:
                assert not {a.name for a in n.names} & set(VIEW_NAMES), f


def test_summary_and_elements_arguments_are_read_from_the_value():
    from terminology.errors import InvalidRequest
    from fhir_api.resource_views import elements_arg, summary_arg
    assert summary_arg(None) is None and summary_arg("count") == "count"
    with pytest.raises(InvalidRequest):
        summary_arg("")
    assert elements_arg(None) is None and elements_arg("") is None and elements_arg(" url, ,name") == ["url", "name"]


@pytest.fixture
def written(client):
    cs = {"resourceType": "CodeSystem", "id": "s15d", "url": "http://example.org/cs/s15d", "version": "1",
          "name": "S15d", "status": "active", "content": "complete", "publisher": "Kodebro tests",
          "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">S15d</div>"},
          "concept": [{"code": "a", "display": "A", "concept": [{"code": "a1", "display": "A one"}]},
                      {"code": "b", "display": "B"}]}
    r = client.put("/fhir/CodeSystem/s15d", json=cs, headers={"Content-Type": JSON})
    assert r.status_code == 201, r.get_json()
    return client


def test_read_shows_concepts_and_no_tag(written):
    r = written.get("/fhir/CodeSystem/s15d")
    body = r.get_json()
    assert r.status_code == 200
    assert [c["code"] for c in body["concept"]] == ["a", "b"]
    assert body["concept"][0]["concept"][0]["code"] == "a1"
    assert not any(t.get("code") == "SUBSETTED" for t in body["meta"].get("tag", []))


def test_read_summary_true_keeps_summary_and_required_elements(written):
    body = written.get("/fhir/CodeSystem/s15d?_summary=true").get_json()
    assert set(body) == {"resourceType", "id", "meta", "url", "version", "name", "status", "content", "publisher"}
    assert "concept" not in body and "text" not in body
    assert SUBSETTED_TAG in body["meta"]["tag"]


def test_read_summary_text_and_elements(written):
    body = written.get("/fhir/CodeSystem/s15d?_summary=text").get_json()
    assert set(body) == {"resourceType", "id", "meta", "text", "status", "content"}
    body = written.get("/fhir/CodeSystem/s15d?_elements=name").get_json()
    assert set(body) == {"resourceType", "id", "meta", "name", "status", "content"}
    assert SUBSETTED_TAG in body["meta"]["tag"]
    r = written.get("/fhir/CodeSystem/s15d?_summary=maybe")
    assert r.status_code == 400


def test_search_entries_leave_concepts_out_and_summary_count(written):
    bundle = written.get("/fhir/CodeSystem?url=http://example.org/cs/s15d").get_json()
    assert bundle["total"] == 1
    res = bundle["entry"][0]["resource"]
    assert res["id"] == "s15d" and "concept" not in res and SUBSETTED_TAG in res["meta"]["tag"]
    bundle = written.get("/fhir/CodeSystem?url=http://example.org/cs/s15d&_summary=false").get_json()
    assert [c["code"] for c in bundle["entry"][0]["resource"]["concept"]] == ["a", "b"]
    bundle = written.get("/fhir/CodeSystem?url=http://example.org/cs/s15d&_summary=count").get_json()
    assert bundle["total"] == 1 and "entry" not in bundle
    r = written.get("/fhir/CodeSystem?url=http://example.org/cs/s15d&_bogus=1", headers={"Prefer": "handling=strict"})
    assert r.status_code == 400


def test_instance_operation_reads_the_stored_resource(written):
    r = written.get("/fhir/CodeSystem/s15d/$lookup?code=a1")
    assert r.status_code == 200, r.get_json()
    parts = {p["name"]: p for p in r.get_json()["parameter"]}
    assert parts["display"]["valueString"] == "A one"
    assert written.get("/fhir/CodeSystem/nope/$lookup?code=a").status_code == 404


def test_operation_definition_search_elements_and_strict(client):
    bundle = client.get("/fhir/OperationDefinition?_elements=url").get_json()
    assert bundle["entry"]
    for e in bundle["entry"]:
        assert set(e["resource"]) <= {"resourceType", "id", "meta", "url", "name", "status", "kind", "code",
                                      "system", "type", "instance"}
    assert client.get("/fhir/OperationDefinition?_summary=count").get_json().get("entry") is None
    assert client.get("/fhir/OperationDefinition?x=1", headers={"Prefer": "handling=strict"}).status_code == 400
    assert client.get("/fhir/OperationDefinition?_summary=nope").status_code == 400
