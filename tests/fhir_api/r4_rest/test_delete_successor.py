"""A DELETE after which the server answers the same url|version with a resource it derives (the demo's NKPK 2016 comes
from a file: deleted, the NKPK 2016 Kodebro builds from NCMP, NCSP and NCRP 2016 takes its place in the same write).
R4 http.html#delete: a successful delete is a 200 with an OperationOutcome; here it also says, as a warning, that
a read of the id now answers (200, not 410) and with what, so an operator does not take it for gone."""
from __future__ import annotations

from .conftest import FJ

NKPK = "urn:oid:2.16.578.1.12.4.1.1.7275"


def _texts(body: dict, severity: str) -> list[str]:
    return [(i.get("details") or {}).get("text") or "" for i in body["issue"] if i["severity"] == severity]


def test_deleting_a_file_edition_that_a_derived_one_replaces_says_so(kb):
    before = kb.get("/fhir/CodeSystem/NKPK-2016")
    assert before.status_code == 200 and not before.get_json().get("extension")     # from the demo's file
    r = kb.delete("/fhir/CodeSystem/NKPK-2016")
    assert r.status_code == 200 and r.mimetype == FJ, r.get_json()
    body = r.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert _texts(body, "information") == ["CodeSystem/NKPK-2016 deleted"]
    (warning,) = _texts(body, "warning")
    # what now answers, where, from what, and what a read of the id gives
    for said in (f"{NKPK}|2016", "CodeSystem/NKPK-2016", "NCMP 2016", "NCSP 2016", "NCRP 2016", "200"):
        assert said in warning, (said, warning)
    after = kb.get("/fhir/CodeSystem/NKPK-2016")
    assert after.status_code == 200 and after.get_json()["extension"]       # the derived one: built from
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_plain_delete_has_no_such_warning(kb):
    kb.put("/fhir/CodeSystem/successor-plain", json={
        "resourceType": "CodeSystem", "id": "successor-plain", "url": "http://example.org/successor-plain",
        "version": "1", "status": "active", "content": "complete", "concept": [{"code": "a"}]}, content_type=FJ)
    r = kb.delete("/fhir/CodeSystem/successor-plain")
    assert r.status_code == 200
    assert [i["severity"] for i in r.get_json()["issue"]] == ["information"]
    assert kb.get("/fhir/CodeSystem/successor-plain").status_code == 410
