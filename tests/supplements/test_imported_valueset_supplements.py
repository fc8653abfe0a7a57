"""An imported value set's own valueset-supplement extension applies to the part of the expansion that comes
from it, as tx.fhir.org (FHIRsmith expand.js: the import is expanded by a nested expander with the inner value
set's supplements, and its parameters, used-supplement among them, are copied into the outer expansion)."""
from __future__ import annotations

import copy
import json
import os

import pytest

from terminology.operations.compose import ComposeEvaluator
from tests.conftest import DATA
from tests.support.tx_requests import post

EXT_CS = "http://hl7.org/fhir/test/CodeSystem/extensions"
SUPP = "http://hl7.org/fhir/test/CodeSystem/supplement|0.1.1"
ENUM = "http://hl7.org/fhir/test/ValueSet/extensions-enumerated"
VS_SUPPLEMENT = "http://hl7.org/fhir/StructureDefinition/valueset-supplement"
PLAIN_CS = "http://ex.org/importsupp/plain"


def _file(name: str) -> dict:
    with open(os.path.join(DATA, "imported_valueset_supplements", name), encoding="utf-8-sig") as fh:
        return json.load(fh)


def setup(*extra) -> list[dict]:
    return [_file("codesystem-extensions.json"), _file("codesystem-supplement.json"),
            _file("valueset-extensions-enumerated.json"), *extra]


def vs(url: str, *includes, extension=None) -> dict:
    out = {"resourceType": "ValueSet", "url": url, "version": "1", "status": "active",
           "compose": {"include": list(includes)}}
    if extension:
        out["extension"] = extension
    return out


def imports(*refs) -> dict:
    return {"valueSet": list(refs)}


OUTER = vs("http://ex.org/importsupp/outer", imports(ENUM))
PLAIN = vs("http://ex.org/importsupp/plain-vs", {"system": EXT_CS, "concept": [{"code": "code6"}]})
PLAIN_SYSTEM = {"resourceType": "CodeSystem", "url": PLAIN_CS, "version": "1", "status": "active",
                "content": "complete", "concept": [{"code": "a", "display": "A"}]}


def expand(client, url, *extra, params=()):
    return post(client, "ValueSet/$expand", [("url", url), *params], setup(*extra))


def contains(b: dict) -> dict:
    return {c["code"]: c for c in b["expansion"].get("contains") or ()}


def parameters(b: dict, name: str) -> list:
    return [next(v for k, v in p.items() if k.startswith("value"))
            for p in b["expansion"].get("parameter") or () if p["name"] == name]


def ext_value(entry: dict, url_end: str):
    for x in entry.get("extension") or ():
        if x["url"].endswith(url_end):
            return next(v for k, v in x.items() if k.startswith("value"))
    return None


def prop_value(entry: dict, code: str):
    for x in entry.get("extension") or ():
        if x["url"].endswith("ValueSet.expansion.contains.property"):
            parts = {p["url"]: p for p in x["extension"]}
            if parts["code"]["valueCode"] == code:
                return next(v for k, v in parts["value"].items() if k.startswith("value"))
    return None


def _assert_supplemented(st, b):
    """The inner value set's supplement reached its codes, and the outer expansion names it once."""
    assert st == 200, b
    got = contains(b)
    assert prop_value(got["code1"], "weight") == 1.2
    assert ext_value(got["code2"], "rendering-style") == "font-weight: bold; font-decoration: underline"
    assert parameters(b, "used-supplement") == [SUPP]


def test_imported_valueset_supplement_applies(client):
    st, b = expand(client, OUTER["url"], OUTER)
    _assert_supplemented(st, b)


def test_imported_part_matches_the_inner_expansion(client):
    _st, inner = expand(client, ENUM)
    _st, outer = expand(client, OUTER["url"], OUTER)
    assert contains(outer) == contains(inner)


def test_nested_two_levels(client):
    mid = vs("http://ex.org/importsupp/mid", imports(ENUM))
    top = vs("http://ex.org/importsupp/top", imports(mid["url"]))
    st, b = expand(client, top["url"], mid, top)
    _assert_supplemented(st, b)


@pytest.mark.parametrize("name, plain_first", [("both", False), ("both2", True)])
def test_plain_import_beside_supplemented_one_gets_nothing(client, name, plain_first):
    includes = [imports(ENUM), imports(PLAIN["url"])]
    both = vs(f"http://ex.org/importsupp/{name}", *(includes[::-1] if plain_first else includes))
    _st, alone = expand(client, PLAIN["url"], PLAIN)
    st, b = expand(client, both["url"], PLAIN, both)
    assert st == 200, b
    got = contains(b)
    # code6 comes only from the plain value set, whichever import comes first: as that value set expands it alone
    assert got["code6"] == contains(alone)["code6"]
    assert prop_value(got["code1"], "weight") == 1.2
    assert parameters(b, "used-supplement") == [SUPP]


def test_import_supplement_of_a_system_it_does_not_use(client):
    bad = vs("http://ex.org/importsupp/bad", {"system": PLAIN_CS},
             extension=[{"url": VS_SUPPLEMENT, "valueCanonical": SUPP}])
    outer = vs("http://ex.org/importsupp/outer-bad", imports(bad["url"]))
    st_top, top = expand(client, bad["url"], PLAIN_SYSTEM, bad)
    st, b = expand(client, outer["url"], PLAIN_SYSTEM, bad, outer)
    assert st_top >= 400 and st == st_top, b
    assert b["resourceType"] == "OperationOutcome"
    assert [i["details"]["text"] for i in b["issue"]] == [i["details"]["text"] for i in top["issue"]]
    assert "Required supplement not found: " + SUPP in b["issue"][0]["details"]["text"]


def test_import_supplement_missing(client):
    gone = "http://ex.org/importsupp/nosuch|1"
    bad = vs("http://ex.org/importsupp/missing", {"system": EXT_CS},
             extension=[{"url": VS_SUPPLEMENT, "valueCanonical": gone}])
    outer = vs("http://ex.org/importsupp/outer-missing", imports(bad["url"]))
    st, b = expand(client, outer["url"], bad, outer)
    assert 400 <= st < 500
    assert b["issue"][0]["details"]["text"] == "Required supplement not found: " + gone


def test_used_supplement_once_with_use_supplement_too(client):
    st, b = expand(client, OUTER["url"], OUTER, params=[("useSupplement", SUPP)])
    assert st == 200, b
    assert parameters(b, "used-supplement") == [SUPP]
    assert prop_value(contains(b)["code1"], "weight") == 1.2


def test_outer_without_import_supplement_unchanged(client):
    """Without any supplement named by an import, the outer expansion has no used-supplement and no weights."""
    outer = vs("http://ex.org/importsupp/outer-plain", imports(PLAIN["url"]))
    st, b = expand(client, outer["url"], PLAIN, outer)
    assert st == 200, b
    assert parameters(b, "used-supplement") == []


def test_child_without_own_supplement_takes_the_parent_path():
    """The hot path: an imported value set naming no supplement shares the parent's supplements and cache."""
    sentinel = object()
    ev = ComposeEvaluator(None, supplements=None)
    child = ev.child(copy.deepcopy(PLAIN))
    assert child.supplements is None
    assert child._cs_cache is ev._cs_cache
    ev2 = ComposeEvaluator(None, supplements=sentinel)
    child2 = ev2.child(copy.deepcopy(PLAIN)).child(copy.deepcopy(OUTER))
    assert child2.supplements is sentinel
    assert child2._cs_cache is ev2._cs_cache


def test_supplements_at_two_levels_both_required_and_named(client):
    """An import naming a supplement, inside an import naming one too: both apply inside, both are named once,
    and the outer one counts as used through the inner import."""
    sup2 = {"resourceType": "CodeSystem", "url": "http://ex.org/importsupp/sup2", "version": "1", "status": "active",
            "content": "supplement", "supplements": EXT_CS,
            "concept": [{"code": "code3", "designation": [{"language": "de", "value": "Kode drei"}]}]}
    mid = vs("http://ex.org/importsupp/mid2", imports(ENUM),
             extension=[{"url": VS_SUPPLEMENT, "valueCanonical": "http://ex.org/importsupp/sup2|1"}])
    top = vs("http://ex.org/importsupp/top2", imports(mid["url"]))
    st, b = expand(client, top["url"], sup2, mid, top, params=[("includeDesignations", True)])
    assert st == 200, b
    assert sorted(parameters(b, "used-supplement")) == sorted([SUPP, "http://ex.org/importsupp/sup2|1"])
    got = contains(b)
    assert prop_value(got["code1"], "weight") == 1.2
    assert any(d.get("value") == "Kode drei" for d in got["code3"].get("designation") or ())
