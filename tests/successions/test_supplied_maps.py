"""A ConceptMap between two codebooks that names sourceVersion and targetVersion is a plain map, not an edition
succession: only Kodebro's change lists (the changelist extension) and maps within one codebook from an older to
a newer edition make graph edges. Before, a reverse request with a version got "b1 (b 2) has no successor in a 2"
as the whole (exclusive) answer."""
from __future__ import annotations

import json

from mappings.succession_build import graph_for, stated_changes
from mappings.translate import TranslateRequest, translate
from terminology import Catalog

A, B = "http://ex.org/s15s/a", "http://ex.org/s15s/b"


def _cs(url, version, codes):
    return {"resourceType": "CodeSystem", "url": url, "version": version, "status": "active", "content": "complete",
            "concept": [{"code": c} for c in codes]}


CSA = _cs(A, "1", ["a1", "a2"])
CSB = _cs(B, "2", ["b1", "b2"])
VERSIONED = {"resourceType": "ConceptMap", "id": "s15s-ab", "url": "http://ex.org/s15s/cm", "version": "1",
             "status": "active",
             "group": [{"source": A, "sourceVersion": "1", "target": B, "targetVersion": "2", "element": [
                 {"code": "a1", "target": [{"code": "b1", "equivalence": "equivalent"}]},
                 {"code": "a2", "target": [{"equivalence": "unmatched"}]}]}]}
SAME_BOOK = {"resourceType": "ConceptMap", "url": "http://ex.org/s15s/ed", "status": "active",
             "group": [{"source": A, "sourceVersion": "1", "target": A, "targetVersion": "2", "element": [
                 {"code": "a1", "target": [{"code": "a3", "equivalence": "equivalent"}]}]}]}


def _codes(res):
    return [(m.system, m.code, m.equivalence) for m in res.matches if m.code]


def _check(cat):
    res = translate(cat, TranslateRequest(code="b1", system=B, version="2", reverse=True, target_system=A))
    assert res.result is True, res.message
    assert _codes(res) == [(A, "a1", "equivalent")]
    assert "no successor" not in (res.message or "")
    res = translate(cat, TranslateRequest(code="a1", system=A, version="1", target_system=B))
    assert _codes(res) == [(B, "b1", "equivalent")]
    assert "not a known edition" not in (res.message or ""), res.message
    res = translate(cat, TranslateRequest(code="a2", system=A, version="1", target_system=B))
    assert res.result is False and "retired" not in (res.message or ""), res.message


def test_supplied_versioned_map_between_codebooks_is_no_succession(store):
    cat = Catalog(store).overlay([CSA, CSB, VERSIONED])
    sg = graph_for(cat)
    assert not sg.knows((A, "a1")) and A not in sg.systems_editions
    _check(cat)


def test_stored_versioned_map_between_codebooks_is_no_succession(store, tmp_path):
    from terminology.loader import import_paths
    paths = []
    for i, r in enumerate((CSA, CSB, VERSIONED)):
        p = tmp_path / f"{i}.json"
        p.write_text(json.dumps(r))
        paths.append(str(p))
    import_paths(store, paths)
    cat = Catalog(store)
    assert not [c for c in stated_changes(cat) if c.codebook in (A, B)]
    _check(cat)


def test_supplied_versioned_map_over_http(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": B}, {"name": "code", "valueCode": "b1"}, {"name": "version", "valueString": "2"},
        {"name": "reverse", "valueBoolean": True}, {"name": "targetsystem", "valueUri": A}]
        + [{"name": "tx-resource", "resource": r} for r in (CSA, CSB, VERSIONED)]}
    r = client.post("/fhir/ConceptMap/$translate", data=json.dumps(body), content_type="application/fhir+json")
    assert r.status_code == 200
    params = r.get_json()["parameter"]
    assert next(p["valueBoolean"] for p in params if p["name"] == "result") is True
    concepts = [q["valueCoding"]["code"] for p in params if p["name"] == "match" for q in p["part"]
                if q["name"] == "concept"]
    assert concepts == ["a1"]


def test_a_map_within_one_codebook_between_editions_still_counts(store):
    sg = graph_for(Catalog(store).overlay([SAME_BOOK]))
    assert [v for v, _d in sg.successors((A, "a1"))] == [(A, "a3")]


def test_a_change_list_moving_codes_to_another_codebook_still_counts(store):
    from mappings.changelist import Change, to_conceptmaps
    (cm,) = to_conceptmaps([Change(A, "2", "moved", "a1", ["b1"], B)])
    sg = graph_for(Catalog(store).overlay([cm]))
    assert [v for v, _d in sg.successors((A, "a1"))] == [(B, "b1")]
