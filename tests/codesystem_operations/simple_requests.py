"""Shared pieces of the R4 operation tests: the HL7 `simple` code system (tx-tests) sent as a tx-resource,
raw Parameters bodies (for wrong value[x] types), and a stored-content client for GET and instance-level calls."""
from __future__ import annotations

import json

import pytest

from tests.support.tx_files import stored_client, tx_file
from tests.support.tx_requests import FJ, cs, simple_cs

S = "http://hl7.org/fhir/test/CodeSystem/simple"
VS_ALL = {"resourceType": "ValueSet", "url": "http://hl7.org/fhir/test/ValueSet/simple-all", "status": "active",
          "compose": {"include": [{"system": S}]}}
TX_ISSUE_TYPE = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"


# a hierarchy stated by the standard `parent` property (R4 concept-properties) instead of nesting
FLAT = cs("http://ex.org/p9/flat", "1", [
    {"code": "top", "display": "Top"},
    {"code": "mid", "display": "Mid", "property": [{"code": "parent", "valueCode": "top"}]},
    {"code": "leaf", "display": "Leaf", "property": [{"code": "parent", "valueCode": "mid"}]}],
    property=[{"code": "parent", "uri": "http://hl7.org/fhir/concept-properties#parent", "type": "code"}],
    hierarchyMeaning="is-a")


def raw(client, op: str, parameters: list, setup=None) -> tuple[int, dict]:
    """POST `parameters` exactly as given (any value[x]), the setup resources as tx-resources."""
    setup = [simple_cs()] if setup is None else setup
    b = {"resourceType": "Parameters",
         "parameter": parameters + [{"name": "tx-resource", "resource": r} for r in setup]}
    r = client.post("/fhir/" + op, data=json.dumps(b), content_type=FJ)
    return r.status_code, r.get_json()


def named(b: dict, name: str) -> list:
    """Every parameter called `name` (whole entries)."""
    return [p for p in b.get("parameter") or [] if p["name"] == name]


def value(p: dict):
    return next((v for k, v in p.items() if k.startswith("value")), None)


def first(b: dict, name: str):
    got = named(b, name)
    return value(got[0]) if got else None


def parts(p: dict) -> dict:
    """A parameter's parts by name (first of each)."""
    out = {}
    for q in p.get("part") or []:
        out.setdefault(q["name"], value(q))
    return out


def properties(b: dict) -> list[tuple[str, object]]:
    return [(parts(p)["code"], parts(p).get("value")) for p in named(b, "property")]


def assert_outcome(status: int, b: dict, http: int, code: str, *fragments: str, tx: str | None = None) -> dict:
    """An error answer: the status, an OperationOutcome whose first issue has `code`, an error severity, a
    details.text with each fragment (case-insensitive) and, if given, the tx-issue-type coding."""
    assert status == http, (status, b)
    assert b["resourceType"] == "OperationOutcome", b
    issue = b["issue"][0]
    assert issue["severity"] in ("error", "fatal")
    assert issue["code"] == code, issue
    text = issue["details"]["text"].lower()
    for f in fragments:
        assert f.lower() in text, (f, issue["details"]["text"])
    if tx is not None:
        assert {"system": TX_ISSUE_TYPE, "code": tx} in issue["details"].get("coding", []), issue
    return issue


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A client whose store holds the simple code system, the simple-all value set and the translate suite's
    map and code systems (for GET and instance-level calls, which cannot carry tx-resources)."""
    resources = [simple_cs(), VS_ALL] + [tx_file("translate/" + f) for f in (
        "codesystem-source.json", "codesystem-target.json", "ConceptMap-full.json", "valueset-source.json",
        "valueset-target.json")]
    return stored_client(tmp_path_factory.mktemp("probe9"), resources)
