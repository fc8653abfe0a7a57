"""Implicit value sets kept per store revision (terminology/implicit.py), and SNOMED CT filter tests that
may be kept across requests (SnomedIndex.filter_test): same answers as when made afresh, a new import seen
at once, different URLs never confused, bounded."""
from __future__ import annotations

import gc
import importlib.util
import os
import threading

import pytest

from terminology import Catalog, import_paths, open_store
from terminology import implicit
from terminology.errors import InvalidRequest
from terminology.implicit import kept_for_revision, resolve
from terminology.operations.validate import ValidateRequest, validate_code
from .conftest import SAMPLES, SNOMED

ECL = "<< 64572001 MINUS << 233604007"
URL = f"{SNOMED}?fhir_vs=ecl/{ECL}"
# code -> member of URL's value set in the hand-made release
EXPECTED = {"38341003": True, "48194001": True, "64572001": True, "233604007": False, "75570004": False,
            "29857009": False}

MULTI = os.path.join(SAMPLES, "multimodule")
_spec = importlib.util.spec_from_file_location("make_multimodule", os.path.join(MULTI, "make_multimodule.py"))
M = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(M)


def result(catalog, url_or_vs, code) -> bool:
    vs = resolve(catalog, url_or_vs) if isinstance(url_or_vs, str) else url_or_vs
    return validate_code(catalog, ValidateRequest(valueset=vs, codings=[{"system": SNOMED, "code": code}])).result


def answers(catalog, url, codes) -> dict:
    return {code: result(catalog, url, code) for code in codes}


def test_one_dict_per_url_and_revision(no_catalog):
    vs = resolve(no_catalog, URL)
    assert resolve(no_catalog, URL) is vs
    assert kept_for_revision(no_catalog, vs)
    assert kept_for_revision(no_catalog, dict(vs)) is False     # an equal copy is not the kept one
    for _ in range(3):
        assert answers(no_catalog, URL, EXPECTED) == EXPECTED
        assert {code: result(no_catalog, vs, code) for code in EXPECTED} == EXPECTED


def test_answers_equal_those_of_a_value_set_made_afresh(no_catalog):
    fresh = implicit._resolve(no_catalog, URL)      # what every request got before anything was kept
    assert fresh is not resolve(no_catalog, URL) and fresh == resolve(no_catalog, URL)
    codes = list(EXPECTED) + ["404684003", "155574008", "71000202107", "not-a-code"]
    for code in codes:
        kept = validate_code(no_catalog, ValidateRequest(valueset=resolve(no_catalog, URL),
                                                         codings=[{"system": SNOMED, "code": code}]))
        made = validate_code(no_catalog, ValidateRequest(valueset=fresh, codings=[{"system": SNOMED, "code": code}]))
        assert (kept.result, kept.params, [(i.severity, i.tx_code, i.text) for i in kept.issues]) == \
               (made.result, made.params, [(i.severity, i.tx_code, i.text) for i in made.issues]), code


def test_different_ecl_urls_are_not_confused(no_catalog):
    urls = {URL: EXPECTED,
            f"{SNOMED}?fhir_vs=ecl/<< 233604007": {"233604007": True, "75570004": True, "64572001": False,
                                                   "38341003": False},
            f"{SNOMED}?fhir_vs=ecl/< 64572001": {"64572001": False, "38341003": True, "233604007": True},
            f"{SNOMED}?fhir_vs=isa/233604007": {"233604007": True, "64572001": False}}
    kept = {url: resolve(no_catalog, url) for url in urls}
    assert len({id(v) for v in kept.values()}) == len(urls)
    for _ in range(3):      # interleaved, so that nothing one URL leaves behind answers for another
        for url, expected in urls.items():
            assert resolve(no_catalog, url) is kept[url]
            assert answers(no_catalog, url, expected) == expected, url


def test_a_new_import_is_seen_at_once(tmp_path):
    """A value set kept in one store revision is not used in the next: the implicit URL is resolved again
    (its version may be another) and what was worked out about it is worked out again."""
    import terminology.snomed  # noqa: F401
    store = open_store(os.path.join(str(tmp_path), "snomed.db"))
    import_paths(store, [os.path.join(MULTI, M.INT_DIR)], fmt="rf2")
    catalog = Catalog(store)
    url = f"{SNOMED}?fhir_vs=ecl/<< {M.PNEUMONIA}"
    no_module = f"{SNOMED}/51000202101?fhir_vs=ecl/<< {M.PNEUMONIA}"
    before = resolve(catalog, url)
    for _ in range(2):     # the international release: asthma is (wrongly) a pneumonia
        assert result(catalog, url, M.ASTHMA) is True and result(catalog, url, M.VIRAL) is True
        assert result(catalog, no_module, M.VIRAL) is False   # the Norwegian module is not loaded yet
    import_paths(store, [MULTI], fmt="rf2")     # the Norwegian edition retires that is-a
    catalog.refresh(force=True)
    after = resolve(catalog, url)
    assert after is not before and not kept_for_revision(catalog, before) and kept_for_revision(catalog, after)
    assert resolve(catalog, no_module)["compose"]["include"][0]["version"] == \
        f"{SNOMED}/51000202101/version/20250415"
    fresh = Catalog(store)
    for cat in (catalog, fresh, catalog):
        assert result(cat, url, M.ASTHMA) is False and result(cat, url, M.VIRAL) is True
        assert result(cat, no_module, M.VIRAL) is True and result(cat, no_module, M.ASTHMA) is False
    store.close()


def test_kept_value_sets_are_bounded(no_catalog, monkeypatch):
    monkeypatch.setattr(implicit, "MAX_KEPT", 3)
    kept = no_catalog.derived(implicit._KEY, implicit._Kept)
    monkeypatch.setattr(kept, "by_url", {})
    monkeypatch.setattr(kept, "by_id", {})
    urls = [f"{SNOMED}?fhir_vs=ecl/<< 64572001 MINUS << {c}" for c in ("233604007", "75570004", "38341003",
                                                                      "48194001", "29857009", "64572001")]
    first = [resolve(no_catalog, u) for u in urls]
    assert len(kept.by_url) == 3 and len(kept.by_id) == 3
    assert [kept_for_revision(no_catalog, v) for v in first] == [True] * 3 + [False] * 3
    assert [resolve(no_catalog, u) is v for u, v in zip(urls, first)] == [True] * 3 + [False] * 3
    # those past the bound are resolved per request, to the same answers
    assert result(no_catalog, urls[4], "38341003") is True and result(no_catalog, urls[4], "29857009") is False
    assert result(no_catalog, urls[5], "64572001") is False and result(no_catalog, urls[5], "38341003") is False


def test_long_urls_unknown_urls_and_errors_are_not_kept(no_catalog):
    kept = no_catalog.derived(implicit._KEY, implicit._Kept)
    long_url = f"{SNOMED}?fhir_vs=ecl/" + " OR ".join(["<< 64572001"] * 600)
    assert len(long_url) > implicit.MAX_URL_CHARS
    assert resolve(no_catalog, long_url) is not resolve(no_catalog, long_url)
    assert result(no_catalog, long_url, "38341003") is True
    assert resolve(no_catalog, "http://example.org/no-such-value-set") is None
    for _ in range(2):
        with pytest.raises(InvalidRequest):
            resolve(no_catalog, f"{SNOMED}?fhir_vs=nonsense/1")
    assert long_url not in kept.by_url and f"{SNOMED}?fhir_vs=nonsense/1" not in kept.by_url


def test_nothing_is_kept_for_a_request_that_brings_resources(no_catalog):
    overlay = no_catalog.overlay([{"resourceType": "CodeSystem", "url": "http://example.org/cs", "status": "active",
                                   "content": "complete", "concept": [{"code": "a"}]}])
    one, two = resolve(overlay, URL), resolve(overlay, URL)
    assert one is not two and not kept_for_revision(overlay, one)
    assert {code: result(overlay, one, code) for code in EXPECTED} == EXPECTED


def test_threads_get_one_value_set(no_catalog):
    url = f"{SNOMED}?fhir_vs=ecl/<< 64572001 MINUS << 48194001"
    got, start = [], threading.Barrier(8)

    def work():
        start.wait()
        got.append((resolve(no_catalog, url), result(no_catalog, url, "38341003"), result(no_catalog, url, "48194001")))
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(vs) for vs, _a, _b in got}) == 1
    assert {(a, b) for _vs, a, b in got} == {(True, False)}


# --- filter tests that may outlive a request ---------------------------------------------------------
def test_a_kept_filter_test_holds_no_members(no_cs):
    test = no_cs.filter_test("constraint", "=", ECL)
    members = {no_cs.codes[i] for i in no_cs.filter_numbers("constraint", "=", ECL)}
    no_cs._filter_cache.clear()         # the cache drops the members: the test must not have kept them
    no_cs._filter_cached = 0
    gc.collect()
    assert all(test(no_cs.get(code)) is (code in members) for code in no_cs.codes)
    assert ("constraint", "=", ECL) in no_cs._filter_cache     # evaluated again, and kept by the cache


def test_validate_code_right_after_the_filter_cache_dropped_its_members(no_catalog, no_cs):
    for _ in range(3):
        assert answers(no_catalog, URL, EXPECTED) == EXPECTED
        no_cs._filter_cache.clear()
        no_cs._filter_cached = 0
        gc.collect()


def test_an_edition_larger_than_the_filter_cache_keeps_no_tests(no_cs, monkeypatch):
    """An answer the filter cache does not take is held by the test made of it, and then that test must not
    outlive the request: the index says so, and compose.py keeps its rules per request."""
    from terminology.snomed import index_filters as index
    assert no_cs.keep_filter_tests is True
    monkeypatch.setattr(index, "_FILTER_CACHE_MEMBERS", 10)
    assert no_cs.keep_filter_tests is False
    no_cs._filter_cache.clear()
    no_cs._filter_cached = 0
    ecl = "<< 404684003"
    big = no_cs.filter_numbers("constraint", "=", ecl)
    assert len(big) > 5 and ("constraint", "=", ecl) not in no_cs._filter_cache
    test = no_cs.filter_test("constraint", "=", ecl)
    gc.collect()
    assert all(test(no_cs.get(code)) is (no_cs.pos[code] in big) for code in no_cs.codes)
    assert ("constraint", "=", ecl) not in no_cs._filter_cache      # answered from what the test holds
