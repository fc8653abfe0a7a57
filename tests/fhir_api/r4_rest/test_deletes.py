"""Deleted resources (R4 http.html#read: 410 for a deleted resource, 404 for an unknown one; #delete: a DELETE of a
resource that does not exist succeeds; #concurrency: If-Match on what is not there fails)."""
from __future__ import annotations

import re

import pytest

from .conftest import FJ, assert_oo


def cs(rid: str, version: str = "1", **extra) -> dict:
    return {"resourceType": "CodeSystem", "id": rid, "url": f"http://example.org/rest18/{rid}", "version": version,
            "name": "Rest18", "status": "active", "content": "complete",
            "concept": [{"code": "a", "display": "Alpha"}], **extra}


def _put(kb, rid, **headers):
    return kb.put(f"/fhir/CodeSystem/{rid}", json=cs(rid), content_type=FJ, headers=headers)


def _deleted(kb, rid):
    assert _put(kb, rid).status_code in (200, 201)
    r = kb.delete(f"/fhir/CodeSystem/{rid}")
    assert r.status_code == 200, r.get_json()
    return r


def _only_issue(r) -> dict:
    (issue,) = r.get_json()["issue"]
    return issue


def _text(issue: dict) -> str:
    return ((issue.get("details") or {}).get("text") or "") + " " + (issue.get("diagnostics") or "")


# --- 410 Gone ---------------------------------------------------------------------------------------------------
def test_read_of_a_deleted_resource_is_410_naming_it_and_when(kb):
    _deleted(kb, "rest18-gone")
    b = assert_oo(kb.get("/fhir/CodeSystem/rest18-gone"), 410, "CodeSystem/rest18-gone", "deleted",
                  code="deleted")
    # when it was deleted, as the instant the store stamped
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", _text(b["issue"][0])), b


def test_unknown_stays_404_and_deleted_is_not_listed(kb):
    assert_oo(kb.get("/fhir/CodeSystem/rest18-never"), 404, "rest18-never", code="not-found")
    _deleted(kb, "rest18-unlisted")
    found = kb.get("/fhir/CodeSystem", query_string={"url": "http://example.org/rest18/rest18-unlisted"}).get_json()
    assert found["total"] == 0 and not found.get("entry")
    ids = kb.get("/fhir/CodeSystem", query_string={"_count": 1000, "_elements": "id"}).get_json()
    assert "rest18-unlisted" not in {e["resource"]["id"] for e in ids.get("entry", [])}


def test_a_deleted_id_written_again_exists_again(kb):
    _deleted(kb, "rest18-back")
    r = _put(kb, "rest18-back")
    assert r.status_code == 201, r.get_json()          # created: nothing was there
    assert kb.get("/fhir/CodeSystem/rest18-back").status_code == 200
    _deleted(kb, "rest18-back")                         # and deleted again: gone again
    assert kb.get("/fhir/CodeSystem/rest18-back").status_code == 410


def test_a_create_that_gets_a_deleted_id_clears_it(kb):
    body = {k: v for k, v in cs("x", version="p1").items() if k != "id"}
    body["name"] = "Rest18Post"
    rid = kb.post("/fhir/CodeSystem", json=body, content_type=FJ).get_json()["id"]
    assert kb.delete(f"/fhir/CodeSystem/{rid}").status_code == 200
    assert kb.get(f"/fhir/CodeSystem/{rid}").status_code == 410
    again = kb.post("/fhir/CodeSystem", json=body, content_type=FJ)
    assert again.status_code == 201 and again.get_json()["id"] == rid       # the id the store derives, free again
    assert kb.get(f"/fhir/CodeSystem/{rid}").status_code == 200


def test_if_match_on_a_deleted_resource_is_as_for_a_missing_one(kb):
    tag = _put(kb, "rest18-ifm").headers["ETag"]
    assert kb.delete("/fhir/CodeSystem/rest18-ifm").status_code == 200
    for r in (_put(kb, "rest18-ifm", **{"If-Match": tag}), kb.delete("/fhir/CodeSystem/rest18-ifm",
                                                                      headers={"If-Match": tag})):
        assert_oo(r, 412, "If-Match", code="conflict")
    assert kb.get("/fhir/CodeSystem/rest18-ifm").status_code == 410       # nothing was written
    # If-None-Match: * holds on a deleted resource: the PUT creates it
    assert _put(kb, "rest18-ifm", **{"If-None-Match": "*"}).status_code == 201


def test_history_of_a_deleted_resource_is_still_not_offered(kb):
    _deleted(kb, "rest18-hist")
    assert_oo(kb.get("/fhir/CodeSystem/rest18-hist/_history"), 404, "history", code="not-supported")


def test_batch_get_of_a_deleted_resource_is_410(kb):
    _deleted(kb, "rest18-batch")
    b = kb.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": "CodeSystem/rest18-batch"}},
        {"request": {"method": "GET", "url": "CodeSystem/rest18-batch-never"}},
        {"request": {"method": "DELETE", "url": "CodeSystem/rest18-batch-never"}}]}, content_type=FJ).get_json()
    assert [e["response"]["status"] for e in b["entry"]] == ["410", "404", "200"]
    assert b["entry"][0]["response"]["outcome"]["issue"][0]["code"] == "deleted"


# --- DELETE of what does not exist ------------------------------------------------------------------------------
def test_delete_of_a_missing_resource_is_200_saying_nothing_was_deleted(kb):
    r = kb.delete("/fhir/CodeSystem/rest18-typo")
    assert r.status_code == 200 and r.mimetype == FJ
    issue = _only_issue(r)
    # a warning, so a mistyped id is not read as a deletion
    assert issue["severity"] == "warning" and issue["code"] == "not-found", issue
    assert "CodeSystem/rest18-typo" in _text(issue) and "nothing was deleted" in _text(issue).lower()
    assert kb.get("/fhir/CodeSystem/rest18-typo").status_code == 404      # and it leaves no tombstone


def test_delete_of_a_deleted_resource_is_200_saying_when(kb):
    _deleted(kb, "rest18-twice")
    r = kb.delete("/fhir/CodeSystem/rest18-twice")
    assert r.status_code == 200
    issue = _only_issue(r)
    assert issue["severity"] == "warning" and "already deleted" in _text(issue), issue
    assert kb.get("/fhir/CodeSystem/rest18-twice").status_code == 410


def test_a_successful_delete_is_information(kb):
    r = _deleted(kb, "rest18-info")
    issue = _only_issue(r)
    assert issue["severity"] == "information" and "CodeSystem/rest18-info deleted" in _text(issue)


@pytest.mark.parametrize("tag", ['W/"1-20261125190823"', "*"])
def test_delete_with_if_match_of_a_missing_resource_is_412(kb, tag):
    r = kb.delete("/fhir/CodeSystem/rest18-ifm-never", headers={"If-Match": tag})
    assert_oo(r, 412, "rest18-ifm-never", "does not exist", code="conflict")


@pytest.mark.parametrize("rid", ["sct-cm-900000000000526001", "sct-cm-900000000000526001-900000000000207008-20180731"])
def test_delete_of_a_reserved_implicit_map_id_is_refused(kb, rid):
    r = kb.delete(f"/fhir/ConceptMap/{rid}")
    assert_oo(r, 422, f"ConceptMap/{rid}", "not stored")


def test_delete_of_a_derived_edition_map_is_refused(tmp_path):
    import os

    from fhir_api import create_app
    from terminology import import_paths, open_store
    from tests.conftest import DATA
    db = str(tmp_path / "derived.db")
    store = open_store(db)
    import_paths(store, [os.path.join(DATA, "successions", f"navikt-ICPC2-{y}.json") for y in ("2024", "2025")])
    store.close()
    c = create_app({"DB": db, "DEMO": False}).test_client()
    page = c.get("/fhir/ConceptMap", query_string={"_elements": "id"}).get_json()
    (rid,) = [e["resource"]["id"] for e in page["entry"]]
    assert c.get(f"/fhir/ConceptMap/{rid}").status_code == 200
    assert_oo(c.delete(f"/fhir/ConceptMap/{rid}"), 422, f"ConceptMap/{rid}", "derived", "not stored")
    assert c.get(f"/fhir/ConceptMap/{rid}").status_code == 200


@pytest.mark.parametrize("rid", ["bad_id!", "x" * 65])
def test_delete_of_an_id_that_cannot_be_one_is_400(kb, rid):
    # nothing can be held under it: a 200 "nothing was deleted" would hide a malformed URL
    assert_oo(kb.delete(f"/fhir/CodeSystem/{rid}"), 400, "id", code="invalid")


def test_delete_of_a_derived_nkpk_edition_is_refused_and_changes_nothing(kb):
    # the demo's NKPK 2016 comes from a file: deleted, a derived one (built from the demo's NCMP/NCSP/NCRP 2016)
    # takes its place in the same write
    assert kb.delete("/fhir/CodeSystem/NKPK-2016").status_code == 200
    before = kb.get("/fhir/CodeSystem/NKPK-2016")
    assert before.status_code == 200 and before.get_json()["extension"]
    # that one the delete's own write would build again as it is: refused, not answered "deleted"
    r = kb.delete("/fhir/CodeSystem/NKPK-2016")
    assert_oo(r, 422, "CodeSystem/NKPK-2016", "derived", "nothing was deleted")
    after = kb.get("/fhir/CodeSystem/NKPK-2016")
    assert after.status_code == 200 and after.headers["ETag"] == before.headers["ETag"]


def test_delete_of_a_generated_icd10_rule_value_set_is_refused_as_kodebro_remove_refuses_it(kb):
    # the reportable-code rules of the demo's ICD-10-NO 2026 go with that edition (kodebro remove refuses the same)
    from terminology.norway.rules import REPORTABLE_VS
    check = f"/fhir/ValueSet/$validate-code?url={REPORTABLE_VS}&system=http://hl7.org/fhir/sid/icd-10-no&code=A000"
    before = kb.get(check).get_json()
    r = kb.delete("/fhir/ValueSet/ICD10NOReportable-2026")
    assert_oo(r, 422, "ICD10NOReportable-2026", "kodebro remove --system ICD-10-NO --edition 2026")
    assert kb.get("/fhir/ValueSet/ICD10NOReportable-2026").status_code == 200
    assert kb.get(check).get_json() == before


def test_a_read_in_another_worker_just_after_the_delete_is_410_too(tmp_path):
    # two apps on one store stand for two workers: the other one's catalog still lists the resource (it refreshes
    # at most once a second), so its read finds the body gone; it must answer what the deleting worker answers
    from fhir_api import create_app
    db = str(tmp_path / "k.db")
    deleting = create_app({"DB": db, "DEMO": True}).test_client()
    other = create_app({"DB": db, "DEMO": True}).test_client()
    assert other.get("/fhir/ValueSet?_id=none").status_code == 200     # its catalog holds the header, not the body
    assert deleting.delete("/fhir/ValueSet/ncsp-aktive").status_code == 200
    for path in ("/fhir/ValueSet/ncsp-aktive", "/fhir/ValueSet/ncsp-aktive?_summary=true"):
        r = other.get(path)
        assert_oo(r, 410, "ValueSet/ncsp-aktive", "deleted at", code="deleted")
    assert deleting.get("/fhir/ValueSet/ncsp-aktive").status_code == 410


def test_an_operation_in_another_worker_just_after_the_delete_is_no_500(tmp_path):
    # the other worker's catalog still holds the code system's header (refreshed at most once a second) but has
    # built no index of it: the body it then reads is gone
    from fhir_api import create_app
    db = str(tmp_path / "k.db")
    deleting = create_app({"DB": db, "DEMO": True}).test_client()
    other = create_app({"DB": db, "DEMO": True}).test_client()
    cs = deleting.get("/fhir/CodeSystem/NCMP-2020").get_json()
    assert other.get("/fhir/metadata").status_code == 200
    assert deleting.delete("/fhir/CodeSystem/NCMP-2020").status_code == 200
    r = other.get(f"/fhir/CodeSystem/$lookup?system={cs['url']}&version={cs['version']}&code=x")
    assert r.status_code == 404 and "deleted by another request" in str(r.get_json()), r.get_data(as_text=True)
    # $validate-code answers a code system it cannot read with result=false, as for one never held
    r = other.get(f"/fhir/CodeSystem/$validate-code?url={cs['url']}&version={cs['version']}&code=x")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    params = {p["name"]: p for p in r.get_json()["parameter"]}
    assert params["result"]["valueBoolean"] is False


def test_an_operation_on_a_deleted_instance_is_410_as_its_read(kb):
    _deleted(kb, "rest18-op-gone")
    r = kb.get("/fhir/CodeSystem/rest18-op-gone/$lookup?code=a")
    assert_oo(r, 410, "CodeSystem/rest18-op-gone", "deleted at", code="deleted")
    assert kb.get("/fhir/CodeSystem/rest18-never-op/$lookup?code=a").status_code == 404
