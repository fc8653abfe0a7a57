"""Reading a `ConceptMap/$translate` answer of the test client: the helpers the SNOMED CT map tests share."""
from __future__ import annotations


def translate_get(client, **qs) -> tuple[int, dict]:
    r = client.get("/fhir/ConceptMap/$translate", query_string=qs)
    return r.status_code, r.get_json()


def params(body) -> dict:
    out: dict = {}
    for p in body["parameter"]:
        out.setdefault(p["name"], []).append(p)
    return out


def result(body) -> bool:
    return next(p["valueBoolean"] for p in body["parameter"] if p["name"] == "result")


def matches(body) -> list[dict]:
    return [{q["name"]: q.get("valueCode") or q.get("valueCoding") or q.get("valueUri") or q.get("valueCanonical")
             or q.get("valueString") for q in m["part"]} for m in body["parameter"] if m["name"] == "match"]


def message(body) -> str:
    return next((p["valueString"] for p in body["parameter"] if p["name"] == "message"), "")


def issue(body) -> str:
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"][0]["details"]["text"]
