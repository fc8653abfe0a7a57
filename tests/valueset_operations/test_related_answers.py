"""ValueSet/$related held to tx.fhir.org's answers (FHIRsmith tx/workers/related.js, notes/research-s10-related.md):
result codes, message wordings, the whole-system rule, lockedDate, `empty`, the shared valueSetVersion and the
errors of naming the two value sets. Requests as TxTester sends them: POST Parameters, resources as tx-resource."""
import pytest

from tests.support.tx_requests import post
from tests.support.resources import cs, vs

B = "http://example.org/rel/"
S = B + "cs/s"
CS = cs(S, "1", [{"code": "a", "display": "A", "concept": [{"code": "a1", "display": "A1"},
                                                           {"code": "a2", "display": "A2"}]},
                 {"code": "b", "display": "B", "concept": [{"code": "b1", "display": "B1"}]}])
ALL5 = ["a", "a1", "a2", "b", "b1"]


def _list(*codes, system=S):
    return {"system": system, "concept": [{"code": c} for c in codes]}


def _vs(name, *include, version="1", **extra):
    return vs(B + "vs/" + name, list(include), version, **extra)


def related(client, this, other, *extra, setup=()):
    status, body = post(client, "ValueSet/$related",
                        [("thisValueSet", this), ("otherValueSet", other), *extra], [CS, *setup])
    return status, body


def answer(client, this, other, *extra, setup=()):
    status, body = related(client, this, other, *extra, setup=setup)
    assert status == 200, body
    assert [p["name"] for p in body["parameter"]] == ["result", "message"]
    return body["parameter"][0]["valueCode"], body["parameter"][1]["valueString"]


def name(v):
    return f"{v['url']}|{v['version']}"


AB, A = _vs("ab", _list("a", "b")), _vs("a", _list("a"))
A_B1 = _vs("a-b1", _list("a", "b1"))


# --- ADOPT 1: the reference's wording for superset, subset and overlapping -----------------------------------
@pytest.mark.parametrize("this, other, result, message", [
    (AB, A, "superset", "The valueSet {A} is a super-set of the valueSet {B}"),
    (A, AB, "subset", "The valueSet {A} is a sub-set of the valueSet {B}"),
    (AB, A_B1, "overlapping", "Both value sets {A} and {B} contain the codes the other doesn't, but there is some "
                              "overlap"),
    (AB, _vs("ba", _list("b", "a")), "same", "The value sets {A} and {B} contain the same codes"),
    (A, _vs("b1", _list("b1")), "disjoint", "No shared codes between the value sets {A} and {B}"),
])
def test_result_messages(client, this, other, result, message):
    assert answer(client, this, other) == (result, message.format(A=name(this), B=name(other)))


# --- ADOPT 2: no compose -----------------------------------------------------------------------------------
NO_COMPOSE = {"resourceType": "ValueSet", "url": B + "vs/noc", "version": "1", "status": "active"}
EXPANSION_ONLY = {**NO_COMPOSE, "url": B + "vs/exp", "expansion": {
    "timestamp": "2025-01-01T00:00:00Z", "contains": [{"system": S, "code": "a"}, {"system": S, "code": "b"}]}}


@pytest.mark.parametrize("bare", [NO_COMPOSE, EXPANSION_ONLY])
def test_no_compose_is_indeterminate_in_the_reference_wording(client, bare):
    assert answer(client, bare, AB) == ("indeterminate", f"The ValueSet {name(bare)} has no compose")
    assert answer(client, AB, bare) == ("indeterminate", f"The ValueSet {name(bare)} has no compose")


def test_this_value_set_is_checked_first(client):
    other = {**NO_COMPOSE, "url": B + "vs/noc2"}
    assert answer(client, NO_COMPOSE, other)[1] == f"The ValueSet {name(NO_COMPOSE)} has no compose"


# --- ADOPT 3: a whole code system against a list or filter of it ------------------------------------------
WHOLE = _vs("whole", {"system": S})


@pytest.mark.parametrize("other", [
    _vs("ab-zz", _list("a", "b", "zz")),                          # a code the system lacks (was overlapping)
    _vs("is-a-a", {"system": S, "filter": [{"property": "concept", "op": "is-a", "value": "a"}]}),
    _vs("ab", _list("a", "b")),
])
def test_whole_system_is_a_superset_of_a_list_or_filter(client, other):
    assert answer(client, WHOLE, other)[0] == "superset"
    assert answer(client, other, WHOLE)[0] == "subset"


@pytest.mark.parametrize("system", [B + "cs/nowhere", "urn:ietf:bcp:47"])
def test_whole_system_not_countable_here_is_still_a_superset(client, system):
    """Unknown system or a grammar: Kodebro said indeterminate; the reference does not count."""
    whole, listed = _vs("w", {"system": system}), _vs("l", _list("nb", system=system))
    assert answer(client, whole, listed)[0] == "superset"
    assert answer(client, listed, whole)[0] == "subset"


def test_a_list_of_every_code_is_still_the_same_as_the_whole_system(client):
    """Kodebro keeps `same` where it can prove it (the reference says superset)."""
    assert answer(client, WHOLE, _vs("all", _list(*ALL5)))[0] == "same"
    assert answer(client, WHOLE, _vs("all-v1", {**_list(*ALL5), "version": "1"}))[0] == "same"


def test_an_invalid_filter_against_the_whole_system_is_still_refused(client):
    bad = _vs("bad", {"system": S, "filter": [{"property": "foo", "op": "=", "value": "x"}]})
    status, body = related(client, WHOLE, bad)
    assert status == 400 and body["resourceType"] == "OperationOutcome", body


# --- ADOPT 4: lockedDate ------------------------------------------------------------------------------------
def _locked(n):
    v = _vs(n, _list("a"))
    v["compose"]["lockedDate"] = "2024-01-01"
    return v


@pytest.mark.parametrize("side", ["this", "other"])
def test_a_locked_date_is_refused(client, side):
    locked = _locked("locked")
    status, body = related(client, *((locked, AB) if side == "this" else (AB, locked)))
    assert status == 422, body
    issue = body["issue"][0]
    assert issue["severity"] == "error" and issue["code"] == "business-rule"
    assert issue["details"]["text"] == (f"Cannot process ValueSet {name(locked)} due to the presence of a "
                                        "lockedDate on the compose")


def test_locked_date_and_no_compose_in_the_reference_order(client):
    assert answer(client, NO_COMPOSE, _locked("l"))[0] == "indeterminate"
    assert related(client, _locked("l"), NO_COMPOSE)[0] == 422


# --- ADOPT 5: two value sets without codes --------------------------------------------------------------------
def test_two_value_sets_without_codes_are_empty(client):
    e1 = _vs("e1", {"system": S, "filter": [{"property": "concept", "op": "is-a", "value": "a1"}]},
             exclude=None)
    e1["compose"]["exclude"] = [_list("a1")]
    e2 = _vs("e2", _list("b"))
    e2["compose"]["exclude"] = [_list("b")]
    assert answer(client, e1, e2) == ("empty", f"Both the value sets {name(e1)} and {name(e2)} are empty")
    assert answer(client, e1, A)[0] == "disjoint"


# --- ADOPT 6: one valueSetVersion for both urls ---------------------------------------------------------------
V1, V2 = _vs("ed", _list("a"), version="1"), _vs("ed", _list("a", "b"), version="2")
OTHER_V1, OTHER_V2 = _vs("ed-other", _list("a", "b"), version="1"), _vs("ed-other", _list("a"), version="2")


def _by_url(client, *extra):
    return post(client, "ValueSet/$related", [("thisUrl", V1["url"]), ("otherUrl", OTHER_V1["url"] + "|1"),
                                              *extra], [CS, V1, V2, OTHER_V1, OTHER_V2])


def test_value_set_version_applies_to_both_urls(client):
    status, body = _by_url(client, ("valueSetVersion", "1"))
    assert status == 200 and body["parameter"][0]["valueCode"] == "subset", body
    status, body = _by_url(client, ("valueSetVersion", "2"))       # wins over otherUrl's |1
    assert status == 200 and body["parameter"][0]["valueCode"] == "superset", body


def test_value_set_version_not_held_is_not_found(client):
    status, body = _by_url(client, ("valueSetVersion", "3"))
    assert status == 404
    assert body["issue"] == [{"severity": "error", "code": "not-found",
                              "diagnostics": f"ValueSet not found: {V1['url']} version 3"}]


# --- ADOPT 7: the errors of naming the value sets -------------------------------------------------------------
@pytest.mark.parametrize("params, prefix", [([("otherUrl", AB["url"])], "this"), ([("thisUrl", AB["url"])], "other")])
def test_a_missing_value_set_is_invalid(client, params, prefix):
    status, body = post(client, "ValueSet/$related", params, [CS, AB])
    assert status == 400
    assert body["issue"] == [{"severity": "error", "code": "invalid", "diagnostics":
                              f"Must provide either a {prefix}ValueSet resource or a {prefix}Url parameter"}]


@pytest.mark.parametrize("url, text", [(B + "vs/missing", "ValueSet not found: " + B + "vs/missing"),
                                       (B + "vs/ab|9", "ValueSet not found: " + B + "vs/ab version 9")])
def test_an_unknown_value_set_is_not_found(client, url, text):
    status, body = post(client, "ValueSet/$related", [("thisUrl", AB["url"]), ("otherUrl", url)], [CS, AB])
    assert status == 404
    assert body["issue"] == [{"severity": "error", "code": "not-found", "diagnostics": text}]


# --- ADOPT 8: why a side could not be enumerated --------------------------------------------------------------
def test_expansion_failure_reasons(client):
    def lost(n):        # a filter on a code system this server does not have cannot be enumerated
        return _vs(n, {"system": B + "cs/" + n, "filter": [{"property": "concept", "op": "is-a", "value": "x"}]})
    lost1, lost2 = lost("lost1"), lost("lost2")
    prefix = f"Unable to compare {name(lost1)} and {name(A)}: This expansion failed: "
    result, message = answer(client, lost1, A)
    assert result == "indeterminate" and message.startswith(prefix) and B + "cs/lost1" in message
    assert answer(client, A, lost1)[1].startswith(f"Unable to compare {name(A)} and {name(lost1)}: Other "
                                                  "expansion failed: ")
    assert answer(client, lost1, {**lost1, "url": B + "vs/lost1b"})[1].startswith(
        f"Unable to compare {name(lost1)} and {B}vs/lost1b|1: Both expansions failed: ")
    assert answer(client, lost1, lost2)[1].startswith(
        f"Unable to compare {name(lost1)} and {name(lost2)}: Both expansions failed with different errors: ")
