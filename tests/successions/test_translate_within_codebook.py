"""Review s15 F9 and F8: edition $translate without target-version into the same codebook, and a fragment
edition's silence not read as the year a code was retired."""
from __future__ import annotations

import os

import pytest

from mappings.translate import TranslateRequest, translate
from terminology.identifiers import NCMP
from tests.conftest import DATA

ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"
HERE = os.path.join(DATA, "icd10no_slices")
ICD10_SLICES = [os.path.join(HERE, f) for f in ("icd10no-2025.json", "icd10no-2026-fragment.json",
                                                 "icd10no-2027.json")]


@pytest.fixture
def icd10_catalog(store):
    from terminology import Catalog
    from terminology.loader import import_paths
    import_paths(store, ICD10_SLICES)
    return Catalog(store)


def test_retired_code_without_target_version_is_not_equal_to_itself(catalog):
    res = translate(catalog, TranslateRequest(code="ZWUU40", system=NCMP, target_system=NCMP))
    assert res.result is False
    assert not [m for m in res.matches if m.code == "ZWUU40" and m.equivalence == "equal"]
    assert "ZWUU40 (NCMP 2020) was retired in 2021 without a successor" in res.message


def test_retired_code_over_http_without_versions(seeded_client):
    r = seeded_client.get("/fhir/ConceptMap/$translate", query_string={
        "system": NCMP, "code": "ZWUU40", "targetsystem": NCMP})
    body = r.get_json()
    got = {p["name"]: p for p in body["parameter"]}
    assert got["result"]["valueBoolean"] is False
    assert "retired in 2021 without a successor" in got["message"]["valueString"]


def test_explicit_versions_answer_as_before(catalog):
    res = translate(catalog, TranslateRequest(code="ZWUU40", system=NCMP, version="2020", target_version="2021"))
    assert res.result is False and "retired in 2021" in res.message
    res = translate(catalog, TranslateRequest(code="ZWUU40", system=NCMP, version="2019", target_version="2020",
                                              target_system=NCMP))
    assert [(m.code, m.equivalence) for m in res.matches] == [("ZWUU40", "equal")]


def test_current_code_without_versions_is_itself_in_the_latest_edition(catalog):
    res = translate(catalog, TranslateRequest(code="RXGX05", system=NCMP, target_system=NCMP))
    assert [(m.code, m.equivalence, m.version) for m in res.matches if m.code] == [("RXGX05", "equal", "2021")]


def test_fragment_silence_is_not_retirement_validto_gives_the_year(icd10_catalog):
    res = translate(icd10_catalog, TranslateRequest(code="M19.06", system=ICD10_NO, version="2025",
                                                    target_version="2027", target_system=ICD10_NO))
    assert res.result is False
    assert "retired in 2026" in res.message, res.message
    assert "2027" not in res.message.replace("ICD-10-NO 2027", "")
