"""Review of the kept scopes of stored maps (commit 8b6dd66): what clients send never sticks to a cache that
outlives the request, a kept scope is bounded, is dropped with the store revision, serves threads, and the
codings of one codeableConcept share what the request resolves once."""
from __future__ import annotations

import threading

from fhir_api.ops_translate import prepared_requests
from fhir_api.params import Params
from mappings import conceptmap_index
from mappings.conceptmap import stored_maps

TR = "/fhir/ConceptMap/$translate"
FJ = "application/fhir+json"
S = "http://example.org/fhir/CodeSystem/r6-s"
T = "http://example.org/fhir/CodeSystem/r6-t"
VB = "http://example.org/fhir/ValueSet/r6-"
CODES = [f"c{i}" for i in range(40)]


def _cs(url, codes):
    return {"resourceType": "CodeSystem", "id": url.rsplit("/", 1)[1], "url": url, "status": "active",
            "content": "complete", "concept": [{"code": c} for c in codes]}


# the map's source scope: the codes c0..c19 of S, by a regex filter (the rule the kept scope saves compiling)
REGEX_VS = {"resourceType": "ValueSet", "id": "r6-re", "url": VB + "re", "status": "active",
            "compose": {"include": [{"system": S, "filter": [
                {"property": "code", "op": "regex", "value": "c1?[0-9]"}]}]}}
TARGET_VS = {"resourceType": "ValueSet", "id": "r6-t", "url": VB + "t", "status": "active",
             "compose": {"include": [{"system": T}]}}
# c0..c29 have an element (c20..c29 are outside the scope); ci maps to xi
MAP = {"resourceType": "ConceptMap", "id": "r6", "url": "http://example.org/fhir/ConceptMap/r6", "status": "active",
       "sourceUri": VB + "re", "group": [{"source": S, "target": T, "element": [
           {"code": c, "target": [{"code": "x" + c[1:], "equivalence": "equivalent"}]} for c in CODES[:30]]}]}
RESOURCES = [_cs(S, CODES), _cs(T, ["x" + c[1:] for c in CODES]), REGEX_VS, TARGET_VS, MAP]


def _app(tmp_path):
    from fhir_api import create_app
    from terminology import open_store
    db = str(tmp_path / "r6.db")
    store = open_store(db)
    store.write(RESOURCES)
    store.close()
    return create_app({"DB": db, "DEMO": False})


def _post(client, *params):
    r = client.post(TR, json={"resourceType": "Parameters", "parameter": list(params)}, content_type=FJ)
    return r.status_code, r.get_json()


def _code(code, system=S, version=None):
    out = [{"name": "system", "valueUri": system}, {"name": "code", "valueCode": code}]
    return out + ([{"name": "version", "valueString": version}] if version else [])


def _p(body, name):
    return [p for p in body.get("parameter", []) if p["name"] == name]


def _answer(body):
    """(result, the codes of the matches)"""
    codes = sorted(q["valueCoding"]["code"] for m in _p(body, "match") for q in m["part"] if q["name"] == "concept")
    return _p(body, "result")[0]["valueBoolean"], codes


def _kept(app):
    (idx,) = stored_maps(app.extensions["kodebro.catalog"]).by_source[S]
    return list(idx._scopes.values())


# --- 1. a kept scope holds only codes the map maps, and is bounded in characters ---------------------------

def test_a_kept_scope_is_never_asked_about_codes_the_map_has_no_element_for(tmp_path):
    app = _app(tmp_path)
    client = app.test_client()
    assert _answer(_post(client, *_code("c1"))[1]) == (True, ["x1"])
    # made-up codes (a long one too), and a code of the system that the map has no element for
    for junk in ["nope", "c1" + "9" * 5000, "zz-" + "q" * 20000, *(f"j{i}" for i in range(30)), "c35"]:
        status, body = _post(client, *_code(junk))
        assert status == 200 and _answer(body) == (False, [])
    # in scope by the regex but not in the map, out of scope though mapped: answered as before
    assert "' in scope" in " ".join(p["valueString"] for p in _p(_post(client, *_code("c25"))[1],
                                                                                "message"))
    (scope,) = _kept(app)
    assert scope.asked == 2 and scope.chars < 100       # c1 and c25: nothing any client made up


def test_a_kept_scope_starts_afresh_past_its_characters(tmp_path):
    app = _app(tmp_path)
    client = app.test_client()
    big = conceptmap_index._SCOPE_CHARS // 3
    for i in range(12):
        # a version of the system the server does not have: the code is still judged by the loaded one
        status, body = _post(client, *_code("c2", version=f"{i}-" + "v" * big))
        assert status == 200
    (scope,) = _kept(app)
    assert scope.chars <= conceptmap_index._SCOPE_CHARS + big + 100 and scope.asked < 12


# --- 2. a map a request brings is indexed for that request only --------------------------------------------

def _sent(i):
    return {**MAP, "id": f"sent{i}", "url": f"http://example.org/fhir/ConceptMap/r6-sent{i}", "sourceUri": None,
            "group": [{"source": S, "target": T, "element": [
                {"code": "c1", "target": [{"code": f"x{i}", "equivalence": "equivalent"}]}]}]}


def test_a_map_the_request_brings_is_never_kept_in_the_process_wide_index_cache(tmp_path):
    client = _app(tmp_path).test_client()
    for i in range(3):
        sent = {k: v for k, v in _sent(i).items() if v is not None}
        status, body = _post(client, *_code("c1"), {"name": "conceptMap", "resource": sent})
        assert status == 200 and _answer(body) == (True, [f"x{i}"])
    kept = [idx for idx in conceptmap_index._indexes.values() if idx.supplied or "r6-sent" in (idx.canonical or "")]
    assert kept == []


def _cc(*codes):
    return ("codeableConcept", {"coding": [{"system": S, "code": c} for c in codes]})


def test_the_codings_of_a_codeable_concept_share_one_scopes_object_and_one_sent_map_index(tmp_path):
    app = _app(tmp_path)
    catalog = app.extensions["kodebro.catalog"]
    with app.test_request_context():
        params = Params([_cc("c1", "c2", "c3"), ("source", VB + "re"), ("target", VB + "t")], source="body")
        _catalog, reqs, _r5 = prepared_requests(catalog, params, None)
        assert len(reqs) == 3 and reqs[0].scopes is not None
        assert all(r.scopes is reqs[0].scopes for r in reqs)
        sent = {k: v for k, v in _sent(7).items() if v is not None}
        params = Params([_cc("c1", "c2"), ("conceptMap", sent)], source="body")
        _catalog, reqs, _r5 = prepared_requests(catalog, params, None)
        assert reqs[0].sent_map_index is not None and reqs[1].sent_map_index is reqs[0].sent_map_index
        assert reqs[0].sent_map_index.body is sent


# --- 3. a kept scope lives one store revision; threads share it ----------------------------------------------

def test_a_kept_scope_is_dropped_when_the_store_changes(tmp_path):
    client = _app(tmp_path).test_client()
    assert _answer(_post(client, *_code("c3"))[1]) == (True, ["x3"])
    narrowed = {**REGEX_VS, "compose": {"include": [{"system": S, "filter": [
        {"property": "code", "op": "regex", "value": "c1[0-9]"}]}]}}
    assert client.put("/fhir/ValueSet/r6-re", json=narrowed, content_type=FJ).status_code == 200
    status, body = _post(client, *_code("c3"))
    assert status == 200 and _answer(body) == (False, [])
    assert "' in scope" in " ".join(p["valueString"] for p in _p(body, "message"))
    assert _answer(_post(client, *_code("c13"))[1]) == (True, ["x13"])


def test_concurrent_translations_against_a_regex_scoped_stored_map_are_right(tmp_path):
    app = _app(tmp_path)
    expected = {c: ((True, ["x" + c[1:]]) if i < 20 else (False, [])) for i, c in enumerate(CODES)}
    expected["made-up"] = (False, [])
    wrong: list = []
    start = threading.Barrier(8)

    def work(n):
        client = app.test_client()
        start.wait()
        for k in range(60):
            code = list(expected)[(n * 7 + k) % len(expected)]
            status, body = _post(client, *_code(code))
            got = _answer(body) if status == 200 else status
            if got != expected[code]:
                wrong.append((code, got))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
