"""An element with `noMap` answered to an R5-named $translate request: the match is the reference server's
{noMap true, [sourceComment], originMap} -- no concept, equivalence, relationship or message -- and the group's
`unmapped` is not used; result false and no closing message (FHIRsmith tx/workers/translate.js
translateUsingGroupsForwards; notes/research-s15-translate-status.md T2). R4 has no noMap: an R4-named request
keeps R4's way to say it (equivalence `unmatched`). Kodebro leaves out `sourceConcept`, as it does for every
match (the HL7 test responses lack it). The map is written here."""
from tests.support.tx_requests import out
from tests.support.resources import cs
from tests.mappings.test_translate_messages import _answer, _names

A, B = "http://ex.org/s15/nm/a", "http://ex.org/s15/nm/b"
CM = "http://ex.org/s15/nm/cm"
SETUP = [cs(A, "1", [{"code": c} for c in ("a1", "a2", "a3")]), cs(B, "1", [{"code": c} for c in ("b1", "bx")]),
         {"resourceType": "ConceptMap", "url": CM, "version": "1", "status": "active", "group": [{
             "source": A, "target": B, "unmapped": {"mode": "fixed", "code": "bx", "relationship": "related-to"},
             "element": [{"code": "a1", "noMap": True, "comment": "nothing fits"},
                         {"code": "a2", "noMap": True},
                         {"code": "a3", "target": [{"code": "b1", "relationship": "equivalent"}]}]}]}]


def _parts(b: dict) -> list[dict]:
    (m,) = [p for p in b["parameter"] if p["name"] == "match"]
    return m["part"]


def test_r5_names_get_the_no_map_parts_with_the_comment(client):
    b = _answer(client, [("sourceSystem", A), ("sourceCode", "a1"), ("targetSystem", B)], SETUP)
    assert _names(b) == ["match", "result"] and out(b)["result"] is False, b
    assert _parts(b) == [{"name": "noMap", "valueBoolean": True},
                         {"name": "sourceComment", "valueString": "nothing fits"},
                         {"name": "originMap", "valueCanonical": CM + "|1"}]


def test_r5_names_get_the_no_map_parts_without_a_comment(client):
    b = _answer(client, [("sourceSystem", A), ("sourceCode", "a2"), ("targetSystem", B)], SETUP)
    assert _names(b) == ["match", "result"] and out(b)["result"] is False, b
    assert _parts(b) == [{"name": "noMap", "valueBoolean": True}, {"name": "originMap", "valueCanonical": CM + "|1"}]


def test_r4_names_keep_unmatched(client):
    b = _answer(client, [("system", A), ("code", "a1"), ("targetsystem", B)], SETUP)
    assert _names(b) == ["match", "result"] and out(b)["result"] is False, b
    assert _parts(b) == [{"name": "equivalence", "valueCode": "unmatched"},
                         {"name": "source", "valueUri": CM + "|1"}]


def test_a_mapped_code_beside_is_unchanged(client):
    b = _answer(client, [("sourceSystem", A), ("sourceCode", "a3"), ("targetSystem", B)], SETUP)
    assert out(b)["result"] is True
    assert [p["name"] for p in _parts(b)] == ["equivalence", "relationship", "concept", "originMap"]
