"""A request `date` alone is a value set version rule in force (it picks the edition year of a year-versioned value
set, version_rules.valueset_for_date): `SystemVersionRules.valueset_rule_in_force` says so by name, and the places
that must treat such a request as one with rules (a fact kept across requests, a membership plan) ask it."""
import pytest

from terminology import Catalog, open_store
from terminology.operations.compose import ComposeEvaluator
from terminology.operations.membership_plan import plain_request
from terminology.operations.revision_cache import REQUEST, REVISION, SYSTEM_INCLUDES
from terminology.operations.version_rules import SystemVersionRules

CS = {"resourceType": "CodeSystem", "id": "cs", "url": "http://x/cs", "version": "1", "status": "active",
      "content": "complete", "concept": [{"code": "a"}]}
VS = {"resourceType": "ValueSet", "id": "vs", "url": "http://x/vs", "status": "active",
      "compose": {"include": [{"system": "http://x/cs"}]}}


@pytest.mark.parametrize("given, in_force", [
    ({}, False),
    ({"date": "   "}, False),       # an empty date is not given
    ({"date": "2025-03-01"}, True),
    ({"vs_default": ["http://x/vs|1"]}, True),
    ({"vs_force": ["http://x/vs|1"]}, True),
    ({"vs_check": ["http://x/vs|1"]}, True),
    ({"default": ["http://x/cs|1"], "force": ["http://x/cs|1"], "check": ["http://x/cs|1"]}, False),
])
def test_a_date_alone_or_any_value_set_version_parameter_is_a_rule_in_force(given, in_force):
    assert SystemVersionRules.parse(**given).valueset_rule_in_force is in_force
    assert SystemVersionRules().valueset_rule_in_force is False


def test_a_dated_request_keeps_no_fact_that_depends_on_value_set_versions(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    store.write([CS, VS])
    catalog = Catalog(store)
    vs = catalog.valueset("http://x/vs")
    ComposeEvaluator(catalog).see(vs)       # an earlier request: known stored in this revision
    plain, dated = (ComposeEvaluator(catalog, rules=SystemVersionRules.parse(date=d)) for d in (None, "2025-03-01"))
    for ev in (plain, dated):
        ev.see(vs)
    assert SYSTEM_INCLUDES.where(plain, vs, vs) == REVISION and plain_request(plain)
    # (the evaluator's own date is not set: the rules' date alone decides)
    assert SYSTEM_INCLUDES.where(dated, vs, vs) == REQUEST and not plain_request(dated)


def test_a_request_naming_no_rule_gets_rules_of_its_own():
    # (the engine records in them which rules chose a version: two requests must not share them)
    first, second = SystemVersionRules.parse(), SystemVersionRules.parse([], [], [], [], [], [], date=None)
    assert first == SystemVersionRules() == second and first is not second
    first.chose("system-version", "http://x/cs")
    assert second.chosen is None and first.default is not second.default
    # an empty value is not given, as for no value at all
    assert SystemVersionRules.parse(default=[""], vs_default=["  "], date="") == SystemVersionRules()
