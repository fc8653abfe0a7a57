"""Extensions on a primitive value of a choice element (R4 json.html: the `_<name>` sibling, with the typed
name for a choice: `valueString` -> `_valueString`), which the R4B models lack on Extension; and codes whose
only "whitespace" is a no-break space, valid by FHIR's XML-Schema regex. The core package's HL7 v2 code systems
carry both (v2-0299's comment extension holds a translation in `_valueString`; v2-0550 has 'CHESTÂ\u00a0')."""
import copy
import json
from pathlib import Path

import pytest

from terminology.validation import validation_errors

FJ = "application/fhir+json"
V2_0299 = Path(__file__).parents[1] / "data" / "fhir-core" / "CodeSystem-v2-0299.json"


def _v2_0299() -> dict:
    return json.loads(V2_0299.read_text(encoding="utf-8"))


def _cs_with_extension(ext: dict, **more) -> dict:
    return {"resourceType": "CodeSystem", "url": "http://example.org/cs", "status": "active",
            "content": "complete", "concept": [{"code": "a", "extension": [ext]}], **more}


TRANSLATION = {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/translation", "extension": [
    {"url": "lang", "valueCode": "nb"}, {"url": "content", "valueString": "kommentar"}]}]}


def test_the_core_packages_v2_0299_is_valid():
    assert validation_errors(_v2_0299()) == []


@pytest.mark.parametrize("given", [
    {"valueString": "comment", "_valueString": TRANSLATION},
    {"valueCode": "x", "_valueCode": {"id": "c1"}},
    {"valueBoolean": True, "_valueBoolean": {"extension": [{"url": "http://e/x", "valueInteger": 1}]}},
    {"valueDateTime": "2020-01-01", "_valueDateTime": {"id": "d"}},
    {"_valueString": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                                     "valueCode": "unknown"}]}},            # the value absent, only its extension
], ids=["string", "code", "boolean", "dateTime", "no-value"])
def test_an_extension_value_may_carry_its_own_extensions(given):
    assert validation_errors(_cs_with_extension({"url": "http://e/comment", **given})) == []


def test_nested_extensions_on_extension_values_are_accepted():
    inner = {"url": "http://e/inner", "valueCode": "x", "_valueCode": {"id": "i"}}
    outer = {"url": "http://e/outer", "valueString": "s", "_valueString": {"extension": [inner]}}
    assert validation_errors(_cs_with_extension({"url": "http://e/top", "extension": [outer]})) == []


def test_a_contained_resource_is_read_as_its_own_type():
    cs = _cs_with_extension({"url": "http://e/c", "valueString": "s", "_valueString": TRANSLATION})
    vs = {"resourceType": "ValueSet", "status": "active", "contained": [{**cs, "id": "cs"}]}
    assert validation_errors(vs) == []
    cs["concept"][0]["extension"][0]["_valueString"] = {"extension": [{"valueCode": "x"}]}
    assert validation_errors(vs) == ["contained[0].concept[0].extension[0]._valueString.extension[0].url: "
                                     "is required but missing"]


def test_other_elements_with_a_value_choice_take_them_too():
    vs = {"resourceType": "ValueSet", "status": "active", "expansion": {"timestamp": "2024-01-01", "parameter": [
        {"name": "used-codesystem", "valueUri": "http://x", "_valueUri": TRANSLATION}]}}
    assert validation_errors(vs) == []
    params = {"resourceType": "Parameters", "parameter": [{"name": "p", "valueCode": "c", "_valueCode": {"id": "1"}}]}
    assert validation_errors(params) == []


@pytest.mark.parametrize("given,expected", [
    # not a primitive: a Coding carries its extensions inside it
    ({"valueCoding": {"code": "c"}, "_valueCoding": {"id": "1"}},
     "concept[0].extension[0]._valueCoding: is not an element of an R4 CodeSystem (valueCoding is not a primitive"),
    # not a type Extension.value[x] has
    ({"_valueFoo": {"id": "1"}}, "concept[0].extension[0]._valueFoo: is not an element of an R4 CodeSystem"),
    ({"_foo": {"id": "1"}}, "concept[0].extension[0]._foo: is not an element of an R4 CodeSystem"),
    # the extension of another type than the value it belongs to: value[x] holds one type
    ({"valueString": "s", "_valueCode": {"id": "1"}},
     "concept[0].extension[0]._valueCode: extends valueCode, but this value[x] is a valueString"),
], ids=["complex", "unknown-type", "bare", "other-type"])
def test_underscore_elements_that_are_not_primitive_extensions_are_refused(given, expected):
    problems = validation_errors(_cs_with_extension({"url": "http://e/c", **given}))
    assert any(p.startswith(expected) for p in problems), problems


def test_underscore_value_on_an_element_without_a_value_choice_is_refused():
    cs = _cs_with_extension({"url": "http://e/c", "valueString": "s"})
    cs["concept"][0]["_valueString"] = {"id": "1"}
    assert validation_errors(cs) == ["concept[0]._valueString: is not an element of an R4 CodeSystem"]


@pytest.mark.parametrize("inside,expected", [
    ({"extension": [{"valueString": "no url"}]},
     "concept[0].extension[0]._valueString.extension[0].url: is required but missing"),
    ({"extension": [{"url": "http://e/i", "valueCode": "x", "_valueCode": {"extension": [{"valueCode": "y"}]}}]},
     "concept[0].extension[0]._valueString.extension[0]._valueCode.extension[0].url: is required but missing"),
    ({"id": "1", "colour": "blue"}, "concept[0].extension[0]._valueString.colour: is not an element of an R4"),
    ({}, "concept[0].extension[0]._valueString: must hold an id or extensions"),
    ("text", "concept[0].extension[0]._valueString: must be a JSON object, not the string 'text'"),
    ({"extension": [{"url": 5}]}, "concept[0].extension[0]._valueString.extension[0].url: must be a string"),
], ids=["no-url", "nested-no-url", "unknown-element", "empty", "not-object", "wrong-type"])
def test_what_a_primitive_extension_holds_is_checked(inside, expected):
    cs = _cs_with_extension({"url": "http://e/c", "valueString": "s", "_valueString": inside})
    problems = validation_errors(cs)
    assert any(p.startswith(expected) for p in problems), problems


def test_the_rest_of_the_resource_is_still_checked_in_full():
    # a field error stops the model's checks of the elements around it; with the extension set aside they run
    ext = {"url": "http://e/c", "valueString": "s", "valueCode": "c", "_valueString": {"id": "1"}}
    problems = validation_errors(_cs_with_extension(ext))
    assert problems and problems[0].startswith("concept[0].extension[0]: needs exactly one of"), problems
    cs = _cs_with_extension({"url": "http://e/c", "valueString": "s", "_valueString": {"id": "1"}})
    del cs["content"]
    assert validation_errors(cs) == ["content: is required but missing"]


def test_lenient_checks_still_refuse_wrong_types_inside():
    cs = _cs_with_extension({"url": "http://e/c", "valueString": "s", "_valueString": {"extension": [{"url": 5}]}})
    assert validation_errors(cs, lenient=True) == [
        "concept[0].extension[0]._valueString.extension[0].url: must be a string, not 5 (a number)"]


def test_a_stored_code_system_keeps_the_extension_as_sent(client):
    cs = _v2_0299()
    r = client.put(f"/fhir/CodeSystem/{cs['id']}", data=json.dumps(cs), content_type=FJ)
    assert r.status_code in (200, 201), r.get_json()
    back = client.get(f"/fhir/CodeSystem/{cs['id']}").get_json()
    sent = [c for c in cs["concept"] if "extension" in c]
    read = {c["code"]: c for c in back["concept"]}
    assert sent and all(read[c["code"]]["extension"] == c["extension"] for c in sent)


def test_a_bad_primitive_extension_is_a_422_naming_the_path(client):
    cs = _v2_0299()
    bad = copy.deepcopy(cs)
    ext = next(c for c in bad["concept"] if "extension" in c)["extension"][0]
    del ext["_valueString"]["extension"][0]["url"]
    r = client.put(f"/fhir/CodeSystem/{cs['id']}", data=json.dumps(bad), content_type=FJ)
    assert r.status_code == 422
    text = json.dumps(r.get_json())
    assert "OperationOutcome" in text and "._valueString.extension[0].url: is required but missing" in text


def test_an_import_takes_v2_0299_and_keeps_the_extension_as_sent(db_path):
    from fhir_api import create_app
    from terminology import open_store
    from terminology.loader import import_paths
    store = open_store(db_path)
    try:
        report = import_paths(store, [str(V2_0299)])
    finally:
        store.close()
    assert report.rejected == [] and len(report.added) == 1, report
    back = create_app({"DB": db_path, "DEMO": False}).test_client().get("/fhir/CodeSystem/v2-0299").get_json()
    assert back["concept"] == _v2_0299()["concept"]


# R4 datatypes.html code: [^\s]+(\s[^\s]+)* is an XML-Schema regex, where \s is space, tab, CR and LF only; a
# no-break space (U+00A0) is an ordinary character there, as in v2-0550's 'CHESTÂ\u00a0'
@pytest.mark.parametrize("code", ["CHEST\u00c2\u00a0", "\u00a0", "a\u00a0\u00a0b", "\u2003x"])
def test_a_code_with_a_no_break_space_is_valid(code):
    cs = {"resourceType": "CodeSystem", "status": "active", "content": "complete",
          "concept": [{"code": code, "display": "\u00a0"}]}
    assert validation_errors(cs) == []


# (a vertical tab or form feed at an end is no XML whitespace, but no character XML can carry either)
@pytest.mark.parametrize("code", [" ", " a", "a ", "a  b", "a\tb\t", "", "a\x0b", "\x0cb"])
def test_codes_with_xml_whitespace_at_the_ends_or_repeated_stay_invalid(code):
    cs = {"resourceType": "CodeSystem", "status": "active", "content": "complete", "concept": [{"code": code}]}
    problems = validation_errors(cs)
    assert problems and problems[0].startswith("concept[0].code:"), problems


def test_a_no_break_space_code_does_not_hide_other_problems():
    # a field error stops the model's checks of the elements around it (here: the code system's content)
    cs = {"resourceType": "CodeSystem", "status": "active", "concept": [{"code": "x\u00a0"}]}
    assert validation_errors(cs) == ["content: is required but missing"]
