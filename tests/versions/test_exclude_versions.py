"""Excludes that name another version of an include's code system, as tx.fhir.org's $expand treats them
(docs/operations-valueset.md, "Excludes and code system versions"):

- an exclude removes only the codes of the version it resolves to (an unversioned exclude: the version an
  unversioned include would take, the latest or the one system-version gives);
- except when every include and every exclude of the system names a version and no include shares one with
  an exclude: then the exclude removes its codes by code, from whichever version the includes take;
- an exclude naming a version that is not loaded removes nothing and is no error.

$validate-code answers membership by the same rule (compose.py `contains`), so each case is asked both ways.
"""
import pytest

from tests.support.tx_requests import out, post

S = "http://example.org/refexp/CodeSystem/ver"
VS = "http://example.org/refexp/ValueSet/"


def _cs(version, codes):
    return {"resourceType": "CodeSystem", "url": S, "version": version, "status": "active", "content": "complete",
            "concept": [{"code": c, "display": c.upper()} for c in codes]}


V1 = _cs("1.0.0", ["a", "b", "c"])
V2 = _cs("2.0.0", ["a", "b", "d"])
SYSTEMS = [V1, V2]


def _vs(name, includes, excludes):
    return {"resourceType": "ValueSet", "url": VS + name, "status": "active",
            "compose": {"include": includes, "exclude": excludes}}


def _inc(version=None, concepts=None, filters=None):
    d = {"system": S}
    if version:
        d["version"] = version
    if concepts:
        d["concept"] = [{"code": c} for c in concepts]
    if filters:
        d["filter"] = filters
    return d


def _expand(client, vs, *params):
    status, b = post(client, "ValueSet/$expand", [("url", vs["url"]), *params], SYSTEMS + [vs])
    assert status == 200, b
    return b["expansion"]


def _codes(exp):
    return sorted((c["code"], c.get("version")) for c in exp.get("contains") or ())


def _member(client, vs, code, version=None, *params):
    coding = {"system": S, "code": code}
    if version:
        coding["version"] = version
    status, b = post(client, "ValueSet/$validate-code", [("url", vs["url"]), ("coding", coding), *params],
                     SYSTEMS + [vs])
    assert status == 200, b
    return out(b)["result"]


def _agree(client, vs, exp, *params):
    """$validate-code says member for exactly the codes $expand lists (in the versions it lists them in)."""
    listed = {c["code"] for c in exp.get("contains") or ()}
    for code in ("a", "b", "c", "d"):
        assert _member(client, vs, code, None, *params) is (code in listed), code


CASES = [
    # name, includes, excludes, expected codes
    ("pinned-unversioned-exclude", [_inc("1.0.0")], [_inc(None, ["a"])], ["a", "b", "c"]),
    ("unversioned-pinned-exclude", [_inc()], [_inc("1.0.0", ["a"])], ["a", "b", "d"]),
    ("unversioned-both", [_inc()], [_inc(None, ["a"])], ["b", "d"]),
    ("same-version", [_inc("1.0.0")], [_inc("1.0.0", ["a"])], ["b", "c"]),
    ("versions-apart", [_inc("1.0.0")], [_inc("2.0.0", ["a"])], ["b", "c"]),
    ("versions-apart-whole-system", [_inc("1.0.0")], [_inc("2.0.0")], ["c"]),
    ("versions-apart-filter", [_inc("1.0.0")], [_inc("2.0.0", filters=[
        {"property": "concept", "op": "in", "value": "b,d"}])], ["a", "c"]),
    ("unknown-version", [_inc("1.0.0")], [_inc("9.0.0", ["a"])], ["a", "b", "c"]),
    ("unknown-version-whole-system", [_inc("1.0.0")], [_inc("9.0.0")], ["a", "b", "c"]),
    ("unversioned-unknown-version", [_inc()], [_inc("9.0.0", ["a"])], ["a", "b", "d"]),
    # an include sharing its version with an exclude: by version, so the 2.0.0 include keeps its own `a`
    ("shared-version", [_inc("1.0.0"), _inc("2.0.0")], [_inc("1.0.0", ["a"])], ["a", "b", "b", "c", "d"]),
    ("pinned-unversioned-whole-system", [_inc("1.0.0")], [_inc()], ["a", "b", "c"]),
]


@pytest.mark.parametrize("name,includes,excludes,want", CASES, ids=[c[0] for c in CASES])
def test_exclude_versions_expand_and_validate_agree(client, name, includes, excludes, want):
    vs = _vs(name, includes, excludes)
    exp = _expand(client, vs)
    assert sorted(c for c, _v in _codes(exp)) == want
    if len({(i.get("version")) for i in includes}) == 1:
        _agree(client, vs, exp)


def test_system_version_moves_an_unversioned_exclude(client):
    """The unversioned exclude takes the version system-version gives, as an unversioned include would."""
    vs = _vs("sv", [_inc("1.0.0")], [_inc(None, ["a"])])
    exp = _expand(client, vs, ("system-version", S + "|1.0.0"))
    assert [c for c, _v in _codes(exp)] == ["b", "c"]
    _agree(client, vs, exp, ("system-version", S + "|1.0.0"))


def test_a_coding_of_the_other_version_is_asked_in_its_own_version(client):
    vs = _vs("shared", [_inc("1.0.0"), _inc("2.0.0")], [_inc("1.0.0", ["a"])])
    assert _member(client, vs, "a", "2.0.0") is True
    assert _member(client, vs, "a", "1.0.0") is False


def test_an_unknown_exclude_version_is_no_error(client):
    vs = _vs("unknown", [_inc("1.0.0")], [_inc("9.0.0", ["a"]), _inc("9.0.0")])
    exp = _expand(client, vs)
    assert [c for c, _v in _codes(exp)] == ["a", "b", "c"]
    assert not any(p["name"].startswith("warning") for p in exp.get("parameter") or ())


def test_used_codesystem_names_the_exclude_version(client):
    exp = _expand(client, _vs("used", [_inc("1.0.0")], [_inc("2.0.0", ["a"])]))
    used = [p["valueUri"] for p in exp["parameter"] if p["name"] == "used-codesystem"]
    # the excludes are worked out first, so their version comes first (as before this rule)
    assert used == [S + "|2.0.0", S + "|1.0.0"]


def test_an_unloaded_exclude_version_is_not_a_used_codesystem(client):
    exp = _expand(client, _vs("unused", [_inc("1.0.0")], [_inc("9.0.0", ["a"])]))
    assert [p["valueUri"] for p in exp["parameter"] if p["name"] == "used-codesystem"] == [S + "|1.0.0"]


@pytest.mark.parametrize("exclude_version", ["1.0.0", "9.0.0"])
@pytest.mark.parametrize("include_version", ["1.0.0", None])
def test_an_exclude_importing_a_missing_value_set_fails_whatever_version_it_reaches(client, exclude_version,
                                                                                     include_version):
    """Whether or not the exclude's version reaches the codes, an import it cannot read fails $expand (404)
    and makes $validate-code answer false, as before the version rule."""
    vs = _vs("missing-import", [_inc(include_version)],
             [{"system": S, "version": exclude_version, "valueSet": ["http://example.org/refexp/nowhere"]}])
    status, b = post(client, "ValueSet/$expand", [("url", vs["url"])], SYSTEMS + [vs])
    assert status == 422, b  # $expand: 422 for a definition it lacks (the reference server's status)
    status, b = post(client, "ValueSet/$validate-code", [("url", vs["url"]), ("coding", {"system": S, "code": "a"})],
                     SYSTEMS + [vs])
    assert status == 200 and out(b)["result"] is False


def test_a_stored_value_set_answers_each_request_by_its_own_version_rules(client):
    """What a stored value set's excludes list is kept across requests; which version they reach is not: it
    follows each request's system-version."""
    vs = {**_vs("stored", [_inc("1.0.0")], [_inc(None, ["a"])]), "id": "refexp-stored"}
    for r in (V1 | {"id": "refexp-v1"}, V2 | {"id": "refexp-v2"}, vs):
        assert client.put(f"/fhir/{r['resourceType']}/{r['id']}", json=r).status_code in (200, 201)

    def expand_validate(*params):
        status, b = post(client, "ValueSet/$expand", [("url", vs["url"]), *params])
        codes = sorted(c["code"] for c in b["expansion"]["contains"])
        status, b = post(client, "ValueSet/$validate-code", [("url", vs["url"]), ("coding", {"system": S, "code": "a"}),
                                                              *params])
        return codes, out(b)["result"]

    for _round in range(2):
        assert expand_validate() == (["a", "b", "c"], True)
        assert expand_validate(("system-version", S + "|1.0.0")) == (["b", "c"], False)
