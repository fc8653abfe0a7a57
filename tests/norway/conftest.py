"""Fixtures for the Norwegian codebooks: real NAV lists imported once per module, small files per test."""
from __future__ import annotations

import os
import shutil

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "data", "norway")
ICD10_NAV = os.path.join(DATA, "navikt-ICD10-2026.json")
ICPC2_NAV = os.path.join(DATA, "navikt-ICPC2-2026.json")
MAP_FILE = os.path.join(DATA, "ehelse-ICPC2_til_ICD-10_CSV_1_1_2019.txt")
FAT_ICD10 = os.path.join(DATA, "fat-icd10-2026.json")
FAT_ICPC2 = os.path.join(DATA, "fat-icpc2-2024.json")
PROCEDURES = os.path.join(DATA, "procedures-2017.csv")


def data(name: str) -> str:
    return os.path.join(DATA, name)


@pytest.fixture(scope="module")
def nav_db(tmp_path_factory):
    """A store holding the full NAV ICD-10 and ICPC-2 lists (edition 2026) and the ICPC-2 -> ICD-10 map."""
    from terminology import import_paths, open_store
    path = str(tmp_path_factory.mktemp("nav") / "nav.db")
    store = open_store(path)
    report = import_paths(store, [ICD10_NAV, ICPC2_NAV, MAP_FILE])
    store.close()
    return path, report


@pytest.fixture(scope="module")
def nav_client(nav_db):
    from fhir_api import create_app
    return create_app({"DB": nav_db[0], "DEMO": False}).test_client()


@pytest.fixture(scope="module")
def nav_catalog(nav_db):
    from terminology import Catalog, open_store
    return Catalog(open_store(nav_db[0]))


def write_json(tmp_path, name, obj) -> str:
    import json
    p = tmp_path / name
    p.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return str(p)


def copy_as(tmp_path, src: str, name: str) -> str:
    dst = tmp_path / name
    shutil.copy(src, dst)
    return str(dst)


def errors(items) -> list[str]:
    return [i.error for i in items if i.error]


def resources(items, rtype=None) -> list[dict]:
    return [i.resource for i in items if i.resource and (rtype is None or i.resource["resourceType"] == rtype)]


def params(body: dict) -> dict:
    """FHIR Parameters -> {name: value or [values]} for the simple value[x] parameters."""
    out: dict = {}
    for p in body.get("parameter", []):
        val = next((v for k, v in p.items() if k.startswith("value")), p.get("part", p.get("resource")))
        out.setdefault(p["name"], []).append(val)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def props(body: dict) -> dict:
    """$lookup property parts -> {code: [values]}."""
    out: dict = {}
    for p in body.get("parameter", []):
        if p["name"] != "property":
            continue
        parts = {q["name"]: next((v for k, v in q.items() if k.startswith("value")), None) for q in p["part"]}
        out.setdefault(parts["code"], []).append(parts.get("value"))
    return out
