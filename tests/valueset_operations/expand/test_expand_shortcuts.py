"""The $expand shortcuts (terminology.operations.expand_shortcuts) and the one rule of an include that takes a
whole code system (compose.whole_system_include), which $related reads too."""
from __future__ import annotations

import pytest

from terminology import Catalog
from terminology.operations.compose import ComposeEvaluator, whole_system_include
from terminology.operations.expand_shortcuts import single_filter, whole_system

SYS = "http://example.org/cs/short"
CS = {"resourceType": "CodeSystem", "url": SYS, "version": "1", "status": "active", "content": "complete",
      "concept": [{"code": "a", "display": "A", "concept": [{"code": "a1", "display": "A1"}]},
                  {"code": "b", "display": "B"}]}


def _vs(include, **compose):
    return {"resourceType": "ValueSet", "url": "http://example.org/vs/short", "status": "active",
            "compose": {"include": [include], **compose}}


@pytest.fixture
def ev(store):
    return ComposeEvaluator(Catalog(store).overlay([CS]))


@pytest.mark.parametrize("inc, whole", [
    ({"system": SYS}, True),
    ({"system": SYS, "version": "1"}, True),
    ({"system": SYS, "concept": [{"code": "a"}]}, False),
    ({"system": SYS, "filter": [{"property": "concept", "op": "is-a", "value": "a"}]}, False),
    ({"system": SYS, "valueSet": ["http://example.org/vs/other"]}, False),
    ({"valueSet": ["http://example.org/vs/other"]}, False),
])
def test_an_include_takes_a_whole_system_only_without_list_filter_or_import(inc, whole):
    assert whole_system_include(inc) is whole


def test_all_codes_of_one_system_is_read_from_its_index(ev):
    assert whole_system(ev, _vs({"system": SYS})).url == SYS
    assert whole_system(ev, _vs({"system": SYS}, exclude=[{"system": SYS, "concept": [{"code": "b"}]}])) is None
    assert whole_system(ev, _vs({"system": SYS}, inactive=False)) is None
    assert whole_system(ev, _vs({"system": SYS, "concept": [{"code": "a"}]})) is None


def test_one_filter_of_one_system_answers_its_codes(ev):
    cs, codes = single_filter(ev, _vs({"system": SYS, "filter": [{"property": "concept", "op": "is-a",
                                                                 "value": "a"}]}))
    assert (cs.url, codes) == (SYS, ["a", "a1"])
    assert single_filter(ev, _vs({"system": SYS, "filter": [{"property": "concept", "op": "is-a"}]})) is None
    assert single_filter(ev, _vs({"system": SYS})) is None
