"""R4 Bundle.entry.response.outcome: "An OperationOutcome containing hints and warnings produced as part of
processing this entry in a batch". A write entry that succeeds with warnings carries them there as well as in its
resource; an operation entry's own result is no such outcome."""
from __future__ import annotations

import pytest

from fhir_api import create_app

NKPK = "urn:oid:2.16.578.1.12.4.1.1.7275"
FJ = "application/fhir+json"


@pytest.fixture
def demo(tmp_path):
    return create_app({"DB": str(tmp_path / "k.db"), "DEMO": True}).test_client()


def _batch(c, *entries) -> list[dict]:
    r = c.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": list(entries)}, content_type=FJ)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["entry"]


def _warnings(outcome: dict) -> list[str]:
    return [i["details"]["text"] for i in outcome["issue"] if i["severity"] == "warning"]


def test_a_delete_whose_derived_edition_takes_its_place_carries_the_warning_in_response_outcome(demo):
    # the demo's NKPK 2017 comes from a file; deleted, the edition derived from NCMP/NCSP/NCRP takes its place
    found = demo.get(f"/fhir/CodeSystem?url={NKPK}&version=2017&_elements=id").get_json()
    rid = found["entry"][0]["resource"]["id"]
    [e] = _batch(demo, {"request": {"method": "DELETE", "url": f"CodeSystem/{rid}"}})
    assert e["response"]["status"].startswith("200"), e
    outcome = e["response"]["outcome"]
    assert outcome["resourceType"] == "OperationOutcome"
    assert any("is still served" in w for w in _warnings(outcome)), outcome
    # the plain DELETE's answer stays the entry's resource
    assert e["resource"]["resourceType"] == "OperationOutcome" and _warnings(e["resource"]) == _warnings(outcome)
    assert all("diagnostics" not in i for i in outcome["issue"] if i.get("details")), outcome


def test_a_delete_that_found_nothing_carries_its_warning_in_response_outcome(demo):
    [e] = _batch(demo, {"request": {"method": "DELETE", "url": "CodeSystem/no-such-edition"}})
    assert e["response"]["status"].startswith("200"), e
    assert any("nothing was deleted" in w for w in _warnings(e["response"]["outcome"])), e


def test_successful_reads_and_operations_carry_no_response_outcome(demo):
    entries = _batch(
        demo,
        {"request": {"method": "GET", "url": "CodeSystem/ICD10NO-2026?_summary=true"}},
        {"request": {"method": "GET", "url": "CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-no&code=J12.8"}},
        {"request": {"method": "GET", "url": "CodeSystem/$validate-code?url=http://hl7.org/fhir/sid/icd-10-no"
                                            "&code=NOPE9"}})
    assert [e["response"]["status"][:3] for e in entries] == ["200"] * 3, entries
    assert [e["resource"]["resourceType"] for e in entries] == ["CodeSystem", "Parameters", "Parameters"]
    assert all("outcome" not in e["response"] for e in entries), entries


def test_an_entry_query_is_read_as_the_same_query_on_a_plain_request(demo):
    """An escape that is no UTF-8 (%E5, latin-1 'å') is kept as written on a plain GET; a batch entry used to
    replace it with U+FFFD, so the two answers named different codes."""
    q = "CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-no&code=%E5rsak"
    plain = demo.get("/fhir/" + q).get_json()
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [{"request": {"method": "GET", "url": q}}]}
    entry = demo.post("/fhir", json=bundle, content_type=FJ).get_json()["entry"][0]
    texts = [i["details"]["text"] for i in entry["resource"]["issue"]]
    assert texts == [i["details"]["text"] for i in plain["issue"]] and any("%E5rsak" in t for t in texts), texts
