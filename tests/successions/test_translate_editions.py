"""Version-aware $translate on the seed changes (seeds 001 and 003), in process and over HTTP."""
from __future__ import annotations

from mappings.succession_translate import EXT_AMBIGUOUS, EXT_OUTCOME, EXT_STEP, succession_translate
from mappings.translate import TranslateRequest, translate
from terminology.identifiers import NCMP, NCRP, NCSP, SAERKODER


def ext(match, url):
    return [e for e in match.extensions if e["url"] == url]


def outcome(match):
    return ext(match, EXT_OUTCOME)[0]["valueCode"]


def ambiguous(match):
    return ext(match, EXT_AMBIGUOUS)[0]["valueBoolean"]


def codes(res):
    return sorted(m.code for m in res.matches if m.code)


def test_saa0ae_2016_to_2017_is_merged_into_saa0ap(catalog):
    res = succession_translate(catalog, TranslateRequest(code="SAA0AE", system=NCRP, version="2016",
                                                         target_version="2017"))
    assert res.result is not False and codes(res) == ["SAA0AP"]
    m = res.matches[0]
    assert m.equivalence == "wider" and outcome(m) == "merged" and not ambiguous(m)
    assert m.version == "2017" and m.display == "CTANG angiografi av caput"
    assert m.source == "https://kodebro.no/fhir/ConceptMap/changes-ncrp-2017"


def test_saa0ap_in_reverse_gives_both_old_codes(catalog):
    res = translate(catalog, TranslateRequest(code="SAA0AP", system=NCRP, version="2017", target_version="2016",
                                              reverse=True))
    assert res.result is True
    assert codes(res) == ["SAA0AE", "SAA0AF"]
    assert all(ambiguous(m) and outcome(m) == "merged" for m in res.matches)
    # read in the direction of time, as the edition ConceptMap states it: the old code -> wider new code
    assert {m.equivalence for m in res.matches} == {"wider"}


def test_reverse_without_target_version_goes_to_the_earliest_edition(catalog):
    res = translate(catalog, TranslateRequest(code="SPX0KQ", system=NCRP, version="2017", reverse=True))
    assert codes(res) == ["SPH0KJ", "SPX0KH"]
    assert {m.version for m in res.matches} == {"2016"}


def test_a0093_2020_to_2021_gives_jagd55(catalog):
    res = translate(catalog, TranslateRequest(code="A0093", system=SAERKODER, version="2020", target_system=NCMP,
                                              target_version="2021"))
    assert res.result is True and codes(res) == ["JAGD55"]
    m = res.matches[0]
    assert m.system == NCMP and m.equivalence == "equivalent" and outcome(m) == "replaced"


def test_zwuu40_retired_without_successor_is_result_false_naming_2021(catalog):
    res = translate(catalog, TranslateRequest(code="ZWUU40", system=NCMP, version="2020", target_version="2021"))
    assert res.result is False
    assert "2021" in res.message and "retired" in res.message and "ZWUU40" in res.message
    assert [m.equivalence for m in res.matches] == ["unmatched"]


def test_unchanged_code_is_identity(catalog):
    res = translate(catalog, TranslateRequest(code="RXGX05", system=NCMP, version="2019", target_version="2021"))
    assert codes(res) == ["RXGX05"]
    assert res.matches[0].equivalence == "equal" and outcome(res.matches[0]) == "identity"


def test_reactivated_code_goes_through_its_gap(catalog):
    res = translate(catalog, TranslateRequest(code="OAEA00", system=NCMP, version="2019", target_version="2021"))
    assert codes(res) == ["OAEA00"] and outcome(res.matches[0]) == "reactivated"
    gap = translate(catalog, TranslateRequest(code="OAEA00", system=NCMP, version="2019", target_version="2020"))
    assert gap.result is False and "2020" in gap.message
    back = translate(catalog, TranslateRequest(code="OAEA00", system=NCMP, version="2021", target_version="2020"))
    assert back.result is False and "2020" in back.message


def test_code_not_in_source_edition_is_refused(catalog):
    res = translate(catalog, TranslateRequest(code="OAEA00", system=NCMP, version="2020", target_version="2021"))
    assert res.result is False and "2020" in res.message


def test_several_editions_chain_the_steps(catalog):
    # B0014 became four NCMP alternatives (recorded 2020), whose subtexts changed in 2021
    res = translate(catalog, TranslateRequest(code="B0014", system=SAERKODER, version="2019", target_system=NCMP,
                                              target_version="2021"))
    assert codes(res) == ["IBBA15", "IBBB15", "IBBD15", "IBBH15"]
    for m in res.matches:
        steps = ext(m, EXT_STEP)
        kinds = [{p["url"]: p for p in s["extension"]}["kind"]["valueCode"] for s in steps]
        eds = [{p["url"]: p for p in s["extension"]}["edition"]["valueString"] for s in steps]
        assert kinds == ["split", "text"] and eds == ["2020", "2021"]
        assert m.equivalence == "narrower" and ambiguous(m) and outcome(m) == "alternative"


def test_moved_to_another_codebook(catalog):
    res = translate(catalog, TranslateRequest(code="PHX00", system=NCSP, version="2016", target_system=NCMP,
                                              target_version="2017"))
    assert codes(res) == ["RXGX05"] and outcome(res.matches[0]) == "moved"


def test_not_an_edition_question_is_left_to_others(catalog):
    assert succession_translate(catalog, TranslateRequest(code="SAA0AE", system=NCRP)) is None
    assert succession_translate(catalog, TranslateRequest(code="SAA0AE", system=NCRP, version="2016",
                                                          conceptmap_url="http://x")) is None
    assert succession_translate(catalog, TranslateRequest(code="A00", system="http://hl7.org/fhir/sid/icd-10-no",
                                                          version="2020")) is None


def test_http_translate_with_target_version(seeded_client):
    r = seeded_client.get("/fhir/ConceptMap/$translate", query_string={
        "system": NCRP, "code": "SAA0AE", "version": "2016", "target-version": "2017"})
    assert r.status_code == 200
    params = r.get_json()["parameter"]
    assert params[0] == {"name": "result", "valueBoolean": True}
    matches = [p for p in params if p["name"] == "match"]
    assert len(matches) == 1
    concept = next(p for p in matches[0]["part"] if p["name"] == "concept")["valueCoding"]
    assert concept["code"] == "SAA0AP" and concept["version"] == "2017"
    urls = {e["url"] for e in matches[0]["extension"]}
    assert EXT_OUTCOME in urls and EXT_STEP in urls


def test_http_retired_code(seeded_client):
    r = seeded_client.post("/fhir/ConceptMap/$translate", json={"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": NCMP}, {"name": "code", "valueCode": "ZWUU40"},
        {"name": "version", "valueString": "2020"}, {"name": "target-version", "valueString": "2021"}]})
    body = r.get_json()
    assert r.status_code == 200
    assert {"name": "result", "valueBoolean": False} in body["parameter"]
    msg = next(p["valueString"] for p in body["parameter"] if p["name"] == "message")
    assert "2021" in msg


def test_http_reverse_later_target_is_refused(seeded_client):
    r = seeded_client.get("/fhir/ConceptMap/$translate", query_string={
        "system": NCRP, "code": "SAA0AP", "version": "2016", "target-version": "2017", "reverse": "true"})
    assert r.status_code == 400 and r.get_json()["resourceType"] == "OperationOutcome"


def test_http_change_list_supplied_with_the_request(seeded_client):
    from mappings.changelist import parse_row, to_conceptmaps
    change, _ = parse_row({"codebook": "NCRP", "edition": "2018", "kind": "retired", "code": "SAA0AP"})
    (cm,) = to_conceptmaps([change])
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": NCRP}, {"name": "code", "valueCode": "SAA0AE"},
        {"name": "version", "valueString": "2016"}, {"name": "target-version", "valueString": "2018"},
        {"name": "tx-resource", "resource": cm}]}
    r = seeded_client.post("/fhir/ConceptMap/$translate", json=body)
    params = r.get_json()["parameter"]
    assert {"name": "result", "valueBoolean": False} in params
    assert "2018" in next(p["valueString"] for p in params if p["name"] == "message")
    # without the supplied list the stored graph answers as before
    body["parameter"] = body["parameter"][:-1]
    params = seeded_client.post("/fhir/ConceptMap/$translate", json=body).get_json()["parameter"]
    assert {"name": "result", "valueBoolean": True} in params


def test_an_edition_that_is_no_edition_is_said_so(catalog):
    res = translate(catalog, TranslateRequest(code="SAA0AE", system=NCRP, version="2016", target_version="garbage"))
    assert res.result is False and "garbage" in res.message and "2017" in res.message
