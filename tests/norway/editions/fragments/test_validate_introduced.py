"""N2: CodeSystem/$validate-code on a date whose ICD-10-NO edition is a fragment: a code that the fragment does not
list but a later edition does was not "introduced" later -- the fragment's silence says nothing -- unless the later
edition's own validFrom for the code is after the date."""
from __future__ import annotations

ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"


def _validate(client, **q):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": ICD10_NO, **q})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    p = {x["name"]: x for x in body["parameter"]}
    issues = p["issues"]["resource"]["issue"] if "issues" in p else []
    return p["result"]["valueBoolean"], [(i["severity"], i["details"]["text"]) for i in issues]


def test_n2_old_who_code_absent_from_fragment_is_not_introduced_later(client):
    for code in ("A09.9", "M79.6"):
        ok, issues = _validate(client, code=code, date="2026-03-01")
        texts = " ".join(t for _s, t in issues)
        assert ok is True, (code, issues)
        assert "introduced in" not in texts, texts
        assert any(s == "warning" and "fragment" in t for s, t in issues), issues


def test_n2_fragment_named_by_version_keeps_the_fragment_rule(client):
    ok, issues = _validate(client, code="A09.9", version="2026")
    assert ok is True and not any("introduced in" in t for _s, t in issues), issues


def test_n2_later_edition_validfrom_after_the_date_is_evidence(client):
    ok, issues = _validate(client, code="U10.9", date="2026-03-01")
    assert ok is False, issues
    assert any("is not in ICD-10-NO 2026: it is introduced in ICD-10-NO 2027 (valid from 2027-01-01)" in t
               for _s, t in issues), issues


def test_n2_the_code_is_valid_in_the_complete_edition_that_holds_it(client):
    ok, _issues = _validate(client, code="A09.9", date="2027-03-01")
    assert ok is True


def test_n2_demo_ncmp_and_ncrp_new_codes_stay_introduced_by_their_validfrom(client):
    # the seeds give JAGD55 (NCMP 2021) and SAA0AP (NCRP 2017) a validFrom: real evidence, unchanged answer
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={
        "url": "urn:oid:2.16.578.1.12.4.1.1.7220", "code": "JAGD55", "date": "2020-12-31"})
    assert "introduced in NCMP 2021" in r.get_data(as_text=True)
