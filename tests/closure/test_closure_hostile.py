"""Seeded mutations of $closure requests: none may answer 5xx, and every refusal is an OperationOutcome."""
from __future__ import annotations

import copy
import random

from tests.closure.conftest import ICD, params

_JUNK = [None, "", " ", 0, -1, 3.5, True, [], {}, [1, 2], {"a": 1}, "x" * 5000, "J12\x00", "ø" * 70, "|", "||J12",
         {"system": ICD}, {"code": "J12"}, {"system": ICD, "code": ["J12"]}, "99999999999999999999"]
_KEYS = ["valueString", "valueCoding", "valueInteger", "valueBoolean", "valueCode", "resource", "part", "valueUri"]


def _dicts(ps: list) -> list:
    return [p for p in ps if isinstance(p, dict)]


def _mutate(body: dict, rng: random.Random) -> dict:
    body = copy.deepcopy(body)
    ps = body["parameter"]
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(6)
        if kind == 0 and ps:
            ps.pop(rng.randrange(len(ps)))
        elif kind == 1 and _dicts(ps):
            p = rng.choice(_dicts(ps))
            value_key = next((k for k in p if k != "name"), None)
            if value_key:
                p[rng.choice(_KEYS)] = p.pop(value_key)
        elif kind == 2 and _dicts(ps):
            p = rng.choice(_dicts(ps))
            p[next((k for k in p if k != "name"), "valueString")] = rng.choice(_JUNK)
        elif kind == 3:
            ps.append({"name": rng.choice(["name", "concept", "version", "tx-resource", "", "x"]),
                       rng.choice(_KEYS): rng.choice(_JUNK)})
        elif kind == 4 and ps:
            ps.insert(rng.randrange(len(ps) + 1), copy.deepcopy(rng.choice(ps)))
        else:
            body["parameter"] = rng.choice([None, {}, "x", [None], [[]], ps])
            ps = body["parameter"] if isinstance(body["parameter"], list) else []
    return body


def test_mutated_requests_never_answer_5xx(demo_client):
    rng = random.Random(20261126)
    seeds = [params("h"), params("h", (ICD, "J12"), (ICD, "J12.8")), params("h", version=1),
             params("h", (ICD, "J09-J18", "2026"))]
    demo_client.post("/fhir/$closure", json=params("h"))
    for i in range(400):
        body = _mutate(rng.choice(seeds), rng)
        path = rng.choice(["/fhir/$closure", "/fhir/ConceptMap/$closure"])
        r = demo_client.post(path, json=body)
        assert r.status_code < 500, (i, body, r.get_json())
        out = r.get_json()
        if r.status_code >= 400:
            assert out["resourceType"] == "OperationOutcome" and out["issue"][0]["details"]["text"], (i, body)
        else:
            assert out["resourceType"] == "ConceptMap", (i, body)
