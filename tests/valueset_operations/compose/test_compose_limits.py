"""Limits of value set composition (terminology/operations/compose.py): broken import references are the
client's mistake (400), import diamonds are worked out once per value set, caches that outlive a request
keep nothing a request brought, and check-valueset-version checks instead of choosing."""
import pytest

from terminology.errors import InvalidRequest
from terminology.identifiers import ICD10_NO
from terminology.norway.rules import MAIN_CONDITION_VS, REPORTABLE_VS
from terminology.operations import compose, include_rules

from tests.valueset_operations.test_limits_cycles_and_filters import _out, _post

T = "http://example.org/compose-limits/"
ICPC = "http://hl7.org/fhir/sid/icpc-2"


def _vs(url, includes, excludes=None):
    vs = {"resourceType": "ValueSet", "url": url, "status": "active", "compose": {"include": includes}}
    if excludes:
        vs["compose"]["exclude"] = excludes
    return vs


def _res(*resources):
    return [("tx-resource", "resource", r) for r in resources]


SMALL = {"resourceType": "CodeSystem", "url": T + "small", "version": "1", "status": "active",
         "content": "complete", "concept": [{"code": c, "display": c.upper()} for c in ("a", "b", "c")]}


def _issue(body):
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"][0]


# --- 1. a reference that is not a canonical URL -----------------------------------------------------------
def test_null_import_reference_is_refused_by_expand(client):
    for bad in (None, "", "  "):
        vs = _vs(T + "a", [{"system": T + "small"}, {"valueSet": [T + "b", bad]}])
        for given in (("valueSet", "resource", vs), ("url", "valueUri", T + "a")):
            status, body = _post(client, "ValueSet/$expand", given, *_res(SMALL, vs))
            assert status == 400, (bad, body)
            issue = _issue(body)
            assert issue["details"]["coding"][0]["code"] == "vs-invalid"
            assert "ValueSet.compose.include[1].valueSet[1]" in issue["details"]["text"], issue
            assert issue["location"] == ["ValueSet.compose.include[1].valueSet[1]"]
    # other shapes are already refused when the supplied resource is read
    for bad in (5, {"a": 1}):
        vs = _vs(T + "a", [{"valueSet": [bad]}])
        assert _post(client, "ValueSet/$expand", ("valueSet", "resource", vs))[0] == 400


def test_engine_refuses_import_references_that_are_not_urls(app):
    # a value set that reached the store some other way is refused the same way, by the engine itself
    catalog = app.extensions["kodebro.catalog"]
    for refs, where in (([None], "include[0].valueSet[0]"), ([T + "x", 5], "include[0].valueSet[1]"),
                        ({"a": 1}, "include[0].valueSet"), (T + "x", "include[0].valueSet")):
        vs = _vs(T + "a", [{"valueSet": refs}])
        for run in (lambda ev: list(ev.members(vs)), lambda ev: ev.contains(vs, T + "small", "a")):
            with pytest.raises(InvalidRequest) as err:
                run(compose.ComposeEvaluator(catalog))
            assert err.value.tx_code == "vs-invalid" and f"ValueSet.compose.{where} is" in str(err.value)


def test_null_import_reference_is_refused_by_validate_code(client):
    for compose_part in ("include", "exclude"):
        vs = _vs(T + "a", [{"system": T + "small"}])
        vs["compose"][compose_part] = vs["compose"].get(compose_part, []) + [{"valueSet": [None]}]
        status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", T + "a"),
                             *_res(SMALL, vs), ("system", "valueUri", T + "small"), ("code", "valueCode", "a"))
        assert status == 400, body
        issue = _issue(body)
        assert issue["details"]["coding"][0]["code"] == "vs-invalid"
        assert "valueSet" in issue["details"]["text"] and "null" in issue["details"]["text"]


def test_import_with_a_system_and_a_null_reference_is_refused(client):
    vs = _vs(T + "a", [{"system": T + "small", "valueSet": [None]}])
    for op, extra in (("$expand", ()), ("$validate-code", (("system", "valueUri", T + "small"),
                                                          ("code", "valueCode", "a")))):
        status, body = _post(client, f"ValueSet/{op}", ("valueSet", "resource", vs), *_res(SMALL), *extra)
        assert status == 400, (op, body)
        assert "ValueSet.compose.include[0].valueSet[0]" in _issue(body)["details"]["text"]


# --- 2. import diamonds ---------------------------------------------------------------------------------------
def _diamond(n, leaf_l, leaf_m, union=True):
    """L_i and M_i each import L_i+1 and M_i+1 (as two includes: union; or one: intersection), n levels."""
    out = []
    for i in range(n):
        nxt = [T + f"L{i + 1}", T + f"M{i + 1}"]
        incs = [{"valueSet": [r]} for r in nxt] if union else [{"valueSet": nxt}]
        out += [_vs(T + f"L{i}", incs), _vs(T + f"M{i}", incs)]
    return out + [_vs(T + f"L{n}", [leaf_l]), _vs(T + f"M{n}", [leaf_m])]


def _validate(client, res, code):
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", T + "L0"), *res,
                         ("system", "valueUri", T + "small"), ("code", "valueCode", code))
    assert status == 200, body
    return _out(body)["result"]


def _expand(client, res):
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", T + "L0"), *res)
    assert status == 200, body
    return sorted(c["code"] for c in body["expansion"].get("contains") or ())


def test_union_diamond_of_18_levels(client):
    res = _res(SMALL, *_diamond(18, {"system": T + "small", "concept": [{"code": "a"}]},
                                {"system": T + "small", "concept": [{"code": "b"}]}))
    assert _validate(client, res, "a") is True
    assert _validate(client, res, "b") is True
    assert _validate(client, res, "c") is False
    assert _expand(client, res) == ["a", "b"]


def test_intersection_diamond_of_18_levels(client):
    res = _res(SMALL, *_diamond(18, {"system": T + "small", "concept": [{"code": "a"}, {"code": "b"}]},
                                {"system": T + "small", "concept": [{"code": "b"}, {"code": "c"}]}, union=False))
    assert _validate(client, res, "b") is True
    assert _validate(client, res, "a") is False
    assert _expand(client, res) == ["b"]


def test_a_cycle_inside_a_diamond_is_still_found(client):
    # L1 and M1 both import L2; L2 imports L0 again: a cycle, whichever path reaches it first
    vss = [_vs(T + "L0", [{"valueSet": [T + "L1"]}, {"valueSet": [T + "M1"]}]),
           _vs(T + "L1", [{"valueSet": [T + "L2"]}]), _vs(T + "M1", [{"valueSet": [T + "L2"]}]),
           _vs(T + "L2", [{"system": T + "small"}, {"valueSet": [T + "L0"]}])]
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", T + "L0"), *_res(SMALL, *vss))
    assert status == 400 and "circularity" in _issue(body)["details"]["text"]


# --- 3. caches that outlive a request ------------------------------------------------------------------------
def _kept_includes(catalog):
    """Every include held by the caches that outlive a request: listed codes, and rules kept on indexes."""
    out = [entry[0] for entry in include_rules._LISTED.values()]
    for cs in list(catalog._cs_cache.values()):
        kept = getattr(cs, include_rules.RULES_ATTR, None)
        if kept is not None:
            out += [rule.inc for rule in kept[1].values()]
    return out


def _marked(inc) -> bool:
    return any(str(c.get("code", "")).startswith("ZZ-") for c in inc.get("concept") or ())


def test_caches_keep_no_supplied_value_set(demo_app):
    client = demo_app.test_client()
    for i in range(12):
        listed = [{"code": f"ZZ-{i}-{k}"} for k in range(300)] + [{"code": "A000"}]
        a = _vs(T + f"big{i}", [{"system": ICD10_NO, "concept": listed},
                                {"system": ICD10_NO, "concept": listed[:50] + [{"code": "A001"}]},
                                {"system": ICD10_NO, "filter": [{"property": "concept", "op": "is-a", "value": "A00"}]}])
        status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", T + f"big{i}"), *_res(a))
        assert status == 200 and {"A000", "A001"} <= {c["code"] for c in body["expansion"]["contains"]}, body
        status, body = _post(client, "ValueSet/$validate-code", ("valueSet", "resource", a),
                             ("system", "valueUri", ICD10_NO), ("code", "valueCode", "A001"))
        assert _out(body)["result"] is True
    kept = _kept_includes(demo_app.extensions["kodebro.catalog"])
    assert not [inc for inc in kept if _marked(inc)]


def test_stored_value_sets_are_still_cached(demo_app):
    # the main-condition value set excludes codes by a concept list: a stored include, kept across requests
    status, body = _post(demo_app.test_client(), "ValueSet/$validate-code", ("url", "valueUri", MAIN_CONDITION_VS),
                         ("system", "valueUri", ICD10_NO), ("code", "valueCode", "U07.1"))
    assert status == 200 and _out(body)["result"] is False
    stored = demo_app.extensions["kodebro.catalog"].valueset(MAIN_CONDITION_VS)
    kept = [e[0] for e in include_rules._LISTED.values()]
    assert any(any(inc is exc for inc in kept) for exc in stored["compose"]["exclude"])


# --- 4. check-valueset-version checks, it does not choose ---------------------------------------------------
def test_check_valueset_version_of_the_request_is_a_version_error(demo_client):
    status, body = _post(demo_client, "ValueSet/$expand", ("url", "valueUri", REPORTABLE_VS),
                         ("check-valueset-version", "valueUri", REPORTABLE_VS + "|9999"),
                         ("count", "valueInteger", 1))
    assert status == 400, body
    issue = _issue(body)
    assert issue["details"]["coding"][0]["code"] == "version-error"
    assert "9999" in issue["details"]["text"] and "could not be found" not in issue["details"]["text"]
    status, body = _post(demo_client, "ValueSet/$validate-code", ("url", "valueUri", REPORTABLE_VS),
                         ("check-valueset-version", "valueUri", REPORTABLE_VS + "|9999"),
                         ("system", "valueUri", ICD10_NO), ("code", "valueCode", "A00.0"))
    assert status == 400 and _issue(body)["details"]["coding"][0]["code"] == "version-error"


def test_check_valueset_version_that_holds_changes_nothing(demo_client):
    version = _post(demo_client, "ValueSet/$expand", ("url", "valueUri", REPORTABLE_VS),
                    ("count", "valueInteger", 1))[1]["version"]
    status, body = _post(demo_client, "ValueSet/$expand", ("url", "valueUri", REPORTABLE_VS),
                         ("check-valueset-version", "valueUri", f"{REPORTABLE_VS}|{version}"),
                         ("count", "valueInteger", 1))
    assert status == 200 and body["version"] == version


def test_check_valueset_version_of_an_import_that_does_not_exist(client):
    inner = {**_vs(T + "inner", [{"system": T + "small"}]), "version": "1.0.0"}
    outer = _vs(T + "outer", [{"valueSet": [T + "inner"]}])
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", T + "outer"), *_res(SMALL, inner, outer),
                         ("check-valueset-version", "valueUri", T + "inner|9.9"))
    assert status == 400, body
    assert _issue(body)["details"]["coding"][0]["code"] == "version-error"
