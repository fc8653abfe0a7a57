"""Rules as terminology over the full NAV ICD-10 list: reportable codes, main condition, search."""
from __future__ import annotations

from terminology.identifiers import ICD10_NO
from terminology.norway import exclusion_reason
from terminology.norway.rules import MAIN_CONDITION_VS, REPORTABLE_VS

from .conftest import params

ICD = ICD10_NO


def _validate(client, vs, code):
    r = client.get("/fhir/ValueSet/$validate-code", query_string={"url": vs, "system": ICD, "code": code})
    assert r.status_code == 200
    return params(r.get_json())


def test_u071_is_not_valid_as_main_condition_and_the_valueset_says_why(nav_client, nav_catalog):
    p = _validate(nav_client, MAIN_CONDITION_VS, "U07.1")
    assert p["result"] is False
    assert p["code"] == "U071"
    vs = nav_catalog.valueset(MAIN_CONDITION_VS, "2026")
    reason = exclusion_reason(vs, ICD, "U07.1")
    assert "ikke gyldig hovedtilstand" in reason and "J12.8" in reason
    # the answer itself carries the reason, so the coder sees what to do
    assert reason in p["message"]


def test_other_excluded_codes_and_an_allowed_one(nav_client, nav_catalog):
    vs = nav_catalog.valueset(MAIN_CONDITION_VS, "2026")
    for code in ("U099", "Z030", "Z038", "U072"):
        assert _validate(nav_client, MAIN_CONDITION_VS, code)["result"] is False, code
        assert exclusion_reason(vs, ICD, code)
    for code in ("J12.8", "R060", "Z711", "D3701"):
        assert _validate(nav_client, MAIN_CONDITION_VS, code)["result"] is True, code
        assert exclusion_reason(vs, ICD, code) is None


def test_reportable_valueset_holds_leaves_not_groupings(nav_client):
    assert _validate(nav_client, REPORTABLE_VS, "U07.1")["result"] is True
    assert _validate(nav_client, REPORTABLE_VS, "J12")["result"] is False      # WHO category, a grouping
    assert _validate(nav_client, REPORTABLE_VS, "X")["result"] is False        # chapter


def _expand(client, text, count=10):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": REPORTABLE_VS, "filter": text, "count": count})
    assert r.status_code == 200
    return [c["code"] for c in r.get_json()["expansion"].get("contains", [])]


def test_search_kolera_finds_the_cholera_codes_first(nav_client):
    assert _expand(nav_client, "kolera")[:3] == ["A000", "A001", "A009"]


def test_search_by_code_prefix_and_norwegian_letters(nav_client):
    assert _expand(nav_client, "A00") == ["A000", "A001", "A009"]
    assert "R060" in _expand(nav_client, "dyspné")
    assert any(c.startswith("J") for c in _expand(nav_client, "åndedrett", 50))


def test_main_condition_valueset_is_pinned_to_its_edition(nav_catalog):
    vs = nav_catalog.valueset(MAIN_CONDITION_VS, "2026")
    inc = vs["compose"]["include"][0]
    assert inc["version"] == "2026"
    assert inc["filter"] == [{"property": "reportable", "op": "=", "value": "true"}]


def test_implicit_valueset_of_the_codebook_is_searchable(nav_client):
    r = nav_client.get("/fhir/ValueSet/$expand",
                       query_string={"url": ICD + "?fhir_vs", "filter": "kolera", "count": 10})
    assert r.status_code == 200
    codes = [c["code"] for c in r.get_json()["expansion"]["contains"]]
    assert codes[:3] == ["A000", "A001", "A009"]
