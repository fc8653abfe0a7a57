"""The HL7 tx ecosystem test resources (tests/conformance/tx-tests, see its SOURCE.md), for tests that build
their own requests from them; and test clients of apps on a store made for one test (stored, imported, or written
as a trusted importer writes)."""
import json
import os

from tests.conftest import DATA, ROOT

TX = os.path.join(ROOT, "tests", "conformance", "tx-tests")


def tx_file(rel: str) -> dict:
    """One resource of the tx-tests folder, e.g. tx_file("language/codesystem-en-multi.json")."""
    with open(os.path.join(TX, rel), encoding="utf-8-sig") as fh:
        return json.load(fh)


def data_file(folder: str, name: str) -> dict:
    """A JSON resource of tests/data/<folder>."""
    with open(os.path.join(DATA, folder, name), encoding="utf-8") as fh:
        return json.load(fh)


def tx_param(name: str, value) -> dict:
    """One Parameters entry typed the way the tx tests send it: a Coding or CodeableConcept from a dict,
    a uri for url/system and the version parameters, a code for `code`, else a string."""
    if isinstance(value, dict):
        return {"name": name, "valueCoding" if "coding" not in value else "valueCodeableConcept": value}
    if name in ("url", "system") or name.endswith("-version"):
        return {"name": name, "valueUri": value}
    return {"name": name, "valueCode" if name == "code" else "valueString": value}


def tx_post(client, op: str, params, setup) -> tuple[int, dict]:
    """POST `op` with (name, value) `params` and the `setup` resources as tx-resources."""
    body = {"resourceType": "Parameters", "parameter": [tx_param(n, v) for n, v in params] +
            [{"name": "tx-resource", "resource": r} for r in setup]}
    r = client.post("/fhir/" + op, data=json.dumps(body), content_type="application/fhir+json")
    return r.status_code, r.get_json()


def tx_validate(client, params, setup) -> dict:
    """ValueSet/$validate-code (`tx_post`), answered 200: its parameters by name (a resource, or the value)."""
    status, body = tx_post(client, "ValueSet/$validate-code", params, setup)
    assert status == 200, body
    return {p["name"]: p.get("resource") or next(v for k, v in p.items() if k.startswith("value"))
            for p in body["parameter"]}


def param_value(body: dict, name: str):
    """The value of the first Parameters entry called `name` (None: there is none)."""
    for p in body.get("parameter") or []:
        if p["name"] == name:
            return next((v for k, v in p.items() if k.startswith("value")), None)
    return None


def param_pairs(body: dict) -> list[tuple]:
    """(name, value) of every Parameters entry, in order."""
    return [(p["name"], next((v for k, v in p.items() if k.startswith("value")), None))
            for p in body.get("parameter", [])]


def stored_client(tmp_path, resources: list[dict]):
    """A test client of an app whose store holds `resources` (written in one go, before the app starts)."""
    from fhir_api import create_app
    from terminology import open_store
    db = str(tmp_path / "k.db")
    s = open_store(db)
    s.write(resources)
    s.close()
    return create_app({"DB": db, "DEMO": False}).test_client()


def imported_client(folder, paths: list[str], **settings):
    """A test client of an app whose store in `folder` holds the files `paths`, imported in one go before the app
    starts, none of them refused; `settings` are further app settings (TODAY, ...)."""
    from fhir_api import create_app
    from terminology import import_paths, open_store
    db = os.path.join(str(folder), "k.db")
    store = open_store(db)
    try:
        report = import_paths(store, list(paths))
    finally:
        store.close()
    assert not report.rejected, report.rejected
    return create_app({"DB": db, "DEMO": False, **settings}).test_client()


def trusted_client(folder, name: str, resource: dict):
    """A test client of an app whose store in `folder` holds `resource` as a trusted importer's output is written:
    unchecked, so it may hold what a PUT or a checked import refuses (a parent loop)."""
    from fhir_api import create_app
    from terminology import open_store
    from terminology.importers.base import Item
    from terminology.loader import load
    db = os.path.join(str(folder), "k.db")
    store = open_store(db)
    try:
        load(store, [Item(name, resource=resource, trusted=True)])
    finally:
        store.close()
    return create_app({"DB": db, "DEMO": False}).test_client()


TX_ISSUE_TYPE = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"


def supplement_refused(r, named: str) -> dict:
    """The single issue of a 404 (422 on $expand, 400 on $lookup) that says the supplement `named` (as the request
    named it) is not found."""
    body = r.get_json()
    # $expand answers a definition it lacks 422 and $lookup a supplement it cannot use 400, as the reference server
    # does; the other operations 404
    path = r.request.path
    assert r.status_code == (422 if path.endswith("$expand") else 400 if path.endswith("$lookup") else 404), body
    issue = body["issue"][0]
    assert issue["code"] == "not-found"
    assert issue["details"]["coding"] == [{"system": TX_ISSUE_TYPE, "code": "not-found"}]
    assert issue["details"]["text"] == f"Required supplement not found: {named}"
    return issue
