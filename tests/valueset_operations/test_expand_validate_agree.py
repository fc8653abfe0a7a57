"""$expand and $validate-code agree about what a value set holds.

Both operations decide membership with the one rule of terminology/operations/compose.py
(`ComposeEvaluator.selects`): $expand enumerates with it, $validate-code asks it about one code.
These tests hold them to that: every code of an expansion validates, and codes of the same code
systems that the expansion leaves out do not. Broadly over the value sets of the HL7 terminology
ecosystem tests (tests/conformance/tx-tests setup files) and the demo content, and case by case for
the differences the two operations once had (each case says what used to differ).
"""
from __future__ import annotations

import itertools
import json
import os

import pytest

from terminology import Catalog, open_store
from terminology.errors import InvalidRequest, TerminologyError
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.validate import ValidateRequest, validate_code
from tests.conftest import ROOT

TX = os.path.join(ROOT, "tests", "conformance", "tx-tests")
NOT_IN_EXPANSION_SAMPLE = 200     # codes per code system that an expansion leaves out, checked per value set


def _load(rel: str) -> dict:
    with open(os.path.join(TX, rel), encoding="utf-8-sig") as fh:
        return json.load(fh)


def _flat(items):
    for it in items:
        yield it
        yield from _flat(it.children)


def _valid(catalog, vs: dict, coding: dict) -> bool:
    req = ValidateRequest(valueset=vs, codings=[coding], membership_only=True)
    return validate_code(catalog, req).result


def disagreements(catalog, vs: dict) -> list:
    """Codes on which $expand and $validate-code differ for `vs` (empty when they agree)."""
    exp = expand(catalog, ExpandRequest(valueset=vs, max_expansion=100_000))
    items = list(_flat(exp.items))
    out = []
    for it in items:
        coding = {"system": it.system, "code": it.code, **({"version": it.version} if it.version else {})}
        if not _valid(catalog, vs, coding):
            out.append(("in the expansion, not valid", coding))
    held = {(it.system, it.code) for it in items}
    for canon in dict.fromkeys(p[2] for p in exp.parameters if p[0] == "used-codesystem"):
        url, _, version = canon.partition("|")
        cs = catalog.codesystem(url, version or None)
        left_out = (code for code in cs.concepts if (url, code) not in held)
        for code in itertools.islice(left_out, NOT_IN_EXPANSION_SAMPLE):
            coding = {"system": url, "code": code, **({"version": cs.version} if cs.version else {})}
            if _valid(catalog, vs, coding):
                out.append(("not in the expansion, valid", coding))
    return out


# --- broad: the tx ecosystem value sets and the demo content ---------------------------------------------

@pytest.fixture(scope="module")
def core_catalog(hl7_db):
    """The HL7 terminology some tx tests rely on (administrative-gender …), as a new server holds it."""
    return Catalog(open_store(hl7_db))


def _suites():
    for suite in _load("test-cases.json")["suites"]:
        if suite.get("setup"):
            yield pytest.param(suite, id=suite["name"])


@pytest.mark.parametrize("suite", list(_suites()))
def test_tx_value_sets_agree(core_catalog, suite):
    resources = [_load(rel) for rel in suite["setup"]]
    catalog = core_catalog.overlay(resources)
    checked = 0
    for vs in resources:
        if vs.get("resourceType") != "ValueSet":
            continue
        try:
            found = disagreements(catalog, vs)
        except TerminologyError:
            continue    # a value set the suite keeps broken on purpose (unknown system, broken filter ...)
        assert found == [], f"{vs.get('url')}: {found[:5]}"
        checked += 1
    assert checked or not any(r.get("resourceType") == "ValueSet" for r in resources)


def test_demo_value_sets_agree(tmp_path):
    from fhir_api import create_app
    db = str(tmp_path / "demo.db")
    create_app({"DB": db, "DEMO": True})
    catalog = Catalog(open_store(db))
    headers = list(catalog.headers("ValueSet"))
    assert headers
    for h in headers:
        vs = catalog.body(h.pk)
        assert disagreements(catalog, vs) == [], vs.get("url")


# --- case by case ------------------------------------------------------------------------------------------

S = "http://example.org/fhir/CodeSystem/agree"
V = "http://example.org/fhir/ValueSet/agree-"


def _cs(version: str, extra=()) -> dict:
    inactive = [{"code": "status", "valueCode": "retired"}, {"code": "inactive", "valueBoolean": True}]
    return {"resourceType": "CodeSystem", "url": S, "version": version, "status": "active", "content": "complete",
            "caseSensitive": False, "hierarchyMeaning": "is-a",
            # colour: declared, held by no concept here (a supplement gives it values): a filter on it is understood
            "property": [{"code": "status", "type": "code"}, {"code": "inactive", "type": "boolean"},
                         {"code": "colour", "type": "code"}],
            "concept": [{"code": "a", "display": "A", "concept": [{"code": "a1", "display": "A1"},
                                                                  {"code": "a2", "display": "A2", "property": inactive}]},
                        {"code": "b", "display": "B"}] + [{"code": c, "display": c.upper()} for c in extra]}


def _vs(name: str, compose: dict) -> dict:
    return {"resourceType": "ValueSet", "url": V + name, "status": "active", "compose": compose}


CASES = [
    _cs("1.0.0"), _cs("2.0.0", ["c"]),
    _vs("no-inactive", {"inactive": False, "include": [{"system": S, "version": "2.0.0"}]}),
    _vs("imports-no-inactive", {"include": [{"valueSet": [V + "no-inactive"]}]}),
    _vs("equals-other-case", {"include": [{"system": S, "version": "2.0.0", "filter": [{"property": "concept", "op": "=", "value": "A"}]}]}),
    _vs("in-other-case", {"include": [{"system": S, "version": "2.0.0", "filter": [{"property": "concept", "op": "in", "value": "A1,B"}]}]}),
    _vs("exclude-other-version", {"include": [{"system": S, "version": "1.0.0"}],
                                  "exclude": [{"system": S, "version": "2.0.0", "concept": [{"code": "b"}]}]}),
    _vs("pinned-2", {"include": [{"system": S, "version": "2.0.0"}]}),
    _vs("system-and-import", {"include": [{"system": S, "version": "1.0.0", "valueSet": [V + "pinned-2"]}]}),
    _vs("branch-1", {"include": [{"system": S, "version": "1.0.0",
                                  "filter": [{"property": "concept", "op": "is-a", "value": "a"}]}]}),
    _vs("imports-branch-1", {"include": [{"valueSet": [V + "branch-1"]}]}),
    _vs("import-and-top", {"include": [{"valueSet": [V + "branch-1"]},
                                       {"system": S, "version": "2.0.0", "concept": [{"code": "b"}]}]}),
    _vs("imports-import-and-top", {"include": [{"valueSet": [V + "import-and-top"]}]}),
    _vs("two-versions-listed", {"include": [{"system": S, "version": "1.0.0", "concept": [{"code": "a1"}]},
                                            {"system": S, "version": "2.0.0", "concept": [{"code": "c"}]}]}),
    # the exclude names the include's version: an unversioned one would read the latest (2.0.0) and remove
    # nothing from 1.0.0 (tx.fhir.org's rule, tests/versions/test_exclude_versions.py)
    _vs("exclude-a-in-1", {"include": [{"system": S, "version": "1.0.0"}],
                           "exclude": [{"system": S, "version": "1.0.0", "concept": [{"code": "a"}]}]}),
    _vs("import-excluding-and-top", {"include": [{"valueSet": [V + "exclude-a-in-1"]},
                                                 {"system": S, "version": "2.0.0"}]}),
    _vs("exclude-listed-its-version-lacks", {"include": [{"system": S, "version": "2.0.0"}],
                                             "exclude": [{"system": S, "version": "1.0.0",
                                                          "concept": [{"code": "c"}]}]}),
    _vs("exclude-listed-other-case", {"include": [{"system": S, "version": "2.0.0"}],
                                      "exclude": [{"system": S, "version": "1.0.0", "concept": [{"code": "C"}]}]}),
    _vs("missing-version-and-1", {"include": [{"system": S, "version": "9.0.0"}, {"system": S, "version": "1.0.0"}]}),
    _vs("cycle", {"include": [{"valueSet": [V + "cycle"]}]}),
    _vs("no-source", {"include": [{"concept": [{"code": "a"}]}]}),
]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    store = open_store(str(tmp_path_factory.mktemp("agree") / "cases.db"))
    store.write(CASES)
    return Catalog(store)


def _codings():
    for version in (None, "1.0.0", "2.0.0"):
        for code in ("a", "a1", "a2", "b", "c"):
            yield {"system": S, "code": code, **({"version": version} if version else {})}


def _expanded(catalog, name):
    exp = expand(catalog, ExpandRequest(valueset=catalog.valueset(V + name)))
    return {(it.code, it.version) for it in _flat(exp.items)}


def _validated(catalog, name):
    vs = catalog.valueset(V + name)
    return {(c["code"], c.get("version")) for c in _codings() if _valid(catalog, vs, c)}


@pytest.mark.parametrize("name,expanded,also_valid", [
    # an imported value set with compose.inactive=false has no inactive codes: $expand used to list a2
    ("imports-no-inactive", {"a", "a1", "b", "c"}, {"2.0.0"}),
    ("no-inactive", {"a", "a1", "b", "c"}, {"2.0.0"}),
    # 'concept = A' in a case-insensitive system selects 'a': $validate-code used to compare the text as given
    ("equals-other-case", {"a"}, {"2.0.0"}),
    ("in-other-case", {"a1", "b"}, {"2.0.0"}),
    # an exclude removes the code whatever version it names: $validate-code kept 1.0.0#b when the coding named 1.0.0
    ("exclude-other-version", {"a@1.0.0", "a1@1.0.0", "a2@1.0.0"}, set()),
    # an import that intersects a system include is matched by system and code: $validate-code refused
    # codings that named 1.0.0 because the import pins 2.0.0
    ("system-and-import", {"a@1.0.0", "a1@1.0.0", "a2@1.0.0", "b@1.0.0"}, set()),
    ("imports-branch-1", {"a", "a1", "a2"}, {"1.0.0"}),
    # a version pinned inside an imported value set is the version of its codes: $validate-code used to
    # hold the codings that named it (a@1.0.0) against the top-level include's 2.0.0
    ("import-and-top", {"a@1.0.0", "a1@1.0.0", "a2@1.0.0", "b@2.0.0"}, set()),
    ("imports-import-and-top", {"a@1.0.0", "a1@1.0.0", "a2@1.0.0", "b@2.0.0"}, set()),
    ("two-versions-listed", {"a1@1.0.0", "c@2.0.0"}, set()),
    # the version $validate-code takes a code in is one it is a member in, excludes of the imported value set
    # included: it used to take a in 1.0.0 (whose include selects it, but the import excludes it) and say false
    ("import-excluding-and-top", {"a1@1.0.0", "a2@1.0.0", "b@1.0.0", "a@2.0.0", "a1@2.0.0", "a2@2.0.0",
                                  "b@2.0.0", "c@2.0.0"}, set()),
    # an exclude that lists a code removes it by system and code, even when the version it names lacks the
    # code ($expand did so, $validate-code kept c), the code compared as the code system spells it
    ("exclude-listed-its-version-lacks", {"a@2.0.0", "a1@2.0.0", "a2@2.0.0", "b@2.0.0"}, set()),
    ("exclude-listed-other-case", {"a@2.0.0", "a1@2.0.0", "a2@2.0.0", "b@2.0.0"}, set()),
])
def test_case_agrees(cases, name, expanded, also_valid):
    """The expansion is as FHIR R4 defines it, and $validate-code accepts exactly its codes: those the
    expansion lists with a version in that version (and without one), those it lists without a version
    with no version and with the version it is taken from (`also_valid`)."""
    got = _expanded(cases, name)
    want = {(e.split("@")[0], e.split("@")[1] if "@" in e else None) for e in expanded}
    assert got == want
    valid = _validated(cases, name)
    codes = {code for code, _v in got}
    expected = {(code, None) for code in codes} | {(code, v) for code, v in got if v} | \
        {(code, v) for code in codes for v in also_valid}
    assert valid == expected


@pytest.mark.parametrize("name", ["cycle", "no-source"])
def test_broken_compose_is_refused_by_both(cases, name):
    """A value set that imports itself, or an include with neither system nor valueSet (vsd-1), has no
    defined content: both operations answer 400 (validation used to answer 'not in the value set')."""
    vs = cases.valueset(V + name)
    with pytest.raises(InvalidRequest):
        expand(cases, ExpandRequest(valueset=vs))
    with pytest.raises(InvalidRequest):
        validate_code(cases, ValidateRequest(valueset=vs, codings=[{"system": S, "code": "a"}]))


def test_include_of_a_missing_version_is_reported_by_both(cases):
    """An include of a version that is not loaded: $expand refuses the value set (404); $validate-code of a code
    another include holds used to say true without a word (the version it chose was never asked about the
    broken include). Now: false, with the missing version and the versions there are."""
    from terminology.errors import NotFound
    vs = cases.valueset(V + "missing-version-and-1")
    with pytest.raises(NotFound, match="version '9.0.0'"):
        expand(cases, ExpandRequest(valueset=vs))
    for coding in ({"system": S, "code": "a"}, {"system": S, "version": "1.0.0", "code": "a"}):
        res = validate_code(cases, ValidateRequest(valueset=vs, codings=[coding]))
        assert res.result is False
        missing = [i for i in res.issues if i.code == "not-found" and i.severity == "error"]
        assert [i.text for i in missing] == [
            f"A definition for CodeSystem '{S}' version '9.0.0' could not be found, so the code cannot be "
            f"validated. Valid versions: 1.0.0 or 2.0.0"]
        assert ("x-caused-by-unknown-system", "valueCanonical", f"{S}|9.0.0") in res.params
        assert not any(i.tx_code == "not-in-vs" for i in res.issues)


def test_kept_rules_follow_the_index_they_were_made_for(cases):
    """Compiled filters are kept on the code system index across requests; a supplemented copy of the index
    (whose concepts carry more properties) must get its own, in both directions and for both operations."""
    from terminology.supplements import apply_supplements
    sup = {"resourceType": "CodeSystem", "url": S + "-colours", "status": "active", "content": "supplement",
           "supplements": S + "|2.0.0", "property": [{"code": "colour", "type": "code"}],
           "concept": [{"code": "b", "property": [{"code": "colour", "valueCode": "red"}]}]}
    vs = _vs("red", {"include": [{"system": S, "version": "2.0.0",
                                  "filter": [{"property": "colour", "op": "=", "value": "red"}]}]})

    def answers(supplemented: bool):
        extra = {"supplements": lambda cs: apply_supplements(cs, [sup])} if supplemented else {}
        exp = expand(cases, ExpandRequest(valueset=vs, **extra))
        valid = validate_code(cases, ValidateRequest(valueset=vs, codings=[{"system": S, "code": "b"}],
                                                     membership_only=True, **extra)).result
        return [it.code for it in _flat(exp.items)], valid

    for supplemented in (False, True, False, True):
        assert answers(supplemented) == ((["b"], True) if supplemented else ([], False))
