"""Contracts of what the version-choice clean-up made explicit: `ComposeEvaluator.resolve_version` is the one
order of the version rules ($expand and $validate-code alike; `dated=False` leaves the date rule to the later
`codesystem` call), and listed codes are computed by `listed_codes` alone and kept, per include and index, only
by `kept_listed_codes` (weakly tied to the index)."""
from __future__ import annotations

import gc

import pytest

from terminology.codesystem import CodeSystemIndex
from terminology.operations import include_rules
from terminology.operations.compose import ComposeEvaluator
from terminology.operations.include_rules import kept_listed_codes, listed_codes
from terminology.operations.version_rules import SystemVersionRules

URL = "http://example.org/fold/cs"


def _cs(version: str, content: str = "complete") -> dict:
    return {"resourceType": "CodeSystem", "id": f"fold-{version}", "url": URL, "version": version,
            "status": "active", "content": content, "caseSensitive": False,
            "concept": [{"code": "Alpha", "display": "A"}, {"code": "beta", "display": "B"}]}


@pytest.fixture
def catalog(app):
    c = app.test_client()
    for version in ("2023", "2024"):
        r = _cs(version)
        assert c.put(f"/fhir/CodeSystem/{r['id']}", json=r).status_code in (200, 201)
    return app.extensions["kodebro.catalog"]


def _ev(catalog, date=None, **rules) -> ComposeEvaluator:
    parsed = SystemVersionRules.parse(**{k: [f"{URL}|{v}"] for k, v in rules.items()})
    return ComposeEvaluator(catalog, rules=parsed, date=date)


def test_the_order_of_the_version_rules(catalog):
    assert _ev(catalog).resolve_version(URL, None) is None                         # the latest
    assert _ev(catalog).resolve_version(URL, "2023") == "2023"
    assert _ev(catalog, force="2024").resolve_version(URL, "2023") == "2024"      # force beats a pin
    assert _ev(catalog, default="2024").resolve_version(URL, "2023") == "2023"    # a pin beats system-version
    assert _ev(catalog, default="2023", check="2024").resolve_version(URL, None) == "2023"
    assert _ev(catalog, check="2024").resolve_version(URL, None) == "2024"
    assert _ev(catalog, date="2023-06-01", check="2024").resolve_version(URL, None) == "2024"
    assert _ev(catalog).resolve_version("http://example.org/other", None) is None


def test_the_date_rule_comes_last_and_only_when_dated(catalog):
    ev = _ev(catalog, date="2023-06-01")
    assert ev.resolve_version(URL, None) == "2023"
    assert ev.resolve_version(URL, None, dated=False) is None       # left to `codesystem`, which applies it
    assert ev.codesystem(URL, ev.resolve_version(URL, None, dated=False)).version == "2023"
    assert ev.resolve_version(URL, "2024") == "2024"                # a named version is not dated
    assert _ev(catalog, date="2023-06-01", force="2024").resolve_version(URL, None, dated=False) == "2024"


def test_listed_codes_are_computed_not_kept():
    inc = {"system": URL, "concept": [{"code": "alpha"}, {"code": "zz"}]}
    complete, fragment = CodeSystemIndex.from_resource(_cs("1")), CodeSystemIndex.from_resource(_cs("1", "fragment"))
    assert listed_codes(inc, complete) == {"Alpha"}           # as the system spells it; an unknown code is not
    assert listed_codes(inc, fragment) == {"Alpha"}           # a fragment too: an unheld code is not a member
    assert listed_codes(inc, None) == {"alpha", "zz"}
    assert not any(entry[0] is inc for entry in include_rules._LISTED.values())


def test_kept_listed_codes_are_kept_per_include_and_index_without_keeping_the_index():
    inc = {"system": URL, "concept": [{"code": "beta"}]}
    cs = CodeSystemIndex.from_resource(_cs("1"))
    first = kept_listed_codes(inc, cs)
    assert first == {"beta"} and kept_listed_codes(inc, cs) is first
    other = CodeSystemIndex.from_resource(_cs("1"))
    assert kept_listed_codes(inc, other) is not first             # another index: its own entry
    entry = include_rules._LISTED[(id(inc), id(cs))]
    del cs
    gc.collect()
    assert entry[1]() is None                                     # the cache did not keep the index alive


def test_value_set_version_rules_refuse_in_their_own_words():
    from terminology.operations.version_rules import VersionCheckFailed
    vs_url = "http://example.org/fold/vs{1}"       # braces in a URL are text, not a template
    vs = {"url": vs_url, "version": "1.0.0"}
    rules = SystemVersionRules.parse(vs_force=[f"{vs_url}|2.0.0"], vs_check=[f"{vs_url}|1.x"])
    with pytest.raises(VersionCheckFailed) as e:
        rules.check_instance(vs)
    assert e.value.message == (f"The value set '{vs_url}' asked for is version '1.0.0', but the parameter "
                               f"'force-valueset-version' names version '2.0.0'") and e.value.tx_code == "version-error"
    rules.check_valueset(vs)                                       # 1.x names 1.0.0
    rules.check_valueset({"url": vs_url})                          # no version: held to none
    with pytest.raises(VersionCheckFailed) as e:
        rules.check_valueset({"url": vs_url, "version": "2.0.0"})
    assert e.value.message == (f"The version '2.0.0' is not allowed for value set '{vs_url}': required to be "
                               f"'1.x' by a version-check parameter") and e.value.tx_code == "version-error"
    SystemVersionRules.parse(vs_force=[f"{vs_url}|1.0?"]).check_instance(vs)    # an open version names it
    with pytest.raises(VersionCheckFailed):
        # a version is not a prefix: 1.0 does not name 1.0.0 (as for code systems)
        SystemVersionRules.parse(vs_force=[f"{vs_url}|1.0"]).check_instance(vs)
