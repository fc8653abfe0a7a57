"""Review s13 A8: ICPC-2 → ICD-10-NO $translate says when a target is not a reportable code of the edition.

Demo content: the ehelse ICPC-2 → ICD-10 2019 slice and ICD-10-NO 2026, where D38.5, R17 and F03 are
groupings (Norway's five-character codes below them) and K58.9 does not exist.
"""
from __future__ import annotations

import pytest

from mappings.icd10_targets import EXT_TARGET, dotted

from .target_notes import target_note as _note

ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"
MAP = "https://kodebro.no/fhir/ConceptMap/icpc2-icd10|2019"


def _translate(client, code, **extra):
    q = {"system": ICPC2, "code": code, "targetsystem": ICD10_NO, **extra}
    r = client.get("/fhir/ConceptMap/$translate", query_string=q)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _param(body, name):
    return [p for p in body["parameter"] if p["name"] == name]


def _matches(body):
    out = []
    for p in _param(body, "match"):
        parts = {}
        for part in p["part"]:
            parts.setdefault(part["name"], []).append(part)
        out.append((parts, p.get("extension") or []))
    return out


@pytest.mark.parametrize("icpc, target, choose", [
    ("H75", "D385", ["D3850", "D3851"]),
    ("D13", "R17", ["R170", "R179"]),
    ("P70", "F03", ["F0300"]),
])
def test_a_grouping_target_is_kept_and_named_with_the_codes_to_choose(demo_client, icpc, target, choose):
    body = _translate(demo_client, icpc)
    assert _param(body, "result")[0]["valueBoolean"] is True
    ((parts, ext),) = _matches(body)
    assert parts["concept"][0]["valueCoding"]["code"] == target        # kept, never dropped
    assert parts["equivalence"][0]["valueCode"] == "inexact"
    assert parts["source"][0]["valueUri"] == MAP
    note = _note(ext)
    assert note["reason"][0]["valueCode"] == "grouping"
    assert note["edition"][0]["valueString"] == "2026"
    assert [e["valueCoding"]["code"] for e in note["choose"]] == choose
    assert all(e["valueCoding"]["system"] == ICD10_NO and e["valueCoding"]["display"] for e in note["choose"])
    message = _param(body, "message")[0]["valueString"]
    assert f"{dotted(target)} is a grouping in ICD-10-NO 2026" in message
    assert ", ".join(dotted(c) for c in choose) in message


def test_the_h75_message_reads_as_the_reviewer_asked(demo_client):
    body = _translate(demo_client, "H75")
    assert _param(body, "message")[0]["valueString"] == (
        "D38.5 is a grouping in ICD-10-NO 2026, not a reportable code; choose one of D38.50, D38.51")


def test_a_single_code_below_is_not_offered_as_a_choice_of_one(demo_client):
    message = _param(_translate(demo_client, "P70"), "message")[0]["valueString"]
    assert message.endswith("choose F03.00")


def test_r5_names_carry_the_note_as_the_match_message(demo_client):
    r = demo_client.get("/fhir/ConceptMap/$translate",
                        query_string={"sourceSystem": ICPC2, "sourceCode": "H75", "targetSystem": ICD10_NO})
    ((parts, _ext),) = _matches(r.get_json())
    assert "choose one of D38.50, D38.51" in parts["message"][0]["valueString"]


def test_a_reportable_target_gets_the_editions_display_and_no_note(demo_client):
    body = _translate(demo_client, "A04")
    ((parts, ext),) = _matches(body)
    coding = parts["concept"][0]["valueCoding"]
    assert coding["code"] == "R53"
    assert coding["display"] == "Uvelhet og tretthet"        # 2026; the 2019 file says "Uvelhet eller tretthet"
    assert not [e for e in ext if e["url"] == EXT_TARGET]
    assert not _param(body, "message")


def test_a_grouping_from_who_keeps_the_maps_norwegian_text(demo_client):
    ((parts, _ext),) = _matches(_translate(demo_client, "H75"))
    # ICD-10-NO 2026 holds D38.5 only as a WHO category with English text: the map's text is the better one
    assert parts["concept"][0]["valueCoding"]["display"].startswith("Svulst med usikkert")


def test_target_version_names_the_edition_judged(demo_client):
    body = _translate(demo_client, "D13", **{"target-version": "2026"})
    ((_parts, ext),) = _matches(body)
    assert _note(ext)["edition"][0]["valueString"] == "2026"


def _sent_map(target_system, target_code):
    return {"resourceType": "ConceptMap", "url": "http://example.org/fhir/ConceptMap/a8", "status": "draft",
            "group": [{"source": ICPC2, "target": target_system, "element": [
                {"code": "D93", "target": [{"code": target_code, "equivalence": "inexact"}]}]}]}


def _post(client, cm):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": ICPC2}, {"name": "code", "valueCode": "D93"},
        {"name": "conceptMap", "resource": cm}]}
    r = client.post("/fhir/ConceptMap/$translate", json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_target_a_fragment_edition_leaves_out_is_said_to_be_unchecked(demo_client):
    body = _post(demo_client, _sent_map(ICD10_NO, "K58.9"))
    assert _param(body, "result")[0]["valueBoolean"] is True
    ((parts, ext),) = _matches(body)
    assert parts["concept"][0]["valueCoding"]["code"] == "K589"
    note = _note(ext)
    # the demo's 2026 edition is a fragment: its silence is no finding (review s15-recheck N1; a complete
    # edition's "not-in-edition" is tested in tests/norway/editions/fragments)
    assert note["reason"][0]["valueCode"] == "not-in-fragment"
    assert "choose" not in note
    assert _param(body, "message")[0]["valueString"].startswith(
        "K58.9 is not in the loaded part of ICD-10-NO 2026 (a fragment)")


def test_other_target_systems_are_not_judged(demo_client):
    body = _post(demo_client, _sent_map("http://hl7.org/fhir/sid/icd-10", "K58.9"))
    ((_parts, ext),) = _matches(body)
    assert not [e for e in ext if e["url"] == EXT_TARGET]
    assert not _param(body, "message")


def test_dotted():
    assert [dotted(c) for c in ("R17", "D385", "D3850", "I21.0", "I210A")] == ["R17", "D38.5", "D38.50", "I21.0",
                                                                            "I21.0A"]


def test_a_target_version_that_is_not_loaded_is_said_not_checked(demo_client):
    body = _translate(demo_client, "H75", **{"target-version": "2019"})
    ((parts, ext),) = _matches(body)
    assert parts["concept"][0]["valueCoding"]["code"] == "D385"
    assert not [e for e in ext if e["url"] == EXT_TARGET]
    assert _param(body, "message")[0]["valueString"] == (
        "ICD-10-NO 2019 is not loaded; the targets were not checked against it")


def test_a_match_reached_through_an_other_map_walk_is_noted_once(demo_client):
    first = {"resourceType": "ConceptMap", "url": "http://example.org/fhir/ConceptMap/a8-first", "status": "draft",
             "group": [{"source": ICPC2, "target": ICD10_NO, "element": [
                 {"code": "A01", "target": [{"code": "R52", "equivalence": "inexact"}]}],
                 "unmapped": {"mode": "other-map", "url": MAP.split("|")[0]}}]}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": ICPC2}, {"name": "code", "valueCode": "H75"},
        {"name": "targetSystem", "valueUri": ICD10_NO},
        {"name": "tx-resource", "resource": first}, {"name": "url", "valueUri": first["url"]}]}
    r = demo_client.post("/fhir/ConceptMap/$translate", json=body)
    assert r.status_code == 200, r.get_json()
    got = r.get_json()
    ((parts, ext),) = _matches(got)
    assert parts["concept"][0]["valueCoding"]["code"] == "D385"
    assert len([e for e in ext if e["url"] == EXT_TARGET]) == 1
    assert _param(got, "message")[0]["valueString"].count("D38.5 is a grouping") == 1
