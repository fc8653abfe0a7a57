"""What $validate-code against a SNOMED CT implicit value set named by its URL keeps to answer fast (perf21): the
concept views SnomedIndex.get finds by code (`Concepts.by_code`), the implicit value set `resolve` takes from the
store revision without its usual calls, and the request's day worked out only for a concept that can be
deprecated. Each must see a new edition, a store change or a new year, and answer as before."""
from __future__ import annotations

import importlib.util
import os

from terminology import Catalog, import_paths, open_store
from terminology.implicit import kept_for_revision, resolve
from terminology.operations.validate import ValidateRequest, validate_code
from terminology.snomed import concept_view
from terminology.snomed.concept_view import Concepts
from .conftest import SAMPLES, SNOMED

MULTI = os.path.join(SAMPLES, "multimodule")
_spec = importlib.util.spec_from_file_location("make_multimodule", os.path.join(MULTI, "make_multimodule.py"))
M = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(M)


def answer(catalog, url, code):
    res = validate_code(catalog, ValidateRequest(valueset=resolve(catalog, url),
                                                 codings=[{"system": SNOMED, "code": code}]))
    return res.result, dict((name, value) for name, _key, value in res.params)


def test_views_found_by_code_are_the_bounded_cache_s_own(no_cs, monkeypatch):
    monkeypatch.setattr(concept_view, "_CACHE_SIZE", 5)
    monkeypatch.setattr(no_cs, "concepts", Concepts(no_cs))
    views = no_cs.concepts
    codes = list(no_cs.codes)
    assert len(codes) > 10
    for _ in range(2):
        for code in codes:
            got = no_cs.get(code)
            assert got.code == code and got.seq == no_cs.pos[code] and got._ix is no_cs
            assert no_cs.get(code) is got      # found again by code: the view just made
            assert len(views.by_code) <= len(views.cache) <= 5
            # every view found by code is the one the cache holds for its number: none outlives its eviction
            assert all(views.cache.get(no_cs.pos[c]) is v for c, v in views.by_code.items())


def test_codes_not_spelled_as_held_are_still_found(no_cs):
    held = no_cs.get("64572001")
    assert held is not None and no_cs.get("64572001") is held
    assert no_cs.get(" 64572001 ").code == "64572001"
    assert no_cs.get(64572001).code == "64572001"
    assert no_cs.get("6457200") is None and no_cs.get("no-such-code") is None


def test_a_new_edition_answers_with_its_own_concepts(tmp_path):
    """The views found by code belong to one index: the edition imported next is answered from its own."""
    import terminology.snomed  # noqa: F401
    store = open_store(os.path.join(str(tmp_path), "snomed.db"))
    import_paths(store, [os.path.join(MULTI, M.INT_DIR)], fmt="rf2")
    catalog = Catalog(store)
    url = f"{SNOMED}?fhir_vs=ecl/<< {M.PNEUMONIA}"
    before = catalog.codesystem(SNOMED)
    for _ in range(2):
        assert answer(catalog, url, M.VIRAL) == (True, {"code": M.VIRAL, "system": SNOMED,
                                                       "version": before.version, "display": "Viral pneumonia"})
        assert answer(catalog, url, M.ASTHMA)[0] is True
    import_paths(store, [MULTI], fmt="rf2")     # the Norwegian edition: a new term, an is-a retired
    catalog.refresh(force=True)
    after = catalog.codesystem(SNOMED)
    assert after is not before and after.version != before.version
    for _ in range(2):
        assert answer(catalog, url, M.VIRAL) == (True, {"code": M.VIRAL, "system": SNOMED,
                                                       "version": after.version, "display": M.NEW_VIRAL_TERM})
        assert answer(catalog, url, M.ASTHMA)[0] is False
    assert after.get(M.VIRAL)._ix is after and before.get(M.VIRAL)._ix is before
    store.close()


def test_a_new_year_resolves_the_url_again(no_catalog):
    """A kept implicit value set is dropped with the year's derived tables (Catalog.in_force_day), and the quick
    look `resolve` makes first does not find it there either."""
    url = f"{SNOMED}?fhir_vs=ecl/<< 64572001"
    old_today = no_catalog.today
    try:
        no_catalog.today = "2025-06-01"
        first = resolve(no_catalog, url)
        assert resolve(no_catalog, url) is first and kept_for_revision(no_catalog, first)
        no_catalog.today = "2026-01-02"
        again = resolve(no_catalog, url)
        assert again is not first and again == first
        assert kept_for_revision(no_catalog, again) and not kept_for_revision(no_catalog, first)
        assert resolve(no_catalog, url) is again
    finally:
        no_catalog.today = old_today


def test_another_url_is_never_answered_from_a_kept_one(no_catalog):
    one, two = f"{SNOMED}?fhir_vs=ecl/<< 64572001", f"{SNOMED}?fhir_vs=ecl/<< 233604007"
    kept = resolve(no_catalog, one)
    assert resolve(no_catalog, two) is not kept
    assert resolve(no_catalog, two)["compose"]["include"][0]["filter"][0]["value"] == "<< 233604007"
    assert resolve(no_catalog, one) is kept


def test_deprecated_by_status_alone_is_still_said(no_catalog):
    """A concept deprecated by its status in a code system with no deprecation property: the day is not needed to
    tell, but the concept is still deprecated."""
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/perf21", "status": "active",
          "content": "complete", "concept": [
              {"code": "old", "display": "Old", "property": [{"code": "status", "valueCode": "deprecated"}]},
              {"code": "new", "display": "New"}]}
    overlay = no_catalog.overlay([cs])
    assert overlay.codesystem(cs["url"]).deprecation_codes() == ()
    for code, deprecated in (("old", True), ("new", False)):
        res = validate_code(overlay, ValidateRequest(codesystem=cs["url"], codings=[{"system": cs["url"],
                                                                                      "code": code}]))
        said = [i.text for i in res.issues if "deprecated" in i.text]
        assert res.result is True
        assert said == ([f"The concept '{code}' is deprecated and its use should be reviewed"] if deprecated else [])
        assert (("status", "valueCode", "deprecated") in res.params) is deprecated
