"""A dotted ICD-10 code (J12.8, the form coders and FinnKode write) is answered with the stored form J128 and an
`information` issue, not a warning (review s15 F14): the answer is valid, and engines that show warnings would
show one on every diagnosis. No HL7 rule is involved (only ICD-10-NO is written with an optional dot), so the
severity is Kodebro's choice; information issues stay out of `message`."""
from .conftest import ICD10NO, answer, issues, params

WRITTEN = "The code 'J12.8' is written 'J128' in the CodeSystem 'http://hl7.org/fhir/sid/icd-10-no'; 'J128' is the " \
          "code that was validated"


def test_dotted_code_is_information(demo):
    b = answer(demo, "CodeSystem", url=ICD10NO, code="J12.8")
    p = params(b)
    assert p["result"] is True and p["code"] == "J128"
    assert ("information", "code-rule", WRITTEN) in issues(b)
    assert "message" not in p


def test_dotted_code_refused_elsewhere_keeps_its_refusal(demo):
    b = answer(demo, "ValueSet", url="https://kodebro.no/fhir/ValueSet/icd-10-no-main-condition", system=ICD10NO,
               code="U07.1")
    p = params(b)
    assert p["result"] is False
    assert [sev for sev, code, _t in issues(b) if code == "code-rule"] == ["information"]
    assert "was not found in the value set" in p["message"] and "is written" not in p["message"]
