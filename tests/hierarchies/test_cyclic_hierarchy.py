"""A CodeSystem whose hierarchy is a cycle is refused (tx-resource 400, store 422, `kodebro import`): accepted,
it made is-a miss descendants and $subsumes answer "subsumes" both ways (review s12, F8)."""
import json

import pytest
from click.testing import CliRunner

from scripts.cli import main
from tests.support.tx_requests import FJ, post
from tests.support.resources import cs

C = "http://ex.org/cs/cyclic"
PROPS = [{"code": "parent", "type": "code"}, {"code": "child", "type": "code"}]


def _p(name, code):
    return {"code": name, "valueCode": code}


CYCLES = {
    "parent properties": ([{"code": "a", "property": [_p("parent", "b")]},
                           {"code": "b", "property": [_p("parent", "a")]}], "'a' is its own ancestor (a -> b -> a)"),
    "own parent": ([{"code": "s", "property": [_p("parent", "s")]}], "'s' is its own ancestor (s -> s)"),
    "nesting and child": ([{"code": "n", "concept": [{"code": "m", "property": [_p("child", "n")]}]}],
                          "'m' is its own ancestor (m -> n -> m)"),
}


def _cs(concepts):
    return cs(C, "1", concepts, hierarchyMeaning="is-a", property=PROPS)


@pytest.mark.parametrize("kind", CYCLES)
def test_a_cyclic_tx_resource_is_a_400_naming_the_cycle(client, kind):
    concepts, said = CYCLES[kind]
    status, body = post(client, "CodeSystem/$subsumes", [("system", C), ("codeA", concepts[0]["code"]),
                                                         ("codeB", concepts[0]["code"])], [_cs(concepts)])
    assert status == 400, body
    text = body["issue"][0]["details"]["text"]
    assert f"concept {said}: a code system hierarchy must not have cycles" in text, text


@pytest.mark.parametrize("kind", CYCLES)
def test_a_cyclic_code_system_is_not_stored(client, kind):
    r = client.put("/fhir/CodeSystem/cyc", data=json.dumps({**_cs(CYCLES[kind][0]), "id": "cyc"}), content_type=FJ)
    assert r.status_code == 422, r.get_json()
    assert "must not have cycles" in json.dumps(r.get_json())
    assert client.get("/fhir/CodeSystem/cyc").status_code == 404


def test_kodebro_import_refuses_a_cyclic_code_system(tmp_path):
    path = tmp_path / "cyc.json"
    path.write_text(json.dumps(_cs(CYCLES["parent properties"][0])))
    r = CliRunner().invoke(main, ["import", str(path), "--db", str(tmp_path / "k.db")])
    assert "CodeSystem: 1 added" not in r.output
    assert "a code system hierarchy must not have cycles" in r.output, r.output


def test_a_diamond_and_a_deep_chain_are_not_cycles(client):
    chain = [{"code": f"c{i}", "property": [_p("parent", f"c{i - 1}")]} for i in range(1, 3000)]
    diamond = [{"code": "top", "concept": [{"code": "l", "concept": [{"code": "bottom"}]}, {"code": "r"}]},
               {"code": "x", "property": [_p("parent", "r"), _p("parent", "l")]}]
    concepts = [{"code": "c0"}] + chain + diamond
    status, body = post(client, "CodeSystem/$subsumes", [("system", C), ("codeA", "c0"), ("codeB", "c2999")],
                        [_cs(concepts)])
    assert status == 200, body
    assert body["parameter"][0]["valueCode"] == "subsumes"
