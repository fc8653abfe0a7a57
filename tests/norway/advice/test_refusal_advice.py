"""A Norwegian code refused by $validate-code gets the way forward the server knows, as one extra `information`
issue (review s15 F7): a grouping names the codes to choose; an unknown code that an older loaded edition of the
same codebook holds names that edition. The answer (result, the other issues and their severities, `message`) is
what it was; HL7 test content and other code systems get no such issue."""
from tests.support.tx_files import tx_file
from tests.support.tx_requests import post

from .conftest import ICD10NO, answer, infos, issues, params

REPORTABLE = "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"
D370 = "D37.0 is a grouping in ICD-10-NO 2026, not a reportable code; choose one of D37.00, D37.01"


def _not_advice(body) -> list:
    return [i for i in issues(body) if i[0] != "information"]


def test_grouping_refused_by_the_reportable_value_set_names_the_codes(demo):
    b = answer(demo, "ValueSet", url=REPORTABLE, system=ICD10NO, code="D37.0")
    p = params(b)
    assert p["result"] is False
    assert D370 in infos(b)
    assert _not_advice(b) == [("error", "not-in-vs", "The provided code 'http://hl7.org/fhir/sid/icd-10-no#D37.0' was "
                                                     "not found in the value set "
                                                     "'https://kodebro.no/fhir/ValueSet/icd-10-no-reportable|2026'")]
    assert "grouping" not in p["message"]


def test_grouping_refused_as_abstract_names_the_codes(demo):
    b = answer(demo, "CodeSystem", url=ICD10NO, code="D37.0", abstract="false")
    assert params(b)["result"] is False
    assert D370 in infos(b)
    assert [c for sev, c, _t in issues(b) if sev == "error"] == ["code-rule"]


def test_grouping_accepted_gets_the_same_advice(demo):
    # CodeSystem/$validate-code takes a grouping as a code of the code system: nothing is refused, but the coder
    # hears it is no reportable code (review s15 recheck N3; tests/norway/advice/accepted_codes)
    b = answer(demo, "CodeSystem", url=ICD10NO, code="D37.0")
    assert params(b)["result"] is True
    assert D370 in infos(b)


def test_advice_in_a_codeable_concept_points_at_its_coding(demo):
    status, b = post(demo, "ValueSet/$validate-code",
                     [("url", REPORTABLE), ("codeableConcept", {"coding": [{"system": ICD10NO, "code": "D37.0"}]})])
    assert status == 200, b
    assert params(b)["result"] is False
    oo = params(b)["issues"]["issue"]
    got = [i for i in oo if i["details"]["text"] == D370]
    assert len(got) == 1 and got[0]["location"] == ["CodeableConcept.coding[0].code"]


def test_unknown_code_last_in_an_older_edition(editions):
    b = answer(editions, "CodeSystem", url=ICD10NO, code="M19.06")
    p = params(b)
    assert p["result"] is False and p["version"] == "2027"
    assert "M19.06 was last in ICD-10-NO 2025 (valid to 2025-12-31)" in infos(b)
    assert _not_advice(b) == [("error", "invalid-code", "Unknown code 'M19.06' in the CodeSystem "
                                                        "'http://hl7.org/fhir/sid/icd-10-no' version '2027'")]
    assert p["message"] == "Unknown code 'M19.06' in the CodeSystem 'http://hl7.org/fhir/sid/icd-10-no' version '2027'"


def test_unknown_code_behind_a_fragment_edition_is_not_said_to_end_there(editions):
    # A00.1 has no end date and the 2026 edition loaded is a fragment: whether 2026 still had it is not known
    b = answer(editions, "CodeSystem", url=ICD10NO, code="A00.1")
    assert "A00.1 is not in ICD-10-NO 2027; the last loaded edition that holds it is ICD-10-NO 2025" in infos(b)


def test_unknown_code_of_no_loaded_edition_gets_no_advice(editions):
    b = answer(editions, "CodeSystem", url=ICD10NO, code="Z99.9")
    assert params(b)["result"] is False and infos(b) == []


def test_code_valid_in_the_edition_gets_no_edition_advice(editions):
    b = answer(editions, "CodeSystem", url=ICD10NO, code="M1905")
    assert params(b)["result"] is True and infos(b) == []


def test_hl7_content_gets_no_advice(client):
    cs = tx_file("simple/codesystem-simple.json")
    status, b = post(client, "CodeSystem/$validate-code", [("url", cs["url"]), ("code", "code-zz")], [cs])
    assert status == 200
    assert params(b)["result"] is False and infos(b) == []


def test_only_the_norwegian_codebooks_are_advised():
    # SNOMED CT and WHO ICD-10 answers are compared exactly by the HL7 suite and the reference servers
    from terminology.identifiers import ICD10_WHO, SNOMED
    from terminology.identifiers import NORWEGIAN_CODEBOOKS
    assert SNOMED not in NORWEGIAN_CODEBOOKS and ICD10_WHO not in NORWEGIAN_CODEBOOKS
    assert ICD10NO in NORWEGIAN_CODEBOOKS


def test_translate_and_validate_share_the_grouping_sentence():
    from mappings.icd10_targets import dotted
    from terminology.norway.advice import grouping_note
    assert dotted("D370") == "D37.0"
    assert grouping_note("D37.0", "ICD-10-NO 2026", ["D37.00", "D37.01"]) == D370
