"""A read of a stored CodeSystem nests its concepts (resource_views.full_resource -> codesystem.nest_concepts):
a hierarchy 3,000 deep still renders (orjson stops at 255 levels; render.py falls back to a writer without
recursion), and a long parent loop stored by a trusted import shows every code once."""
import json
import sys

from tests.support.tx_files import trusted_client

URL = "http://ex.org/cs/deep"


def _body(response) -> dict:
    """The JSON of a response nested deeper than Python's default recursion limit lets json read."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        return json.loads(response.get_data(as_text=True))
    finally:
        sys.setrecursionlimit(limit)


def _depth_and_codes(concepts):
    deepest, codes, stack = 0, [], [(c, 1) for c in concepts or ()]
    while stack:
        c, d = stack.pop()
        deepest = max(deepest, d)
        codes.append(c["code"])
        stack.extend((k, d + 1) for k in c.get("concept") or ())
    return deepest, codes


def test_a_chain_3000_deep_is_read_nested(client):
    n = 3000
    concepts = [{"code": "c0", "display": "c0"}] + [
        {"code": f"c{i}", "display": f"c{i}", "property": [{"code": "parent", "valueCode": f"c{i - 1}"}]}
        for i in range(1, n)]
    cs = {"resourceType": "CodeSystem", "id": "deep", "url": URL, "version": "1", "status": "active",
          "content": "complete", "property": [{"code": "parent", "type": "code"}], "concept": concepts}
    assert client.put("/fhir/CodeSystem/deep", json=cs).status_code == 201
    r = client.get("/fhir/CodeSystem/deep?_summary=false")
    assert r.status_code == 200
    body = _body(r)
    deepest, codes = _depth_and_codes(body["concept"])
    assert deepest == n and sorted(codes) == sorted(c["code"] for c in concepts)
    # nesting says the parent: the `parent` property that would only repeat it is left out
    assert "property" not in body["concept"][0]["concept"][0]


def test_a_long_loop_stored_by_a_trusted_import_is_read_whole(tmp_path):
    n = 3000
    cs = {"resourceType": "CodeSystem", "url": URL, "version": "loop", "status": "active", "content": "complete",
          "_flat_concepts": [{"code": f"l{i}", "parents": [f"l{(i - 1) % n}"]} for i in range(n)], "count": n}
    client = trusted_client(tmp_path, "looped", cs)
    cs_id = client.get(f"/fhir/CodeSystem?url={URL}").get_json()["entry"][0]["resource"]["id"]
    r = client.get(f"/fhir/CodeSystem/{cs_id}?_summary=false")
    assert r.status_code == 200
    body = _body(r)
    deepest, codes = _depth_and_codes(body["concept"])
    assert [c["code"] for c in body["concept"]] == ["l0"]
    assert deepest == n and sorted(codes) == sorted(f"l{i}" for i in range(n))


def test_a_chain_3000_deep_is_read_nested_in_xml(client):
    """The XML writer goes down without recursion too (it used to read the JSON answer back first, which
    orjson refuses past 1,024 levels: a 500 from ~510 levels of concepts)."""
    from xml.parsers import expat
    n = 3000
    concepts = [{"code": "x0", "display": "x0"}] + [
        {"code": f"x{i}", "display": f"x{i}", "property": [{"code": "parent", "valueCode": f"x{i - 1}"}]}
        for i in range(1, n)]
    cs = {"resourceType": "CodeSystem", "id": "deep-xml", "url": URL + "-xml", "version": "1", "status": "active",
          "content": "complete", "property": [{"code": "parent", "type": "code"}], "concept": concepts}
    assert client.put("/fhir/CodeSystem/deep-xml", json=cs).status_code == 201
    r = client.get("/fhir/CodeSystem/deep-xml?_summary=false&_format=xml")
    assert r.status_code == 200 and r.mimetype == "application/fhir+xml"
    open_elements, deepest, codes = [], [0], []

    def start(name, attrs):
        if name == "code" and open_elements[-1] == "concept":
            codes.append(attrs["value"])
        open_elements.append(name)
        deepest[0] = max(deepest[0], len(open_elements))

    def end(name):
        open_elements.pop()

    p = expat.ParserCreate()
    p.StartElementHandler, p.EndElementHandler = start, end
    p.Parse(r.data, True)
    # CodeSystem > concept (n levels) > code: n + 2 elements deep
    assert deepest[0] == n + 2 and sorted(codes) == sorted(c["code"] for c in concepts)
