"""The page at the site root, and the FHIR calls it makes, answer on the demo content."""


def test_root_page_is_html_for_people(demo_client):
    r = demo_client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "ValueSet/$expand" in page and "CodeSystem/$lookup" in page


def test_the_calls_the_page_makes(demo_client):
    systems = demo_client.get("/fhir/CodeSystem", query_string={"_summary": "true", "_count": "1000"}).get_json()
    assert any(e["resource"]["url"] == "http://hl7.org/fhir/sid/icd-10-no" for e in systems["entry"])
    vs = demo_client.get("/fhir/ValueSet/$expand", query_string={
        "url": "http://hl7.org/fhir/sid/icd-10-no?fhir_vs", "filter": "kolera", "count": "50",
        "system-version": "http://hl7.org/fhir/sid/icd-10-no|2026"}).get_json()
    assert [c["code"] for c in vs["expansion"]["contains"]][:1] == ["A000"]
    p = demo_client.get("/fhir/CodeSystem/$lookup", query_string={
        "system": "http://hl7.org/fhir/sid/icd-10-no", "version": "2026", "code": "A000", "property": "*"}).get_json()
    assert any(x["name"] == "display" for x in p["parameter"])
