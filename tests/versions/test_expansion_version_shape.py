"""$expand's output shape for a value set naming one code system in several version texts, as tx.fhir.org
(FHIRsmith expand.js) answers it (docs/operations-valueset.md, "Versions in the expansion"):

- `contains.version`: one flag for the whole expansion, set when any system appears in the compose's includes
  and excludes with different version texts (absent is a text of its own; `1.x` differs from `1.2.0`); then
  every code from a code system carries that code system's version, else none does;
- `versionsMatch = true` in expansion.parameter when every include and exclude names one system with a
  version and no exclude shares a version with an include (the excludes then remove by code).

The code systems are the HL7 tx-tests `version` code system in three versions, sent as tx-resource."""
import copy

import pytest

from tests.support.tx_files import tx_file
from tests.support.tx_requests import post

BASE = tx_file("version/codesystem-version-1.json")
U = BASE["url"]
O = "http://hl7.org/fhir/test/CodeSystem/simple"


def _cs(version):
    r = copy.deepcopy(BASE)
    r["version"], r["id"] = version, "version-" + version.replace(".", "")
    return r


SYSTEMS = [_cs("1.0.0"), _cs("1.2.0"), _cs("2.0.0")]


def _vs(includes, excludes=()):
    compose = {"include": list(includes)}
    if excludes:
        compose["exclude"] = list(excludes)
    return {"resourceType": "ValueSet", "url": "http://ex.org/vs/s14", "version": "1.0.0", "status": "active",
            "compose": compose}


def _e(version=None, codes=None, system=U):
    d = {"system": system}
    if version:
        d["version"] = version
    if codes:
        d["concept"] = [{"code": c} for c in codes]
    return d


def _expand(client, vs, *params, extra=()):
    status, b = post(client, "ValueSet/$expand", [("url", vs["url"]), *params], SYSTEMS + list(extra) + [vs])
    assert status == 200, b
    return b["expansion"]


def _contains(exp):
    return sorted((c["code"], c.get("version")) for c in exp.get("contains") or [])


def _versions_match(exp):
    return [p for p in exp.get("parameter") or [] if p["name"] == "versionsMatch"]


# --- contains.version: the reference's compose-text rule ------------------------------------------------------
@pytest.mark.parametrize("name, includes, excludes, want", [
    ("unversioned + 2.0.0", [_e(), _e("2.0.0")], [], [("code1", "2.0.0"), ("code2", "2.0.0")]),
    ("unversioned code1 + 2.0.0 code2", [_e(None, ["code1"]), _e("2.0.0", ["code2"])], [],
     [("code1", "2.0.0"), ("code2", "2.0.0")]),
    ("unversioned, exclude 2.0.0 code1", [_e()], [_e("2.0.0", ["code1"])], [("code2", "2.0.0")]),
    ("1.x + 1.2.0", [_e("1.x"), _e("1.2.0")], [], [("code1", "1.2.0"), ("code2", "1.2.0")]),
])
def test_version_texts_differ_versions_every_code(client, name, includes, excludes, want):
    assert _contains(_expand(client, _vs(includes, excludes))) == want, name


@pytest.mark.parametrize("name, includes, excludes, want", [
    ("one include", [_e()], [], [("code1", None), ("code2", None)]),
    ("one version twice", [_e("1.0.0", ["code1"]), _e("1.0.0", ["code2"])], [], [("code1", None), ("code2", None)]),
    ("1.0.0 + 2.0.0", [_e("1.0.0"), _e("2.0.0")], [],
     [("code1", "1.0.0"), ("code1", "2.0.0"), ("code2", "1.0.0"), ("code2", "2.0.0")]),
    ("unversioned + 1.0.0", [_e(), _e("1.0.0")], [],
     [("code1", "1.0.0"), ("code1", "2.0.0"), ("code2", "1.0.0"), ("code2", "2.0.0")]),
    ("2.0.0, exclude 1.0.0 code1", [_e("2.0.0")], [_e("1.0.0", ["code1"])], [("code2", "2.0.0")]),
])
def test_cases_that_already_agreed_unchanged(client, name, includes, excludes, want):
    assert _contains(_expand(client, _vs(includes, excludes))) == want, name


def test_flag_is_global_other_system_versioned_too(client):
    simple = tx_file("simple/codesystem-simple.json")
    exp = _expand(client, _vs([_e(), _e("2.0.0"), _e(None, ["code1"], system=O)]), extra=[simple])
    got = [(c["system"], c["code"], c.get("version")) for c in exp["contains"]]
    assert all(v == (simple.get("version") if s == O else "2.0.0") for s, _, v in got), got
    assert any(s == O for s, _, _ in got)


def test_flag_holds_on_a_page(client):
    exp = _expand(client, _vs([_e(), _e("2.0.0")]), ("offset", 1), ("count", 1))
    assert [c.get("version") for c in exp["contains"]] == ["2.0.0"]


def test_imports_do_not_set_the_flag(client):
    inner = {"resourceType": "ValueSet", "url": "http://ex.org/vs/s14-inner", "status": "active",
             "compose": {"include": [_e("2.0.0")]}}
    vs = _vs([_e(None, ["code1"]), {"valueSet": [inner["url"]]}])
    assert _contains(_expand(client, vs, extra=[inner])) == [("code1", None), ("code2", None)]


# --- versionsMatch --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, includes, excludes, want", [
    ("exclude other version, listed", [_e("2.0.0")], [_e("1.0.0", ["code1"])], [("code2", "2.0.0")]),
    ("exclude other version, whole", [_e("2.0.0")], [_e("1.0.0")], []),
    ("two includes, exclude third", [_e("1.0.0"), _e("2.0.0")], [_e("1.2.0", ["code2"])],
     [("code1", "1.0.0"), ("code1", "2.0.0")]),
])
def test_versions_match_echoed_in_the_special_case(client, name, includes, excludes, want):
    exp = _expand(client, _vs(includes, excludes))
    assert _contains(exp) == want, name
    assert _versions_match(exp) == [{"name": "versionsMatch", "valueBoolean": True}], name


@pytest.mark.parametrize("name, includes, excludes", [
    ("no exclude", [_e("1.0.0"), _e("2.0.0")], []),
    ("shared version", [_e("1.0.0"), _e("2.0.0")], [_e("1.0.0", ["code1"])]),
    ("unversioned exclude", [_e("2.0.0")], [_e(None, ["code1"])]),
    ("unversioned include", [_e()], [_e("1.0.0", ["code1"])]),
    # (the other system in a version it is held in: $expand refuses listed codes of a version not held)
    ("another system", [_e("2.0.0"), _e("0.1.0", ["code1"], system=O)], [_e("1.0.0", ["code1"])]),
])
def test_no_versions_match_otherwise(client, name, includes, excludes):
    simple = tx_file("simple/codesystem-simple.json")
    assert _versions_match(_expand(client, _vs(includes, excludes), extra=[simple])) == [], name
