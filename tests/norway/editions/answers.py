"""Reading the demo's edition answers: Parameters by name, and the issue texts they carry."""
from __future__ import annotations


def params(body: dict) -> dict:
    """Parameters by name, each its value or, without one, its resource (the last of a repeated name)."""
    return {p["name"]: next((v for k, v in p.items() if k.startswith("value")), p.get("resource"))
            for p in body.get("parameter", [])}


def issue_texts(body: dict) -> list[str]:
    """The text of each issue of the `issues` parameter, in order."""
    iss = params(body).get("issues") or {}
    return [i.get("details", {}).get("text", "") for i in iss.get("issue", [])]
