"""Content the request tests run against: small code systems written here (no external data), stored before
the app starts so that GET calls, which cannot carry tx-resources, reach them."""
from __future__ import annotations

FJ = "application/fhir+json"
S = "http://example.org/kodebro-tests/fhir_api/requests"


def code_system(version: str, display: str) -> dict:
    return {"resourceType": "CodeSystem", "id": "requests-" + version.replace(".", "-"), "url": S,
            "version": version, "name": "RequestTests", "status": "active", "content": "complete",
            "concept": [{"code": "a", "display": display}, {"code": "b", "display": "B"}]}


# two releases a partial version "1.0" names both of, and one it does not
VERSIONS = {"1.0.0": "A in 1.0.0", "1.0.1": "A in 1.0.1", "2.0.0": "A in 2.0.0"}
VS = {"resourceType": "ValueSet", "id": "requests-all", "url": S + "/vs", "status": "active",
      "compose": {"include": [{"system": S}]}}


def content() -> list[dict]:
    """What the store holds before the app starts."""
    return [code_system(v, d) for v, d in VERSIONS.items()] + [VS]


def parameters(*pairs: tuple[str, str, object]) -> dict:
    return {"resourceType": "Parameters", "parameter": [{"name": n, k: v} for n, k, v in pairs]}


def first(body: dict, name: str):
    for p in body.get("parameter") or []:
        if p["name"] == name:
            return next((v for k, v in p.items() if k.startswith("value")), None)
    return None


def error_text(r) -> str:
    b = r.get_json()
    assert b["resourceType"] == "OperationOutcome", b
    return b["issue"][0]["details"]["text"]
