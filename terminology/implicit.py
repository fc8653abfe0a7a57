"""Implicit value sets: URLs that stand for a value set without a stored resource.

Resolvers are functions `(catalog, url) -> dict | None` returning a ValueSet
resource (usually with a compose) for URLs they recognise, e.g.
`http://snomed.info/sct?fhir_vs=isa/123` or a code system's `valueSet`
(all codes). The expansion engine asks them when no stored ValueSet matches.
"""
from __future__ import annotations

RESOLVERS: list = []


def resolver(fn):
    RESOLVERS.append(fn)
    return fn


def resolve(catalog, url: str) -> dict | None:
    for fn in RESOLVERS:
        vs = fn(catalog, url)
        if vs is not None:
            return vs
    return None
