"""A display that matches only a withdrawn (or inactive) designation of its concept: the code is valid, but
FHIRsmith (tx/workers/validate.js checkDisplays, tx/library/designations.js) warns INACTIVE_DISPLAY_FOUND:
warning / invalid / tx display-comment at <path>.display, "'<display>' is no longer considered a correct display
for code '<code>' (status = <designation status>). The correct display is one of <active displays, joined by
','>", not in `message`. A designation's status is its standards-status extension; only withdrawn and inactive
ones are not active (a deprecated designation is still a correct display)."""
from tests.support.tx_requests import issues, out, post, tx_codes
from terminology.operations.validate_texts import inactive_display_text
from tests.support.resources import cs, vs

CS = "http://example.org/fhir/CodeSystem/display-status"
VS = "http://example.org/fhir/ValueSet/display-status"
SS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"
DEFINITION = {"system": "http://terminology.hl7.org/CodeSystem/designation-usage", "code": "definition"}


def _status(code):
    return [{"url": SS, "valueCode": code}]


def _setup():
    concept = {"code": "c", "display": "Code C", "designation": [
        {"language": "de", "value": "2nd Code", "extension": _status("withdrawn")},
        {"language": "de", "value": "Zweiter Code"},
        {"value": "Old Name", "extension": _status("inactive")},
        {"value": "Older Name", "extension": _status("deprecated")},
        {"value": "Code C again", "extension": _status("withdrawn")},
        {"value": "code c again"},
        {"value": "Explained", "use": DEFINITION}]}
    return [cs(CS, "1", [concept, {"code": "e", "display": "E"}]), vs(VS, [{"system": CS}], "1")]


def _text(display, status):
    return (f"'{display}' is no longer considered a correct display for code 'c' (status = {status}). "
            "The correct display is one of Code C,Zweiter Code,Older Name,code c again")


def _validate(client, display, *extra, coding=True):
    value = {"system": CS, "code": "c", "display": display}
    params = [("url", VS), ("coding", value)] if coding else [("url", VS), ("codeableConcept", {"coding": [value]})]
    status, b = post(client, "ValueSet/$validate-code", params + list(extra), _setup())
    assert status == 200, b
    return b


def _shape(iss):
    return iss["severity"], iss["code"], tx_codes(iss), iss.get("expression")


def test_display_of_a_withdrawn_designation_warns(client):
    b = _validate(client, "2nd Code")
    got = out(b)
    assert got["result"] is True and got["display"] == "Code C"
    [iss] = issues(b)
    assert _shape(iss) == ("warning", "invalid", ["display-comment"], ["Coding.display"])
    assert iss["details"]["text"] == _text("2nd Code", "withdrawn")
    assert "message" not in got


def test_display_of_a_withdrawn_designation_in_the_language_asked_for(client):
    b = _validate(client, "2nd Code", ("displayLanguage", "de"))
    assert out(b)["result"] is True
    assert [i["details"]["text"] for i in issues(b)] == [_text("2nd Code", "withdrawn")]


def test_display_of_an_inactive_designation_names_its_status(client):
    [iss] = issues(_validate(client, "Old Name"))
    assert iss["details"]["text"] == _text("Old Name", "inactive")


def test_codeable_concept_path(client):
    b = _validate(client, "Old Name", coding=False)
    assert out(b)["result"] is True
    [iss] = issues(b)
    assert _shape(iss) == ("warning", "invalid", ["display-comment"], ["CodeableConcept.coding[0].display"])


def test_code_system_validate_with_display_param(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", CS), ("code", "c"), ("display", "old name")],
                     _setup())
    assert status == 200, b
    assert out(b)["result"] is True
    [iss] = issues(b)
    assert tx_codes(iss) == ["display-comment"] and iss.get("expression") == ["display"]
    # the status of the designation matched in another case (FHIRsmith looks only for the exact text, and
    # writes "(status = )" here; a status is what a person needs)
    assert "(status = inactive)" in iss["details"]["text"]


def test_active_displays_give_no_warning(client):
    for display in ("Code C", "code c", "Zweiter Code", "Older Name", "Explained"):
        b = _validate(client, display)
        assert out(b)["result"] is True and issues(b) == [], display


def test_a_text_also_active_elsewhere_gives_no_warning(client):
    # 'Code C again' is withdrawn, but 'code c again' (the same display, other case) is active
    assert issues(_validate(client, "Code C again")) == []


def test_wrong_display_is_still_wrong(client):
    b = _validate(client, "Nothing like it")
    assert out(b)["result"] is False
    assert [tx_codes(i) for i in issues(b)] == [["invalid-display"]]


def test_review_a_match_in_another_case_names_the_designations_status(client):
    # review: a display matching a withdrawn designation only by case was told "(status = )"
    b = _validate(client, "2ND CODE")
    assert [i["details"]["text"] for i in issues(b) if "display-comment" in tx_codes(i)] == [_text("2ND CODE", "withdrawn")]


def test_review_no_active_display_leaves_out_the_list():
    # review: a concept with no active display was told "The correct display is one of " and nothing
    text = inactive_display_text("old", "a", [], "withdrawn")
    assert text == "'old' is no longer considered a correct display for code 'a' (status = withdrawn)."
