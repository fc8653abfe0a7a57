"""Reviewer probe 4: errors as the reference servers (tx.fhir.org, FHIRsmith) answer them.

CodeSystem/$validate-code of an unknown system or version (x-caused-by-unknown-system, version echoed),
filters on properties or with operators a code system does not know (FILTER_NOT_UNDERSTOOD, vs-invalid),
a value set url given as a code system, $expand's unknown system without a location, the "No versions of
this code system are known" wording, version lists written "a, b and c", and codings without a code."""
import json

import pytest

from tests.valueset_operations.test_limits_cycles_and_filters import _issues, _out, _post
from tests.support.tx_files import tx_file

SIMPLE = "http://hl7.org/fhir/test/CodeSystem/simple"
P = "http://example.org/probe4/"




def _res(*resources):
    return [("tx-resource", "resource", r) for r in resources]


def _cs(url, version, codes, properties=()):
    return {"resourceType": "CodeSystem", "url": url, "version": version, "status": "active",
            "content": "complete", "caseSensitive": True,
            "property": [{"code": p, "type": "string"} for p in properties],
            "concept": [{"code": c, "display": c.upper()} for c in codes]}


def _vs(url, *includes, version="1"):
    return {"resourceType": "ValueSet", "url": url, "version": version, "status": "active",
            "compose": {"include": list(includes)}}


def _names(body):
    return [p["name"] for p in body.get("parameter") or ()]


# --- A. CodeSystem/$validate-code: the code system asked for is the cause --------------------------------
def test_cs_validate_unknown_version_is_caused_by_unknown_and_echoes_version(client):
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", SIMPLE),
                         ("version", "valueString", "9.9"), ("code", "valueCode", "code1"),
                         *_res(tx_file("simple/codesystem-simple.json")))
    assert status == 200, body
    out = _out(body)
    assert out["result"] is False
    assert out["x-caused-by-unknown-system"] == f"{SIMPLE}|9.9"
    assert "x-unknown-system" not in out
    assert out["version"] == "9.9"
    texts = [i["details"]["text"] for i in _issues(body)]
    assert any(t.startswith(f"A definition for CodeSystem '{SIMPLE}' version '9.9' could not be found, so the code "
                            f"cannot be validated. Valid versions: ") for t in texts), texts


def test_cs_validate_unknown_system_is_caused_by_unknown(client):
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", "http://x/unknown"),
                         ("code", "valueCode", "a"))
    assert status == 200, body
    out = _out(body)
    assert out["result"] is False and out["x-caused-by-unknown-system"] == "http://x/unknown"
    assert "x-unknown-system" not in out and "version" not in out
    assert [i["details"]["text"] for i in _issues(body)] == [
        "A definition for CodeSystem 'http://x/unknown' could not be found, so the code cannot be validated"]


# --- B. filters a code system does not understand ---------------------------------------------------------
FCS = _cs(P + "cs", "1", ["a", "b"], properties=["colour"])
FCS["concept"][0]["property"] = [{"code": "colour", "valueString": "red"}]


def _filter_vs(prop, op, value):
    return _vs(P + "vs-filter", {"system": P + "cs", "filter": [{"property": prop, "op": op, "value": value}]})


def _assert_not_understood(status, body, prop, op, value):
    assert 400 <= status < 500, (status, body)
    assert body["resourceType"] == "OperationOutcome"
    issue = body["issue"][0]
    assert issue["severity"] == "error" and issue["code"] == "not-supported"
    assert issue["details"]["coding"][0]["code"] == "vs-invalid"
    assert issue["expression"] == ["ValueSet.compose.include[0].filter[0]"]
    assert issue["location"] == ["ValueSet.compose.include[0].filter[0]"]
    assert issue["details"]["text"] == (f'The filter "{prop} {op} {value}" from the value set {P}vs-filter|1 was not '
                                        f"understood in the context of {P}cs")


@pytest.mark.parametrize("prop,op,value", [("nonexistent", "=", "x"), ("display", "is-a", "a"),
                                           ("colour", "foo", "red"), ("colour", "is-a", "red")])
def test_expand_refuses_a_filter_not_understood(client, prop, op, value):
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", _filter_vs(prop, op, value)),
                         *_res(FCS))
    _assert_not_understood(status, body, prop, op, value)


@pytest.mark.parametrize("prop,op,value", [("nonexistent", "=", "x"), ("display", "is-a", "a")])
def test_validate_refuses_a_filter_not_understood(client, prop, op, value):
    status, body = _post(client, "ValueSet/$validate-code", ("valueSet", "resource", _filter_vs(prop, op, value)),
                         ("system", "valueUri", P + "cs"), ("code", "valueCode", "a"), *_res(FCS))
    _assert_not_understood(status, body, prop, op, value)


@pytest.mark.parametrize("prop,op,value,codes", [("colour", "=", "red", ["a"]), ("display", "=", "B", ["b"]),
                                                 ("concept", "is-a", "a", ["a"]), ("code", "in", "a,b", ["a", "b"]),
                                                 ("inactive", "=", "false", ["a", "b"]),
                                                 ("colour", "exists", "true", ["a"])])
def test_filters_understood_still_work(client, prop, op, value, codes):
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", _filter_vs(prop, op, value)),
                         *_res(FCS))
    assert status == 200, body
    assert sorted(c["code"] for c in body["expansion"].get("contains") or ()) == codes


# --- C. a value set url given as the code system ----------------------------------------------------------
def test_cs_validate_of_a_valueset_url_says_so(client):
    status, body = _post(client, "CodeSystem/$validate-code",
                         ("url", "valueUri", "http://hl7.org/fhir/test/ValueSet/simple-all"),
                         ("code", "valueCode", "code1"),
                         *_res(tx_file("simple/codesystem-simple.json"), tx_file("simple/valueset-all.json")))
    assert status == 200, body
    out = _out(body)
    assert out["result"] is False
    assert "x-unknown-system" not in out and "x-caused-by-unknown-system" not in out
    issues = _issues(body)
    assert [(i["code"], i["details"]["coding"][0]["code"], i["details"]["text"]) for i in issues] == [
        ("invalid", "invalid-data",
         "The Coding references a value set, not a code system ('http://hl7.org/fhir/test/ValueSet/simple-all')")]


# --- D. $expand of an unknown system: no location ---------------------------------------------------------
@pytest.mark.parametrize("version", [None, "9.9"])
def test_expand_unknown_system_has_no_location(client, version):
    inc = {"system": SIMPLE}
    if version:
        inc["version"] = version
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", _vs(P + "vs-unknown", inc)),
                         *_res(tx_file("simple/codesystem-simple.json")) if version else ())
    assert status == 404 or status == 400 or status == 422, body
    issue = body["issue"][0]
    assert issue["code"] == "not-found" and issue["details"]["coding"][0]["code"] == "not-found"
    assert "location" not in issue and "expression" not in issue


# --- E. no versions known --------------------------------------------------------------------------------
def test_expand_unknown_system_with_version_none_known(client):
    vs = _vs(P + "vs-unk", {"system": "http://x/unk", "version": "1.0"})
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs))
    assert body["issue"][0]["details"]["text"] == (
        "A definition for CodeSystem 'http://x/unk' version '1.0' could not be found, so the value set cannot be "
        "expanded. No versions of this code system are known")


def test_validate_unknown_system_with_version_none_known(client):
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", "http://x/unk"),
                         ("version", "valueString", "1.0"), ("code", "valueCode", "a"))
    assert status == 200, body
    texts = [i["details"]["text"] for i in _issues(body)]
    assert texts == ["A definition for CodeSystem 'http://x/unk' version '1.0' could not be found, so the code "
                     "cannot be validated. No versions of this code system are known"]
    status, body = _post(client, "ValueSet/$validate-code",
                         ("valueSet", "resource", _vs(P + "vs-unk", {"system": "http://x/unk", "version": "1.0"})),
                         ("coding", "valueCoding", {"system": "http://x/unk", "version": "1.0", "code": "a"}))
    texts = [i["details"]["text"] for i in _issues(body)]
    assert "Valid versions: none" not in " ".join(texts)
    assert any(t.endswith("No versions of this code system are known") for t in texts), texts


# --- F. version lists ------------------------------------------------------------------------------------
def test_version_list_wording():
    from terminology.operations.version_rules import present_versions
    assert present_versions(["1"]) == "1"
    assert present_versions(["1", "2"]) == "1 or 2"
    assert present_versions(["1", "2", "3"]) == "1, 2 and 3"


@pytest.mark.parametrize("count,listed", [(2, "1.0.0 or 2.0.0"), (3, "1.0.0, 2.0.0 and 3.0.0")])
def test_messages_list_versions_in_words(client, count, listed):
    versions = [f"{n}.0.0" for n in range(1, count + 1)]
    systems = [_cs(P + "vcs", v, ["a"]) for v in versions]
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", P + "vcs"),
                         ("version", "valueString", "9.9"), ("code", "valueCode", "a"), *_res(*systems))
    texts = [i["details"]["text"] for i in _issues(body)]
    assert any(t.endswith(f"Valid versions: {listed}") for t in texts), texts
    vs = _vs(P + "vs-v", {"system": P + "vcs", "version": "9.9"})
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs), *_res(*systems))
    assert body["issue"][0]["details"]["text"].endswith(f"Valid versions: {listed}"), body


# --- G. a coding without a code ---------------------------------------------------------------------------
def test_codeable_concept_coding_without_code_never_says_none(client):
    cc = {"coding": [{"system": SIMPLE}, {"system": SIMPLE, "code": "code1"}]}
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", SIMPLE),
                         ("codeableConcept", "valueCodeableConcept", cc), *_res(tx_file("simple/codesystem-simple.json")))
    assert status == 200, body
    texts = [i["details"]["text"] for i in _issues(body)]
    assert not any("None" in t for t in texts), texts
    assert "None" not in (_out(body).get("message") or "")
    assert _out(body)["result"] is True
    status, body = _post(client, "ValueSet/$validate-code",
                         ("valueSet", "resource", tx_file("simple/valueset-all.json")),
                         ("codeableConcept", "valueCodeableConcept", cc), *_res(tx_file("simple/codesystem-simple.json")))
    assert status == 200, body
    assert "None" not in json.dumps(body)
    assert _out(body)["result"] is True


def test_paged_expand_refuses_a_filter_not_understood(client):
    """A page (or count=0) of a one-filter value set takes the index's answer directly: the same refusal."""
    for count in (0, 10):
        status, body = _post(client, "ValueSet/$expand",
                             ("valueSet", "resource", _filter_vs("nonexistent", "=", "x")),
                             ("count", "valueInteger", count), *_res(FCS))
        _assert_not_understood(status, body, "nonexistent", "=", "x")


def test_imported_value_set_is_the_one_named(client):
    inner = _filter_vs("nonexistent", "=", "x")
    outer = _vs(P + "vs-outer", {"valueSet": [P + "vs-filter|1"]})
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", outer), *_res(FCS, inner))
    _assert_not_understood(status, body, "nonexistent", "=", "x")
