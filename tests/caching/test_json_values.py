"""One rule for "the same JSON" (terminology/json_values.py), used by the index cache, the request's index
shelf and tx-resource check (catalog / fhir_api.supplied) and the store's "unchanged" test on import.

Where the three former copies differed (pinned here to the one rule):
- index_cache.canonical_bytes already refused NaN/infinity (orjson writes them as `null`), but its round-trip
  check also refused a tuple holding a `null`;
- catalog.same_json answered True for equal values with a NaN or an infinity (both written `null`) and False
  for a tuple against the list it is written as (Python's `!=` first);
- store.sql._same_json answered True for NaN against `null` and raised on a value with no canonical form.
"""
from __future__ import annotations

import math

import orjson
import pytest

from terminology import catalog, index_cache
from terminology.json_values import canonical_bytes, content_digest, same_json
from terminology.store import sql

NAN = float("nan")

# (name, a, b, same JSON?)
TABLE = [
    ("key order does not count", {"a": 1, "b": {"y": 2, "x": 3}}, {"b": {"x": 3, "y": 2}, "a": 1}, True),
    ("an integer is not a decimal", {"v": 1}, {"v": 1.0}, False),
    ("true is not 1", {"caseSensitive": True}, {"caseSensitive": 1}, False),
    ("false is not 0", {"v": False}, {"v": 0}, False),
    ("-0.0 is not 0.0", {"v": -0.0}, {"v": 0.0}, False),
    ("the same unicode", {"display": "Blødning – ø"}, {"display": "Blødning – ø"}, True),
    ("composed and decomposed unicode differ", {"v": "\u00e9"}, {"v": "e\u0301"}, False),
    ("nested lists keep their order", {"v": [1, [2, 3]]}, {"v": [1, [3, 2]]}, False),
    ("nested lists the same", {"v": [{"b": 1, "a": [None]}]}, {"v": [{"a": [None], "b": 1}]}, True),
    ("a tuple is the list it is written as", {"v": [1, None]}, {"v": (1, None)}, True),
    ("NaN is not null", {"v": NAN}, {"v": None}, False),
    ("two NaNs have no canonical form", {"v": NAN}, {"v": NAN}, False),
    ("infinities have no canonical form", {"v": math.inf}, {"v": math.inf}, False),
    ("an integer over 64 bits has no canonical form", {"v": 2 ** 70}, {"v": 2 ** 70}, False),
    ("a lone surrogate has no canonical form", {"v": "\ud800"}, {"v": "\ud800"}, False),
    ("a key that is not a string has no canonical form", {1: "a"}, {1: "a"}, False),
    ("a string 'null' is fine", {"v": "null"}, {"v": "null"}, True),
    ("the largest unsigned 64-bit integer is fine", {"v": 2 ** 64 - 1}, {"v": 2 ** 64 - 1}, True),
]


@pytest.mark.parametrize("name,a,b,same", TABLE, ids=[t[0] for t in TABLE])
def test_the_same_json_rule(name, a, b, same):
    assert same_json(a, b) is same
    assert same_json(b, a) is same
    # the digest is the same key exactly when the values are the same JSON (and have a canonical form)
    da, db = content_digest(a), content_digest(b)
    assert (da is not None and da == db) is same


@pytest.mark.parametrize("name,a,b,same", TABLE, ids=[t[0] for t in TABLE])
def test_every_caller_uses_the_one_rule(name, a, b, same):
    assert catalog.same_json is same_json
    assert index_cache.canonical_bytes is canonical_bytes and index_cache.content_digest is content_digest
    assert sql._same_json(a, b) is same      # the store's check never raises: no canonical form is "changed"


def test_a_value_is_the_same_json_as_itself_even_without_a_canonical_form():
    odd = {"v": NAN, "w": 2 ** 70}
    assert same_json(odd, odd) and canonical_bytes(odd) is None and content_digest(odd) is None


def test_canonical_bytes_is_sorted_compact_orjson_text():
    value = {"b": [1, 2.5, None, True], "a": "ø"}
    assert canonical_bytes(value) == b'{"a":"\xc3\xb8","b":[1,2.5,null,true]}'
    assert canonical_bytes(value) == orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    assert canonical_bytes({"v": (1, None)}) == b'{"v":[1,null]}'   # a tuple with a null has its form too
    assert canonical_bytes(orjson.loads(canonical_bytes(value))) == canonical_bytes(value)
