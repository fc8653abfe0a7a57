"""A grouping CodeSystem/$validate-code accepts (a valid code of the code system, result=true) is told it is not a
reportable code and which codes to choose below it (review s15 recheck N3), as the refusal of a grouping is: the
same `information` issue, the answer otherwise unchanged. Only the Norwegian codebooks, and only a concept that is
a grouping (not selectable, with codes below it). The codes to choose are all named up to twenty (N4: C50.9 was
hidden behind "…" at eight), one rule with $translate's grouping sentence (shared builder)."""
from tests.support.tx_requests import post
from tests.norway.advice.conftest import answer, infos, issues, params

ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"
D370 = "D37.0 is a grouping in ICD-10-NO 2026, not a reportable code; choose one of D37.00, D37.01"
C50 = ("C50 is a grouping in ICD-10-NO 2027, not a reportable code; choose one of C50.0, C50.1, C50.2, C50.3, "
       "C50.4, C50.5, C50.6, C50.8, C50.9")


def _not_advice(body) -> list:
    return [i for i in issues(body) if i[0] != "information"]


def test_accepted_grouping_names_the_codes_to_choose(demo):
    b = answer(demo, "CodeSystem", url=ICD10NO, code="D37.0")
    p = params(b)
    assert p["result"] is True and p["version"] == "2026"
    assert D370 in infos(b)
    assert _not_advice(b) == [] and "message" not in p


def test_accepted_grouping_note_points_at_the_code(demo):
    b = answer(demo, "CodeSystem", url=ICD10NO, code="J12")
    oo = params(b)["issues"]["issue"]
    got = [i for i in oo if "grouping" in i["details"]["text"]]
    assert len(got) == 1
    assert got[0]["severity"] == "information" and got[0]["location"] == ["code"]
    assert got[0]["details"]["text"].startswith("J12 is a grouping in ICD-10-NO 2026, not a reportable code; choose")


def test_accepted_grouping_with_a_version(demo):
    b = answer(demo, "CodeSystem", url=ICD10NO, code="I21.0", version="2026")
    assert params(b)["result"] is True
    assert "I21.0 is a grouping in ICD-10-NO 2026, not a reportable code; choose I21.0a" in infos(b)


def test_grouping_note_once_when_the_display_is_wrong_too(demo):
    # refused for its display: the grouping note is there once, as before
    b = answer(demo, "CodeSystem", url=ICD10NO, code="I21.0", display="feil")
    assert params(b)["result"] is False
    assert [t for t in infos(b) if "grouping" in t] == [
        "I21.0 is a grouping in ICD-10-NO 2026, not a reportable code; choose I21.0a"]


def test_grouping_note_in_a_codeable_concept(demo):
    status, b = post(demo, "CodeSystem/$validate-code",
                     [("url", ICD10NO), ("codeableConcept", {"coding": [{"system": ICD10NO, "code": "D37.0"}]})])
    assert status == 200, b
    assert params(b)["result"] is True
    got = [i for i in params(b)["issues"]["issue"] if i["details"]["text"] == D370]
    assert len(got) == 1 and got[0]["location"] == ["CodeableConcept.coding[0].code"]


def test_reportable_code_gets_no_grouping_note(demo):
    b = answer(demo, "CodeSystem", url=ICD10NO, code="D37.00")
    assert params(b)["result"] is True
    assert not any("grouping" in t for t in infos(b))


def test_nine_codes_below_are_all_named(c50):
    b = answer(c50, "CodeSystem", url=ICD10NO, code="C50")
    assert params(b)["result"] is True
    assert infos(b) == [C50]


def test_nine_codes_below_are_all_named_in_a_refusal(c50):
    b = answer(c50, "CodeSystem", url=ICD10NO, code="C50", abstract="false")
    assert params(b)["result"] is False
    assert C50 in infos(b)


def test_a_long_list_is_cut_after_twenty_and_says_how_many_more():
    from terminology.norway.advice import grouping_note
    codes = [f"X{i:02d}" for i in range(40)]
    note = grouping_note("X", "ICD-10-NO 2026", codes)
    assert note == ("X is a grouping in ICD-10-NO 2026, not a reportable code; choose one of "
                    + ", ".join(codes[:20]) + " … (20 more)")
    # a few over the twenty are named rather than hidden behind a count
    some = codes[:23]
    assert grouping_note("X", "ICD-10-NO 2026", some).endswith(", ".join(some))


def test_accepted_grouping_of_other_systems_gets_no_note(client):
    # an HL7-style code system with a not-selectable parent: its answers are compared exactly
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/fhir/CodeSystem/va15b-groups", "version": "1",
          "status": "active", "content": "complete",
          "property": [{"code": "notSelectable", "uri": "http://hl7.org/fhir/concept-properties#notSelectable",
                        "type": "boolean"}],
          "concept": [{"code": "G", "display": "Group", "property": [{"code": "notSelectable", "valueBoolean": True}],
                       "concept": [{"code": "G1", "display": "One"}, {"code": "G2", "display": "Two"}]}]}
    status, b = post(client, "CodeSystem/$validate-code", [("url", cs["url"]), ("code", "G")], [cs])
    assert status == 200, b
    assert params(b)["result"] is True and infos(b) == []


def test_grouping_accepted_in_a_value_set_that_holds_it_gets_no_note(demo):
    # a value set that lists the grouping chose it (a list of blocks for statistics): nothing to correct
    vs = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/va15b-blocks", "status": "active",
          "compose": {"include": [{"system": ICD10NO, "concept": [{"code": "D370"}]}]}}
    status, b = post(demo, "ValueSet/$validate-code",
                     [("url", vs["url"]), ("system", ICD10NO), ("code", "D370")], [vs])
    assert status == 200, b
    assert params(b)["result"] is True
    assert not any("grouping" in t for t in infos(b))
