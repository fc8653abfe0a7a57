"""Requests in the style of the HL7 tx ecosystem tests (tests/conformance/tx-tests/SOURCE.md): the resources
a request needs travel as `tx-resource` parameters; answers are read by parameter name."""
from __future__ import annotations

import json

from tests.support.tx_files import tx_file

FJ = "application/fhir+json"
SIMPLE = "http://hl7.org/fhir/test/CodeSystem/simple"
SIMPLE_ALL = "http://hl7.org/fhir/test/ValueSet/simple-all"


def simple_cs() -> dict:
    return tx_file("simple/codesystem-simple.json")


def param(name: str, value) -> dict:
    if isinstance(value, dict) and "resourceType" in value:
        return {"name": name, "resource": value}
    if isinstance(value, dict):
        return {"name": name, "valueCodeableConcept" if "coding" in value else "valueCoding": value}
    if isinstance(value, bool):
        return {"name": name, "valueBoolean": value}
    if isinstance(value, int):
        return {"name": name, "valueInteger": value}
    if name in ("url", "system"):
        return {"name": name, "valueUri": value}
    if name in ("system-version", "force-system-version", "check-system-version", "exclude-system"):
        return {"name": name, "valueCanonical": value}
    if name in ("code", "displayLanguage"):
        return {"name": name, "valueCode": value}
    return {"name": name, "valueString": value}


def body(params, setup=()) -> dict:
    return {"resourceType": "Parameters",
            "parameter": [param(n, v) for n, v in params] + [{"name": "tx-resource", "resource": r} for r in setup]}


def post(client, op: str, params, setup=(), headers=None) -> tuple[int, dict]:
    r = client.post("/fhir/" + op, data=json.dumps(body(params, setup)), content_type=FJ, headers=headers or {})
    return r.status_code, r.get_json()


def out(b: dict) -> dict:
    """Parameters by name (first of each), value or resource."""
    got: dict = {}
    for p in b.get("parameter") or []:
        if p["name"] in got:
            continue
        got[p["name"]] = p.get("resource") if "resource" in p else \
            next((v for k, v in p.items() if k.startswith("value")), None)
    return got


def issues(b: dict) -> list[dict]:
    oo = out(b).get("issues")
    return (oo or {}).get("issue") or []


def tx_codes(issue: dict) -> list[str]:
    return [c.get("code") for c in (issue.get("details") or {}).get("coding") or []]


def expansion(client, params, setup=()) -> dict:
    status, b = post(client, "ValueSet/$expand", params, setup)
    assert status == 200, b
    return b["expansion"]


def codes(exp: dict) -> list[str]:
    found = []

    def walk(items):
        for it in items or ():
            found.append(it["code"])
            walk(it.get("contains"))
    walk(exp.get("contains"))
    return found


def eparams(exp: dict, name: str) -> list:
    return [next(v for k, v in p.items() if k.startswith("value")) for p in exp.get("parameter") or []
            if p["name"] == name]


def cs(url, version, concepts, **kw) -> dict:
    r = {"resourceType": "CodeSystem", "url": url, "status": "active", "content": "complete", "concept": concepts}
    if version is not None:
        r["version"] = version
    r.update(kw)
    return r


def vs(url, include, version=None, **kw) -> dict:
    r = {"resourceType": "ValueSet", "url": url, "status": "active", "compose": {"include": include}}
    if version is not None:
        r["version"] = version
    r.update(kw)
    return r


def store(client, *resources) -> None:
    """PUT each resource at the last segment of its url as id (so a later PUT replaces it), asserting the write."""
    for r in resources:
        rid = r["url"].rsplit("/", 1)[-1]
        status = client.put(f"/fhir/{r['resourceType']}/{rid}", json={**r, "id": rid}).status_code
        assert status in (200, 201), status
