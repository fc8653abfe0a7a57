"""Several workers (or API processes) on one store, each with its own catalog: a read by id and /readyz see every
write before them, wherever it was made; an outage of the store leaves what a worker holds in memory answering."""
from __future__ import annotations

import time

from fhir_api import create_app
from terminology import open_store

VS = {"resourceType": "ValueSet", "id": "shared", "url": "http://example.org/fhir/ValueSet/shared",
      "status": "active", "compose": {"include": [{"system": "http://hl7.org/fhir/administrative-gender"}]}}
CS = {"resourceType": "CodeSystem", "url": "http://example.org/fhir/CodeSystem/other", "version": "2",
      "status": "active", "content": "complete", "concept": [{"code": "a", "display": "A"}]}


def _two_workers(location: str):
    one = create_app({"DB": location, "DEMO": True}).test_client()
    return one, create_app({"DB": location, "DEMO": True}).test_client()


def test_a_read_by_id_sees_what_another_worker_wrote_a_moment_ago(tmp_path):
    one, two = _two_workers(str(tmp_path / "k.db"))
    two.get("/fhir/ValueSet/shared")            # the second worker's catalog has just checked the store
    assert one.put("/fhir/ValueSet/shared", json=VS).status_code == 201
    read = two.get("/fhir/ValueSet/shared")
    assert read.status_code == 200              # not a 404 until its next once-a-second check
    changed = one.put("/fhir/ValueSet/shared", json=dict(VS, title="changed"), headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 200
    again = two.get("/fhir/ValueSet/shared")
    assert (again.headers["ETag"], again.json["title"]) == (changed.headers["ETag"], "changed")
    # the tag read before the change is no longer current: no 304 for it
    assert two.get("/fhir/ValueSet/shared", headers={"If-None-Match": read.headers["ETag"]}).status_code == 200
    mine = two.put("/fhir/ValueSet/shared", json=dict(VS, title="by two"), headers={"If-Match": again.headers["ETag"]})
    assert mine.status_code == 200, mine.get_data(as_text=True)


def test_readyz_lists_the_editions_of_the_generation_it_names(tmp_path):
    location = str(tmp_path / "k.db")
    client = create_app({"DB": location, "DEMO": True}).test_client()
    before = client.get("/readyz").json
    other = open_store(location)                # another process's import
    other.write([CS])
    after = client.get("/readyz").json
    assert after["generation"] == before["generation"] + 1 == other.generation()
    assert after["editions"][CS["url"]] == ["2"]
    other.close()


def test_an_outage_of_the_store_leaves_what_is_in_memory_answering(pg_store):
    import psycopg
    url = pg_store.url
    client = create_app({"DB": url, "DEMO": True}).test_client()
    lookup = "/fhir/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-no&code=J12.8"
    assert client.get(lookup).status_code == 200                # the edition's index is built
    name = _dbname(url)
    with psycopg.connect(url.replace(f"/{name}?", "/postgres?"), autocommit=True) as adm:
        adm.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")     # the database goes away
        adm.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        try:
            time.sleep(1.1)                     # past the catalog's once-a-second check
            for _ in range(3):
                r = client.get(lookup)
                assert r.status_code == 200, r.get_data(as_text=True)
                display = next(p["valueString"] for p in r.json["parameter"] if p["name"] == "display")
                assert display == "Annen spesifisert viruspneumoni"
            ready = client.get("/readyz")
            assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
            read = client.get("/fhir/ValueSet/shared")      # a read by id needs the store's word
            assert read.status_code == 503 and read.headers["Retry-After"] == "5"
            assert read.json["issue"][0]["code"] == "transient"
        finally:
            adm.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    assert client.get("/readyz").status_code == 200


def _dbname(url: str) -> str:
    """postgresql://kodebro@/t1a2b?host=… -> t1a2b"""
    return url.split("/")[3].split("?")[0]
