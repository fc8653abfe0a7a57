"""Probe 5: fragments, large systems, overloaded codes, permutations of value set definitions and batches.

Requests are built as the HL7 terminology ecosystem tests build theirs: the code systems and value sets
travel as `tx-resource` parameters and the parameters of tx-tests/parameters-default.json come last.
Each test names what used to be wrong (or what it pins down so that it stays right).
"""
from __future__ import annotations

import pytest

from tests.support.tx_files import stored_client

FJ = "application/fhir+json"
T = "http://example.org/probe5/"
UNCLOSED = "http://hl7.org/fhir/StructureDefinition/valueset-unclosed"
UNCLOSED_REASON = "http://hl7.org/fhir/StructureDefinition/valueset-unclosed-reason"
DEFAULT = {"name": "uuid", "valueUuid": "urn:uuid:8acdbfdc-e9d2-11ed-a05b-0242ac120003"}


def _value(v) -> dict:
    if isinstance(v, dict) and "resourceType" in v:
        return {"resource": v}
    if isinstance(v, bool):
        return {"valueBoolean": v}
    if isinstance(v, int):
        return {"valueInteger": v}
    if isinstance(v, dict):
        return {"valueCodeableConcept": v} if "coding" in v else {"valueCoding": v}
    return {"valueUri": v} if str(v).startswith("http") else {"valueString": v}


def _body(params, resources=()) -> dict:
    ps = [{"name": n, **_value(v)} for n, v in params]
    ps += [{"name": "tx-resource", "resource": r} for r in resources]
    return {"resourceType": "Parameters", "parameter": ps + [DEFAULT]}


def _post(client, path, params, resources=()):
    r = client.post("/fhir/" + path, json=_body(params, resources), content_type=FJ)
    return r.status_code, r.get_json()


def _out(body: dict) -> dict:
    return {p["name"]: next(v for k, v in p.items() if k != "name")
            for p in body.get("parameter") or () if p["name"] != "issues"}


def _issues(body: dict) -> list:
    for p in body.get("parameter") or ():
        if p["name"] == "issues":
            return p["resource"]["issue"]
    return []


def _params(expansion: dict, name: str) -> list:
    return [next(v for k, v in p.items() if k.startswith("value")) for p in expansion.get("parameter") or ()
            if p["name"] == name]


def _flat(contains):
    for c in contains or ():
        yield c
        yield from _flat(c.get("contains"))


def _cs(name: str, content: str = "complete", codes=("code1", "code2"), version: str = "0.1.0", **extra) -> dict:
    return {"resourceType": "CodeSystem", "url": T + "CodeSystem/" + name, "version": version, "status": "active",
            "content": content, "caseSensitive": True,
            "concept": [{"code": c, "display": f"Display {c}"} for c in codes], **extra}


def _vs(name: str, *includes, exclude=(), **extra) -> dict:
    compose = {"include": list(includes)}
    if exclude:
        compose["exclude"] = list(exclude)
    return {"resourceType": "ValueSet", "url": T + "ValueSet/" + name, "version": "5.0.0", "status": "active",
            "compose": compose, **extra}


# --- fragments --------------------------------------------------------------------------------------------
FRAG = _cs("frag", "fragment")
EXAMPLE = _cs("example", "example", codes=("e1",))
COMPLETE = _cs("complete")
FRAG_ALL = _vs("frag-all", {"system": FRAG["url"]})
FRAG_LISTED = _vs("frag-listed", {"system": FRAG["url"], "concept": [{"code": "code1"}, {"code": "code3"}]})
FRAG_IMPORT = _vs("frag-import", {"valueSet": [FRAG_ALL["url"]]})
EXAMPLE_ALL = _vs("example-all", {"system": EXAMPLE["url"]})
COMPLETE_ALL = _vs("complete-all", {"system": COMPLETE["url"]})
FRAGMENTS = [FRAG, EXAMPLE, COMPLETE, FRAG_ALL, FRAG_LISTED, FRAG_IMPORT, EXAMPLE_ALL, COMPLETE_ALL]


def _expand(client, vs, *params, resources=FRAGMENTS) -> dict:
    status, body = _post(client, "ValueSet/$expand", [("url", vs["url"]), *params], resources)
    assert status == 200, body
    return body["expansion"]


def _unclosed(expansion: dict) -> list:
    return [e.get("valueBoolean") for e in expansion.get("extension") or () if e.get("url") == UNCLOSED]


@pytest.mark.parametrize("params", [(), (("count", 1),), (("offset", 1), ("count", 5))],
                         ids=["whole", "page", "offset"])
def test_expansion_over_a_fragment_names_the_fragment_and_is_unclosed(client, params):
    """An expansion that draws on a code system whose resource holds only a fragment lists the codes it
    has, and says so: `used-fragment` beside `used-codesystem` (the reference servers' expansion
    parameter), and the R4 valueset-unclosed extension, "values other than those listed may be valid".
    It used to look like the expansion of a complete code system, on every page."""
    e = _expand(client, FRAG_ALL, *params)
    assert e["total"] == 2
    assert _params(e, "used-codesystem") == [FRAG["url"] + "|0.1.0"]
    assert _params(e, "used-fragment") == [FRAG["url"] + "|0.1.0"]
    assert _unclosed(e) == [True]


def test_listed_codes_of_a_fragment_are_marked_unclosed_too(client):
    """A value set that names its codes holds those of them the fragment holds (the reference servers locate each
    listed code and skip one not found, code3 here), and the expansion is marked unclosed as the reference server
    marks every include of a fragment (FHIRsmith checkSource): a listed code the fragment lacks may be a member."""
    e = _expand(client, FRAG_LISTED)
    assert [c["code"] for c in e["contains"]] == ["code1"]
    assert _params(e, "used-fragment") == [FRAG["url"] + "|0.1.0"]
    assert _unclosed(e) == [True]
    assert _reasons(e) == [f"This extension is based on a fragment of the code system {FRAG['url']}"]


def test_an_imported_fragment_marks_the_importing_expansion(client):
    e = _expand(client, FRAG_IMPORT)
    assert _params(e, "used-fragment") == [FRAG["url"] + "|0.1.0"]
    assert _unclosed(e) == [True]


def test_a_fragment_imported_through_a_contained_value_set_marks_the_expansion(client):
    """The import is found by '#id', which no catalog lookup by canonical finds: the evaluator says what it read."""
    contained = _vs("frag-contained", {"valueSet": ["#inner"]},
                    contained=[{"resourceType": "ValueSet", "id": "inner", "status": "active",
                                "compose": {"include": [{"system": FRAG["url"]}]}}])
    e = _expand(client, contained, resources=FRAGMENTS + [contained])
    assert _params(e, "used-fragment") == [FRAG["url"] + "|0.1.0"]
    assert _unclosed(e) == [True]


def test_expansion_over_an_example_is_unclosed(client):
    """`example` content is not the whole code system either; it is not a fragment of it."""
    e = _expand(client, EXAMPLE_ALL)
    assert _params(e, "used-fragment") == []
    assert _unclosed(e) == [True]


def test_expansion_over_a_complete_code_system_is_not_marked(client):
    e = _expand(client, COMPLETE_ALL)
    assert _params(e, "used-fragment") == [] and _unclosed(e) == []


def _reasons(expansion: dict) -> list:
    return [e.get("valueString") for e in expansion.get("extension") or () if e.get("url") == UNCLOSED_REASON]


@pytest.mark.parametrize("vs, partial", [(FRAG_ALL, FRAG), (FRAG_IMPORT, FRAG), (EXAMPLE_ALL, EXAMPLE)],
                         ids=["fragment", "imported-fragment", "example"])
def test_an_unclosed_expansion_says_why_in_the_reference_servers_words(client, vs, partial):
    """Beside valueset-unclosed, the reason (FHIRsmith writes valueset-unclosed-reason): the code system's url,
    without its version, for an example as for a fragment."""
    e = _expand(client, vs)
    assert _reasons(e) == [f"This extension is based on a fragment of the code system {partial['url']}"]


def test_a_closed_expansion_gives_no_reason(client):
    assert _reasons(_expand(client, COMPLETE_ALL)) == [] and _unclosed(_expand(client, COMPLETE_ALL)) == []


def test_unknown_code_in_a_fragment_is_a_warning_in_issues_only(client):
    """The code may be in another fragment, so $validate-code answers true with a warning, for each way of
    giving the code and at CodeSystem level too. The warning says nothing against the code: it is an issue,
    not the `message` (which used to repeat it; the reference servers stopped doing so). Against a value
    set listing its codes, an unlisted code is still not a member."""
    for path, params in [("ValueSet/$validate-code", [("url", FRAG_ALL["url"]), ("system", FRAG["url"]),
                                                      ("code", "code9")]),
                         ("ValueSet/$validate-code", [("url", FRAG_ALL["url"]),
                                                      ("coding", {"system": FRAG["url"], "code": "code9"})]),
                         ("ValueSet/$validate-code", [("url", FRAG_ALL["url"]), ("codeableConcept", {
                             "coding": [{"system": FRAG["url"], "code": "code9"}]})]),
                         ("CodeSystem/$validate-code", [("url", FRAG["url"]), ("code", "code9")])]:
        status, body = _post(client, path, params, FRAGMENTS)
        out = _out(body)
        assert status == 200 and out["result"] is True, body
        assert "message" not in out
        (issue,) = _issues(body)
        assert issue["severity"] == "warning" and issue["details"]["coding"][0]["code"] == "invalid-code"
        assert issue["details"]["text"] == (f"Unknown Code 'code9' in the CodeSystem '{FRAG['url']}' version "
                                            f"'0.1.0' - note that the code system is labeled as a fragment, so "
                                            f"the code may be valid in some other fragment")
    status, body = _post(client, "ValueSet/$validate-code",
                         [("url", FRAG_LISTED["url"]), ("system", FRAG["url"]), ("code", "code9")], FRAGMENTS)
    assert _out(body)["result"] is False


# --- batches ----------------------------------------------------------------------------------------------
def _bundle(client, bundle: dict):
    r = client.post("/fhir", json=bundle, content_type=FJ)
    return r.status_code, r.get_json()


def test_a_transaction_bundle_is_refused_saying_transactions_are_not_supported(client):
    """A server that offers batch only refuses a transaction (400 invalid, as the reference servers do) and
    says why: transactions are not supported here, a batch is (it used to say only "only batch Bundles are
    processed here, not 'transaction'")."""
    entry = {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={COMPLETE['url']}&code=code1"}}
    status, body = _bundle(client, {"resourceType": "Bundle", "type": "transaction", "entry": [entry]})
    assert status == 400 and body["resourceType"] == "OperationOutcome"
    (issue,) = body["issue"]
    assert issue["code"] == "invalid"
    assert issue["details"]["text"].startswith("transaction Bundles are not supported")
    assert "batch" in issue["details"]["text"]


def test_a_bundle_without_a_type_says_what_is_missing(client):
    """It used to say "only batch Bundles are processed here, not 'None'"."""
    status, body = _bundle(client, {"resourceType": "Bundle", "entry": []})
    assert status == 400
    text = body["issue"][0]["details"]["text"]
    assert "None" not in text and "Bundle.type" in text


# --- permutations of one membership ---------------------------------------------------------------------
PS = T + "CodeSystem/perm"
_INACTIVE = [{"code": "status", "valueCode": "retired"}]


def _p(code, grp, *children, inactive=False):
    c = {"code": code, "display": code.upper(), "property": [{"code": "grp", "valueCode": grp}] +
         (_INACTIVE if inactive else [])}
    if children:
        c["concept"] = list(children)
    return c


PERM = {"resourceType": "CodeSystem", "url": PS, "version": "1.0.0", "status": "active", "content": "complete",
        "caseSensitive": True, "hierarchyMeaning": "is-a",
        "property": [{"code": "grp", "type": "code"},
                     {"code": "status", "uri": "http://hl7.org/fhir/concept-properties#status", "type": "code"}],
        "concept": [_p("root", "x", _p("a", "g1", _p("a1", "g1"), _p("a2", "g1", inactive=True)),
                       _p("b", "g2", _p("b1", "g2"))), _p("z", "g3")]}
PERM2 = {**PERM, "version": "2.0.0"}


def _f(prop, op, value):
    return {"property": prop, "op": op, "value": value}


def _inc(**k):
    return {"system": PS, **k}


# each selects {a, a1, a2} (a2 inactive) of the code system
PERMUTATIONS = {
    "enum": {"include": [_inc(concept=[{"code": "a"}, {"code": "a1"}, {"code": "a2"}])]},
    "is-a": {"include": [_inc(filter=[_f("concept", "is-a", "a")])]},
    "descendent-of+enum": {"include": [_inc(filter=[_f("concept", "descendent-of", "a")]), _inc(concept=[{"code": "a"}])]},
    "prop-eq": {"include": [_inc(filter=[_f("grp", "=", "g1")])]},
    "prop-in": {"include": [_inc(filter=[_f("grp", "in", "g1")])]},
    "concept-in": {"include": [_inc(filter=[_f("concept", "in", "a,a1,a2")])]},
    "regex": {"include": [_inc(filter=[_f("code", "regex", "a[0-9]?")])]},
    "two-filters": {"include": [_inc(filter=[_f("concept", "is-a", "root"), _f("grp", "=", "g1")])]},
    "exclude-enum": {"include": [_inc()], "exclude": [_inc(concept=[{"code": c} for c in ("root", "b", "b1", "z")])]},
    "exclude-is-a": {"include": [_inc()], "exclude": [_inc(filter=[_f("concept", "is-a", "b")]),
                                                      _inc(concept=[{"code": "root"}, {"code": "z"}])]},
    "exclude-not-in": {"include": [_inc()], "exclude": [_inc(filter=[_f("grp", "not-in", "g1")])]},
    "exclude-is-not-a": {"include": [_inc()], "exclude": [_inc(filter=[_f("concept", "is-not-a", "a")])]},
    "exclude-regex": {"include": [_inc()], "exclude": [_inc(filter=[_f("code", "regex", "[^a].*")])]},
    "exclude-versioned": {"include": [_inc()],
                          "exclude": [_inc(version="2.0.0", filter=[_f("concept", "not-in", "a,a1,a2")])]},
    "import": {"include": [{"valueSet": [T + "ValueSet/perm-is-a"]}]},
    "import-import": {"include": [{"valueSet": [T + "ValueSet/perm-import"]}]},
    "import-exclude-import": {"include": [{"valueSet": [T + "ValueSet/perm-all"]}],
                              "exclude": [{"valueSet": [T + "ValueSet/perm-not-a"]}]},
    "import-and-filter": {"include": [{"valueSet": [T + "ValueSet/perm-all"], "system": PS,
                                       "filter": [_f("concept", "is-a", "a")]}]},
    "two-imports": {"include": [{"valueSet": [T + "ValueSet/perm-all", T + "ValueSet/perm-enum"]}]},
}
PERM_HELPERS = {"all": {"include": [_inc()]},
                "not-a": {"include": [_inc(concept=[{"code": c} for c in ("root", "b", "b1", "z")])]}}
PERM_RESOURCES = [PERM, PERM2] + [{"resourceType": "ValueSet", "url": T + "ValueSet/perm-" + name, "status": "active",
                                   "compose": compose} for name, compose in {**PERMUTATIONS, **PERM_HELPERS}.items()]


@pytest.mark.parametrize("name", sorted(PERMUTATIONS))
def test_every_permutation_expands_and_validates_alike(client, name):
    """Pinned: one membership written nineteen ways. $expand lists a, a1, a2 (a2 without activeOnly only),
    and $validate-code accepts exactly those codes, with the same answer whatever way the value set is written
    (the not-in-value-set message names only the value set)."""
    url = T + "ValueSet/perm-" + name
    for active_only, want in ((False, {"a", "a1", "a2"}), (True, {"a", "a1"})):
        extra = [("activeOnly", True)] if active_only else []
        e = _expand(client, {"url": url}, *extra, resources=PERM_RESOURCES)
        assert {c["code"] for c in _flat(e.get("contains"))} == want
        for code in ("root", "a", "a1", "a2", "b", "z", "nope"):
            status, body = _post(client, "ValueSet/$validate-code", [("url", url), ("system", PS), ("code", code),
                                                                     *extra], PERM_RESOURCES)
            assert status == 200 and _out(body)["result"] is (code in want), (code, body)
    status, body = _post(client, "ValueSet/$validate-code", [("url", url), ("system", PS), ("code", "b")],
                         PERM_RESOURCES)
    assert _out(body)["message"] == f"The provided code '{PS}#b' was not found in the value set '{url}'"


def test_an_intersection_of_imports_validates_in_the_version_it_expands_to(client):
    """An include of two value sets holds their common codes, taken as the first lists them (here in 2.0.0,
    the latest, while the second pins 1.0.0). $validate-code refused the coding of the version $expand
    listed, and inferred 1.0.0 for a coding without a version."""
    both = {"resourceType": "ValueSet", "url": T + "ValueSet/perm-intersect", "status": "active",
            "compose": {"include": [{"valueSet": [T + "ValueSet/perm-all", T + "ValueSet/perm-a-in-1"]}]}}
    a_in_1 = {"resourceType": "ValueSet", "url": T + "ValueSet/perm-a-in-1", "status": "active",
              "compose": {"include": [_inc(version="1.0.0", concept=[{"code": "a"}])]}}
    resources = PERM_RESOURCES + [both, a_in_1]
    e = _expand(client, both, resources=resources)
    assert [(c["code"], c.get("version")) for c in e["contains"]] == [("a", "2.0.0")]
    for coding, version in (({"code": "a", "version": "2.0.0"}, "2.0.0"), ({"code": "a"}, "2.0.0")):
        status, body = _post(client, "ValueSet/$validate-code",
                             [("url", both["url"]), ("coding", {"system": PS, **coding})], resources)
        out = _out(body)
        assert out["result"] is True and out["version"] == version, body


# --- a large code system, overloaded codes (pinned) ----------------------------------------------------------
BIG = _cs("big", codes=tuple(f"code{i}" for i in range(1, 10_001)))
BIG_ALL = _vs("big-all", {"system": BIG["url"]})


def test_paging_a_ten_thousand_code_system(client, tmp_path):
    """Pinned: `count=0` is the total alone; an `offset` past the end is an empty page with the total and the
    offset (of a stored system: one sent with the request is not paged past 1,000 codes); a text filter over the
    whole system pages its hits; without `count` it is 422 too-costly naming the value set and the limit."""
    resources = [BIG, BIG_ALL]
    e = _expand(client, BIG_ALL, ("count", 0), resources=resources)
    assert e["total"] == 10_000 and "contains" not in e
    e = _expand(stored_client(tmp_path, resources), BIG_ALL, ("offset", 20_000), ("count", 10), resources=())
    # a page of a set over the expansion limit carries no total (tx.fhir.org; research-s10-paging ADOPT-1)
    assert "total" not in e and e["offset"] == 20_000 and "contains" not in e
    assert _params(e, "offset") == [20_000] and _params(e, "count") == [10]
    e = _expand(client, BIG_ALL, ("filter", "Display code999"), ("count", 5), ("offset", 5), resources=resources)
    assert e["total"] == 11 and len(e["contains"]) == 5
    status, body = _post(client, "ValueSet/$expand", [("url", BIG_ALL["url"])], resources)
    assert status == 422
    (issue,) = body["issue"]
    assert issue["code"] == "too-costly" and issue["details"]["coding"][0]["code"] == "too-costly"
    assert issue["details"]["text"].startswith(f"The value set '{BIG_ALL['url']}|5.0.0' expansion has too many "
                                               f"codes to produce (>1000)")


def test_a_code_in_two_systems_of_a_value_set_cannot_be_validated_without_its_system(client):
    """Pinned: both systems' code1 are members; a code without a system cannot be placed: false, with the
    not-in-value-set error and `cannot-infer` naming both systems, and no system, version or display."""
    other = {**_cs("other"), "concept": [{"code": "code1", "display": "Other 1"}]}
    both = _vs("two-systems", {"system": COMPLETE["url"]}, {"system": other["url"]})
    resources = [COMPLETE, other, both]
    e = _expand(client, both, resources=resources)
    assert sorted((c["system"], c["code"]) for c in e["contains"] if c["code"] == "code1") == \
        [(COMPLETE["url"], "code1"), (other["url"], "code1")]
    status, body = _post(client, "ValueSet/$validate-code", [("url", both["url"]), ("code", "code1"),
                                                             ("inferSystem", True)], resources)
    out = _out(body)
    assert out["result"] is False and "system" not in out and "display" not in out
    codes = sorted(i["details"]["coding"][0]["code"] for i in _issues(body))
    assert codes == ["cannot-infer", "not-in-vs"]
    infer = next(i for i in _issues(body) if i["details"]["coding"][0]["code"] == "cannot-infer")
    assert infer["details"]["text"].endswith(f"value set expansion has multiple matches: [{COMPLETE['url']}, "
                                             f"{other['url']}]")
    for cs in (COMPLETE, other):
        status, body = _post(client, "ValueSet/$validate-code", [("url", both["url"]), ("system", cs["url"]),
                                                                 ("code", "code1")], resources)
        assert _out(body)["result"] is True and _out(body)["display"] == cs["concept"][0]["display"]
