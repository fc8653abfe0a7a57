"""read and a few search parameters/result parameters across the REST surface (R4 http.html#read,
#concurrency, #cread; search.html#all)."""
from __future__ import annotations

from .conftest import FJ, assert_oo


def test_read_has_etag_last_modified_and_full_content(kb):
    r = kb.get("/fhir/CodeSystem/ICD10NO-2026")
    assert r.status_code == 200 and r.mimetype == FJ
    assert r.headers["ETag"].startswith('W/"')
    b = r.get_json()
    assert b["id"] == "ICD10NO-2026" and b["meta"]["lastUpdated"]
    assert len(b["concept"]) > 0           # 142 codes: under the 2,000 limit, a read is the whole resource
    assert "SUBSETTED" not in str(b["meta"])


def test_conditional_read_304(kb):
    tag = kb.get("/fhir/ValueSet?_count=1").get_json()["entry"][0]["resource"]["id"]
    r = kb.get(f"/fhir/ValueSet/{tag}")
    again = kb.get(f"/fhir/ValueSet/{tag}", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_if_match_mismatch_is_412_outcome(kb):
    kb.put("/fhir/ValueSet/probe10-im", json={"resourceType": "ValueSet", "id": "probe10-im", "status": "active",
                                              "url": "http://example.org/probe10/im"}, content_type=FJ)
    r = kb.put("/fhir/ValueSet/probe10-im", headers={"If-Match": 'W/"0-19990101000000"'}, content_type=FJ,
               json={"resourceType": "ValueSet", "id": "probe10-im", "status": "draft",
                     "url": "http://example.org/probe10/im"})
    assert_oo(r, 412, code="conflict")
    assert kb.get("/fhir/ValueSet/probe10-im").get_json()["status"] == "active"


def test_capability_does_not_claim_conditional_create_update_delete(kb):
    # If-None-Exist is served for the written types (tests/fhir_api); conditional update and delete are
    # not, so the statement must not say they are (capabilitystatement.html conditional*)
    for res in kb.get("/fhir/metadata").get_json()["rest"][0]["resource"]:
        assert bool(res.get("conditionalCreate")) is (res["type"] != "OperationDefinition")
        assert res.get("conditionalUpdate") in (None, False)
        assert res.get("conditionalDelete") in (None, "not-supported")


def test_pretty(kb):
    assert kb.get("/fhir/metadata?_pretty=true").get_data(as_text=True).startswith('{\n  "resourceType"')


def test_id_and_last_updated_search(kb):
    assert kb.get("/fhir/CodeSystem?_id=ICD10NO-2026&_summary=count").get_json()["total"] == 1
    assert kb.get("/fhir/CodeSystem?_lastUpdated=gt2000-01-01&_summary=count").get_json()["total"] >= 1
    assert kb.get("/fhir/CodeSystem?_lastUpdated=gt2999-01-01&_summary=count").get_json()["total"] == 0


def test_url_and_version_search(kb):
    q = "/fhir/CodeSystem?url=http://hl7.org/fhir/sid/icd-10-no&version={}&_summary=count"
    assert kb.get(q.format("2026")).get_json()["total"] == 1
    assert kb.get(q.format("1999")).get_json()["total"] == 0


def test_head_on_search(kb):
    r = kb.head("/fhir/CodeSystem?_count=1")
    assert r.status_code == 200 and r.get_data() == b""


def test_read_summary_true_on_read(kb):
    b = kb.get("/fhir/CodeSystem/ICD10NO-2026?_summary=true").get_json()
    assert "concept" not in b and {"url", "status", "content"} <= set(b)
    assert "SUBSETTED" in str(b["meta"])
