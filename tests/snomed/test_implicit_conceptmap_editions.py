"""Which SNOMED CT edition an implicit ConceptMap reads (review-cm2 A and C).

With a `?fhir_cm=` url the map's edition is the url's base, its `|version` or conceptMapVersion, else the default
edition: never the coding's own `version`, which says which release the code was picked from. A coding picked
under an older release gets today's replacement, as $validate-code's note and the answer without a url give it.
Without a url, the SNOMED CT `version` of the code picks the map refsets' edition by the same rule as the url path:
one not loaded is a 404 naming the loaded ones.

Data: tests/data/snomed/multimodule with its international folder imported alone first, so the store holds INT
20250101 (155574008 REPLACED BY 75570004) and NO 20250415, the default, which repoints it to 233604007."""
from __future__ import annotations

import pytest

from .conftest import INT_2018, INT_2025, NO_2025, NO_NOT_LOADED, SNOMED
from .translate_answers import translate_get as _get, result as _result, message as _message, issue as _issue

REPLACED_BY = SNOMED + "?fhir_cm=900000000000526001"
ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"






def _codes(body) -> list[str]:
    return [q["valueCoding"]["code"] for m in body["parameter"] if m["name"] == "match"
            for q in m["part"] if q["name"] == "concept"]


# --- A: the coding's version does not pick the map's edition ----------------------------------------------------

def test_an_old_codings_version_gets_todays_replacement(multi2):
    status, body = _get(multi2, url=REPLACED_BY, system=SNOMED, code="155574008", version=INT_2025)
    assert status == 200, body
    assert _codes(body) == ["233604007"], body


def test_with_and_without_url_and_validate_code_agree(multi2):
    with_url = _codes(_get(multi2, url=REPLACED_BY, system=SNOMED, code="155574008", version=INT_2025)[1])
    without = _codes(_get(multi2, targetsystem=SNOMED, system=SNOMED, code="155574008")[1])
    note = multi2.get("/fhir/CodeSystem/$validate-code",
                      query_string={"url": SNOMED, "code": "155574008"}).get_data(as_text=True)
    assert with_url == without == ["233604007"]
    assert "replaced by 233604007" in note


def test_the_url_still_picks_the_older_edition(multi2):
    # the map's own version is the way to ask for another release's rows
    status, body = _get(multi2, url=REPLACED_BY + "|" + INT_2025, system=SNOMED, code="155574008")
    assert status == 200 and _codes(body) == ["75570004"], body
    status, body = _get(multi2, url=REPLACED_BY, conceptMapVersion=INT_2025, system=SNOMED, code="155574008")
    assert status == 200 and _codes(body) == ["75570004"], body


def test_a_codings_version_not_loaded_does_not_fail_the_url_request(three):
    status, body = _get(three, url=REPLACED_BY, system=SNOMED, code="155574008", version=NO_NOT_LOADED)
    assert status == 200, body
    assert _codes(body) == ["75570004"], body


def test_a_codeable_concept_with_an_edition_not_loaded_is_still_answered(three):
    r = three.post("/fhir/ConceptMap/$translate", json={"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": REPLACED_BY},
        {"name": "codeableConcept", "valueCodeableConcept": {"coding": [
            {"system": SNOMED, "version": NO_NOT_LOADED, "code": "155574008"},
            {"system": "urn:oid:2.16.578.1.12.4.1.1.7170", "code": "A1"}]}}]})
    assert r.status_code == 200, r.get_json()
    assert _codes(r.get_json()) == ["75570004"]


def test_is_active_names_the_edition_it_read(multi2):
    status, body = _get(multi2, url=REPLACED_BY, system=SNOMED, code="233604007", version=INT_2025)
    assert status == 200 and _result(body) is False, body
    assert f"233604007 is active in SNOMED CT {NO_2025}" in _message(body)


# --- C: without a url, SNOMED CT -> ICD-10 reads the code's version by the same rule --------------------------------

@pytest.mark.parametrize("asked", [{"version": "bogus"}, {"version": NO_NOT_LOADED},
                                   {"conceptMapVersion": "http://snomed.info/sct/51000202101/version/20990101"}])
def test_icd10_without_url_and_a_version_not_loaded_is_404_naming_the_loaded(three, asked):
    status, body = _get(three, system=SNOMED, code="75570004", targetsystem=ICD10_NO, **asked)
    assert status == 404, body
    text = _issue(body)
    assert "not loaded" in text and NO_2025 in text and INT_2018 in text
    assert "No ConceptMap" not in text


def test_icd10_without_url_words_it_as_the_url_path_does(three):
    # one rule (terminology.snomed.implicit.map_edition): the no-url version and the url's own version
    _s, without = _get(three, system=SNOMED, code="75570004", targetsystem=ICD10_NO, version=NO_NOT_LOADED)
    _s, by_url = _get(three, system=SNOMED, code="75570004", url=SNOMED + "?fhir_cm=447562003|" + NO_NOT_LOADED)
    assert _issue(without) == _issue(by_url)


def test_icd10_without_url_and_a_loaded_version_answers(three):
    status, body = _get(three, system=SNOMED, code="75570004", targetsystem=ICD10_NO, version=NO_2025)
    assert status == 200 and _result(body) is True, body
    assert _codes(body) == ["J129"], body


def test_icd10_reverse_without_url_ignores_the_icd_codes_version(three):
    # in reverse the code is an ICD-10 one: its version is no SNOMED CT edition
    status, body = _get(three, system=ICD10_NO, code="J12.9", version="2025", targetsystem=SNOMED, reverse="true")
    assert status == 200 and _result(body) is True and "75570004" in _codes(body), body


def test_snomed_to_snomed_with_a_version_not_loaded_is_the_same_404(three):
    # no map refset targets SNOMED CT: the succession graph answers, with the words of the map path
    status, body = _get(three, system=SNOMED, code="155574008", targetsystem=SNOMED, version=NO_NOT_LOADED)
    _s, by_url = _get(three, system=SNOMED, code="75570004", url=SNOMED + "?fhir_cm=447562003|" + NO_NOT_LOADED)
    assert status == 404 and _issue(body) == _issue(by_url), body


# --- review-cm2 F: target-version with a url --------------------------------------------------------------------

def test_target_version_must_be_the_edition_the_map_is_read_in(multi2):
    ask = {"url": REPLACED_BY, "system": SNOMED, "code": "155574008"}
    status, body = _get(multi2, **ask, **{"target-version": NO_2025})
    assert status == 200 and _codes(body) == ["233604007"], body
    status, body = _get(multi2, **ask, **{"target-version": INT_2025})
    assert status == 200 and _result(body) is False and not _codes(body), body
    assert f"is read in SNOMED CT {NO_2025}" in _message(body) and INT_2025 in _message(body)
