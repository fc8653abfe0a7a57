"""The closure tests: the demo app, and the store tests' PostgreSQL server (tests/store/conftest.py) reused."""
from __future__ import annotations

import pytest

from tests.store.conftest import pg_store, postgres_server, postgres_url  # noqa: F401

ICD = "http://hl7.org/fhir/sid/icd-10-no"
ICPC = "http://hl7.org/fhir/sid/icpc-2"


def params(name=None, *concepts, version=None, **more) -> dict:
    """A $closure Parameters body: the name, Codings as (system, code[, version]) or dicts, a version."""
    ps = []
    if name is not None:
        ps.append({"name": "name", "valueString": name})
    for c in concepts:
        if isinstance(c, tuple):
            c = dict(zip(("system", "code", "version"), c))
        ps.append({"name": "concept", "valueCoding": c})
    if version is not None:
        ps.append({"name": "version", "valueString": str(version)})
    ps += [{"name": k, **v} for k, v in more.items()]
    return {"resourceType": "Parameters", "parameter": ps}


def pairs(cm: dict) -> set:
    """The entries of a $closure ConceptMap as (system, source, equivalence, target)."""
    return {(g["source"], e["code"], t["equivalence"], t["code"])
            for g in cm.get("group", []) for e in g["element"] for t in e["target"]}


@pytest.fixture
def closure(demo_client):
    """POST $closure; (status, body)."""
    def call(*args, path="/fhir/$closure", **kw):
        r = demo_client.post(path, json=params(*args, **kw))
        return r.status_code, r.get_json()
    return call
