"""$validate-code of a code that a complete edition lacks and a later loaded edition holds (review s16 L2): the
answer says so instead of only "Unknown code". Data: the real NAV ICPC-2 2024 and 2025 lists (U89.1 is new in
2025) and the cut ICD-10-NO 2019/2026 editions of tests/data/subdivisions (years between not loaded)."""
from __future__ import annotations

import os

import pytest

from tests.conftest import DATA

ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"
ICPC2_EDITIONS = [os.path.join(DATA, "successions", f"navikt-ICPC2-{y}.json") for y in ("2024", "2025")]
ICD10_EDITIONS = [os.path.join(DATA, "subdivisions", f"navikt-ICD10-{y}-cut.json") for y in ("2019", "2026")]


def _client(db_path, store, paths):
    from fhir_api import create_app
    from terminology.loader import import_paths
    import_paths(store, paths)
    return create_app({"DB": db_path, "DEMO": False}).test_client()


def _answer(client, **query):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string=query)
    assert r.status_code == 200
    got = {p["name"]: p.get("valueString", p.get("valueBoolean")) for p in r.get_json()["parameter"]}
    return got["result"], got.get("message")


@pytest.mark.parametrize("ask", [{"date": "2024-06-01"}, {"version": "2024"}])
def test_new_next_year(db_path, store, ask):
    client = _client(db_path, store, ICPC2_EDITIONS)
    assert _answer(client, system=ICPC2, code="U891", **ask) == (
        False, "U891 is not in ICPC-2 2024: it is introduced in ICPC-2 2025")


def test_unknown_everywhere_stays_unknown(db_path, store):
    client = _client(db_path, store, ICPC2_EDITIONS)
    result, message = _answer(client, system=ICPC2, code="U899", date="2024-06-01")
    assert result is False and message.startswith("Unknown code 'U899'")


def test_across_unloaded_years_only_the_edition_that_holds_it(db_path, store):
    client = _client(db_path, store, ICD10_EDITIONS)
    assert _answer(client, system=ICD10_NO, code="R17.0", date="2020-03-01") == (
        False, "R170 is not in ICD-10-NO 2019; the first later loaded edition that holds it is ICD-10-NO 2026")
