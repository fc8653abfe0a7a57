"""The shipped demo content answers the seed questions (demo files of several helpers together)."""
from __future__ import annotations

from terminology.identifiers import NCMP, NCRP, SAERKODER


def _params(r):
    assert r.status_code == 200, r.get_json()
    return r.get_json()["parameter"]


def _result(params):
    return next(p["valueBoolean"] for p in params if p["name"] == "result")


def _codes(params):
    return sorted(next(x["valueCoding"]["code"] for x in p["part"] if x["name"] == "concept")
                  for p in params if p["name"] == "match" and any(x["name"] == "concept" for x in p["part"]))


def test_demo_translates_the_seed_cases(demo_client):
    tr = "/fhir/ConceptMap/$translate"
    p = _params(demo_client.get(tr, query_string={"system": NCRP, "code": "SAA0AE", "version": "2016",
                                                  "target-version": "2017"}))
    assert _result(p) and _codes(p) == ["SAA0AP"]
    p = _params(demo_client.get(tr, query_string={"system": NCRP, "code": "SAA0AP", "version": "2017",
                                                  "target-version": "2016", "reverse": "true"}))
    assert _codes(p) == ["SAA0AE", "SAA0AF"]
    p = _params(demo_client.get(tr, query_string={"system": SAERKODER, "code": "A0093", "version": "2020",
                                                  "targetsystem": NCMP, "target-version": "2021"}))
    assert _codes(p) == ["JAGD55"]
    p = _params(demo_client.get(tr, query_string={"system": NCMP, "code": "ZWUU40", "version": "2020",
                                                  "target-version": "2021"}))
    assert _result(p) is False
    assert "2021" in next(x["valueString"] for x in p if x["name"] == "message")


def _valid(client, date):
    p = _params(client.get("/fhir/CodeSystem/$validate-code",
                           query_string={"url": NCMP, "code": "OAEA00", "date": date}))
    return _result(p)


def test_demo_oaea00_valid_in_2021(demo_client):
    assert _valid(demo_client, "2021-06-01") is True


def test_demo_oaea00_not_valid_in_2020(demo_client):
    assert _valid(demo_client, "2020-06-01") is False


def test_live_server_translate_and_history(live_server):
    import requests
    r = requests.get(live_server + "/ConceptMap/$translate", params={
        "system": NCRP, "code": "SAA0AE", "version": "2016", "target-version": "2017"}, timeout=30)
    assert r.status_code == 200 and _codes(r.json()["parameter"]) == ["SAA0AP"]
    r = requests.get(live_server + "/CodeSystem/$code-history", params={"system": NCMP, "code": "OAEA00"}, timeout=30)
    assert r.status_code == 200
    kinds = [next(x["valueCode"] for x in p["part"] if x["name"] == "kind")
             for p in r.json()["parameter"] if p["name"] == "event"]
    assert "retired" in kinds and "reactivated" in kinds
