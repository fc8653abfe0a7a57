"""What a client reads when a resource it sends has the wrong shape: the FHIR path of the element and
the JSON it must send there, never the model library's Python wording."""
import pytest

from terminology.validation import validation_errors

VS = {"resourceType": "ValueSet", "status": "active"}

CASES = [
    ({"compose": "x"}, "compose: must be a JSON object, not the string 'x'"),
    ({"compose": {"include": [{"system": "a", "concept": "b"}]}},
     "compose.include[0].concept: must be a JSON array, not the string 'b'"),
    ({"url": ["a"]}, "url: must be a string, not an array"),
    ({"experimental": {"a": 1}}, "experimental: must be true or false, not an object"),
    ({"expansion": {"timestamp": "2024-01-01", "total": "many"}},
     "expansion.total: must be an integer, not the string 'many'"),
    ({"date": "yesterday"}, "date: the string 'yesterday' is not a valid FHIR dateTime: use YYYY"),
    ({"meta": {"lastUpdated": "2020-01-01"}},
     "meta.lastUpdated: the string '2020-01-01' is not a valid FHIR instant: use YYYY-MM-DDThh:mm:ss"),
    ({"compose": {"lockedDate": "2020-01-01T10:00:00Z", "include": [{"system": "a"}]}},
     "compose.lockedDate: the string '2020-01-01T10:00:00Z' is not a valid FHIR date: use YYYY, YYYY-MM or"),
    ({"compose": {"include": [{"system": "a", "concept": [{"code": "a  b"}]}]}},
     "compose.include[0].concept[0].code: the string 'a  b' is not a valid code"),
    ({"compose": {"include": [{"system": "a", "concept": [{"display": "x"}]}]}},
     "compose.include[0].concept[0].code: is required but missing"),
    ({"colour": "blue"}, "colour: is not an element of an R4 ValueSet"),
]


@pytest.mark.parametrize("extra,expected", CASES, ids=[e.split(":")[0] for _x, e in CASES])
def test_shape_problems_name_the_path_and_the_json_to_send(extra, expected):
    problems = validation_errors({**VS, **extra})
    assert any(p.startswith(expected) for p in problems), problems
    assert not any("Input should" in p or "Invalid JSON" in p or "Value error" in p for p in problems)


def test_a_long_value_is_shortened_in_the_message():
    problems = validation_errors({**VS, "date": "x" * 500})
    assert problems and len(problems[0]) < 200


def test_lenient_checks_keep_quiet_about_r5_elements_but_not_wrong_types():
    assert validation_errors({**VS, "colour": "blue"}, lenient=True) == []
    assert validation_errors({**VS, "url": 5}, lenient=True) == ["url: must be a string, not 5 (a number)"]


def test_an_r4_conceptmap_error_reads_the_same_way():
    cm = {"resourceType": "ConceptMap", "status": "active", "group": [{"element": [{"code": 5}]}]}
    assert validation_errors(cm) == ["group[0].element[0].code: must be a string, not 5 (a number)"]


def test_a_choice_element_names_its_alternatives_not_a_date():
    cs = {"resourceType": "CodeSystem", "status": "active", "content": "complete",
          "concept": [{"code": "a", "property": [{"code": "x"}]}, {"code": "b", "property": [
              {"code": "x", "valueString": "s", "valueCoding": {"code": "c"}}]}]}
    problems = validation_errors(cs)
    assert problems[0].startswith("concept[0].property[0]: needs exactly one of valueBoolean, valueCode")
    assert problems[1].startswith("concept[1].property[0]: needs exactly one of") and problems[1].endswith(
        ", not several")
    assert not any("date" in p for p in problems)
