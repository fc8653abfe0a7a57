"""FactTable.get keeps a fact where FactTable.where says it may be kept, on every path: for a stored value set in a
request that brought nothing and set no rule ($validate-code's hot path, which get decides without asking where),
as for a value set the request brought, under resources it brought, and for a fact that depends on a version rule
or date in force."""
from __future__ import annotations

import pytest

from terminology import open_store
from terminology.catalog import Catalog
from terminology.operations.compose import ComposeEvaluator
from terminology.operations.revision_cache import REVISION, TABLES, _Entries
from terminology.operations.version_rules import SystemVersionRules

from tests.caching.test_revision_cache import CS, DRAFT, EXP_ONLY, TOP


def _catalog(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    store.write([CS, DRAFT, EXP_ONLY, TOP])
    return Catalog(store)


def _rules():
    rules = SystemVersionRules()
    rules.vs_force["http://x/draft"] = "1"
    return rules


def _evaluator(catalog, case):
    if case == "vs-rule":
        return ComposeEvaluator(catalog, rules=_rules())
    if case == "dated":
        return ComposeEvaluator(catalog, date="2020-01-01")
    if case == "overlay":
        # a request that brought a value set of its own (each request its own overlay)
        return ComposeEvaluator(catalog.overlay([{**DRAFT, "compose": {"include": [{"system": "http://x/cs"}]}}]))
    return ComposeEvaluator(catalog)


@pytest.mark.parametrize("case", ["stored", "brought", "overlay", "vs-rule", "dated"])
@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_a_fact_is_kept_across_requests_only_where_it_may_be(tmp_path, table, case):
    catalog = _catalog(tmp_path)
    stored = catalog.valueset("http://x/top")
    vs = {**TOP, "url": "http://x/sent"} if case == "brought" else stored
    ComposeEvaluator(catalog).see(stored)       # an earlier request: the value set is known stored in this revision
    ev = _evaluator(catalog, case)
    ev.see(vs)
    for part in (vs, (vs.get("compose") or {}).get("include")):
        key = ("where-kept", id(part))
        assert table.get(ev, vs, part, key, lambda: ["fact"]) == ["fact"]
        kept = key in catalog.derived(table.key, _Entries).data
        assert kept == (table.where(ev, vs, part) == REVISION), (table.name, case)
        # and the next request takes it from there, or builds it again
        again = _evaluator(catalog, case)
        again.see(vs)
        assert table.get(again, vs, part, key, lambda: ["built again"]) == (["fact"] if kept else ["built again"])
    if case == "brought":
        assert not any(entry[0] is vs for t in TABLES for entry in catalog.derived(t.key, _Entries).data.values())
