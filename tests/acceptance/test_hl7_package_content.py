"""After `kodebro import hl7.terminology.r4 --skip-invalid`, every code system of the package answers by its
own canonical URL, and the OIDs its NamingSystems declare find the same code system. (Two NamingSystems of
the package prefer another URI than the code system's URL; once that URI hid two code systems.)"""
from __future__ import annotations

import os
import tarfile

import orjson
import pytest

from terminology import import_paths, open_store
from terminology.hl7 import THO

PACKAGE = THO     # the THO package shipped in terminology/hl7/


@pytest.fixture(scope="module")
def tho_client(tmp_path_factory):
    from fhir_api import create_app
    db = str(tmp_path_factory.mktemp("tho") / "k.db")
    import_paths(open_store(db), [PACKAGE], skip_invalid=True)
    return create_app({"DB": db, "DEMO": False}).test_client()


def _package(prefix):
    with tarfile.open(PACKAGE) as tar:
        for m in tar.getmembers():
            if os.path.basename(m.name).startswith(prefix) and m.name.endswith(".json"):
                yield orjson.loads(tar.extractfile(m).read())


def _first_code(concepts):
    for c in concepts or []:
        return c["code"]


def test_every_code_system_answers_by_its_own_url(tho_client):
    failures = []
    for cs in _package("CodeSystem-"):
        code = _first_code(cs.get("concept"))
        if code is None:
            continue
        r = tho_client.get("/fhir/CodeSystem/$lookup", query_string={"system": cs["url"], "code": code,
                                                                     "version": cs.get("version")})
        if r.status_code != 200:
            failures.append((cs["url"], r.status_code))
        found = tho_client.get("/fhir/CodeSystem", query_string={"url": cs["url"], "_summary": "count"})
        if found.get_json()["total"] < 1:
            failures.append((cs["url"], "search"))
    assert failures == []


def test_naming_system_oids_find_the_loaded_code_system(tho_client):
    urls = {cs["url"]: _first_code(cs.get("concept")) for cs in _package("CodeSystem-")}
    checked = 0
    for ns in _package("NamingSystem-"):
        ids = ns.get("uniqueId") or []
        if any(not u.get("type") for u in ids):
            continue  # the two invalid ones, skipped by the import
        loaded = [u["value"] for u in ids if u.get("type") == "uri" and urls.get(u["value"])]
        oids = [u["value"] for u in ids if u.get("type") == "oid"]
        if len(loaded) != 1 or not oids:
            continue
        for oid in oids:
            r = tho_client.get("/fhir/CodeSystem/$lookup", query_string={"system": "urn:oid:" + oid,
                                                                         "code": urls[loaded[0]]})
            assert r.status_code == 200, (oid, loaded[0], r.get_json())
            system = next(p["valueUri"] for p in r.get_json()["parameter"] if p["name"] == "system")
            assert system == loaded[0]
            checked += 1
    assert checked >= 3
