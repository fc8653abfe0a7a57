"""Finding 13: a REST PUT must not silently replace an imported codebook edition with a much smaller one."""
import sqlite3

import pytest

from fhir_api import create_app
from tests.importers.import_cli import ICPC2_NAV, kodebro, snapshot

ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
JSON = "application/fhir+json"


@pytest.fixture
def imported(tmp_path):
    """A store holding the NAV ICPC-2 2026 list (725 codes), and a client of it."""
    db = str(tmp_path / "k.db")
    rc, out = kodebro("import", "--db", db, ICPC2_NAV, "--edition", "2026")
    assert rc == 0, out
    with sqlite3.connect(db) as conn:
        (rid,) = conn.execute("SELECT id FROM resource WHERE type='CodeSystem' AND url=?", (ICPC2,)).fetchone()
    return db, rid, create_app({"DB": db, "DEMO": False}).test_client()


def _tiny(rid):
    return {"resourceType": "CodeSystem", "id": rid, "url": ICPC2, "version": "2026", "status": "active",
            "content": "complete", "concept": [{"code": "A01", "display": "Smerte generell/flere steder"}]}


def test_put_that_drops_most_of_an_imported_edition_is_refused(imported):
    db, rid, client = imported
    before = snapshot(db)
    r = client.put(f"/fhir/CodeSystem/{rid}", json=_tiny(rid), headers={"Content-Type": JSON})
    assert r.status_code == 409, r.get_data(as_text=True)
    oo = r.get_json()
    assert oo["resourceType"] == "OperationOutcome"
    text = str(oo["issue"][0])
    assert "725 -> 1" in text and "724 codes removed" in text
    assert "X-Kodebro-Replace: true" in text and "kodebro import --replace" in text
    assert snapshot(db) == before


def test_put_with_the_explicit_opt_in_replaces(imported):
    db, rid, client = imported
    r = client.put(f"/fhir/CodeSystem/{rid}", json=_tiny(rid),
                   headers={"Content-Type": JSON, "X-Kodebro-Replace": "true"})
    assert r.status_code == 200, r.get_data(as_text=True)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT concept_count FROM resource WHERE id=?", (rid,)).fetchone() == (1,)


def test_put_that_keeps_the_codes_still_works(imported):
    db, rid, client = imported
    body = client.get(f"/fhir/CodeSystem/{rid}?_summary=false").get_json()
    body["title"] = "ICPC-2 (retted tittel)"
    r = client.put(f"/fhir/CodeSystem/{rid}", json=body, headers={"Content-Type": JSON})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert client.get(f"/fhir/CodeSystem/{rid}").get_json()["title"] == "ICPC-2 (retted tittel)"


def test_small_authored_code_system_can_still_shrink(client):
    cs = {"resourceType": "CodeSystem", "id": "lokal", "url": "http://example.org/lokal", "version": "1",
          "status": "draft", "content": "complete",
          "concept": [{"code": c, "display": c} for c in ("a", "b", "c", "d")]}
    assert client.put("/fhir/CodeSystem/lokal", json=cs, headers={"Content-Type": JSON}).status_code == 201
    cs["concept"] = cs["concept"][:1]
    r = client.put("/fhir/CodeSystem/lokal", json=cs, headers={"Content-Type": JSON})
    assert r.status_code == 200, r.get_data(as_text=True)


def test_subsetted_read_put_back_is_refused_even_with_the_opt_in(imported):
    """review-s14 F9: a read of a large code system is SUBSETTED (no concepts); PUT back, it is a 422 that says
    to re-read with _summary=false, not the 409 whose advice (the opt-in) would empty the edition."""
    db, rid, client = imported
    body = client.get(f"/fhir/CodeSystem/{rid}?_elements=url,version,title").get_json()
    assert any(t.get("code") == "SUBSETTED" for t in body["meta"]["tag"])
    body["title"] = "ny tittel"
    before = snapshot(db)
    for headers in ({"Content-Type": JSON}, {"Content-Type": JSON, "X-Kodebro-Replace": "true"}):
        r = client.put(f"/fhir/CodeSystem/{rid}", json=body, headers=headers)
        assert r.status_code == 422, r.get_data(as_text=True)
        text = str(r.get_json()["issue"][0])
        assert "SUBSETTED" in text and "_summary=false" in text and "X-Kodebro-Replace" not in text
    r = client.post("/fhir/CodeSystem", json={**body, "version": "2099"}, headers={"Content-Type": JSON})
    assert r.status_code == 422, r.get_data(as_text=True)
    assert snapshot(db) == before


def test_batch_entries_take_the_opt_in_from_the_batch_request(imported):
    """review-s14 F2: X-Kodebro-Replace on the batch request opts in for its entries; without it they get 409."""
    db, rid, client = imported
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": _tiny(rid), "request": {"method": "PUT", "url": f"CodeSystem/{rid}"}}]}
    r = client.post("/fhir", json=bundle, headers={"Content-Type": JSON})
    assert r.get_json()["entry"][0]["response"]["status"].startswith("409"), r.get_json()
    r = client.post("/fhir", json=bundle, headers={"Content-Type": JSON, "X-Kodebro-Replace": "true"})
    assert r.get_json()["entry"][0]["response"]["status"].startswith("200"), r.get_json()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT concept_count FROM resource WHERE id=?", (rid,)).fetchone() == (1,)


def test_import_and_put_refuse_by_one_rule():
    """review-s14 F8: one shrink rule (terminology.loader.shrink_refusal) for `kodebro import` and a PUT."""
    from terminology import loader
    from fhir_api import resources
    assert not hasattr(resources, "REPLACE_LIMIT")
    res = {"title": "ICPC-2", "version": "2026"}
    old = {str(i) for i in range(200)}
    assert loader.shrink_refusal(res, old, set(list(old)[:180]), 180) is None        # 10 % may go
    why = loader.shrink_refusal(res, old, {"1"}, 1)
    assert why == "ICPC-2 2026: 200 -> 1 concepts (199 codes removed), more than 10% of the stored codes"
