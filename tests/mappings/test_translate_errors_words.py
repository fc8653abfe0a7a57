"""$translate's refusal of a codeableConcept without codings, in the reference servers' words."""
from tests.support.tx_requests import post


def test_a_codeable_concept_without_codings_is_refused_in_the_reference_words(client):
    for name in ("codeableConcept", "sourceCodeableConcept"):
        # (an empty coding list: sent as a CodeableConcept, as the helper types a dict holding `coding`)
        status, b = post(client, "ConceptMap/$translate", [(name, {"coding": [], "text": "fever"}),
                                                           ("targetsystem", "http://hl7.org/fhir/sid/icd-10-no")])
        assert status == 400, b
        assert b["issue"][0]["details"]["text"] == f"{name} must contain at least one coding"


def test_codings_without_codes_are_named_as_such(client):
    status, b = post(client, "ConceptMap/$translate", [("codeableConcept", {"coding": [{"system": "http://x"}]}),
                                                       ("targetsystem", "http://hl7.org/fhir/sid/icd-10-no")])
    assert status == 400 and b["issue"][0]["details"]["text"] == "parameter 'codeableConcept' has no coding with a code"
