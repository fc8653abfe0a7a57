"""SNOMED CT historical association reference sets as implicit ConceptMaps, http://snomed.info/sct?fhir_cm=<refset>
(FHIR R4 snomedct.html, "Implicit Concept Maps"): $translate by url, in reverse, without a url when the target is
SNOMED CT, the errors, the edition a module/version base picks, and the ConceptMap read by url.

Data: the Snowstorm dummy release (INT 20180731: 246188002 REPLACED BY 404684003; 118225008 POSSIBLY EQUIVALENT
TO 118222006, 250171008 and 413350009), the Snowstorm lite release (20240301: 75521003 SAME AS 362969004) and the
hand-made Norwegian release (20250415: 155574008 REPLACED BY 75570004, which maps to ICD-10-NO J12.9)."""
from __future__ import annotations

import pytest

from mappings.translate import TranslateRequest, translate
from terminology.errors import NotFound

from .conftest import DUMMY, HANDMADE, LITE, SNOMED, catalog_at, client_at
from .translate_answers import translate_get as _get, params as _params, matches as _matches, message as _message, issue as _issue

REPLACED_BY = SNOMED + "?fhir_cm=900000000000526001"
SAME_AS = SNOMED + "?fhir_cm=900000000000527005"
POSSIBLY_EQUIVALENT = SNOMED + "?fhir_cm=900000000000523009"
INT_2018 = "http://snomed.info/sct/900000000000207008/version/20180731"
ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"


@pytest.fixture(scope="module")
def dummy(tmp_path_factory):
    return catalog_at(tmp_path_factory.mktemp("cm-dummy"), DUMMY)


@pytest.fixture(scope="module")
def dummy_client(tmp_path_factory):
    return client_at(tmp_path_factory.mktemp("cm-dummy-http"), DUMMY)


@pytest.fixture(scope="module")
def three_client(tmp_path_factory):
    """Three editions in one store: INT 20180731, the lite 20240301 and the Norwegian 20250415 (the default)."""
    return client_at(tmp_path_factory.mktemp("cm-three"), DUMMY, LITE, HANDMADE)


# --- $translate by url --------------------------------------------------------------------------------------------

def test_replaced_by_answers_the_successor_over_http(dummy_client):
    status, body = _get(dummy_client, system=SNOMED, code="246188002", url=REPLACED_BY)
    assert status == 200, body
    assert _params(body)["result"][0]["valueBoolean"] is True
    assert _matches(body) == [{"equivalence": "equivalent", "source": REPLACED_BY,
                               "concept": {"system": SNOMED, "version": INT_2018, "code": "404684003",
                                           "display": "Clinical finding"}}]


def test_replaced_by_by_post(dummy_client):
    r = dummy_client.post("/fhir/ConceptMap/$translate", json={"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": REPLACED_BY}, {"name": "system", "valueUri": SNOMED},
        {"name": "code", "valueCode": "246188002"}]})
    assert r.status_code == 200, r.get_json()
    assert [m["concept"]["code"] for m in _matches(r.get_json())] == ["404684003"]


def test_same_as_is_equal(tmp_path):
    catalog = catalog_at(tmp_path, LITE)
    res = translate(catalog, TranslateRequest(code="75521003", system=SNOMED, conceptmap_url=SAME_AS))
    assert res.result is True
    assert [(m.code, m.equivalence, m.source) for m in res.matches] == [("362969004", "equal", SAME_AS)]
    assert res.matches[0].display == "Disorder of endocrine system (disorder)"


def test_possibly_equivalent_is_inexact_and_says_why(dummy):
    res = translate(dummy, TranslateRequest(code="118225008", system=SNOMED, conceptmap_url=POSSIBLY_EQUIVALENT))
    assert res.result is True
    assert sorted(m.code for m in res.matches) == ["118222006", "250171008", "413350009"]
    assert {m.equivalence for m in res.matches} == {"inexact"}
    # R4 cmd-1: an inexact mapping SHALL have a comment
    assert all(m.comment and "POSSIBLY EQUIVALENT TO" in m.comment for m in res.matches)


def test_comment_is_the_r5_message(dummy_client):
    r = dummy_client.post("/fhir/ConceptMap/$translate", json={"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": POSSIBLY_EQUIVALENT}, {"name": "sourceSystem", "valueUri": SNOMED},
        {"name": "sourceCode", "valueCode": "118225008"}]})
    assert r.status_code == 200, r.get_json()
    got = _matches(r.get_json())
    assert len(got) == 3 and all("POSSIBLY EQUIVALENT TO" in m["message"] for m in got)
    assert {m["originMap"] for m in got} == {POSSIBLY_EQUIVALENT}


def test_inactive_code_without_a_row_in_that_refset(dummy):
    res = translate(dummy, TranslateRequest(code="118225008", system=SNOMED, conceptmap_url=REPLACED_BY))
    assert res.result is False and not res.matches
    assert "118225008 has no row in " + REPLACED_BY in res.message
    # what its associations do say
    assert "possibly equivalent to 118222006" in res.message


def test_active_code_has_no_historical_association(dummy):
    res = translate(dummy, TranslateRequest(code="404684003", system=SNOMED, conceptmap_url=REPLACED_BY))
    assert res.result is False and not res.matches
    assert "404684003 is active" in res.message and "no historical association" in res.message


def test_unknown_code(dummy):
    res = translate(dummy, TranslateRequest(code="1234567", system=SNOMED, conceptmap_url=REPLACED_BY))
    assert res.result is False and "'1234567' is not a concept of SNOMED CT " + INT_2018 in res.message


def test_known_association_without_rows_in_this_edition(dummy):
    res = translate(dummy, TranslateRequest(code="246188002", system=SNOMED, conceptmap_url=SAME_AS))
    assert res.result is False and not res.matches
    assert "has no row in " + SAME_AS in res.message


def test_reverse_walks_target_to_sources(dummy_client):
    status, body = _get(dummy_client, system=SNOMED, code="404684003", url=REPLACED_BY, reverse="true")
    assert status == 200, body
    got = _matches(body)
    assert [m["concept"]["code"] for m in got] == ["246188002"]
    assert got[0]["equivalence"] == "equivalent" and got[0]["source"] == REPLACED_BY


def test_reverse_with_nothing_pointing_there(dummy):
    res = translate(dummy, TranslateRequest(code="246188002", system=SNOMED, conceptmap_url=REPLACED_BY,
                                            reverse=True))
    assert res.result is False and not res.matches and "no row" in res.message


# --- without url: SNOMED CT to SNOMED CT ---------------------------------------------------------------------------

def test_targetsystem_snomed_answers_from_the_associations(dummy_client):
    status, body = _get(dummy_client, system=SNOMED, code="246188002", targetsystem=SNOMED)
    assert status == 200, body
    assert _params(body)["result"][0]["valueBoolean"] is True
    assert [(m["concept"]["code"], m["equivalence"], m["source"]) for m in _matches(body)] == [
        ("404684003", "equivalent", REPLACED_BY)]


def test_target_fhir_vs_answers_too(dummy_client):
    status, body = _get(dummy_client, system=SNOMED, code="118225008", target=SNOMED + "?fhir_vs")
    assert status == 200, body
    assert sorted(m["concept"]["code"] for m in _matches(body)) == ["118222006", "250171008", "413350009"]
    assert {m["source"] for m in _matches(body)} == {POSSIBLY_EQUIVALENT}


def test_target_fhir_vs_asks_the_associations_only(tmp_path):
    # a SNOMED CT target value set is the same question as targetsystem SNOMED CT: the map refsets (ICD-10, ICPC-2)
    # have nothing to say, so no "has no rows in ...?fhir_cm=447562003" note beside the association's answer
    client = client_at(tmp_path, HANDMADE)
    by_vs = _get(client, system=SNOMED, code="155574008", target=SNOMED + "?fhir_vs")
    by_system = _get(client, system=SNOMED, code="155574008", targetsystem=SNOMED)
    assert by_vs == by_system
    status, body = by_vs
    assert status == 200 and [m["concept"]["code"] for m in _matches(body)] == ["75570004"], body
    assert "message" not in _params(body)


def test_targetsystem_snomed_for_an_active_concept(dummy):
    res = translate(dummy, TranslateRequest(code="404684003", system=SNOMED, target_system=SNOMED))
    assert res.result is False and not res.matches and "404684003 is active" in res.message


def test_targetsystem_snomed_reverse(dummy):
    res = translate(dummy, TranslateRequest(code="404684003", system=SNOMED, target_system=SNOMED, reverse=True))
    assert res.result is True and [m.code for m in res.matches] == ["246188002"]


def test_snomed_to_icd10_is_unchanged(tmp_path):
    catalog = catalog_at(tmp_path, HANDMADE)
    res = translate(catalog, TranslateRequest(code="155574008", system=SNOMED, target_system=ICD10_NO))
    assert not [m for m in res.matches if m.system == SNOMED]
    assert "it was replaced by 75570004 |Viral pneumonia|, which maps to J12.9" in res.message
    # no target at all: the maps answer as before, not the associations
    res = translate(catalog, TranslateRequest(code="155574008", system=SNOMED))
    assert not [m for m in res.matches if m.system == SNOMED]


# --- errors ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [SNOMED + "?fhir_cm=abc", SNOMED + "?fhir_cm=", SNOMED + "?fhir_cm",
                                 SNOMED + "/abc?fhir_cm=900000000000526001",
                                 SNOMED + "/900000000000207008/version/2018?fhir_cm=900000000000526001",
                                 # ASCII digits only, and no trailing newline
                                 SNOMED + "?fhir_cm=\u0669\u0660\u0660" + "000000000526001",
                                 SNOMED + "/\u0669\u0660\u0660000000000207008?fhir_cm=900000000000526001",
                                 REPLACED_BY + "\n"])
def test_malformed_url_is_400(dummy_client, url):
    status, body = _get(dummy_client, system=SNOMED, code="246188002", url=url)
    assert status == 400, body
    assert "fhir_cm=<reference set id>" in _issue(body)


def test_unknown_refset_is_404(dummy_client):
    status, body = _get(dummy_client, system=SNOMED, code="246188002", url=SNOMED + "?fhir_cm=12345678")
    assert status == 404, body
    text = _issue(body)
    assert "12345678" in text and "900000000000526001" in text     # names the maps it does hold


def test_a_simple_refset_is_not_a_concept_map(tmp_path):
    client = client_at(tmp_path, HANDMADE)
    status, body = _get(client, system=SNOMED, code="155574008", url=SNOMED + "?fhir_cm=88161000202101")
    assert status == 404, body
    assert "not an association or map reference set" in _issue(body)


def test_no_snomed_loaded_is_404(client):
    status, body = _get(client, system=SNOMED, code="246188002", url=REPLACED_BY)
    assert status == 404, body
    assert "no SNOMED CT edition is loaded" in _issue(body)


def test_a_code_of_another_system_finds_nothing(dummy):
    # as a stored map answers a code its groups do not map from: 200 result=false, not a 400 for the request
    res = translate(dummy, TranslateRequest(code="J12.9", system=ICD10_NO, conceptmap_url=REPLACED_BY))
    assert res.result is False and not res.matches
    assert "No translations found" in res.message and "not " + ICD10_NO in res.message


def test_map_refsets_still_answer(tmp_path):
    client = client_at(tmp_path, HANDMADE)
    status, body = _get(client, system=SNOMED, code="75570004", url=SNOMED + "?fhir_cm=447562003")
    assert status == 200 and [m["concept"]["code"] for m in _matches(body)] == ["J129"], body
    status, body = _get(client, system=SNOMED, code="155574008", url=REPLACED_BY)
    assert status == 200 and [m["concept"]["code"] for m in _matches(body)] == ["75570004"], body


# --- editions -------------------------------------------------------------------------------------------------------

def test_default_edition_without_a_base(three_client):
    status, body = _get(three_client, system=SNOMED, code="155574008", url=REPLACED_BY)
    assert status == 200 and [m["concept"]["code"] for m in _matches(body)] == ["75570004"], body
    # 246188002 is a concept of the 2018 edition only
    status, body = _get(three_client, system=SNOMED, code="246188002", url=REPLACED_BY)
    assert status == 200 and not _matches(body) and "is not a concept of SNOMED CT" in _message(body)


@pytest.mark.parametrize("base", [INT_2018, "http://snomed.info/sct/900000000000207008"])
def test_module_and_version_pick_the_edition(three_client, base):
    url = base + "?fhir_cm=900000000000526001"
    status, body = _get(three_client, system=SNOMED, code="246188002", url=url)
    assert status == 200, body
    got = _matches(body)
    assert [(m["concept"]["code"], m["concept"]["version"], m["source"]) for m in got] == [
        ("404684003", INT_2018, url)]


def test_a_version_not_loaded_says_which_are(three_client):
    url = "http://snomed.info/sct/900000000000207008/version/20990101?fhir_cm=900000000000526001"
    status, body = _get(three_client, system=SNOMED, code="246188002", url=url)
    assert status == 404, body
    text = _issue(body)
    assert "20990101" in text and INT_2018 in text and "51000202101/version/20250415" in text


# --- discovery: ConceptMap?url= ------------------------------------------------------------------------------------

def test_search_by_url_returns_a_header(dummy_client):
    r = dummy_client.get("/fhir/ConceptMap", query_string={"url": REPLACED_BY})
    assert r.status_code == 200, r.get_json()
    entries = r.get_json().get("entry") or []
    assert len(entries) == 1
    cm = entries[0]["resource"]
    assert cm["resourceType"] == "ConceptMap" and cm["url"] == REPLACED_BY and cm["status"] == "active"
    assert cm["version"] == INT_2018 and "REPLACED BY" in cm["name"] + cm.get("title", "")
    assert cm["sourceUri"] == SNOMED + "?fhir_vs" and cm["targetUri"] == SNOMED + "?fhir_vs"
    assert "group" not in cm


def test_search_by_url_of_a_map_not_held_finds_nothing(dummy_client):
    r = dummy_client.get("/fhir/ConceptMap", query_string={"url": SNOMED + "?fhir_cm=12345678"})
    assert r.status_code == 200 and not r.get_json().get("entry")


def test_search_by_url_honours_elements(dummy_client):
    r = dummy_client.get("/fhir/ConceptMap", query_string={"url": REPLACED_BY, "_elements": "url"})
    cm = r.get_json()["entry"][0]["resource"]
    assert set(cm) == {"resourceType", "id", "meta", "url", "status"}
    assert cm["meta"]["tag"][0]["code"] == "SUBSETTED"


# --- a version without a url: the succession graph's question alone ----------------------------------------------

NO_MODULE = "http://snomed.info/sct/51000202101"
NO_2025 = NO_MODULE + "/version/20250415"
LITE_2024 = "http://snomed.info/sct/45991000052106/version/20240301"


# (a bare date such as version=20250415 names no loaded edition: the 404 of test_unknown_edition_spellings.py)
@pytest.mark.parametrize("versions", [{"version": NO_MODULE},
                                      {"version": "http://snomed.info/sct/900000000000207008"},
                                      {"target-version": NO_MODULE}])
def test_a_version_without_a_url_gets_no_association_answer(three_client, versions):
    # the succession graph answers a versioned SNOMED CT -> SNOMED CT question; an association match beside its
    # "not a known edition" would contradict it
    code = "246188002" if "900000000000207008" in str(versions) else "155574008"
    status, body = _get(three_client, system=SNOMED, code=code, targetsystem=SNOMED, **versions)
    assert status == 200, body
    assert _params(body)["result"][0]["valueBoolean"] is False
    assert not _matches(body)


def test_a_version_without_a_url_in_process(dummy):
    # a bare date names no edition (the edition URI does): refused as a version not loaded, no association answer
    with pytest.raises(NotFound, match="SNOMED CT 20180731 is not loaded; loaded: .*/version/20180731"):
        translate(dummy, TranslateRequest(code="246188002", system=SNOMED, target_system=SNOMED,
                                          version="20180731"))
    res = translate(dummy, TranslateRequest(code="246188002", system=SNOMED, target_system=SNOMED,
                                            version=INT_2018))
    assert not any(m.source == REPLACED_BY for m in res.matches)


# --- url with a target that is not SNOMED CT ----------------------------------------------------------------------

def test_url_with_another_targetsystem_finds_nothing(dummy_client):
    status, body = _get(dummy_client, system=SNOMED, code="246188002", url=REPLACED_BY, targetsystem=ICD10_NO)
    assert status == 200, body
    assert _params(body)["result"][0]["valueBoolean"] is False and not _matches(body)
    assert "No translations found" in _message(body) and ICD10_NO in _message(body)


def test_url_with_another_targetsystem_in_reverse_finds_nothing(dummy):
    res = translate(dummy, TranslateRequest(code="404684003", system=SNOMED, conceptmap_url=REPLACED_BY,
                                            target_system=ICD10_NO, reverse=True))
    assert res.result is False and not res.matches


def test_map_refset_url_with_targetsystem_snomed_finds_nothing(tmp_path):
    client = client_at(tmp_path, HANDMADE)
    status, body = _get(client, system=SNOMED, code="75570004", url=SNOMED + "?fhir_cm=447562003",
                        targetsystem=SNOMED)
    assert status == 200, body
    assert _params(body)["result"][0]["valueBoolean"] is False and not _matches(body)
    assert "No translations found" in _message(body)
    # the map's own target system still answers
    status, body = _get(client, system=SNOMED, code="75570004", url=SNOMED + "?fhir_cm=447562003",
                        targetsystem=ICD10_NO)
    assert [m["concept"]["code"] for m in _matches(body)] == ["J129"], body


# --- a codeableConcept with a coding of another system ------------------------------------------------------------

def _cc_post(client, url, codings):
    return client.post("/fhir/ConceptMap/$translate", json={"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": url},
        {"name": "codeableConcept", "valueCodeableConcept": {"coding": codings}}]})


def test_codeable_concept_translates_its_snomed_coding(dummy_client):
    r = _cc_post(dummy_client, REPLACED_BY, [{"system": ICD10_NO, "code": "J12.9"},
                                             {"system": SNOMED, "code": "246188002"}])
    assert r.status_code == 200, r.get_json()
    assert _params(r.get_json())["result"][0]["valueBoolean"] is True
    assert [m["concept"]["code"] for m in _matches(r.get_json())] == ["404684003"]


def test_codeable_concept_translates_its_snomed_coding_by_a_map_refset(tmp_path):
    client = client_at(tmp_path, HANDMADE)
    r = _cc_post(client, SNOMED + "?fhir_cm=447562003", [{"system": ICD10_NO, "code": "J12.9"},
                                                          {"system": SNOMED, "code": "75570004"}])
    assert r.status_code == 200, r.get_json()
    assert [m["concept"]["code"] for m in _matches(r.get_json())] == ["J129"]


def test_a_foreign_code_by_a_map_refset_finds_nothing(tmp_path):
    catalog = catalog_at(tmp_path, HANDMADE)
    res = translate(catalog, TranslateRequest(code="J12.9", system=ICD10_NO,
                                              conceptmap_url=SNOMED + "?fhir_cm=447562003"))
    assert res.result is False and not res.matches and "No translations found" in res.message


# --- the map's version: one edition picker ------------------------------------------------------------------------

@pytest.mark.parametrize("asked", [{"conceptMapVersion": "bogus"}, {"conceptMapVersion": "20180731"},
                                   {"url": REPLACED_BY + "|notaversion"},
                                   {"conceptMapVersion": "http://snomed.info/sct/900000000000207008/version/20990101"}])
def test_a_map_version_naming_no_loaded_edition_is_404(three_client, asked):
    qs = {"system": SNOMED, "code": "155574008", "url": REPLACED_BY, **asked}
    status, body = _get(three_client, **qs)
    assert status == 404, body
    text = _issue(body)
    assert "not loaded" in text and INT_2018 in text and NO_2025 in text     # names the loaded ones


def test_a_map_version_that_names_a_loaded_edition_is_used(three_client):
    status, body = _get(three_client, system=SNOMED, code="246188002", url=REPLACED_BY, conceptMapVersion=INT_2018)
    assert status == 200 and [m["concept"]["code"] for m in _matches(body)] == ["404684003"], body
    status, body = _get(three_client, system=SNOMED, code="246188002", url=REPLACED_BY + "|" + INT_2018)
    assert status == 200 and [m["concept"]["code"] for m in _matches(body)] == ["404684003"], body


def test_a_map_version_that_contradicts_the_url_is_404(three_client):
    url = INT_2018 + "?fhir_cm=900000000000526001"
    status, body = _get(three_client, system=SNOMED, code="246188002", url=url, conceptMapVersion=NO_2025)
    assert status == 404, body
    assert INT_2018 in _issue(body) and NO_2025 in _issue(body)


@pytest.mark.parametrize("asked", [{"url": SNOMED + "?fhir_cm=447562003|" + LITE_2024},
                                   {"url": SNOMED + "?fhir_cm=447562003", "conceptMapVersion": LITE_2024}])
def test_map_refsets_take_the_version_as_the_association_maps_do(three_client, asked):
    # 12481008 is mapped in the lite edition only; the default is the Norwegian one
    status, body = _get(three_client, system=SNOMED, code="12481008", **asked)
    assert status == 200, body
    assert _params(body)["result"][0]["valueBoolean"] is True and _matches(body), body


def test_map_refset_version_not_loaded_is_404(three_client):
    status, body = _get(three_client, system=SNOMED, code="75570004", url=SNOMED + "?fhir_cm=447562003|bogus")
    assert status == 404, body
    assert "not loaded" in _issue(body) and NO_2025 in _issue(body)


def test_engine_picks_one_edition_for_both_kinds_of_map(tmp_path):
    from terminology.snomed.implicit import map_edition
    catalog = catalog_at(tmp_path, DUMMY, LITE, HANDMADE)
    assert map_edition(catalog, "45991000052106", None).version == LITE_2024
    assert map_edition(catalog, pinned=INT_2018).version == INT_2018
    assert map_edition(catalog, conceptmap_version=INT_2018).version == INT_2018
    assert map_edition(catalog).version == NO_2025
    with pytest.raises(NotFound):
        map_edition(catalog, pinned="20250415")
    with pytest.raises(NotFound, match="ask for one edition"):
        map_edition(catalog, pinned=INT_2018, conceptmap_version=NO_2025)


# --- URL edge cases -----------------------------------------------------------------------------------------------

def test_value_set_urls_take_ascii_digits_only(dummy):
    from terminology.snomed.implicit import parse
    assert parse(SNOMED + "/\u0669\u0660\u0660000000000207008?fhir_vs")[2] is None
    assert parse(SNOMED + "/900000000000207008?fhir_vs")[2] == "all"


# --- discovery: one entry per map, readable by its id -------------------------------------------------------------

def _entries(client, **qs):
    r = client.get("/fhir/ConceptMap", query_string=qs)
    assert r.status_code == 200, r.get_json()
    return r.get_json().get("entry") or []


def test_two_urls_of_one_edition_are_two_entries(dummy_client):
    module_url = "http://snomed.info/sct/900000000000207008?fhir_cm=900000000000526001"
    entries = _entries(dummy_client, url=REPLACED_BY + "," + module_url)
    assert sorted(e["resource"]["url"] for e in entries) == sorted([REPLACED_BY, module_url])
    assert len({e["fullUrl"] for e in entries}) == 2 and len({e["resource"]["id"] for e in entries}) == 2
    assert all(e["resource"]["version"] == INT_2018 for e in entries)


def test_search_by_url_and_version(three_client):
    entries = _entries(three_client, url=REPLACED_BY + "|" + INT_2018)
    assert len(entries) == 1
    cm = entries[0]["resource"]
    assert cm["url"] == REPLACED_BY and cm["version"] == INT_2018
    assert not _entries(three_client, url=REPLACED_BY + "|http://snomed.info/sct/900000000000207008/version/20990101")
    # the plain url is the default edition's map
    plain = _entries(three_client, url=REPLACED_BY)
    assert [e["resource"]["version"] for e in plain] == [NO_2025]
    assert plain[0]["resource"]["id"] != cm["id"]


@pytest.mark.parametrize("url", [REPLACED_BY, REPLACED_BY + "|" + INT_2018,
                                 "http://snomed.info/sct/900000000000207008?fhir_cm=900000000000526001",
                                 INT_2018 + "?fhir_cm=900000000000526001",
                                 "http://snomed.info/sct/900000000000207008?fhir_cm=900000000000526001|" + INT_2018])
def test_the_full_url_of_an_entry_reads_the_same_header(three_client, url):
    entries = _entries(three_client, url=url)
    assert len(entries) == 1
    entry = entries[0]
    rid = entry["resource"]["id"]
    assert entry["fullUrl"].endswith("/ConceptMap/" + rid)
    r = three_client.get("/fhir/ConceptMap/" + rid)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == entry["resource"]


def test_search_by_id_finds_what_a_read_by_that_id_reads(three_client):
    # a read by id works, so a search by that _id finds the same header (and its version= agrees)
    cm = _entries(three_client, url=REPLACED_BY + "|" + INT_2018)[0]["resource"]
    found = _entries(three_client, _id=cm["id"])
    assert [e["resource"] for e in found] == [three_client.get("/fhir/ConceptMap/" + cm["id"]).get_json()]
    assert found[0]["fullUrl"].endswith("/ConceptMap/" + cm["id"])
    assert [e["resource"]["id"] for e in _entries(three_client, _id=cm["id"], version=INT_2018)] == [cm["id"]]
    assert not _entries(three_client, _id=cm["id"], version=NO_2025)
    assert not _entries(three_client, _id="sct-cm-900000000000526001-900000000000207008-20990101")
    assert not _entries(three_client, **{"_id:not": cm["id"], "url": "https://example.org/none"})


def test_search_by_url_and_version_parameter_is_url_bar_version(three_client):
    # url=X&version=V finds what url=X|V finds: the header of X read in edition V
    bar = _entries(three_client, url=REPLACED_BY + "|" + INT_2018)
    both = _entries(three_client, url=REPLACED_BY, version=INT_2018)
    assert [e["resource"] for e in both] == [e["resource"] for e in bar] and len(bar) == 1
    assert [e["resource"]["version"] for e in _entries(three_client, url=REPLACED_BY, version=NO_2025)] == [NO_2025]
    assert not _entries(three_client, url=REPLACED_BY, version="http://snomed.info/sct/900000000000207008/version/20990101")
    # an edition URI the version test compares as written: one that names the edition another way finds nothing
    assert not _entries(three_client, url=REPLACED_BY, version="http://snomed.info/sct/900000000000207008")


@pytest.mark.parametrize("rid", ["sct-cm-12345678", "sct-cm-900000000000526001-900000000000207008-20990101",
                                 "sct-cm-abc", "sct-cm-900000000000526001.x"])
def test_reading_an_id_of_no_held_map_is_404(three_client, rid):
    r = three_client.get("/fhir/ConceptMap/" + rid)
    assert r.status_code == 404, r.get_json()
    assert r.get_json()["resourceType"] == "OperationOutcome"


def test_translate_on_the_map_read_by_its_id(three_client):
    rid = _entries(three_client, url=REPLACED_BY + "|" + INT_2018)[0]["resource"]["id"]
    r = three_client.get(f"/fhir/ConceptMap/{rid}/$translate", query_string={"system": SNOMED, "code": "246188002"})
    assert r.status_code == 200, r.get_json()
    assert [(m["concept"]["code"], m["concept"]["version"]) for m in _matches(r.get_json())] == [
        ("404684003", INT_2018)]


def test_url_with_a_target_value_set_of_another_system_finds_nothing(tmp_path):
    client = client_at(tmp_path, DUMMY)
    vs = {"resourceType": "ValueSet", "id": "icd-only", "url": "https://example.org/vs/icd-only", "status": "active",
          "compose": {"include": [{"system": "http://hl7.org/fhir/sid/icd-10", "concept": [{"code": "J12.9"}]}]}}
    assert client.put("/fhir/ValueSet/icd-only", json=vs).status_code in (200, 201)
    status, body = _get(client, system=SNOMED, code="246188002", url=REPLACED_BY, target=vs["url"])
    assert status == 200, body
    assert _params(body)["result"][0]["valueBoolean"] is False and not _matches(body)
