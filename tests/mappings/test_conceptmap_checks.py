"""mappings.conceptmap_checks: what a map sent with a request must have beyond its shape, and that the shape
check (the lenient R4 models) is not repeated there."""
from __future__ import annotations

import copy

import pytest

from mappings.conceptmap_checks import map_problems
from terminology.validation import validation_errors

TR = "/fhir/ConceptMap/$translate"
FJ = "application/fhir+json"
S = "http://example.org/fhir/CodeSystem/s"
T = "http://example.org/fhir/CodeSystem/t"
BASE = {"resourceType": "ConceptMap", "url": "http://example.org/fhir/ConceptMap/checks", "status": "active",
        "group": [{"source": S, "target": T, "element": [
            {"code": "a", "target": [{"code": "x", "equivalence": "equivalent",
                                      "dependsOn": [{"property": "http://example.org/p", "value": "1"}]}]}],
            "unmapped": {"mode": "other-map", "url": "http://example.org/fhir/ConceptMap/other"}}]}
EL = ["group", 0, "element", 0]
TGT = EL + ["target", 0]


def _with(path, value):
    cm = copy.deepcopy(BASE)
    obj = cm
    for k in path[:-1]:
        obj = obj[k]
    if value is KeyError:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value
    return cm


def _translate(client, cm):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": S}, {"name": "code", "valueCode": "a"},
        {"name": "conceptMap", "resource": cm}]}
    r = client.post(TR, json=body, content_type=FJ)
    return r.status_code, r.get_json()


def _message(body) -> str:
    return " ".join(i.get("diagnostics", "") + " " + (i.get("details") or {}).get("text", "")
                    for i in body.get("issue", []))


# wrong JSON types of R4 elements: the shape check reports them, naming the element; the map checks stay quiet
SHAPE = [
    (["group"], "x", "group"),
    (["group", 0, "source"], 1, "group[0].source"),
    (["group", 0, "element"], {}, "group[0].element"),
    (EL + ["code"], 5, "group[0].element[0].code"),
    (EL + ["target"], "x", "group[0].element[0].target"),
    (TGT + ["code"], [], "group[0].element[0].target[0].code"),
    (TGT + ["dependsOn"], "x", "group[0].element[0].target[0].dependsOn"),
    (TGT + ["dependsOn", 0, "property"], 3, "group[0].element[0].target[0].dependsOn[0].property"),
    (["group", 0, "unmapped", "url"], 1, "group[0].unmapped.url"),
    (["sourceUri"], 1, "sourceUri"),
]


@pytest.mark.parametrize("path,value,element", SHAPE, ids=[e for _p, _v, e in SHAPE])
def test_wrong_json_types_are_the_shape_checks_to_report(client, path, value, element):
    cm = _with(path, value)
    assert any(p.startswith(element + ":") for p in validation_errors(cm, lenient=True))
    assert map_problems(cm) == []
    status, body = _translate(client, cm)
    assert status == 400 and element in _message(body)


# what the lenient shape check lets through and $translate cannot use: each message names the element
REMAINDER = [
    (EL + ["valueSet"], ["x"], "group[0].element[0].valueSet must be a canonical (a non-empty string), not a list"),
    (EL + ["noMap"], "yes", "group[0].element[0].noMap must be true or false, not 'yes'"),
    (["group", 0, "source"], "", "group[0].source must be a non-empty string"),
    (EL + ["code"], "", None),          # the code pattern of the models refuses "" already
    (TGT + ["equivalence"], "bogus", "target[0].equivalence 'bogus' is not a ConceptMapEquivalence code"),
    (TGT + ["equivalence"], KeyError, "group[0].element[0].target[0] has neither equivalence (R4) nor relationship"),
    (TGT + ["relationship"], 3, "group[0].element[0].target[0].relationship the number 3 is not"),
    (TGT + ["dependsOn", 0, "property"], KeyError, "dependsOn[0] has no property (R4) or attribute (R5)"),
    (TGT + ["valueSet"], "http://example.org/vs", None),       # beside a code it adds nothing to answer with
    (["group", 0, "unmapped", "mode"], "bogus", "group[0].unmapped.mode 'bogus' is not one of"),
    (["group", 0, "unmapped", "url"], KeyError, "group[0].unmapped has mode other-map but no url"),
    (["group", 0, "unmapped", "url"], "", "group[0].unmapped.url must be a non-empty string"),
    (["group", 0, "unmapped", "otherMap"], 1, "group[0].unmapped.otherMap must be a non-empty string"),
    (["sourceUri"], "", "sourceUri must be a uri"),
    (["sourceScopeUri"], 1, "sourceScopeUri must be a uri"),
    (["source"], "http://example.org/vs", "'source' is not an element of ConceptMap"),
    (["additionalAttribute"], "x", "additionalAttribute must be a list"),
]


@pytest.mark.parametrize("path,value,expected", REMAINDER, ids=[".".join(map(str, p)) + "=" + repr(v)
                                                                 for p, v, _e in REMAINDER])
def test_what_the_shape_check_lets_through_is_named(client, path, value, expected):
    cm = _with(path, value)
    problems = map_problems(cm)
    if expected is None:
        assert not problems
        return
    assert validation_errors(cm, lenient=True) == []
    assert any(expected in p for p in problems), problems
    status, body = _translate(client, cm)
    assert status == 400 and expected in _message(body)


def test_r5_value_set_targets_are_refused_naming_the_element(client):
    cm = copy.deepcopy(BASE)
    cm["group"][0]["element"][0]["target"] = [{"valueSet": "http://example.org/fhir/ValueSet/v",
                                               "relationship": "related-to"}]
    status, body = _translate(client, cm)
    assert status == 400 and "group[0].element[0].target[0].valueSet" in _message(body)
    cm = copy.deepcopy(BASE)
    cm["group"][0]["unmapped"] = {"mode": "fixed", "valueSet": "http://example.org/fhir/ValueSet/v"}
    status, body = _translate(client, cm)
    assert status == 400 and "group[0].unmapped.valueSet" in _message(body)


@pytest.mark.parametrize("garbage", [
    {"group": [1, "x", None, {"element": [3, {"target": "x"}, {"target": [1, {"dependsOn": "x"}]}]}]},
    {"group": [{"element": {"a": 1}, "unmapped": [1]}]},
    {"group": [{"unmapped": {"mode": None}}], "sourceUri": None},
])
def test_the_walk_never_trips_over_a_map_that_skipped_the_shape_check(garbage):
    assert isinstance(map_problems(garbage), list)
