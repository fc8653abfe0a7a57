"""A SNOMED CT version naming no loaded edition on the succession path (whole19-mappings F4): an edition URI and any
other spelling (`1`, a bare date) get the one answer every SNOMED CT path gives, the 404 naming the loaded editions,
whatever the target."""
from __future__ import annotations

import pytest

from .conftest import INT_2018, NO_2025, NO_NOT_LOADED, SE_2024, SNOMED

ICD10 = "http://hl7.org/fhir/sid/icd-10"


def _not_loaded_text(client, **qs) -> str:
    r = client.get("/fhir/ConceptMap/$translate", query_string={"system": SNOMED, "code": "155574008", **qs})
    assert r.status_code == 404, r.get_json()
    issue = r.get_json()["issue"][0]
    assert issue["code"] == "not-found", issue
    return issue["details"]["text"]


@pytest.mark.parametrize("asked", ["1", "20250415", NO_NOT_LOADED])
@pytest.mark.parametrize("target", [{"targetsystem": SNOMED}, {"targetsystem": ICD10}, {}])
def test_a_version_naming_no_loaded_edition_is_one_404_whatever_its_spelling(three, asked, target):
    text = _not_loaded_text(three, version=asked, **target)
    assert f"SNOMED CT {asked} is not loaded; loaded:" in text, text
    assert all(e in text for e in (INT_2018, SE_2024, NO_2025)), text
    # a bare date or number is told how an edition is named; a URI needs no such word
    assert ("is named by its URI" in text) is (asked != NO_NOT_LOADED), text


@pytest.mark.parametrize("asked", ["1", "20250415", NO_NOT_LOADED])
def test_a_target_version_naming_no_loaded_edition_is_the_same_404(three, asked):
    text = _not_loaded_text(three, version=NO_2025, targetsystem=SNOMED, **{"target-version": asked})
    assert f"SNOMED CT {asked} is not loaded; loaded:" in text, text
    assert all(e in text for e in (INT_2018, SE_2024, NO_2025)), text
