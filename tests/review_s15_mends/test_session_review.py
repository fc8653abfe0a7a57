"""Mends of the fifteenth session's review (/work/notes/review-s15.md): each test failed before its mend."""
from __future__ import annotations

import pytest

U = "http://example.org/cs/years"


def _cs(version, concepts):
    return {"resourceType": "CodeSystem", "id": f"y{version}", "url": U, "version": version, "status": "active",
            "content": "complete", "property": [{"code": "validTo", "type": "string"}], "concept": concepts}


@pytest.fixture
def client(tmp_path):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path / "k.db"), "DEMO": False}).test_client()


@pytest.mark.parametrize("valid_to", ["²²²²-12-31", "٢٠٢٥-12-31", "20x5-12-31"])
def test_a_valid_to_that_is_no_ascii_year_dates_nothing_and_breaks_nothing(client, valid_to):
    # F1: str.isdigit took '²²²²' and int() refused it inside the succession graph: every versioned $translate,
    # $code-history and ConceptMap search answered 500
    assert client.put("/fhir/CodeSystem/y2024", json=_cs("2024", [
        {"code": "A", "display": "a"},
        {"code": "B", "display": "b", "property": [{"code": "validTo", "valueString": valid_to}]}])).status_code == 201
    assert client.put("/fhir/CodeSystem/y2026", json=_cs("2026", [{"code": "A", "display": "a"}])).status_code == 201
    r = client.get(f"/fhir/ConceptMap/$translate?system={U}&code=B&version=2024&target-version=2026"
                   f"&targetsystem={U}")
    assert r.status_code == 200
    body = r.get_json()
    assert [p["valueBoolean"] for p in body["parameter"] if p["name"] == "result"] == [False]
    assert client.get("/fhir/ConceptMap?_summary=count").status_code == 200
    assert client.get(f"/fhir/CodeSystem/$code-history?system={U}&code=B").status_code == 200


def test_the_dotted_spelling_memo_keeps_no_long_client_strings():
    # F3: the memo of dotted spellings keyed on the client's raw string; 'J12.' + a million dots + '8' is found as
    # J128 and was kept whole (40 requests held 150 MB)
    from terminology.codesystem import CodeSystemIndex
    idx = CodeSystemIndex({"resourceType": "CodeSystem", "url": "http://hl7.org/fhir/sid/icd-10-no", "version": "1",
                           "content": "complete"}, [{"code": "J128", "display": "x"}])
    long = "J12." + "." * 100_000 + "8"
    assert idx.find(long)[0].code == "J128"
    assert idx.find("J12.8")[0].code == "J128"
    kept = idx.__dict__.get("_normalised_hits")
    assert kept is not None and list(kept[1]) == ["J12.8"]


def test_the_demo_loads_in_one_transaction_with_its_derived_editions_tagged(tmp_path):
    # F9: the demo was written, then its derived NKPK editions written again with the demo tag (two
    # transactions: a crash between them left untagged demo editions)
    from terminology import open_store
    from terminology.demo import load_demo
    from terminology.identifiers import NKPK, is_demo
    store = open_store(str(tmp_path / "d.db"))
    before = store.generation()
    load_demo(store)
    assert store.generation() == before + 1
    nkpk = store.by_url("CodeSystem", NKPK)
    assert nkpk and all(is_demo(store.body(h.pk)) for h in nkpk)
