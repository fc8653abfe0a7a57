"""A large body is parsed with the cycle collector paused (fhir_api/params._parsed): it must be answered as any
other body, and the collector must be running again afterwards, whether the body parsed or not."""
import gc

import orjson

from fhir_api.params import _LARGE_BODY

FJ = "application/fhir+json"
URL = "http://example.org/large-body"


def _big_codesystem(n: int) -> dict:
    return {"resourceType": "CodeSystem", "url": URL, "version": "1", "status": "active", "content": "complete",
            "concept": [{"code": f"c{i}", "display": f"Concept number {i} of a large supplied code system"}
                        for i in range(n)]}


def _lookup(code: str, cs: dict) -> bytes:
    return orjson.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": URL}, {"name": "code", "valueCode": code},
        {"name": "tx-resource", "resource": cs}]})


def test_a_large_body_is_answered_and_the_collector_runs_again(stored):
    body = _lookup("c4321", _big_codesystem(6000))
    assert len(body) > _LARGE_BODY
    r = stored.post("/fhir/CodeSystem/$lookup", data=body, content_type=FJ)
    assert r.status_code == 200, r.get_json()
    assert {p["name"]: p.get("valueString") for p in r.get_json()["parameter"]}["display"] == \
        "Concept number 4321 of a large supplied code system"
    assert gc.isenabled()


def test_a_large_body_that_is_not_json_is_a_400_and_the_collector_runs_again(stored):
    body = _lookup("c1", _big_codesystem(6000))[:-1]
    r = stored.post("/fhir/CodeSystem/$lookup", data=body, content_type=FJ)
    assert r.status_code == 400 and "not valid JSON" in r.get_data(as_text=True)
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused(stored):
    gc.disable()
    try:
        r = stored.post("/fhir/CodeSystem/$lookup", data=_lookup("c7", _big_codesystem(6000)), content_type=FJ)
        assert r.status_code == 200
        assert not gc.isenabled()
    finally:
        gc.enable()
