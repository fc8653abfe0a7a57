"""Search results against R4 search.html (#summary, #elements, #count, paging, #errors, modifiers) and
bundle.html (searchset: total, link, fullUrl, search.mode)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import assert_oo

SUBSETTED = "SUBSETTED"


def links(b: dict) -> dict:
    return {l["relation"]: l["url"] for l in b.get("link", [])}


def _tags(res: dict) -> list[str]:
    return [t.get("code") for t in (res.get("meta") or {}).get("tag", [])]


def test_searchset_shape(kb):
    b = kb.get("/fhir/CodeSystem?_count=2").get_json()
    assert b["resourceType"] == "Bundle" and b["type"] == "searchset"
    assert isinstance(b["total"], int) and b["total"] > 2
    ls = links(b)
    assert {"self", "next"} <= set(ls) and "previous" not in ls
    for e in b["entry"]:
        assert e["search"]["mode"] == "match"
        assert e["fullUrl"] == f"http://localhost/fhir/CodeSystem/{e['resource']['id']}"   # absolute, resolvable
        assert "concept" not in e["resource"]


def test_paging_walks_every_match_once(kb):
    total = kb.get("/fhir/CodeSystem?_summary=count").get_json()["total"]
    seen, url = [], "/fhir/CodeSystem?_count=4"
    for _ in range(50):
        b = kb.get(url).get_json()
        seen += [e["resource"]["id"] for e in b.get("entry", [])]
        nxt = links(b).get("next")
        if not nxt:
            break
        assert "previous" in links(kb.get(nxt.replace("http://localhost", "")).get_json())
        url = nxt.replace("http://localhost", "")
    assert len(seen) == total == len(set(seen))


def test_self_link_names_the_parameters_used(kb):
    b = kb.get("/fhir/CodeSystem?name=ICD&_count=3").get_json()
    q = parse_qs(urlsplit(links(b)["self"]).query)
    assert q["name"] == ["ICD"] and q["_count"] == ["3"]


def test_summary_count(kb):
    b = kb.get("/fhir/ValueSet?_summary=count").get_json()
    assert b["total"] > 0 and "entry" not in b


def test_count_zero_gives_total_without_entries(kb):
    b = kb.get("/fhir/CodeSystem?_count=0").get_json()
    assert b["total"] > 0 and not b.get("entry")
    assert "next" not in links(b)


@pytest.mark.parametrize("bad", ["-1", "abc", "1.5"])
def test_bad_count_is_400_naming_count(kb, bad):
    assert_oo(kb.get(f"/fhir/CodeSystem?_count={bad}"), 400, "_count")


def test_huge_count_is_capped_not_refused(kb):
    b = kb.get("/fhir/CodeSystem?_count=1000000").get_json()
    assert b["type"] == "searchset" and len(b["entry"]) == b["total"]


def test_summary_true_drops_non_summary_elements_and_tags(kb):
    res = kb.get("/fhir/CodeSystem?url=http://hl7.org/fhir/sid/icd-10-no&_summary=true").get_json()["entry"][0]["resource"]
    assert "concept" not in res and "text" not in res
    assert {"url", "status", "content"} <= set(res)
    assert SUBSETTED in _tags(res)


def test_summary_data_drops_text(kb):
    res = kb.get("/fhir/ValueSet?_count=1&_summary=data").get_json()["entry"][0]["resource"]
    assert "text" not in res and "status" in res


def test_summary_data_keeps_concepts_on_read(kb):
    full = kb.get("/fhir/CodeSystem/ICD10NO-2026").get_json()
    assert full.get("concept")
    res = kb.get("/fhir/CodeSystem/ICD10NO-2026?_summary=data").get_json()
    assert "text" not in res and len(res.get("concept", [])) == len(full["concept"])


def test_summary_text_keeps_mandatory_elements(kb):
    res = kb.get("/fhir/CodeSystem?url=http://hl7.org/fhir/sid/icd-10-no&_summary=text").get_json()["entry"][0]["resource"]
    assert {"status", "content"} <= set(res)


def test_elements_keeps_mandatory_elements(kb):
    res = kb.get("/fhir/CodeSystem?url=http://hl7.org/fhir/sid/icd-10-no&_elements=url").get_json()["entry"][0]["resource"]
    assert {"url", "status", "content"} <= set(res)


def test_elements_subsets_and_tags(kb):
    res = kb.get("/fhir/ValueSet?_count=1&_elements=url,name").get_json()["entry"][0]["resource"]
    assert "compose" not in res and "url" in res and SUBSETTED in _tags(res)


def test_bad_summary_value_is_400(kb):
    assert_oo(kb.get("/fhir/CodeSystem?_summary=maybe"), 400, "_summary")


def test_unknown_parameter_lenient_is_reported_in_an_outcome_entry(kb):
    for prefer in ({}, {"Prefer": "handling=lenient"}):
        b = kb.get("/fhir/CodeSystem?frobnicate=1&_count=1", headers=prefer).get_json()
        outcome = [e for e in b["entry"] if e["search"]["mode"] == "outcome"]
        assert len(outcome) == 1 and outcome[0]["resource"]["resourceType"] == "OperationOutcome"
        assert "frobnicate" in str(outcome[0]["resource"])
        # the ignored parameter is not in the self link (search.html: the link says what was used)
        assert "frobnicate" not in links(b)["self"]


def test_unknown_parameter_strict_is_400(kb):
    r = kb.get("/fhir/CodeSystem?frobnicate=1", headers={"Prefer": "handling=strict"})
    assert_oo(r, 400, "frobnicate", "handling=strict")


def test_unknown_modifier_strict_is_400(kb):
    r = kb.get("/fhir/CodeSystem?name:sounds-like=x", headers={"Prefer": "handling=strict"})
    assert_oo(r, 400, "sounds-like")


def test_string_default_is_case_insensitive_prefix_and_exact_is_exact(kb):
    def total(q):
        return kb.get(f"/fhir/CodeSystem?{q}&_summary=count").get_json()["total"]
    assert total("name=icd10") >= 1
    assert total("name:exact=ICD10NO") == 1
    assert total("name:exact=icd10no") == 0
    assert total("name:contains=CD10") >= 1


def test_missing_modifier(kb):
    def total(q):
        return kb.get(f"/fhir/CodeSystem?{q}&_summary=count").get_json()["total"]
    assert total("title:missing=true") + total("title:missing=false") == total("_count=50")
    assert_oo(kb.get("/fhir/CodeSystem?title:missing=perhaps"), 400, "true or false")


def test_post_search_form_equals_get(kb):
    g = kb.get("/fhir/CodeSystem?url=http://hl7.org/fhir/sid/icd-10-no").get_json()
    p = kb.post("/fhir/CodeSystem/_search", data="url=http://hl7.org/fhir/sid/icd-10-no",
                content_type="application/x-www-form-urlencoded").get_json()
    assert [e["fullUrl"] for e in g["entry"]] == [e["fullUrl"] for e in p["entry"]]


def test_post_search_with_json_body_is_415(kb):
    r = kb.post("/fhir/CodeSystem/_search", json={"url": "x"}, content_type="application/fhir+json")
    assert_oo(r, 415, "x-www-form-urlencoded")


def test_total_none_omits_total(kb):
    b = kb.get("/fhir/CodeSystem?_total=none&_count=1").get_json()
    assert "total" not in b and b["entry"]


def test_offset_beyond_end_is_an_empty_page(kb):
    b = kb.get("/fhir/CodeSystem?_offset=100000").get_json()
    assert b["type"] == "searchset" and not b.get("entry") and "next" not in links(b)


def test_bad_sort_key_names_the_sortable_ones(kb):
    assert_oo(kb.get("/fhir/CodeSystem?_sort=colour"), 400, "colour", "name")


def test_every_concept_map_full_url_resolves(kb):
    # derived (edition) maps are served but not stored: their fullUrl must still read
    b = kb.get("/fhir/ConceptMap?_count=500").get_json()
    assert b["entry"]
    for e in b["entry"]:
        r = kb.get(e["fullUrl"].replace("http://localhost", ""))
        assert r.status_code == 200 and r.get_json()["id"] == e["resource"]["id"]


def test_include_is_reported_as_ignored_or_refused_under_strict(kb):
    b = kb.get("/fhir/ValueSet?_include=ValueSet:reference&_count=1").get_json()
    assert "_include" in str([e["resource"] for e in b["entry"] if e["search"]["mode"] == "outcome"])
    assert_oo(kb.get("/fhir/ValueSet?_include=ValueSet:reference", headers={"Prefer": "handling=strict"}), 400,
              "_include")


def test_sort_descending(kb):
    b = kb.get("/fhir/CodeSystem?_sort=-name&_count=100&_elements=name").get_json()
    names = [e["resource"]["name"] for e in b["entry"] if e["resource"].get("name")]
    assert names == sorted(names, reverse=True)


def test_strict_is_read_among_other_preferences(kb):
    r = kb.get("/fhir/CodeSystem?frobnicate=1", headers={"Prefer": "return=representation, handling=strict"})
    assert_oo(r, 400, "frobnicate")


def test_self_link_shows_the_count_used(kb):
    b = kb.get("/fhir/CodeSystem?_count=5000").get_json()
    q = parse_qs(urlsplit(links(b)["self"]).query)
    assert q["_count"] == ["1000"]
