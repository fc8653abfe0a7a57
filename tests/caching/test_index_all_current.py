"""Whether no concept of a code system is inactive or deprecated on any date is a fact of its index
(CodeSystemIndex.all_current), worked out in the one walk that finds the deprecation codes its concepts use, and
worked out again for a supplemented copy."""
from __future__ import annotations

import pytest

from terminology.codesystem import MAX_CURRENT_WALK, CodeSystemIndex
from terminology.operations.concept_status import is_deprecated
from terminology.supplements import apply_supplements

URL = "http://example.org/fhir/CodeSystem/all-current"
WITHDRAWN = {"url": "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status",
             "valueCode": "withdrawn"}
DEPRECATED_PROPERTY = [{"code": "deprecated", "type": "dateTime",
                        "uri": "http://hl7.org/fhir/concept-properties#deprecated"}]


def _index(concepts, **extra) -> CodeSystemIndex:
    return CodeSystemIndex.from_resource({"resourceType": "CodeSystem", "url": URL, "version": "1",
                                          "status": "active", "content": "complete", "concept": concepts, **extra})


def _by_each_concept(ix) -> bool:
    """The rule all_current keeps, asked concept by concept on every date that could matter."""
    return not any(c.inactive or is_deprecated(c, on, ix) for c in ix.concepts.values()
                   for on in (None, "1900-01-01", "2999-12-31"))


@pytest.mark.parametrize("b, current", [
    ({"code": "b"}, True),
    ({"code": "b", "property": [{"code": "other", "valueString": "x"}]}, True),
    ({"code": "b", "property": [{"code": "status", "valueInteger": 5}]}, True),
    ({"code": "b", "property": [{"code": "status", "valueCode": "retired"}]}, False),
    ({"code": "b", "property": [{"code": "status", "valueCode": "deprecated"}]}, False),
    ({"code": "b", "property": [{"code": "inactive", "valueBoolean": True}]}, False),
    ({"code": "b", "extension": [WITHDRAWN]}, False),
])
def test_all_current_is_the_rule_each_concept_answers(b, current):
    ix = _index([{"code": "a"}, b])
    assert ix.all_current() is current
    assert _by_each_concept(ix) is current


def test_a_deprecation_date_to_come_is_no_current_index():
    ix = _index([{"code": "a"}, {"code": "b", "property": [{"code": "deprecated", "valueDateTime": "2100-01-01"}]}],
                property=DEPRECATED_PROPERTY)
    assert ix.all_current() is False
    assert ix.deprecation_codes() == ("deprecated",)


def test_one_walk_answers_both():
    ix = _index([{"code": "a"}, {"code": "b", "property": [{"code": "status", "valueCode": "retired"}]}])
    assert ix.deprecation_codes() == ()
    # the walk that found no deprecation code also decided the index is not all current
    assert ix.__dict__["_all_current"] is False


def test_a_supplemented_copy_is_walked_again():
    ix = _index([{"code": "a"}, {"code": "b"}])
    assert ix.all_current() is True
    sup = {"resourceType": "CodeSystem", "url": URL + "-sup", "version": "1", "status": "active",
           "content": "supplement", "supplements": f"{URL}|1",
           "concept": [{"code": "b", "property": [{"code": "status", "valueCode": "deprecated"}]}]}
    copy = apply_supplements(ix, [sup])
    assert copy.all_current() is False
    assert ix.all_current() is True


def test_a_very_large_index_asks_each_concept():
    ix = _index([{"code": str(i)} for i in range(MAX_CURRENT_WALK + 1)])
    assert ix.all_current() is False
    assert _index([{"code": str(i)} for i in range(100)]).all_current() is True
