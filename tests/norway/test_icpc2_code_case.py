"""ICPC-2 codes in another case: `k86` is the code K86, as `j12.8` is J12.8 in ICD-10-NO.

Every ICPC-2 code in the real lists (tests/data/norway) is a capital letter with digits, and no two differ only
in case, so a lower-case code a GP system sends can only mean the capital one. The answer accepts it and names
the correct case; a complete edition used to refuse it as unknown, and the demo fragment called it "may be valid
in some other fragment" (result true, with no word about the real code)."""
from __future__ import annotations

import json
import re

from tests.norway.conftest import ICPC2_NAV

ICPC2 = "http://hl7.org/fhir/sid/icpc-2"


def _answer(client, code: str, **extra) -> dict:
    args = {"url": ICPC2, "code": code, **extra}
    r = client.get("/fhir/CodeSystem/$validate-code", query_string=args)
    assert r.status_code == 200, r.get_data(as_text=True)
    return {p["name"]: p for p in r.get_json()["parameter"]}


def _texts(out: dict) -> list[str]:
    return [i["details"]["text"] for i in out.get("issues", {}).get("resource", {}).get("issue", [])]


def test_the_real_lists_hold_no_codes_that_differ_only_in_case():
    codes = [row["code"] for row in json.load(open(ICPC2_NAV, encoding="utf-8"))]
    assert all(re.fullmatch(r"[A-Z][0-9]{2,3}", c) for c in codes if len(c) > 1)
    assert len({c.casefold() for c in codes}) == len(codes)


def test_a_lower_case_code_is_the_capital_code_in_the_full_edition(nav_client):
    out = _answer(nav_client, "k86")
    assert out["result"]["valueBoolean"] is True
    assert out["normalized-code"]["valueCode"] == "K86"       # `code` echoes the code as sent (HL7 case rule)
    assert out["display"]["valueString"]
    assert any("'k86'" in t and "'K86'" in t and "case" in t for t in _texts(out))


def test_a_lower_case_code_that_is_no_code_stays_unknown(nav_client):
    out = _answer(nav_client, "k00")
    assert out["result"]["valueBoolean"] is False


def test_the_codesystem_says_it_is_case_insensitive(nav_client):
    bundle = nav_client.get("/fhir/CodeSystem", query_string={"url": ICPC2}).get_json()
    assert [e["resource"]["caseSensitive"] for e in bundle["entry"]] == [False]


def test_the_demo_fragment_finds_the_capital_code(demo_client):
    out = _answer(demo_client, "a04")
    assert out["result"]["valueBoolean"] is True
    assert out["normalized-code"]["valueCode"] == "A04"
    assert not any("fragment" in t for t in _texts(out))


def test_a_lower_case_code_translates_as_the_capital_code(demo_client):
    """$translate ICPC-2 -> ICD-10-NO finds a04 as A04 (the map index keys ICPC-2 codes in capitals)."""
    def matches(code):
        r = demo_client.get("/fhir/ConceptMap/$translate", query_string={
            "system": ICPC2, "code": code, "targetsystem": "http://hl7.org/fhir/sid/icd-10-no"})
        body = r.get_json()
        return sorted(part.get("valueCoding", {}).get("code") for p in body["parameter"] if p["name"] == "match"
                      for part in p["part"] if part["name"] == "concept")
    assert matches("A04") and matches("a04") == matches("A04")
