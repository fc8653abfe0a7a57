"""A wide import fan (150 middles each importing the same 150 leaves) answers correctly, and each value set
is recorded once among those used, in first-seen order, however many references reach it. (The time it takes,
once quadratic in the references because each one scanned the lists of value sets used, is in
scripts/bench_overlay.py.)"""
from terminology.operations.compose import ComposeEvaluator

from tests.support.tx_requests import out, post
from tests.valueset_operations.compose.fan import S, TOP, fan_resources

N = 150


def test_validate_code_through_the_fan(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", TOP), ("system", S), ("code", "a")],
                     fan_resources(N))
    assert status == 200, b
    assert out(b)["result"] is True
    status, b = post(client, "ValueSet/$validate-code", [("url", TOP), ("system", S), ("code", "zz")],
                     fan_resources(N))
    assert status == 200 and out(b)["result"] is False, b


def test_expand_through_the_fan_lists_each_value_set_once(client):
    status, b = post(client, "ValueSet/$expand", [("url", TOP)], fan_resources(N))
    assert status == 200, b
    assert sorted(c["code"] for c in b["expansion"]["contains"]) == ["a", "b"]
    used = [p["valueUri"] for p in b["expansion"].get("parameter", []) if p["name"] == "used-valueset"]
    if used:    # when the answer names them: each once
        assert len(used) == len(set(used))


def test_each_value_set_is_noted_once_in_first_seen_order():
    vss = [{"resourceType": "ValueSet", "url": f"http://ex.org/vs/n{i}", "status": "active"} for i in range(5)]
    ev = ComposeEvaluator(None)     # noting reads no catalog
    for i in (0, 1, 0, 2, 1, 3, 4, 4, 0):
        ev.note_valueset(vss[i], vss[i]["url"])
    assert ev.used_valuesets == [f"http://ex.org/vs/n{i}" for i in (0, 1, 2, 3, 4)]
    assert [v["url"] for v in ev.imported_valuesets] == ev.used_valuesets
    # the membership sets beside the lists (what keeps a reference's cost constant) hold each once
    assert ev._used_vs_seen == set(ev.used_valuesets)
    assert ev._imported_ids == {id(v) for v in vss}
