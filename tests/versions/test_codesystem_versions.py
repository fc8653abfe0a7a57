"""Code system and value set versions in $expand and $validate-code (FHIR R4 terminology service).

Three versions of one code system (1.0.0, 1.2.0, 2.0.0, displays change per version, code3 added in
1.2.0) and value sets that pin a version, pin a wildcard (1.x), or pin nothing.
"""
import copy
import json
import os

import pytest

from tests.conftest import DATA
from tests.support.tx_files import stored_client

FJ = "application/fhir+json"
HERE = os.path.join(DATA, "codesystem_versions")
CS_URL = "http://hl7.org/fhir/test/CodeSystem/version"
VS_BASE = "http://hl7.org/fhir/test/ValueSet/"


def _load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as fh:
        return json.load(fh)


def _version(base: dict, version: str, extra_code: bool) -> dict:
    cs = copy.deepcopy(base)
    cs["id"] = "version-" + version.replace(".", "-")
    cs["version"] = version
    short = version.rsplit(".", 1)[0]
    for c in cs["concept"]:
        c["display"] = c["display"].replace("(1.0)", f"({short})")
    if extra_code:
        cs["concept"].append({"code": "code3", "display": f"Display 3 ({short})"})
    return cs


def _vs(id_: str, version: str | None, vs_version: str = "1.0.0") -> dict:
    inc = {"system": CS_URL}
    if version:
        inc["version"] = version
    return {"resourceType": "ValueSet", "id": id_, "url": VS_BASE + id_.split("--")[0], "version": vs_version,
            "status": "active", "compose": {"include": [inc]}}


@pytest.fixture(scope="module")
def vc(tmp_path_factory):
    base = _load("codesystem-version-1.json")
    resources = [base, _version(base, "1.2.0", True), _version(base, "2.0.0", True),
                 _load("valueset-all-version-1.json"),
                 _vs("version-none", None), _vs("version-wild", "1.x"),
                 _vs("version-pinned", "1.0.0", "1.0.0"), _vs("version-pinned--2", "1.2.0", "2.0.0")]
    return stored_client(tmp_path_factory.mktemp("versions"), resources)


def _expand(c, **q):
    r = c.get("/fhir/ValueSet/$expand", query_string=q)
    return r.status_code, r.get_json()


def _contains(body):
    return {x["code"]: x.get("display") for x in body["expansion"]["contains"]}


def _used(body):
    return [p["valueUri"] for p in body["expansion"]["parameter"] if p["name"] == "used-codesystem"]


def _validate(c, **q):
    r = c.get("/fhir/ValueSet/$validate-code", query_string=q)
    assert r.status_code == 200
    out = {}
    for p in r.get_json()["parameter"]:
        out[p["name"]] = p.get("resource") or next(v for k, v in p.items() if k.startswith("value"))
    return out


def _issues(out):
    return [(i["severity"], i["code"], i["details"]["coding"][0]["code"], (i.get("expression") or [None])[0])
            for i in out.get("issues", {}).get("issue", [])]


def test_expand_without_version_uses_latest(vc):
    status, body = _expand(vc, url=VS_BASE + "version-none")
    assert status == 200
    assert _used(body) == [CS_URL + "|2.0.0"]
    assert _contains(body) == {"code1": "Display 1 (2.0)", "code2": "Display 2 (2.0)", "code3": "Display 3 (2.0)"}


def test_expand_pinned_and_wildcard_versions(vc):
    _s, body = _expand(vc, url=VS_BASE + "version-all-1")
    assert _used(body) == [CS_URL + "|1.0.0"] and set(_contains(body)) == {"code1", "code2"}
    _s, body = _expand(vc, url=VS_BASE + "version-wild")
    assert _used(body) == [CS_URL + "|1.2.0"] and _contains(body)["code1"] == "Display 1 (1.2)"


def test_value_set_version_by_parameter_and_canonical(vc):
    # no valueSetVersion: the latest value set version (2.0.0, pinned to 1.2.0)
    _s, latest = _expand(vc, url=VS_BASE + "version-pinned")
    assert _used(latest) == [CS_URL + "|1.2.0"]
    _s, by_param = _expand(vc, url=VS_BASE + "version-pinned", valueSetVersion="1.0.0")
    _s, by_canon = _expand(vc, url=VS_BASE + "version-pinned|1.0.0")
    assert _used(by_param) == _used(by_canon) == [CS_URL + "|1.0.0"]
    assert by_canon["version"] == "1.0.0"
    status, missing = _expand(vc, url=VS_BASE + "version-pinned", valueSetVersion="9.9.9")
    assert status == 422 and missing["issue"][0]["code"] == "not-found"  # $expand: 422 for a definition it lacks (the reference server's status)


def test_system_version_applies_only_to_versionless_includes(vc):
    _s, body = _expand(vc, url=VS_BASE + "version-none", **{"system-version": CS_URL + "|1.0.0"})
    assert _used(body) == [CS_URL + "|1.0.0"]
    assert {"name": "system-version", "valueUri": CS_URL + "|1.0.0"} in body["expansion"]["parameter"]
    _s, body = _expand(vc, url=VS_BASE + "version-all-1", **{"system-version": CS_URL + "|2.0.0"})
    assert _used(body) == [CS_URL + "|1.0.0"]


def test_force_system_version_overrides_the_pin(vc):
    _s, body = _expand(vc, url=VS_BASE + "version-all-1", **{"force-system-version": CS_URL + "|2.0.0"})
    assert _used(body) == [CS_URL + "|2.0.0"] and _contains(body)["code1"] == "Display 1 (2.0)"


def test_check_system_version_mismatch_is_an_error(vc):
    status, body = _expand(vc, url=VS_BASE + "version-all-1", **{"check-system-version": CS_URL + "|2.x"})
    assert status == 400
    issue = body["issue"][0]
    assert issue["code"] == "exception" and issue["details"]["coding"][0]["code"] == "version-error"
    assert "'1.0.0'" in issue["details"]["text"] and "'2.x'" in issue["details"]["text"]
    status, _b = _expand(vc, url=VS_BASE + "version-all-1", **{"check-system-version": CS_URL + "|1.x"})
    assert status == 200
    out = _validate(vc, url=VS_BASE + "version-all-1", system=CS_URL, code="code1",
                    **{"check-system-version": CS_URL + "|2.0.0"})
    assert out["result"] is False and ("error", "exception", "version-error", None) in _issues(out)


def test_check_system_version_is_the_version_of_a_versionless_include(vc):
    _s, body = _expand(vc, url=VS_BASE + "version-none", **{"check-system-version": CS_URL + "|1.x"})
    assert _used(body) == [CS_URL + "|1.2.0"]
    out = _validate(vc, url=VS_BASE + "version-none", system=CS_URL, code="code1",
                    **{"check-system-version": CS_URL + "|1.0.0"})
    assert out["result"] is True and out["version"] == "1.0.0"


def test_expand_unknown_version_lists_loaded_versions(vc):
    status, body = _expand(vc, url=VS_BASE + "version-none", **{"force-system-version": CS_URL + "|3.0.0"})
    assert status == 422  # $expand: 422 for a definition it lacks (the reference server's status)
    text = body["issue"][0]["details"]["text"]
    assert "'3.0.0'" in text and "1.0.0, 1.2.0 and 2.0.0" in text


def test_validate_uses_the_pinned_version_and_its_display(vc):
    out = _validate(vc, url=VS_BASE + "version-all-1", system=CS_URL, code="code1")
    assert out["result"] is True and out["version"] == "1.0.0" and out["display"] == "Display 1 (1.0)"
    out = _validate(vc, url=VS_BASE + "version-all-1", system=CS_URL, code="code1", display="Display 1 (2.0)")
    assert out["result"] is False and ("error", "invalid", "invalid-display", "display") in _issues(out)
    out = _validate(vc, url=VS_BASE + "version-all-1", system=CS_URL, code="code3")
    assert out["result"] is False
    assert ("error", "code-invalid", "not-in-vs", "code") in _issues(out)


def test_validate_coding_version_differs_from_pinned(vc):
    out = _validate(vc, url=VS_BASE + "version-all-1", system=CS_URL, code="code1", systemVersion="1.2.0")
    assert out["result"] is False and out["version"] == "1.0.0"
    assert _issues(out) == [("error", "invalid", "vs-invalid", "version")]
    assert out["message"] == (f"The code system '{CS_URL}' version '1.0.0' in the ValueSet include is different "
                              f"to the one in the value ('1.2.0')")


def test_validate_coding_version_fits_wildcard(vc):
    out = _validate(vc, url=VS_BASE + "version-wild", system=CS_URL, code="code1", systemVersion="1.0.0")
    assert out["result"] is True and out["version"] == "1.0.0"


def test_validate_coding_version_not_loaded(vc):
    # pinned value set: a mismatch and an unknown version
    out = _validate(vc, url=VS_BASE + "version-all-1", system=CS_URL, code="code1", systemVersion="3.0.0")
    assert out["result"] is False
    assert ("error", "invalid", "vs-invalid", "version") in _issues(out)
    assert ("error", "not-found", "not-found", "system") in _issues(out)
    assert out["x-caused-by-unknown-system"] == CS_URL + "|3.0.0"
    # versionless value set: the version is unknown, membership cannot be told
    out = _validate(vc, url=VS_BASE + "version-none", system=CS_URL, code="code1", systemVersion="3.0.0")
    assert out["result"] is False
    assert "Valid versions: 1.0.0, 1.2.0 and 2.0.0" in out["message"]
    assert "Unable to check whether the code is in the value set" in out["message"]
    assert [i[:3] for i in _issues(out)] == [("error", "not-found", "not-found"), ("warning", "not-found", "vs-invalid")]


def test_validate_versionless_value_set_takes_the_coding_version(vc):
    out = _validate(vc, url=VS_BASE + "version-none", system=CS_URL, code="code1", systemVersion="1.0.0",
                    display="Display 1 (1.0)")
    assert out["result"] is True and out["version"] == "1.0.0"


def test_force_system_version_in_validate(vc):
    out = _validate(vc, url=VS_BASE + "version-all-1", system=CS_URL, code="code3",
                    **{"force-system-version": CS_URL + "|2.0.0"})
    assert out["result"] is True and out["version"] == "2.0.0" and out["display"] == "Display 3 (2.0)"
    out = _validate(vc, url=VS_BASE + "version-all-1", system=CS_URL, code="code1", systemVersion="1.2.0",
                    **{"force-system-version": CS_URL + "|2.0.0"})
    assert out["result"] is False and "resulting from the version '1.0.0'" in out["message"]


def test_codesystem_validate_versions(vc):
    def cs(**q):
        r = vc.get("/fhir/CodeSystem/$validate-code", query_string={"url": CS_URL, **q})
        return {p["name"]: p.get("resource") or next(v for k, v in p.items() if k.startswith("value"))
                for p in r.get_json()["parameter"]}
    assert cs(code="code3")["version"] == "2.0.0"
    old = cs(code="code3", version="1.0.0")
    assert old["result"] is False and "Unknown code 'code3'" in old["message"]
    missing = cs(code="code1", version="3.0.0")
    assert missing["result"] is False and "Valid versions: 1.0.0, 1.2.0 and 2.0.0" in missing["message"]
    assert _issues(missing) == [("error", "not-found", "not-found", "system")]


def test_lookup_by_version(vc):
    r = vc.get("/fhir/CodeSystem/$lookup", query_string={"system": CS_URL, "code": "code1", "version": "1.2.0"})
    body = {p["name"]: next((v for k, v in p.items() if k.startswith("value")), None)
            for p in r.get_json()["parameter"]}
    assert body["version"] == "1.2.0" and body["display"] == "Display 1 (1.2)"
    r = vc.get("/fhir/CodeSystem/$lookup", query_string={"system": CS_URL, "code": "code1", "version": "7"})
    assert r.status_code == 422 and "1.0.0, 1.2.0 and 2.0.0" in json.dumps(r.get_json())


def test_import_of_a_value_set_version_that_is_not_loaded(vc):
    vs = {"resourceType": "ValueSet", "url": VS_BASE + "imports", "status": "active",
          "compose": {"include": [{"valueSet": [VS_BASE + "version-pinned|3.0.0"]}]}}
    r = vc.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters",
                                                "parameter": [{"name": "valueSet", "resource": vs}]},
                content_type=FJ)
    assert r.status_code == 422  # $expand: 422 for a definition it lacks (the reference server's status)
    assert r.get_json()["issue"][0]["details"]["text"] == (
        f"Unable to find included value set '{VS_BASE}version-pinned' version '3.0.0'")
    vs["compose"]["include"][0]["valueSet"] = [VS_BASE + "version-pinned|1.0.0"]
    r = vc.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters",
                                                "parameter": [{"name": "valueSet", "resource": vs}]},
                content_type=FJ)
    body = r.get_json()
    assert r.status_code == 200 and {x["code"] for x in body["expansion"]["contains"]} == {"code1", "code2"}
    assert {"name": "used-valueset", "valueUri": VS_BASE + "version-pinned|1.0.0"} in body["expansion"]["parameter"]


def test_get_coding_with_version(vc):
    out = _validate(vc, url=VS_BASE + "version-none", coding=f"{CS_URL}|1.0.0|code1")
    assert out["result"] is True and out["version"] == "1.0.0" and out["display"] == "Display 1 (1.0)"


def test_one_code_from_two_versions_of_its_system(vc):
    vs = {"resourceType": "ValueSet", "url": VS_BASE + "two-versions", "status": "active",
          "compose": {"include": [{"system": CS_URL, "version": "1.0.0"}, {"system": CS_URL, "version": "2.0.0"}]}}
    r = vc.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters",
                                                "parameter": [{"name": "valueSet", "resource": vs}]},
                content_type=FJ)
    e = r.get_json()["expansion"]
    got = [(x["code"], x["version"], x["display"]) for x in e["contains"]]
    assert got == [("code1", "1.0.0", "Display 1 (1.0)"), ("code2", "1.0.0", "Display 2 (1.0)"),
                   ("code1", "2.0.0", "Display 1 (2.0)"), ("code2", "2.0.0", "Display 2 (2.0)"),
                   ("code3", "2.0.0", "Display 3 (2.0)")]
    assert e["total"] == 5 and _used(r.get_json()) == [CS_URL + "|1.0.0", CS_URL + "|2.0.0"]


def test_validate_against_a_value_set_of_two_versions(vc):
    vs = {"resourceType": "ValueSet", "url": VS_BASE + "two-versions", "status": "active",
          "compose": {"include": [{"system": CS_URL, "version": "1.0.0"}, {"system": CS_URL, "version": "2.0.0"}]}}

    def check(**coding):
        r = vc.post("/fhir/ValueSet/$validate-code", json={"resourceType": "Parameters", "parameter": [
            {"name": "valueSet", "resource": vs}, {"name": "coding", "valueCoding": {"system": CS_URL, **coding}}]},
            content_type=FJ)
        return {p["name"]: next((v for k, v in p.items() if k.startswith("value")), None)
                for p in r.get_json()["parameter"]}
    # each display is right in the version that has it
    assert check(code="code1", display="Display 1 (1.0)")["version"] == "1.0.0"
    assert check(code="code1", display="Display 1 (2.0)")["version"] == "2.0.0"
    assert check(code="code3")["version"] == "2.0.0"
    wrong = check(code="code1", version="2.0.0", display="Display 1 (1.0)")
    assert wrong["result"] is False and "Valid display is 'Display 1 (2.0)'" in wrong["message"]
