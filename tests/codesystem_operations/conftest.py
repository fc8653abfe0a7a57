"""A store with real Norwegian codes (ICD-10-NO and ICPC-2 subsets, an ICPC-2 → ICD-10 map),
the HL7 test code system and the FHIR specification's example ConceptMaps."""
from __future__ import annotations

import copy
import json
import os

import pytest

from tests.conftest import DATA

HERE = os.path.join(DATA, "codesystem_operations")
FJ = "application/fhir+json"
ICD10 = "http://hl7.org/fhir/sid/icd-10-no"
ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
SIMPLE = "http://hl7.org/fhir/test/CodeSystem/simple"


def data(name: str, folder: str = HERE) -> dict:
    with open(os.path.join(folder, name), encoding="utf-8") as fh:
        return json.load(fh)


def icd10_2025() -> dict:
    """The same subset labelled as the 2025 edition, without the COVID-19 codes (U07.-)."""
    cs = copy.deepcopy(data("icd10no-2026-subset.json"))
    cs["id"], cs["version"] = "icd10no-2025-subset", "2025"
    cs["concept"] = [c for c in cs["concept"] if not c["code"].startswith("U07")]
    return cs


def content() -> list[dict]:
    out = [data(f) for f in ("icd10no-2026-subset.json", "icpc2-2026-subset.json",
                             "conceptmap-icpc2-icd10-subset.json", "codesystem-simple.json")]
    out.append(icd10_2025())
    for f in ("ConceptMap-101.json", "ConceptMap-102.json", "ConceptMap-103.json", "ConceptMap-example2.json"):
        out.append(data(f, os.path.join(DATA, "fhir")))
    return out


@pytest.fixture(scope="module")
def cs_app(tmp_path_factory):
    from fhir_api import create_app
    from terminology import open_store
    db = str(tmp_path_factory.mktemp("ops_cs") / "kodebro.db")
    store = open_store(db)
    store.write(content())
    store.close()
    return create_app({"DB": db, "DEMO": False})


@pytest.fixture
def cs_client(cs_app):
    return cs_app.test_client()


@pytest.fixture(scope="module")
def catalog(cs_app):
    return cs_app.extensions["kodebro.catalog"]


def params(body: dict) -> dict:
    """Parameters as {name: [values or part dicts]} for easy assertions."""
    out: dict = {}
    for p in body.get("parameter", []):
        if "part" in p:
            v = {q["name"]: next(x for k, x in q.items() if k.startswith("value") or k == "part")
                 for q in p["part"]}
        else:
            v = next(x for k, x in p.items() if k.startswith("value") or k == "resource")
        out.setdefault(p["name"], []).append(v)
    return out


def post(client, path: str, *parameters: dict):
    return client.post(path, json={"resourceType": "Parameters", "parameter": list(parameters)},
                       content_type=FJ)


# the module-scoped stored-content client of the R4 operation tests (simple_requests.py)
from tests.codesystem_operations.simple_requests import stored  # noqa: E402,F401
