"""One ECL work budget per operation request: $expand and $validate-code open it (ecl_budget.per_operation),
every evaluate() inside joins it, so a compose of many costly ECL includes is refused as one costly
expression is, where each evaluate() used to start a budget of its own.

On the hand-made Norwegian-edition release (tests/data/snomed/handmade-no), with MAX_WORK lowered so that one
include fits and many do not. Every expression carries a comment of its own (`/* tag */`): the index's filter
cache keys on the expression's text, so each include is evaluated, never answered from the cache.
"""
from __future__ import annotations

import itertools

import pytest

from terminology.errors import TooCostly
from terminology.operations.expand import ExpandRequest, expand
from terminology.operations.validate import ValidateRequest, validate_code
from terminology.snomed import ecl_budget
from terminology.snomed.ecl import evaluate
from tests.snomed.conftest import HANDMADE, SNOMED, client_at

FINDING = "404684003"       # 16 concepts at and below it in the hand-made release
ROOT = "138875005"          # SNOMED CT Concept: not a clinical finding
_tags = itertools.count()


def _ecl(n: int) -> list[str]:
    """`n` distinct expressions each costing the same (`<< 404684003`, about 17 units here)."""
    return [f"<< {FINDING} /* t{next(_tags)} */" for _ in range(n)]


def _vs(expressions: list[str]) -> dict:
    return {"resourceType": "ValueSet", "status": "active", "compose": {"include": [
        {"system": SNOMED, "filter": [{"property": "constraint", "op": "=", "value": e}]} for e in expressions]}}


def _cost(cs, text: str) -> int:
    with ecl_budget.budget(text):
        evaluate(cs, text)
        return ecl_budget.MAX_WORK - ecl_budget.remaining()


@pytest.fixture
def small_budget(no_cs, monkeypatch):
    """A budget that one include fits in five times over, and ten includes do not."""
    one = _cost(no_cs, _ecl(1)[0])
    monkeypatch.setattr(ecl_budget, "MAX_WORK", one * 5)
    return one


def test_each_expression_alone_fits_the_small_budget(no_cs, small_budget):
    for text in _ecl(10):
        assert len(evaluate(no_cs, text)) == 16        # evaluate() alone: a budget of its own each time


def test_expand_of_many_costly_includes_is_one_budget(no_catalog, small_budget):
    got = expand(no_catalog, ExpandRequest(valueset=_vs(_ecl(3))))       # three fit together
    assert got.total == 16
    with pytest.raises(TooCostly, match="steps"):
        expand(no_catalog, ExpandRequest(valueset=_vs(_ecl(10))))
    assert ecl_budget.remaining() is None       # closed again after the refusal: nothing leaks to the thread


def test_validate_code_against_many_costly_includes_is_one_budget(no_catalog, small_budget):
    coding = {"system": SNOMED, "code": ROOT}   # in no include: every include is evaluated
    got = validate_code(no_catalog, ValidateRequest(valueset=_vs(_ecl(3)), codings=[coding]))
    assert got.result is False
    with pytest.raises(TooCostly):
        validate_code(no_catalog, ValidateRequest(valueset=_vs(_ecl(10)), codings=[coding]))
    assert ecl_budget.remaining() is None


def test_codeable_concept_codings_share_the_budget(no_catalog, small_budget):
    # each coding is first found in another include, so each coding alone evaluates a few includes and all
    # of them together evaluate every one
    children = ["233604007", "38341003", "29857009", "195967001"]
    incs = [f"<< {c} /* t{next(_tags)} */" for c in children for _ in range(2)] + _ecl(4)
    vs = _vs(incs)
    cc = [{"system": SNOMED, "code": ROOT}] * 1 + [{"system": SNOMED, "code": c} for c in children]
    with pytest.raises(TooCostly):
        validate_code(no_catalog, ValidateRequest(valueset=vs, codings=cc, mode="codeableConcept"))
    assert ecl_budget.remaining() is None


def test_an_operation_inside_an_open_budget_joins_it(no_catalog, small_budget):
    with ecl_budget.budget():
        expand(no_catalog, ExpandRequest(valueset=_vs(_ecl(2))))
        left = ecl_budget.remaining()
        assert left is not None and left <= ecl_budget.MAX_WORK - 2 * small_budget
        with pytest.raises(TooCostly):
            expand(no_catalog, ExpandRequest(valueset=_vs(_ecl(4))))     # 2 + 4 > 5: the outer budget
    assert ecl_budget.remaining() is None


def test_a_remembered_answer_costs_nothing(no_catalog, small_budget):
    texts = _ecl(4)
    expand(no_catalog, ExpandRequest(valueset=_vs(texts)))
    # the same four again, and four more: the first four come from the index's filter cache
    assert expand(no_catalog, ExpandRequest(valueset=_vs(texts + _ecl(4)))).total == 16


def test_too_costly_over_http_then_the_next_request_has_a_fresh_budget(tmp_path, no_cs, monkeypatch):
    client = client_at(tmp_path, HANDMADE)
    one = _cost(no_cs, _ecl(1)[0])
    monkeypatch.setattr(ecl_budget, "MAX_WORK", one * 5)

    def post(vs):
        return client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
            {"name": "valueSet", "resource": vs}]}, content_type="application/fhir+json")
    r = post(_vs(_ecl(10)))
    assert r.status_code == 422, r.get_json()
    issue = r.get_json()["issue"][0]
    assert issue["code"] == "too-costly" and "steps" in issue["details"]["text"]
    r = post(_vs(_ecl(3)))
    assert r.status_code == 200 and r.get_json()["expansion"]["total"] == 16


def test_a_batch_shares_one_budget_over_its_entries(tmp_path, no_cs, monkeypatch):
    """Each entry fits the budget alone; a batch of them is one request and draws on one budget, so later
    entries are refused (422 each, the batch itself answers) instead of a batch doing entries x budget work."""
    client = client_at(tmp_path, HANDMADE)
    one = _cost(no_cs, _ecl(1)[0])
    monkeypatch.setattr(ecl_budget, "MAX_WORK", one * 5)

    def entry(n):
        return {"request": {"method": "POST", "url": "ValueSet/$expand"}, "resource": {
            "resourceType": "Parameters", "parameter": [{"name": "valueSet", "resource": _vs(_ecl(n))}]}}
    r = client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": [entry(3), entry(3)]},
                    content_type="application/fhir+json")
    assert r.status_code == 200
    assert [e["response"]["status"] for e in r.get_json()["entry"]] == ["200", "422"]
    checks = [{"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": _vs(_ecl(3))}, {"name": "system", "valueUri": SNOMED},
        {"name": "code", "valueCode": ROOT}]}} for _ in range(2)]
    r = client.post("/fhir/ValueSet/$batch-validate-code", json={"resourceType": "Parameters", "parameter": checks},
                    content_type="application/fhir+json")
    assert r.status_code == 200
    kinds = [p["resource"]["resourceType"] for p in r.get_json()["parameter"]]
    assert kinds == ["Parameters", "OperationOutcome"], r.get_json()
    assert ecl_budget.remaining() is None


# --- term filters: the index's word index through public methods, each term matched once per concept --------
def test_term_candidates_come_from_the_index_public_methods(no_cs):
    from terminology.textsearch import query_words
    qw = query_words("lungebet")
    found = {no_cs.codes[i] for i in no_cs.term_word_numbers(qw)}
    assert "233604007" in found                  # "lungebetennelse" (nb-NO)
    assert no_cs.term_words_cost(qw) >= 1 + len(found)
    text = f'<< {FINDING} {{{{ term = "lungebet" }}}} /* t{next(_tags)} */'
    assert _cost(no_cs, text) >= no_cs.term_words_cost(qw)      # charged before the postings are read


def test_each_term_is_matched_once_per_concept_not_once_per_line(no_cs, monkeypatch):
    from terminology.snomed import ecl_filters
    calls: list[str] = []
    real = ecl_filters._term_matches

    def counted(term, value):
        calls.append(term)
        return real(term, value)
    monkeypatch.setattr(ecl_filters, "_term_matches", counted)
    # a wild term is matched on every candidate's descriptions, none of which ends so: every line is read
    got = evaluate(no_cs, f'<< {FINDING} {{{{ term = wild:"*qqq" }}}} /* t{next(_tags)} */')
    assert got == set()
    distinct = sum(len({line.split("\t")[0] for line in no_cs.packed[i].split("\n")})
                   for i in evaluate(no_cs, f"<< {FINDING}") if no_cs.packed[i])
    lines = sum(len(no_cs.packed[i].split("\n")) for i in evaluate(no_cs, f"<< {FINDING}") if no_cs.packed[i])
    assert lines > distinct                      # the sample's descriptions sit in several language refsets
    assert len(calls) == distinct


def test_translate_opens_one_budget_for_its_providers(no_catalog, monkeypatch):
    """$translate's providers (map scopes that are ECL value sets, other-map hops) draw on one budget: every
    provider sees the request's budget open, and it is closed again when the answer is given."""
    from mappings import translate as tr
    seen = []

    def watcher(catalog, req):        # a provider like any other: asked for every request
        seen.append(ecl_budget.remaining())
        return None
    tr.load_providers()
    monkeypatch.setattr(tr, "PROVIDERS", tr.PROVIDERS + [watcher])
    tr.translate(no_catalog, tr.TranslateRequest(code="233604007", system=SNOMED))
    assert len(seen) == 1 and seen[0] is not None
    assert ecl_budget.remaining() is None
