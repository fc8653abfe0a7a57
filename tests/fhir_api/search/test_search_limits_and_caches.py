"""Review of the R4 search (fhir_api.search): request size limits, caches that keep only resource-side values,
OIDs in ValueSet searches, the designation-language cache, repeated result parameters, bounded warnings,
the shared value helpers, strict reading of numbers and dates, empty result parameters."""
from urllib.parse import parse_qs, urlsplit

import pytest

from fhir_api import search
from mappings import conceptmap_search, search_values

from .test_search_r4 import FJ, RESOURCES, STRICT, error_text, ids, ordered

ICD10_OID = "urn:oid:2.16.578.1.12.4.1.1.7110"
VS_ICD = {"resourceType": "ValueSet", "id": "vs-icd", "url": "http://example.org/vs/icd", "name": "Icd",
          "status": "active", "compose": {"include": [{"system": ICD10_OID, "concept": [{"code": "A00"}]}]}}
VS_ICD_URL = {"resourceType": "ValueSet", "id": "vs-icd-url", "url": "http://example.org/vs/icd-url",
              "name": "IcdUrl", "status": "active",
              "compose": {"include": [{"system": "http://hl7.org/fhir/sid/icd-10-no", "concept": [{"code": "A00"}]}]}}


@pytest.fixture
def c(client):
    for r in RESOURCES:
        assert client.put(f"/fhir/{r['resourceType']}/{r['id']}", json=r, content_type=FJ).status_code in (200, 201)
    return client


def self_link(body) -> dict:
    url = next(l["url"] for l in body["link"] if l["relation"] == "self")
    return parse_qs(urlsplit(url).query)


# --- 1. oversized requests -----------------------------------------------------------------------------

def test_too_many_alternatives_in_one_value_is_refused_with_the_limit(c):
    text = error_text(c.get("/fhir/CodeSystem?name=" + ",".join(f"n{i}" for i in range(1001))))
    assert "1000 alternatives" in text
    # a huge value is refused before it is split
    text = error_text(c.post("/fhir/CodeSystem/_search", data="name=" + "a," * 100_000,
                             content_type="application/x-www-form-urlencoded"))
    assert "KB" in text or "alternatives" in text


def test_too_many_search_tests_is_refused_with_the_limit(c):
    text = error_text(c.get("/fhir/CodeSystem?" + "&".join(["name=B"] * 51)))
    assert "at most 50" in text
    assert c.get("/fhir/CodeSystem?" + "&".join(["name=A"] * 50)).status_code == 200
    text = error_text(c.get("/fhir/CodeSystem?" + "&".join(f"name=n{i},m{i}" for i in range(40))
                            + "&code=" + ",".join(f"c{i}" for i in range(990))))
    assert "at most 1000" in text


def test_too_many_sort_keys_and_a_big_form_are_refused(c):
    assert "at most 10" in error_text(c.get("/fhir/CodeSystem?_sort=" + ",".join(["name"] * 11)))
    text = error_text(c.post("/fhir/CodeSystem/_search", data="name=" + "x" * (300 * 1024),
                             content_type="application/x-www-form-urlencoded"))
    assert "256 KB" in text


def test_duplicate_alternatives_are_dropped_and_values_folded_once(c):
    with c.application.app_context():
        from fhir_api.store import get_catalog
        q = search.Query("CodeSystem", [("name", "ÆB,Æb,æb"), ("title", "Første,Første"),
                                        ("name:exact", "A,A")], get_catalog(), False)
    assert [t.alts for t in q.tests] == [["æb"], [search.fold("Første")], ["A"]]
    assert ids(c, "CodeSystem?name=alpha,ALPHA,Alpha") == ["alpha", "alpha2"]


# --- 2. caches keep no client junk ------------------------------------------------------------------------

def test_long_client_values_are_not_kept_in_the_caches(c):
    junk = "q" * 5000
    before = search._fold_kept.cache_info().currsize
    assert ids(c, f"CodeSystem?name={junk}1") == []
    assert ids(c, f"CodeSystem?name:contains={junk}2") == []
    assert search._fold_kept.cache_info().currsize - before <= 4      # the names of the resources, not the value
    dates = search._date_range_kept.cache_info().currsize
    assert "not a valid value" in error_text(c.get("/fhir/CodeSystem?date=2020" + "0" * 5000))
    assert search._date_range_kept.cache_info().currsize == dates


# --- 3. an OID finds value sets ----------------------------------------------------------------------------

def test_code_system_oid_finds_value_sets_by_reference_and_code(c):
    for r in (VS_ICD, VS_ICD_URL):
        assert c.put(f"/fhir/ValueSet/{r['id']}", json=r, content_type=FJ).status_code in (200, 201)
    both = ["vs-icd", "vs-icd-url"]
    assert ids(c, f"ValueSet?reference={ICD10_OID}") == both
    assert ids(c, "ValueSet?reference=http://hl7.org/fhir/sid/icd-10-no") == both
    assert ids(c, f"ValueSet?code={ICD10_OID}|A00") == both
    assert ids(c, "ValueSet?code=http://hl7.org/fhir/sid/icd-10-no|A00") == both
    assert ids(c, "ValueSet?code:not=http://hl7.org/fhir/sid/icd-10-no|A00&name=Icd") == []
    # the alpha code system is known by an OID through the NamingSystem ns-alpha
    assert ids(c, "ValueSet?reference=urn:oid:1.2.3.4") == ["vs-enum"]
    assert ids(c, "ValueSet?code=1.2.3.4|BP") == ["vs-enum"]


# --- 5. language: cached per resource revision; no duplicate body read -----------------------------------

def test_a_count_by_language_reads_no_body(client, db_path):
    for r in RESOURCES[:4]:
        client.put(f"/fhir/CodeSystem/{r['id']}", json=r, content_type=FJ)
    from fhir_api import create_app
    fresh = create_app({"DB": db_path, "DEMO": False})
    with fresh.app_context():
        from fhir_api.store import get_catalog
        catalog = get_catalog()
        assert fresh.test_client().get("/fhir/CodeSystem?language=nb&_summary=count").get_json()["total"] == 1
        assert catalog._body_cache == {}


# --- 6. repeated result parameters -------------------------------------------------------------------------

def test_repeated_sort_joins_and_the_self_link_says_so(c):
    b = c.get("/fhir/CodeSystem?_sort=name&_sort=-date").get_json()
    assert [e["resource"]["id"] for e in b["entry"]] == ordered(c, "CodeSystem?_sort=name,-date")
    assert self_link(b)["_sort"] == ["name,-date"]


def test_repeated_count_is_refused_unless_the_same(c):
    text = error_text(c.get("/fhir/CodeSystem?_count=1&_count=2"))
    assert "_count" in text and "twice" in text
    b = c.get("/fhir/CodeSystem?_count=1&_count=1").get_json()
    assert self_link(b)["_count"] == ["1"]
    assert "twice" in error_text(c.get("/fhir/CodeSystem?_total=none&_total=accurate"))


# --- 7. bounded warnings ---------------------------------------------------------------------------------------

def test_unknown_parameter_warnings_are_bounded(c):
    query = "&".join(f"bogus{i}=1" for i in range(300)) + "&" + "k" * 5000 + "=1"
    r = c.get("/fhir/CodeSystem?" + query)
    assert r.status_code == 200 and len(r.data) < 20_000
    oo = next(e["resource"] for e in r.get_json()["entry"] if e["search"]["mode"] == "outcome")
    texts = [i["details"]["text"] for i in oo["issue"]]
    assert len(texts) == search.MAX_REPORTED + 2
    assert "… and 281 more" in texts[-2]
    assert sum("content-mode" in t for t in texts) == 1            # the known parameters, once
    long_key = c.get("/fhir/CodeSystem?" + "k" * 5000 + "=1").get_json()
    text = next(e["resource"] for e in long_key["entry"] if e["search"]["mode"] == "outcome")["issue"][0]
    assert len(text["details"]["text"]) < 300
    assert "'" + "k" * 5000 not in error_text(c.get("/fhir/CodeSystem?" + "k" * 5000 + "=1", headers=STRICT))


# --- 8. one place for the value helpers -----------------------------------------------------------------------

def test_search_and_conceptmap_search_share_the_value_helpers(c):
    assert conceptmap_search.alternatives is search._alternatives is search_values.alternatives
    assert conceptmap_search._fits is search._reference_match is search_values.canonical_fits
    assert not hasattr(conceptmap_search, "_UNESCAPED_COMMA") and not hasattr(search, "_UNESCAPED_COMMA")
    # one blank rule: a blank alternative asks nothing, on either side
    assert ids(c, "CodeSystem?name=%20") == ids(c, "CodeSystem")
    assert ids(c, "CodeSystem?name=Beta,%20") == ["beta", "beta-sup"]
    # CodeSystem/a/b is no logical id (mappings.scope.logical_id)
    with c.application.app_context():
        from fhir_api.store import get_catalog
        q = search.Query("CodeSystem", [], get_catalog(), False)
        assert q._reference("CodeSystem/beta") == ("http://example.org/cs/beta", "10.0", True)
        assert q._reference("CodeSystem/beta/x")[2] is False


# --- 9. strict reading ----------------------------------------------------------------------------------------

def test_numbers_and_dates_take_ascii_digits_only(c):
    for bad in ("%EF%BC%91", "1_0", "%201", "%2B5", "-1", "1.5"):
        assert "_count" in error_text(c.get(f"/fhir/CodeSystem?_count={bad}")), bad
    assert "not a valid value" in error_text(c.get("/fhir/CodeSystem?date=%D9%A2%D9%A0%D9%A2%D9%A0"))
    assert "not a valid value" in error_text(c.get("/fhir/CodeSystem?date=2020-01-01T10:00:00%2B00:99"))
    assert c.get("/fhir/CodeSystem?date=2020-01-01T10:00:00%2B00:59").status_code == 200
    # a quantity too: Arabic-Indic 18 is not 18
    assert "quantity" in error_text(c.get("/fhir/ValueSet?context-quantity=%D9%A1%D9%A8"))
    assert "quantity" in error_text(c.get("/fhir/ValueSet?context-quantity=xx18"))
    assert c.get("/fhir/ValueSet?context-quantity=ge18").status_code == 200


def test_double_minus_sort_is_refused(c):
    assert "-name" in error_text(c.get("/fhir/CodeSystem?_sort=--name"))
    assert error_text(c.get("/fhir/CodeSystem?_sort=-"))


def test_empty_result_parameters_are_absent(c):
    for p in ("_count", "_total", "_summary", "_sort", "_offset", "_elements"):
        r = c.get(f"/fhir/CodeSystem?{p}=")
        assert r.status_code == 200, (p, r.get_json())
        assert r.get_json()["total"] == 4
        assert p not in self_link(r.get_json()) or p == "_offset"


def test_code_search_reads_codes_as_lookup_does_many_at_once(client):
    """CodeSystem?code= with many alternatives is answered from set lookups; the answers stay those of $lookup:
    any case in a system that ignores case, never a code that differs only in case from two of its codes."""
    cs = {"resourceType": "CodeSystem", "id": "units", "url": "http://example.org/units", "version": "1",
          "status": "active", "content": "complete", "concept": [{"code": "mg"}, {"code": "Mg"}, {"code": "kg"}]}
    strict = {**cs, "id": "units-cs", "url": "http://example.org/units-cs", "caseSensitive": True}
    for r in (cs, strict):
        assert client.put(f"/fhir/CodeSystem/{r['id']}", json=r).status_code == 201

    def found(q):
        body = client.get(f"/fhir/CodeSystem?code={q}").get_json()
        return sorted(e["resource"]["id"] for e in body.get("entry", []))

    assert found("mg") == ["units", "units-cs"]
    assert found("KG") == ["units"]
    assert found("MG") == []
    assert found(",".join(f"x{i}" for i in range(500)) + ",Kg") == ["units"]
    assert found("http://example.org/units-cs|kg,http://example.org/units|MG") == ["units-cs"]
