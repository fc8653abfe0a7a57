"""Finding 13: a REST PUT must not silently replace an imported codebook edition with a much smaller one."""
import sqlite3

import pytest

from fhir_api import create_app
from tests.import_safety_s13.helpers import ICPC2_NAV, kodebro, snapshot

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
