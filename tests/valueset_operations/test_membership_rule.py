"""Reviewer findings on membership ($expand and $validate-code share one rule, compose.py): the version a
code is validated in is one it is a member in, excludes that list codes, includes of a version that is not
loaded, errors building a code system view, and the url|version helpers. Each test is the reviewer's
repro as a request (or an engine call where no request can reach the case)."""
import pytest

from terminology import Catalog, open_store
from terminology.errors import InvalidRequest, TooCostly
from terminology.operations.version_rules import SystemVersionRules
from terminology.operations.validate import ValidateRequest, validate_code

from .test_limits_cycles_and_filters import _issues, _out, _post

S = "http://example.org/membership-review/CodeSystem/s"
P = "http://example.org/membership-review/ValueSet/"
BCP47 = "urn:ietf:bcp:47"


def _cs(version, codes):
    return {"resourceType": "CodeSystem", "url": S, "version": version, "status": "active", "content": "complete",
            "caseSensitive": True, "concept": [{"code": c, "display": c.upper()} for c in codes]}


def _vs(name, compose):
    return {"resourceType": "ValueSet", "url": P + name, "status": "active", "compose": compose}


def _res(resources):
    return [("tx-resource", "resource", r) for r in resources]


def _expand(client, url, resources):
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", url), *_res(resources))
    if status != 200:
        return status, body
    return status, {(c["code"], c.get("version")) for c in body["expansion"].get("contains") or ()}


def _validate(client, url, coding, resources):
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", url),
                          ("coding", "valueCoding", coding), *_res(resources))
    assert status == 200, body
    return _out(body), _issues(body)


# --- 1. the version a code is validated in is one it is a member in ------------------------------------------

E1, E2 = _cs("1", ["a", "b"]), _cs("2", ["a", "b"])
# the exclude names version 1: an unversioned one would read the latest (2) and leave version 1's a alone
VS2 = _vs("vs2", {"include": [{"system": S, "version": "1"}],
                  "exclude": [{"system": S, "version": "1", "concept": [{"code": "a"}]}]})
TOP = _vs("top", {"include": [{"valueSet": [P + "vs2"]}, {"system": S, "version": "2"}]})


def test_code_is_validated_in_a_version_it_is_a_member_in(client):
    resources = [E1, E2, VS2, TOP]
    status, items = _expand(client, P + "top", resources)
    assert status == 200 and items == {("b", "1"), ("a", "2"), ("b", "2")}
    # version 1's include selects a, but the value set that include sits in excludes it: a is taken in 2
    out, issues = _validate(client, P + "top", {"system": S, "code": "a"}, resources)
    assert out["result"] is True, issues
    assert out["version"] == "2"
    out, _ = _validate(client, P + "top", {"system": S, "version": "1", "code": "a"}, resources)
    assert out["result"] is False
    for code, version in items:
        out, issues = _validate(client, P + "top", {"system": S, "version": version, "code": code}, resources)
        assert out["result"] is True, (code, version, issues)


# --- 2. an exclude that lists a code -------------------------------------------------------------------------

F1, F2 = _cs("1", ["a"]), _cs("2", ["a", "c"])
EXCL = _vs("exclude-c", {"include": [{"system": S, "version": "2"}],
                         "exclude": [{"system": S, "version": "1", "concept": [{"code": "c"}]}]})


def test_listed_exclude_removes_a_code_its_own_version_lacks(client):
    resources = [F1, F2, EXCL]
    status, items = _expand(client, P + "exclude-c", resources)
    assert status == 200 and {code for code, _v in items} == {"a"}
    for coding in ({"system": S, "code": "c"}, {"system": S, "version": "2", "code": "c"}):
        out, issues = _validate(client, P + "exclude-c", coding, resources)
        assert out["result"] is False, coding
        assert any(i["details"]["coding"][0]["code"] == "not-in-vs" for i in issues)
    out, issues = _validate(client, P + "exclude-c", {"system": S, "code": "a"}, resources)
    assert out["result"] is True, issues


# --- 13. an include of a version that is not loaded ----------------------------------------------------------

MISSING = _vs("missing-9", {"include": [{"system": S, "version": "9"}, {"system": S, "version": "1"}]})


def test_include_of_a_missing_version_is_reported_by_validate_code(client):
    resources = [E1, E2, MISSING]
    status, body = _expand(client, P + "missing-9", resources)
    assert status == 422, body  # $expand: 422 for a definition it lacks (the reference server's status)
    text = f"A definition for CodeSystem '{S}' version '9' could not be found, so the code cannot be validated. " \
           f"Valid versions: 1 or 2"
    for coding in ({"system": S, "code": "a"}, {"system": S, "version": "1", "code": "a"}):
        out, issues = _validate(client, P + "missing-9", coding, resources)
        assert out["result"] is False, coding
        assert out["x-caused-by-unknown-system"] == f"{S}|9"
        assert [i["details"]["text"] for i in issues if i["code"] == "not-found" and i["severity"] == "error"] \
            == [text]
        assert text in out["message"]


def test_include_listing_its_codes_in_a_version_not_loaded(client):
    """$expand needs the definition of the version whose codes an include lists, as the reference server does
    (422, naming the versions held); $validate-code of another code says nothing of that version."""
    listed = _vs("listed-9", {"include": [{"system": S, "version": "9", "concept": [{"code": "a"}]},
                                          {"system": S, "version": "1"}]})
    resources = [E1, E2, listed]
    status, body = _expand(client, P + "listed-9", resources)
    assert status == 422 and "version '9'" in body["issue"][0]["details"]["text"], body
    out, issues = _validate(client, P + "listed-9", {"system": S, "code": "b"}, resources)
    assert out["result"] is True, issues
    assert "x-caused-by-unknown-system" not in out


# --- 6. an error building a code system view is not an unknown system ----------------------------------------

BCP47_SUPPLEMENT = {"resourceType": "CodeSystem", "url": "http://example.org/membership-review/CodeSystem/bcp47-nb",
                    "version": "1", "status": "active", "content": "supplement", "supplements": BCP47,
                    "concept": [{"code": "en", "designation": [{"language": "nb", "value": "engelsk"}]}]}


def test_supplement_of_a_grammar_is_never_an_unknown_system(client):
    """A supplement applied to urn:ietf:bcp:47 was reported as "A definition for CodeSystem ... could not be
    found" (the view's TooCostly swallowed). Supplements of grammars now work; until they do everywhere, a
    refusal says what it is."""
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", BCP47),
                         ("code", "valueCode", "en"), ("useSupplement", "valueCanonical", BCP47_SUPPLEMENT["url"]),
                         ("tx-resource", "resource", BCP47_SUPPLEMENT))
    texts = [i["details"]["text"] for i in _issues(body)]
    assert not any("could not be found" in t for t in texts), texts
    if status == 200:
        assert _out(body)["result"] is True, texts
    else:
        assert status == 422 and _issues(body)[0]["code"] == "not-supported", body


def _list_the_codes(cs):
    """A supplement step that copies the concept table, as apply_supplements did for every index before it
    learned grammars: a grammar's codes cannot be listed (TooCostly)."""
    dict(cs.concepts)
    return cs


def test_error_building_a_view_propagates(tmp_path):
    store = open_store(str(tmp_path / "x.db"))
    store.write([E1])
    catalog = Catalog(store)
    vs = {"resourceType": "ValueSet", "url": P + "tags", "status": "active",
          "compose": {"include": [{"system": BCP47, "concept": [{"code": "en"}]}]}}
    for req in (ValidateRequest(codesystem=BCP47, codings=[{"system": BCP47, "code": "en"}],
                                supplements=_list_the_codes),
                ValidateRequest(valueset=vs, codings=[{"system": BCP47, "code": "en"}], supplements=_list_the_codes)):
        with pytest.raises(TooCostly):
            validate_code(catalog, req)
    # not loaded is still an unknown system
    res = validate_code(catalog, ValidateRequest(codesystem=S + "-none", codings=[{"system": S + "-none",
                                                                                    "code": "x"}]))
    assert res.result is False and any("could not be found" in i.text for i in res.issues)


# --- 14. url|version ---------------------------------------------------------------------------------------

def test_version_rules_need_a_version():
    rules = SystemVersionRules.parse(default=[S + "|2"], force=[S + "-f|1"])
    assert rules.default == {S: "2"} and rules.force == {S + "-f": "1"}
    for bad in (S, S + "|", "|2", S + "|1|x"):      # the last two since review s12 (F6)
        with pytest.raises(InvalidRequest, match="must be 'system|version'"):
            SystemVersionRules.parse(default=[bad])
