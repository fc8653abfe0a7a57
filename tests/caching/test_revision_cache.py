"""What is kept about a value set (revision_cache.py) must never change an answer: every kept fact records what
it read again when it is taken, and the first request (nothing kept yet) and the later ones (answered from what
was kept) say the same thing — value sets and code systems used, drafts, supplements — for stored value sets
and for value sets a request brought alike."""
from __future__ import annotations

import pytest

from terminology import open_store
from terminology.catalog import Catalog
from terminology.operations import revision_cache
from terminology.operations.compose import ComposeEvaluator
from terminology.operations.revision_cache import REQUEST, REVISION, TABLES

CS = {"resourceType": "CodeSystem", "url": "http://x/cs", "version": "1", "status": "active",
      "content": "complete", "concept": [{"code": c, "display": f"Code {c}"} for c in "abcde"]}
SUP = {"resourceType": "CodeSystem", "url": "http://x/sup", "version": "1", "status": "active",
       "content": "supplement", "supplements": "http://x/cs|1",
       "concept": [{"code": "a", "designation": [{"language": "nb", "value": "Kode a"}]}]}
DRAFT = {"resourceType": "ValueSet", "id": "draft", "url": "http://x/draft", "version": "1", "status": "draft",
         "compose": {"include": [{"system": "http://x/cs", "concept": [{"code": "b"}, {"code": "c"}]}]}}
EXP_ONLY = {"resourceType": "ValueSet", "id": "exp", "url": "http://x/exp", "version": "1", "status": "active",
            "experimental": True,
            "expansion": {"timestamp": "2024-01-01T00:00:00Z",
                          "contains": [{"system": "http://x/cs", "version": "1", "code": "d", "display": "Code d"}]}}
# every kept fact at once: an import of a draft (system includes, versions used), an expansion-only import,
# a list-only exclude, the include's own concept entries (its display)
TOP = {"resourceType": "ValueSet", "id": "top", "url": "http://x/top", "version": "1", "status": "active",
       "compose": {"include": [{"system": "http://x/cs", "concept": [{"code": "a", "display": "Own a"},
                                                                     {"code": "e"}]},
                               {"valueSet": ["http://x/draft"]},
                               {"valueSet": ["http://x/exp"]}],
                   "exclude": [{"system": "http://x/cs", "concept": [{"code": "e"}]}]}}


@pytest.fixture
def client(app):
    c = app.test_client()
    for r in (CS, SUP, DRAFT, EXP_ONLY, TOP):
        rtype, rid = r["resourceType"], r.get("id") or r["url"].rsplit("/", 1)[-1]
        assert c.put(f"/fhir/{rtype}/{rid}", json={**r, "id": rid}).status_code in (200, 201)
    return c


def _param_pairs(body: dict) -> list:
    return sorted((p["name"], str(next((v for k, v in p.items() if k.startswith("value")), None)))
                  for p in body.get("parameter") or ())


def _answer(resp) -> object:
    body = resp.get_json()
    assert resp.status_code == 200, body
    if body["resourceType"] == "ValueSet":
        exp = body["expansion"]
        return (_param_pairs(exp), sorted((c["code"], c.get("display")) for c in exp.get("contains", ())),
                exp.get("total"))
    return _param_pairs(body), sorted(str(i) for i in (_issues(body)))


def _issues(body: dict) -> list:
    for p in body.get("parameter") or ():
        if p["name"] == "issues":
            return [(i.get("severity"), i.get("code"), (i.get("details") or {}).get("text"))
                    for i in p["resource"]["issue"]]
    return []


def _stored_requests():
    yield "expand", "get", "/fhir/ValueSet/$expand?url=http://x/top", None
    yield "expand+supplement", "get", "/fhir/ValueSet/$expand?url=http://x/top&useSupplement=http://x/sup", None
    for code in "abcde":
        yield f"validate {code}", "get", \
            f"/fhir/ValueSet/$validate-code?url=http://x/top&system=http://x/cs&code={code}", None
    yield "validate wrong display", "get", \
        "/fhir/ValueSet/$validate-code?url=http://x/top&system=http://x/cs&code=a&display=Nope", None
    yield "validate version rule", "get", \
        "/fhir/ValueSet/$validate-code?url=http://x/top&system=http://x/cs&code=b&system-version=http://x/cs|1", None
    yield "implicit value set", "get", \
        "/fhir/ValueSet/$validate-code?url=http://x/cs?fhir_vs&system=http://x/cs&code=b", None


def _supplied_requests():
    renamed = {**TOP, "url": "http://x/sent", "id": "sent"}
    draft2 = {**DRAFT, "url": "http://x/draft2", "id": "draft2"}
    sent_importing_sent = {**TOP, "url": "http://x/sent2", "id": "sent2",
                           "compose": {**TOP["compose"], "include": TOP["compose"]["include"][:1]
                                       + [{"valueSet": ["http://x/draft2"]}]}}
    for code in "abce":
        yield f"sent vs {code}", "post", "/fhir/ValueSet/$validate-code", {"resourceType": "Parameters", "parameter": [
            {"name": "valueSet", "resource": renamed}, {"name": "system", "valueUri": "http://x/cs"},
            {"name": "code", "valueCode": code}]}
        yield f"tx-resource import {code}", "post", "/fhir/ValueSet/$validate-code", {
            "resourceType": "Parameters", "parameter": [
                {"name": "valueSet", "resource": sent_importing_sent}, {"name": "tx-resource", "resource": draft2},
                {"name": "system", "valueUri": "http://x/cs"}, {"name": "code", "valueCode": code}]}
    yield "sent vs expand", "post", "/fhir/ValueSet/$expand", {"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": sent_importing_sent}, {"name": "tx-resource", "resource": draft2}]}


@pytest.mark.parametrize("requests", [_stored_requests, _supplied_requests], ids=["stored", "supplied"])
def test_first_and_later_calls_report_the_same_facts(client, requests):
    for name, method, url, body in requests():
        call = (lambda: client.get(url)) if method == "get" else (lambda: client.post(url, json=body))
        first = _answer(call())
        for _ in range(2):
            assert _answer(call()) == first, name


def test_the_facts_compared_are_there(client):
    """The requests above do reach what this file is about: a draft import, used value sets, a supplement."""
    params = _answer(client.get("/fhir/ValueSet/$expand?url=http://x/top&useSupplement=http://x/sup"))[0]
    assert {("used-valueset", "http://x/draft|1"), ("used-valueset", "http://x/exp|1"),
            ("used-supplement", "http://x/sup|1")} <= set(params)
    for _ in range(2):
        issues = _answer(client.get("/fhir/ValueSet/$validate-code?url=http://x/top&system=http://x/cs&code=a"))[1]
        assert any("draft ValueSet http://x/draft|1" in i for i in issues), issues


def _catalog(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    store.write([CS, DRAFT, EXP_ONLY, TOP])
    return Catalog(store)


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_every_table_records_what_a_kept_fact_read(tmp_path, table):
    """Whichever table a fact is kept in, an evaluator that takes it from there records the value sets (and
    code systems) its build read, as the evaluator that built it did. A new table is checked by being made."""
    catalog = _catalog(tmp_path)
    top = catalog.valueset("http://x/top")
    used = []
    for _ in range(2):
        ev = ComposeEvaluator(catalog)
        ev.see(top)
        assert table.where(ev, top, top) == REVISION

        def build(ev=ev):
            ev.valueset("http://x/draft")
            ev.codesystem("http://x/cs", None)
            return ["fact"]
        assert table.get(ev, top, top, ("test", id(top)), build) == ["fact"]
        used.append((list(ev.used_valuesets), list(ev.used_codesystems)))
    assert used[0] == used[1] == (["http://x/draft|1"], ["http://x/cs|1"])


def test_what_a_request_brought_is_kept_for_that_request_only(tmp_path):
    catalog = _catalog(tmp_path)
    sent = {**TOP, "url": "http://x/sent"}
    ev = ComposeEvaluator(catalog)
    ev.see(sent)
    for table in TABLES:
        assert table.where(ev, sent, sent) == REQUEST, table.name
        assert table.where(ev, sent, sent["compose"]["include"][0]) == REQUEST, table.name
    # the request's own resources (an overlay) keep facts that read the catalog out of the revision's tables
    top = catalog.valueset("http://x/top")
    over = catalog.overlay([{**DRAFT, "compose": {"include": [{"system": "http://x/cs"}]}}])
    ev = ComposeEvaluator(over)
    ev.see(top)
    for table in TABLES:
        assert table.where(ev, top, top) == (REQUEST if table.reads_catalog else REVISION), table.name
    assert revision_cache.SYSTEM_INCLUDES.where(ev, top, top) == REQUEST


def test_version_rules_and_dates_keep_dependent_facts_per_request(tmp_path):
    from terminology.operations.version_rules import SystemVersionRules
    catalog = _catalog(tmp_path)
    top = catalog.valueset("http://x/top")
    rules = SystemVersionRules()
    rules.force["http://x/cs"] = "1"
    ev = ComposeEvaluator(catalog, rules=rules)
    ev.see(top)
    assert revision_cache.VERSIONS_USED.where(ev, top, top) == REQUEST
    assert revision_cache.SYSTEM_INCLUDES.where(ev, top, top) == REVISION
    ev = ComposeEvaluator(catalog, date="2020-01-01")
    ev.see(top)
    assert revision_cache.VERSIONS_USED.where(ev, top, top) == REQUEST


def test_tables_are_bounded(tmp_path):
    catalog = _catalog(tmp_path)
    top = catalog.valueset("http://x/top")
    ev = ComposeEvaluator(catalog)
    ev.see(top)
    table = revision_cache.FactTable("test-bounded", max_entries=3)
    try:
        for i in range(10):
            table.get(ev, top, top, i, lambda i=i: i)
        held = catalog.derived(table.key, lambda _c: None).data
        assert list(held) == [7, 8, 9]
        assert table.get(ev, top, top, 9, lambda: "rebuilt") == 9
        assert table.get(ev, top, top, 0, lambda: "rebuilt") == "rebuilt"
    finally:
        TABLES.remove(table)
