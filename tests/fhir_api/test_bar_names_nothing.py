"""A canonical reference whose url part is empty ('|', '|2021') names no code system, value set or map: every
operation refuses it (400, invalid) and names the parameter it came in, instead of searching for a definition of
'' and answering that none is held (422/404) or that no map goes from '|'."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

ICD = "http://hl7.org/fhir/sid/icd-10-no"
ICD_VS = ICD + "?fhir_vs"
VS = "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"
MAP = "https://kodebro.no/fhir/ConceptMap/icpc2-icd10"
ICPC = "http://hl7.org/fhir/sid/icpc-2"
FJ = "application/fhir+json"
CS, VSET, CMAP = "code system", "value set", "concept map"

# the FHIR type each parameter is sent as in a POST Parameters body
_TYPE = {"url": "valueUri", "system": "valueUri", "code": "valueCode", "codeA": "valueCode", "codeB": "valueCode",
         "source": "valueUri", "target": "valueUri", "targetsystem": "valueUri", "targetSystem": "valueUri",
         "sourceSystem": "valueUri", "sourceCode": "valueCode", "targetCode": "valueCode",
         "sourceScope": "valueUri", "targetScope": "valueUri", "thisUrl": "valueUri", "otherUrl": "valueUri",
         "coding": "valueCoding", "codingA": "valueCoding", "codingB": "valueCoding", "sourceCoding": "valueCoding",
         "targetCoding": "valueCoding", "codeableConcept": "valueCodeableConcept",
         "useSupplement": "valueCanonical", "exclude-system": "valueCanonical"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path_factory.mktemp("bar") / "k.db"), "DEMO": True}).test_client()


def _body(params: list[tuple[str, object]]) -> dict:
    return {"resourceType": "Parameters", "parameter": [{"name": n, _TYPE[n]: v} for n, v in params]}


def _ask(client, method: str, path: str, params: list[tuple[str, object]]):
    if method == "GET":
        return client.get(f"/fhir/{path}?{urlencode(params)}")
    return client.post(f"/fhir/{path}", data=json.dumps(_body(params)), content_type=FJ)


def _refused(outcome: dict, sent: str, what: str, where: str) -> None:
    """The outcome says what was sent names no `what`, what to send, and names the parameter `where` (an element
    path in location/expression, a bare parameter name in diagnostics as every parameter error does)."""
    assert outcome["resourceType"] == "OperationOutcome", outcome
    [i] = outcome["issue"]
    assert i["severity"] == "error" and i["code"] == "invalid", i
    assert i["details"]["text"] == (f"'{sent}' names no {what}: give the {what}'s canonical url, with '|' and a "
                                    "version after it if one is meant"), i
    if "." in where or where in ("codingA", "codingB"):
        assert i["expression"] == [where] and i["location"] == [where], i
    else:
        assert "location" not in i and i["diagnostics"] == f"parameter: {where}", i


_CODING_BAR = {"system": "|", "code": "A00"}

# (path, parameters, what the canonical should name, where the fault is reported); each is asked by GET and POST
# unless it carries a Coding or CodeableConcept (POST only)
CASES = [
    # ValueSet/$validate-code
    ("ValueSet/$validate-code", [("url", "|"), ("system", ICD), ("code", "A00")], VSET, "url"),
    ("ValueSet/$validate-code", [("url", "|2021"), ("system", ICD), ("code", "A00")], VSET, "url"),
    ("ValueSet/$validate-code", [("system", "|"), ("code", "A00")], CS, "system"),
    ("ValueSet/$validate-code", [("url", ICD_VS), ("system", "|"), ("code", "A00")], CS, "system"),
    ("ValueSet/$validate-code", [("url", ICD_VS), ("coding", _CODING_BAR)], CS, "Coding.system"),
    ("ValueSet/$validate-code", [("url", ICD_VS), ("codeableConcept", {"coding": [
        {"system": ICD, "code": "A00"}, {"system": "|1", "code": "A01"}]})], CS, "CodeableConcept.coding[1].system"),
    # CodeSystem/$validate-code (session 22's, now by the shared check)
    ("CodeSystem/$validate-code", [("url", "|"), ("code", "A00")], CS, "url"),
    ("CodeSystem/$validate-code", [("system", "|2021"), ("code", "A00")], CS, "system"),
    ("CodeSystem/$validate-code", [("url", ICD), ("coding", _CODING_BAR)], CS, "Coding.system"),
    ("CodeSystem/$validate-code", [("codeableConcept", {"coding": [_CODING_BAR]})], CS,
     "CodeableConcept.coding[0].system"),
    # $lookup, $subsumes
    ("CodeSystem/$lookup", [("system", "|"), ("code", "A00")], CS, "system"),
    ("CodeSystem/$lookup", [("system", "|2021"), ("code", "A00")], CS, "system"),
    ("CodeSystem/$lookup", [("coding", _CODING_BAR)], CS, "Coding.system"),
    ("CodeSystem/$lookup", [("system", ICD), ("code", "A00"), ("useSupplement", "|1")], CS, "useSupplement"),
    ("CodeSystem/$subsumes", [("system", "|"), ("codeA", "A00"), ("codeB", "A00")], CS, "system"),
    ("CodeSystem/$subsumes", [("codingA", _CODING_BAR), ("codingB", {"system": ICD, "code": "A00"})], CS,
     "codingA"),
    ("CodeSystem/$subsumes", [("codingA", {"system": ICD, "code": "A00"}), ("codingB", _CODING_BAR)], CS,
     "codingB"),
    # $expand, $related
    ("ValueSet/$expand", [("url", "|")], VSET, "url"),
    ("ValueSet/$expand", [("url", "|2021")], VSET, "url"),
    ("ValueSet/$expand", [("url", VS), ("useSupplement", "|")], CS, "useSupplement"),
    ("ValueSet/$expand", [("url", VS), ("exclude-system", "|1")], CS, "exclude-system"),
    ("ValueSet/$validate-code", [("url", VS), ("system", ICD), ("code", "A00"), ("useSupplement", "|1")], CS,
     "useSupplement"),
    ("ValueSet/$related", [("thisUrl", "|"), ("otherUrl", VS)], VSET, "thisUrl"),
    ("ValueSet/$related", [("thisUrl", VS), ("otherUrl", "|1")], VSET, "otherUrl"),
    # ConceptMap/$translate, R4 and R5 names
    ("ConceptMap/$translate", [("url", "|"), ("system", ICPC), ("code", "A01")], CMAP, "url"),
    ("ConceptMap/$translate", [("system", "|"), ("code", "A01")], CS, "system"),
    ("ConceptMap/$translate", [("sourceSystem", "|1"), ("sourceCode", "A01")], CS, "sourceSystem"),
    ("ConceptMap/$translate", [("system", ICPC), ("code", "A01"), ("source", "|")], VSET, "source"),
    ("ConceptMap/$translate", [("system", ICPC), ("code", "A01"), ("target", "|")], VSET, "target"),
    ("ConceptMap/$translate", [("system", ICPC), ("code", "A01"), ("sourceScope", "|")], VSET, "sourceScope"),
    ("ConceptMap/$translate", [("system", ICPC), ("code", "A01"), ("targetScope", "|")], VSET, "targetScope"),
    ("ConceptMap/$translate", [("system", ICPC), ("code", "A01"), ("targetsystem", "|")], CS, "targetsystem"),
    ("ConceptMap/$translate", [("system", ICPC), ("code", "A01"), ("targetSystem", "|")], CS, "targetSystem"),
    ("ConceptMap/$translate", [("targetCode", "A00"), ("targetSystem", "|")], CS, "targetSystem"),
    ("ConceptMap/$translate", [("coding", {"system": "|", "code": "A01"})], CS, "coding"),
    ("ConceptMap/$translate", [("sourceCoding", {"system": "|", "code": "A01"})], CS, "sourceCoding"),
    ("ConceptMap/$translate", [("targetCoding", _CODING_BAR)], CS, "targetCoding"),
    ("ConceptMap/$translate", [("codeableConcept", {"coding": [{"system": "|", "code": "A01"}]})], CS,
     "codeableConcept"),
]
_COMPLEX = ("coding", "codingA", "codingB", "sourceCoding", "targetCoding", "codeableConcept")


def _sent(params: list[tuple[str, object]], where: str) -> str:
    """The canonical the parameter at `where` carried (for a Coding or CodeableConcept: the system at fault)."""
    name = "coding" if where == "Coding.system" else "codeableConcept" if where.startswith("CodeableConcept") \
        else where
    v = dict(params)[name]
    return v if isinstance(v, str) else next(c["system"] for c in v.get("coding") or [v]
                                             if c["system"].startswith("|"))


def _forms():
    for path, params, what, where in CASES:
        for method in ("GET", "POST"):
            if method == "GET" and any(n in _COMPLEX for n, _v in params):
                continue
            sent = _sent(params, where)
            yield pytest.param(method, path, params, sent, what, where, id=f"{method}-{path}-{where}-{sent}")


@pytest.mark.parametrize("method,path,params,sent,what,where", list(_forms()))
def test_a_canonical_of_a_bar_alone_is_refused(client, method, path, params, sent, what, where):
    r = _ask(client, method, path, params)
    assert r.status_code == 400, r.json
    _refused(r.json, sent, what, where)


@pytest.mark.parametrize("path,params,what,where", [
    ("CodeSystem/ICD10NO-2026/$lookup", [("system", "|"), ("code", "A00")], CS, "system"),
    ("CodeSystem/ICD10NO-2026/$validate-code", [("url", "|"), ("code", "A00")], CS, "url"),
    ("CodeSystem/ICD10NO-2026/$subsumes", [("system", "|"), ("codeA", "A00"), ("codeB", "A00")], CS, "system"),
    ("ValueSet/ICD10NOReportable-2026/$validate-code", [("system", "|"), ("code", "A00")], CS, "system"),
    ("ValueSet/ICD10NOReportable-2026/$expand", [("url", "|")], VSET, "url"),
    ("ConceptMap/ICPC2toICD10-2019/$translate", [("system", "|"), ("code", "A01")], CS, "system"),
    ("ConceptMap/ICPC2toICD10-2019/$translate", [("url", "|"), ("system", ICPC), ("code", "A01")], CMAP, "url"),
])
def test_at_an_instance_too(client, path, params, what, where):
    sent = dict(params)[where]
    for method in ("GET", "POST"):
        r = _ask(client, method, path, params)
        assert r.status_code == 400, (method, r.json)
        _refused(r.json, sent, what, where)


@pytest.mark.parametrize("coding,sent", [("|1|A00", "|1|A00"), ("||A00", "||A00")])
def test_the_query_shorthand_of_a_coding_without_a_system_before_its_version(client, coding, sent):
    """`coding=|1|A00` is system|version|code with the system left out: no code system named."""
    r = client.get("/fhir/ValueSet/$validate-code?" + urlencode([("url", ICD_VS), ("coding", coding)]))
    assert r.status_code == 400
    _refused(r.json, sent, CS, "Coding.system")


def test_a_batch_entry_is_refused_the_same_way(client):
    entries = [{"request": {"method": "POST", "url": path}, "resource": _body(params)} for path, params in [
        ("ValueSet/$validate-code", [("url", "|"), ("system", ICD), ("code", "A00")]),
        ("CodeSystem/$lookup", [("system", "|"), ("code", "A00")]),
        ("ValueSet/$expand", [("url", "|2021")]),
        ("ConceptMap/$translate", [("system", "|"), ("code", "A01")])]]
    entries.append({"request": {"method": "GET", "url": "CodeSystem/$subsumes?system=%7C&codeA=A00&codeB=A00"}})
    r = client.post("/fhir", data=json.dumps({"resourceType": "Bundle", "type": "batch", "entry": entries}),
                    content_type=FJ)
    assert r.status_code == 200
    got = r.json["entry"]
    expected = [("|", VSET, "url"), ("|", CS, "system"), ("|2021", VSET, "url"), ("|", CS, "system"),
                ("|", CS, "system")]
    for e, (sent, what, where) in zip(got, expected, strict=True):
        assert e["response"]["status"].startswith("400"), e
        _refused(e["resource"], sent, what, where)
        assert e["response"]["outcome"]["issue"][0]["details"] == e["resource"]["issue"][0]["details"]


def test_batch_validate_code_refuses_the_one_check(client):
    check = {"resourceType": "Parameters", "parameter": [{"name": "system", "valueUri": "|"},
                                                          {"name": "code", "valueCode": "A00"}]}
    good = {"resourceType": "Parameters", "parameter": [{"name": "system", "valueUri": ICD},
                                                         {"name": "code", "valueCode": "A00"}]}
    req = {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": ICD_VS},
                                                       {"name": "validation", "resource": check},
                                                       {"name": "validation", "resource": good}]}
    r = client.post("/fhir/ValueSet/$batch-validate-code", data=json.dumps(req), content_type=FJ)
    assert r.status_code == 200
    bad, fine = (p["resource"] for p in r.json["parameter"])
    _refused(bad, "|", CS, "system")
    assert fine["resourceType"] == "Parameters"


@pytest.mark.parametrize("path,params", [
    ("CodeSystem/$lookup", [("system", ICD + "|"), ("code", "A00")]),          # a url with an empty version
    ("ValueSet/$validate-code", [("url", ICD_VS), ("system", ICD), ("code", "A00")]),
    ("ConceptMap/$translate", [("system", ICPC), ("code", "A01")]),
    ("ValueSet/$validate-code", [("url", ICD_VS), ("coding", "|A00")]),      # token search's code without system
])
def test_a_canonical_with_a_url_is_still_read(client, path, params):
    assert _ask(client, "GET", path, params).status_code == 200


def test_a_code_system_sent_with_a_url_of_a_version_alone(client):
    cs = {"resourceType": "CodeSystem", "url": "|1", "status": "active", "content": "complete",
          "concept": [{"code": "a"}]}
    body = {"resourceType": "Parameters", "parameter": [{"name": "codeSystem", "resource": cs},
                                                       {"name": "code", "valueCode": "a"}]}
    r = client.post("/fhir/CodeSystem/$validate-code", data=json.dumps(body), content_type=FJ)
    assert r.status_code == 400
    issue = r.json["issue"][0]
    assert "has the url '|1', which names nothing" in issue["details"]["text"] and "codeSystem" in issue["diagnostics"]


@pytest.mark.parametrize("url", ["|1", "|", " |1"])
def test_a_supplied_resource_whose_url_names_nothing_is_refused(url):
    """A tx-resource held under such a url would never be found: the client is told, as a write would tell it
    (one with a '|' after a url is read as it is: tests/resource_checks/test_unaddressable_canonicals.py)."""
    from fhir_api import create_app
    import tempfile
    import os
    app = create_app({"DB": os.path.join(tempfile.mkdtemp(), "k.db"), "DEMO": True})
    cs = {"resourceType": "CodeSystem", "url": url, "status": "active", "content": "complete",
          "concept": [{"code": "a"}]}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": "http://example.org/bar23/cs"}, {"name": "code", "valueCode": "a"},
        {"name": "tx-resource", "resource": cs}]}
    r = app.test_client().post("/fhir/CodeSystem/$validate-code", json=body)
    assert r.status_code == 400
    text = r.get_json()["issue"][0]["details"]["text"]
    assert f"'{url}'" in text and "tx-resource" in text and "names nothing before its '|'" in text
