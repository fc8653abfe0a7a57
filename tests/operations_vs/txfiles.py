"""The HL7 tx ecosystem test resources (tests/conformance/tx-tests, see its SOURCE.md), for tests that build
their own requests from them."""
import json
import os

from tests.conftest import ROOT

TX = os.path.join(ROOT, "tests", "conformance", "tx-tests")


def tx_file(rel: str) -> dict:
    """One resource of the tx-tests folder, e.g. tx_file("language/codesystem-en-multi.json")."""
    with open(os.path.join(TX, rel), encoding="utf-8-sig") as fh:
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
