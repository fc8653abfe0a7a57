"""A wide import fan, all tx-resources: `n` leaves (each the whole of one code system), `n` middles each
importing every leaf, one top importing every middle — n + n² references to 2n + 1 value sets."""
from __future__ import annotations

S = "http://ex.org/cs/fan"
TOP = "http://ex.org/vs/fan-top"


def fan_resources(n: int) -> list[dict]:
    leaves = [f"http://ex.org/vs/fan-l{i}" for i in range(n)]
    middles = [f"http://ex.org/vs/fan-m{i}" for i in range(n)]
    out = [{"resourceType": "CodeSystem", "url": S, "version": "1", "status": "active", "content": "complete",
            "concept": [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}]}]
    out += [{"resourceType": "ValueSet", "url": u, "status": "active",
             "compose": {"include": [{"valueSet": leaves}]}} for u in middles]
    out += [{"resourceType": "ValueSet", "url": u, "status": "active", "compose": {"include": [{"system": S}]}}
            for u in leaves]
    out.append({"resourceType": "ValueSet", "url": TOP, "status": "active",
                "compose": {"include": [{"valueSet": middles}]}})
    return out
