"""Seed facts the s13 domain review found missing from the demo content (B3, B4).

Seed 001 (Direktoratet for e-helse, Endringer i prosedyrekodeverkene fra 2017) and seed 003 (Endringsdokument NCMP
2021); the content is terminology/demo/succession-changes.csv and succession-saerkoder-*.json.
"""
from __future__ import annotations

import os

from terminology.identifiers import NCMP, SAERKODER

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _params(r):
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["parameter"]


def _value(params, name):
    for p in params:
        if p["name"] == name:
            return next(v for k, v in p.items() if k.startswith("value"))
    return None


# --- B3: særkoder have no known text; Kodebro makes none up -----------------------------------------------------

def test_saerkode_lookup_says_the_text_is_not_known(demo_client):
    params = _params(demo_client.get("/fhir/CodeSystem/$lookup", query_string={"system": SAERKODER, "code": "A0093"}))
    definition = _value(params, "definition")
    assert definition and "ikke kjent" in definition
    # R4 $lookup display is 1..1: with no display in the code system the code stands in for it, nothing else
    assert _value(params, "display") == "A0093"


def test_saerkoder_code_system_has_no_display_and_no_invented_text():
    import json
    for year in ("2019", "2020"):
        path = os.path.join(ROOT, "terminology", "demo", f"succession-saerkoder-{year}.json")
        with open(path, encoding="utf-8") as f:
            cs = json.load(f)
        for c in cs["concept"]:
            assert "display" not in c and not c.get("designation"), c["code"]
            assert c["definition"].startswith("Teksten til særkoden er ikke kjent"), c["code"]


def test_saerkode_display_a_client_sends_is_not_contradicted(demo_client):
    """No display in the code system: a display a client sends (its own særkode text) has nothing to be wrong
    against, so A0093 stays valid; a made-up display would have turned this into 'Wrong Display Name'."""
    params = _params(demo_client.get("/fhir/CodeSystem/$validate-code", query_string={
        "url": SAERKODER, "code": "A0093", "display": "Peritonealdialyse, pasientadministrert"}))
    assert _value(params, "result") is True
    assert not any(p["name"] == "issues" for p in params)


def test_saerkode_expansion_and_translation_carry_no_display(demo_client):
    body = {"resourceType": "Parameters", "parameter": [{"name": "valueSet", "resource": {
        "resourceType": "ValueSet", "status": "active",
        "compose": {"include": [{"system": SAERKODER, "version": "2019", "concept": [{"code": "A0093"}]}]}}}]}
    r = demo_client.post("/fhir/ValueSet/$expand", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)
    contains = r.get_json()["expansion"]["contains"]
    assert [c["code"] for c in contains] == ["A0093"] and "display" not in contains[0]
    params = _params(demo_client.get("/fhir/ConceptMap/$translate", query_string={
        "system": NCMP, "code": "JAGD55", "version": "2021", "target-version": "2020", "targetsystem": SAERKODER}))
    match = next(p for p in params if p["name"] == "match")
    concept = next(x["valueCoding"] for x in match["part"] if x["name"] == "concept")
    assert concept["code"] == "A0093" and concept.get("display") in (None, "")


# --- B4: seed 001 facts ------------------------------------------------------------------------------------------

def _history(client, system, code):
    return _params(client.get("/fhir/CodeSystem/$code-history", query_string={"system": system, "code": code}))


def _events(params):
    out = []
    for p in params:
        if p["name"] == "event":
            parts = {x["name"]: x for x in p["part"]}
            out.append((parts["edition"]["valueString"], parts["kind"]["valueCode"],
                        parts.get("note", {}).get("valueString", ""), parts))
    return out


def test_6xx04_and_6xx05_are_known_as_saerkoder_retired_in_2017(demo_client):
    for code in ("6XX04", "6XX05"):
        events = _events(_history(demo_client, SAERKODER, code))
        assert [(e[0], e[1]) for e in events] == [("2017", "retired")], events
        note = events[0][2]
        assert "seed 001" in note and "erstatter fra 2017 særkodene 6XX04 og 6XX05" in note
        assert "parakorporal" in note


def test_6xx04_translate_is_not_unknown_and_does_not_claim_no_successor(demo_client):
    params = _params(demo_client.get("/fhir/ConceptMap/$translate", query_string={
        "system": SAERKODER, "code": "6XX04", "target-version": "2021"}))
    message = _value(params, "message") or ""
    assert _value(params, "result") is False
    assert "not known" not in message and "not a code" not in message
    assert "6XX04" in message and "2017" in message
    assert "without a successor" not in message          # the seed says new VAD codes replace it, unnamed
    assert "its successors are not named in the change list" in message and "Disse nye kodene erstatter" in message


def test_2017_text_changes_the_seed_prints_are_in_the_history(demo_client):
    for code, want in (("WDAJ15", ["Ikke-våken sedering", "Dyp sedering"]),
                       ("OBCA10", ["Individuell råd og veiledning vedr. bomiljø og andre miljøfaktorer",
                                   "Omfatter rettigheter og plikter"])):
        events = [e for e in _events(_history(demo_client, NCMP, code)) if e[1] == "text"]
        assert {e[0] for e in events} == {"2017"}, (code, events)
        texts = " ".join(e[3].get("newText", {}).get("valueString", "") for e in events) + " ".join(
            x.get("valueString", "") for e in events for x in e[3].values() if isinstance(x, dict))
        for w in want:
            assert w in texts, (code, w, events)
        assert all("seed 001" in e[2] for e in events)


def test_docs_do_not_say_the_seed_calls_phx00_a_move():
    import csv
    with open(os.path.join(ROOT, "terminology", "demo", "succession-changes.csv"), encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["code"] == "PHX00")
    assert "the seed does not call it a move" in row["note"]
    with open(os.path.join(ROOT, "docs", "successions.md"), encoding="utf-8") as f:
        doc = f.read()
    assert "Bruk i stedet eksisterende kode RXGX05" in doc
    assert "the seed does not call it a move" in doc.casefold()
    # C4: why the image-guided 2017 codes stay under NCSP is written down
    assert "JAD23D" in doc and "PJB00K" in doc and "KAA00K" in doc
