"""An ECL expression naming a concept the edition lacks is refused before anything is evaluated, with the
error the evaluation itself gives (terminology/snomed/ecl.py: _unknown_concepts_first)."""
from __future__ import annotations

import pytest

from terminology.errors import InvalidRequest, TerminologyError
from terminology.snomed import ecl


def _error_of(fn):
    try:
        fn()
    except TerminologyError as e:
        return type(e), str(e)
    return None


@pytest.mark.parametrize("text", [
    "<< 404684003 MINUS << 1234567",
    "<< 404684003 AND (<< 64572001 OR 7654321)",
    "1234567 OR 7654321",
    "^ 1234567",
    "<< 404684003 MINUS (<< 1234567 : 363698007 = << 39057004)",
    "(<< 404684003 : 363698007 = << 1234567) MINUS << 7654321",     # the refinement speaks first
    "<< 404684003 : 1234567 = *",
    "<< 404684003 MINUS << 64572001",                               # valid: the same members
])
def test_same_answer_as_evaluating_first(no_cs, text):
    tree = ecl.parse(text)
    assert _error_of(lambda: ecl.evaluate(no_cs, text)) == _error_of(lambda: ecl._eval(no_cs, tree))
    if _error_of(lambda: ecl._eval(no_cs, tree)) is None:
        assert ecl.evaluate(no_cs, text) == ecl._eval(no_cs, tree)


def test_unknown_concept_on_the_right_is_refused_without_evaluating_the_left(no_cs, monkeypatch):
    calls = []
    original = ecl._eval

    def counting(ix, tree):
        calls.append(tree[0])
        return original(ix, tree)
    monkeypatch.setattr(ecl, "_eval", counting)
    with pytest.raises(InvalidRequest, match="ECL: concept 1234567 is not in SNOMED CT"):
        ecl.evaluate(no_cs, "<< 404684003 MINUS << 1234567")
    assert calls == []
