"""Clients for the advice tests: the demo content (real slices of NAV's ICD-10-NO 2026 list and the NCMP/NCRP
change seeds), and a store of hand-made ICD-10-NO editions 2025 (complete), 2026 (fragment), 2027 (complete)."""
from __future__ import annotations

import os

import pytest

from tests.conftest import DATA
from tests.support.tx_files import imported_client

HERE = os.path.join(DATA, "norway_advice")
ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"


@pytest.fixture(scope="package")
def demo(tmp_path_factory):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path_factory.mktemp("va15demo") / "k.db"), "DEMO": True}).test_client()


@pytest.fixture(scope="package")
def editions(tmp_path_factory):
    # in 2027, so that a request naming no version is answered by the 2027 edition these tests are about (the
    # edition in force today answers, review s16 H1)
    return imported_client(tmp_path_factory.mktemp("va15ed"),
                           [os.path.join(HERE, f"icd10no-{v}.json") for v in ("2025", "2026", "2027")],
                           TODAY="2027-06-01")


@pytest.fixture(scope="package")
def fat(tmp_path_factory):
    return imported_client(tmp_path_factory.mktemp("va15fat"), [os.path.join(HERE, "fat-icd10-2026.json")])


def answer(client, op: str, **q) -> dict:
    r = client.get(f"/fhir/{op}/$validate-code", query_string=q)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def params(body: dict) -> dict:
    return {p["name"]: (p.get("resource") if "resource" in p else
                        next((v for k, v in p.items() if k.startswith("value")), None))
            for p in body.get("parameter") or []}


def issues(body: dict) -> list[tuple[str, str, str]]:
    """(severity, tx-issue-type code, text) of each issue."""
    oo = params(body).get("issues") or {}
    return [(i["severity"], i["details"]["coding"][0]["code"], i["details"]["text"]) for i in oo.get("issue") or []]


def infos(body: dict) -> list[str]:
    return [t for sev, _c, t in issues(body) if sev == "information"]
