"""SNOMED CT historical association reference sets as implicit ConceptMaps, http://snomed.info/sct?fhir_cm=<refset>
(FHIR R4 snomedct.html, "Implicit Concept Maps"): $translate by url, in reverse, without a url when the target is
SNOMED CT, the errors, the edition a module/version base picks, and the ConceptMap read by url.

Data: the Snowstorm dummy release (INT 20180731: 246188002 REPLACED BY 404684003; 118225008 POSSIBLY EQUIVALENT
TO 118222006, 250171008 and 413350009), the Snowstorm lite release (20240301: 75521003 SAME AS 362969004) and the
hand-made Norwegian release (20250415: 155574008 REPLACED BY 75570004, which maps to ICD-10-NO J12.9)."""
from __future__ import annotations

import pytest

from mappings.translate import TranslateRequest, translate
from terminology.errors import InvalidRequest, NotFound

from .conftest import DUMMY, HANDMADE, LITE, SNOMED, catalog_at, client_at

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


def _get(client, **qs):
    r = client.get("/fhir/ConceptMap/$translate", query_string=qs)
    return r.status_code, r.get_json()


def _params(body) -> dict:
    out: dict = {}
    for p in body["parameter"]:
        out.setdefault(p["name"], []).append(p)
    return out


def _matches(body) -> list[dict]:
    return [{q["name"]: q.get("valueCode") or q.get("valueCoding") or q.get("valueUri") or q.get("valueCanonical")
             or q.get("valueString") for q in m["part"]} for m in body["parameter"] if m["name"] == "match"]


def _message(body) -> str:
    return next((p["valueString"] for p in body["parameter"] if p["name"] == "message"), "")


def _issue(body) -> str:
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"][0]["details"]["text"]


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
                                 SNOMED + "/900000000000207008/version/2018?fhir_cm=900000000000526001"])
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


def test_a_code_of_another_system_is_400(dummy):
    with pytest.raises(InvalidRequest, match="translates SNOMED CT codes"):
        translate(dummy, TranslateRequest(code="J12.9", system=ICD10_NO, conceptmap_url=REPLACED_BY))


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
