"""The `url` search parameter takes FHIR search's `url|version` (search.html#versions) for every canonical
resource, stored or served, not only for the SNOMED CT implicit ConceptMaps."""
from __future__ import annotations

import pytest

from fhir_api import create_app
from tests.snomed.conftest import DUMMY, HANDMADE, LITE, SNOMED, client_at

ICPC2_ICD10 = "https://kodebro.no/fhir/ConceptMap/icpc2-icd10"
NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"
REPLACED_BY = SNOMED + "?fhir_cm=900000000000526001"
INT_2018 = "http://snomed.info/sct/900000000000207008/version/20180731"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return create_app({"DB": str(tmp_path_factory.mktemp("url-version") / "k.db"), "DEMO": True}).test_client()


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    return client_at(tmp_path_factory.mktemp("url-version-sct"), DUMMY, LITE, HANDMADE)


def _versions(client, rtype, **qs) -> list:
    r = client.get(f"/fhir/{rtype}", query_string=qs)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    got = [e["resource"].get("version") for e in body.get("entry") or [] if e["search"]["mode"] == "match"]
    assert body["total"] == len(got)
    return sorted(got)


def test_a_stored_map_is_found_by_url_and_version(demo):
    assert _versions(demo, "ConceptMap", url=ICPC2_ICD10 + "|2019") == ["2019"]
    assert _versions(demo, "ConceptMap", url=ICPC2_ICD10 + "|2018") == []
    assert _versions(demo, "ConceptMap", url=ICPC2_ICD10) == ["2019"]


def test_url_and_version_picks_one_edition_of_a_code_system(demo):
    assert _versions(demo, "CodeSystem", url=NCMP + "|2020") == ["2020"]
    assert _versions(demo, "CodeSystem", url=f"{NCMP}|2020,{NCMP}|2021") == ["2020", "2021"]
    assert len(_versions(demo, "CodeSystem", url=NCMP)) > 2
    # AND by repetition: a plain url and a versioned one agree on that version
    assert _versions(demo, "CodeSystem", url=[NCMP, NCMP + "|2021"]) == ["2021"]
    assert _versions(demo, "CodeSystem", url=[NCMP + "|2020", NCMP + "|2021"]) == []


def test_a_code_system_oid_with_a_version(demo):
    # the OID form finds a code system like its URL, with `|version` too
    icd10no = "urn:oid:2.16.578.1.12.4.1.1.7110"
    assert _versions(demo, "CodeSystem", url=icd10no + "|2026") == ["2026"]
    assert _versions(demo, "CodeSystem", url=icd10no + "|2025") == []


def test_url_modifiers_still_read_the_url_as_written(demo):
    # :below compares URLs, a `|version` is no part of one
    assert _versions(demo, "ConceptMap", **{"url:below": ICPC2_ICD10 + "|2019"}) == []
    assert _versions(demo, "ConceptMap", **{"url:below": "https://kodebro.no/fhir/ConceptMap"})


def test_an_implicit_map_by_url_and_version(three):
    assert _versions(three, "ConceptMap", url=REPLACED_BY + "|" + INT_2018) == [INT_2018]
    # a pin naming the edition by its module alone finds the map read in that edition
    module_only = REPLACED_BY + "|http://snomed.info/sct/900000000000207008"
    assert _versions(three, "ConceptMap", url=module_only) == [INT_2018]
    assert _versions(three, "ConceptMap", url=[REPLACED_BY + "|" + INT_2018, module_only]) == [INT_2018]
    assert _versions(three, "ConceptMap", url=[module_only, REPLACED_BY + "|" + INT_2018]) == [INT_2018]


def test_codesystem_system_takes_a_version_as_url_does(demo):
    # CodeSystem's `system` is its url by another name (R4 CodeSystem-system): url|version alike
    every = _versions(demo, "CodeSystem", url=NCMP)
    assert len(every) > 1
    for v in every:
        assert _versions(demo, "CodeSystem", system=NCMP + "|" + v) == [v] == \
            _versions(demo, "CodeSystem", url=NCMP + "|" + v)
    assert _versions(demo, "CodeSystem", system=NCMP + "|1999") == []
