"""review-s14 F3/F4: filter values judged as they are evaluated (true/false in any case, trimmed), a declared
refset without loaded members answers an empty selection, and `expressions` tests membership without
materialising every concept."""
from __future__ import annotations

import orjson
import pytest

from terminology.snomed import constants as K
from terminology.snomed.index import SnomedIndex
from tests.snomed.test_compose_filters import _codes, _expand, _result, _validate, client  # noqa: F401

DECLARED_EMPTY = "991000202104"      # a refset id the release declares, with no members and no concept row


def _index(declared=(DECLARED_EMPTY,)):
    release = {"refsets": {r: 0 for r in declared}}
    resource = {"resourceType": "CodeSystem", "url": K.SNOMED, "version": "v",
                "extension": [{"url": K.EXT_RELEASE, "valueString": orjson.dumps(release).decode()}]}
    rows = [{"code": "138875005", "display": "root", "_s": [1, "900000000000207008", 20200131, 0]},
            {"code": "404684003", "display": "finding", "parents": ["138875005"],
             "_s": [1, "900000000000207008", 20200131, 0], "_r": [[0, "363698007", "39607008"]]},
            {"code": "39607008", "display": "lung", "parents": ["138875005"],
             "_s": [1, "900000000000207008", 20200131, 0]},
            {"code": "155574008", "display": "old", "parents": ["138875005"],
             "_s": [0, "900000000000207008", 20200131, 0]}]
    return SnomedIndex(resource, rows)


@pytest.mark.parametrize("value", ["True", "TRUE", " true ", "False", "false "])
def test_inactive_and_expressions_take_true_false_in_any_case(value):
    ix = _index()
    for prop in ("inactive", "expressions"):
        assert ix.understands_filter(prop, "=", value), (prop, value)
    inactive = value.strip().lower() == "true"
    got = {ix.codes[i] for i in ix.filter_numbers("inactive", "=", value)}
    assert ("155574008" in got) is inactive and ("404684003" in got) is not inactive


def test_inactive_capital_true_expands_over_http(client):  # noqa: F811
    assert "155574008" in _codes(_expand(client, ("inactive", "=", "True")))
    assert "233604007" in _codes(_expand(client, ("inactive", "=", "False")))


def test_declared_refset_without_members_is_an_empty_selection():
    ix = _index()
    assert ix.understands_filter("concept", "in", DECLARED_EMPTY)
    assert ix.filter_numbers("concept", "in", DECLARED_EMPTY) == frozenset()
    assert ix.filter_test("concept", "in", DECLARED_EMPTY)(ix.concepts["404684003"]) is False
    assert not ix.understands_filter("concept", "in", "991000202199")     # neither refset nor concept


def test_attribute_value_is_trimmed_when_evaluated():
    ix = _index()
    assert ix.understands_filter("363698007", "=", " 39607008 ")
    assert {ix.codes[i] for i in ix.filter_numbers("363698007", "=", " 39607008 ")} == {"404684003"}


def test_attribute_value_trimmed_over_http(client):  # noqa: F811
    assert _codes(_expand(client, ("363698007", "=", " 39607008 "))) == {"233604007"}


def test_expressions_test_does_not_materialise_the_edition():
    ix = _index()
    test = ix.filter_test("expressions", "=", "false")
    assert test(ix.concepts["404684003"]) is True
    assert not ix._filter_cache          # no set of every concept built or kept
    ix.filter_numbers("expressions", "=", "true")
    assert not ix._filter_cache          # enumerating it does not push useful answers out of the cache


def test_expressions_in_validate_code(client):  # noqa: F811
    assert _result(_validate(client, "233604007", ("expressions", "=", "false"))) is True
    assert _result(_validate(client, "99999999", ("expressions", "=", "true"))) is False
