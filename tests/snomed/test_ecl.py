"""The ECL subset: parsing, evaluation on the hand-made edition, clear errors for the rest."""
from __future__ import annotations

import pytest

from terminology.errors import InvalidRequest, NotSupported
from terminology.snomed.ecl import evaluate, parse


def test_parse_operators_and_terms():
    assert parse("<< 404684003 |Clinical finding|") == ("<<", ("id", "404684003"))
    assert parse("<404684003") == ("<", ("id", "404684003"))
    assert parse("> 75570004") == (">", ("id", "75570004"))
    assert parse(">>75570004") == (">>", ("id", "75570004"))
    assert parse("<! 233604007") == ("<!", ("id", "233604007"))
    assert parse("^ 88161000202101") == ("member", ("id", "88161000202101"))
    assert parse("*") == ("any",)
    assert parse("^*") == ("member", ("any",))


def test_parse_boolean_operators_and_nesting():
    assert parse("<< 1234567 OR << 2345678") == ("OR", ("<<", ("id", "1234567")), ("<<", ("id", "2345678")))
    assert parse("<< 1234567 and ^ 7654321")[0] == "AND"
    assert parse("<< 1234567 , ^ 7654321")[0] == "AND"
    tree = parse("(<< 1234567 OR << 2345678) MINUS < 2345678")
    assert tree[0] == "MINUS" and tree[1][0] == "OR"
    assert parse("<< (1234567 OR 2345678)") == ("<<", ("OR", ("id", "1234567"), ("id", "2345678")))
    assert parse("<< 1234567 OR << 2345678 OR 3456789")[0] == "OR"


@pytest.mark.parametrize("text", [
    "<< 404684003 : { R 363698007 = << 39607008 }",   # reverse attribute inside a group
    "<< 404684003 {{ +HISTORY }}",                     # history supplement
    "^ [referencedComponentId] 88161000202101",        # member field selection
    "^ 88161000202101 {{ M mapTarget = \"J18.9\" }}",   # member filter
    "<< 404684003 {{ D moduleId = 900000000000207008 }}",   # description module: not kept
])
def test_unsupported_constructs_say_so(text):
    with pytest.raises(NotSupported) as e:
        parse(text)
    assert "not supported" in e.value.message


@pytest.mark.parametrize("text", ["", "<<", "(<< 404684003", "<< 404684003)", "<< 12",
                                  "<< 404684003 AND << 64572001 OR << 29857009"])
def test_malformed_expressions_are_invalid(text):
    with pytest.raises(InvalidRequest):
        parse(text)


def codes(cs, text):
    return {cs.codes[i] for i in evaluate(cs, text)}


def test_evaluate_hierarchy(no_cs):
    assert codes(no_cs, "<< 233604007") == {"233604007", "75570004", "53084003"}
    assert codes(no_cs, "< 233604007") == {"75570004", "53084003"}
    assert codes(no_cs, "<! 64572001") == {"233604007", "8619003", "58437007", "38341003", "195967001",
                                           "71000202107"}
    assert codes(no_cs, ">! 48194001") == {"38341003", "77386006"}
    assert codes(no_cs, "> 75570004") == {"233604007", "64572001", "404684003", "138875005"}
    assert "75570004" in codes(no_cs, ">> 75570004")


def test_evaluate_sets_and_refsets(no_cs):
    assert codes(no_cs, "<< 233604007 MINUS 53084003") == {"233604007", "75570004"}
    assert codes(no_cs, "^ 88161000202101 AND << 233604007") == {"233604007", "75570004", "53084003"}
    assert codes(no_cs, "<< 38341003 OR << 77386006") == {"38341003", "48194001", "77386006"}
    assert codes(no_cs, "(<< 64572001 MINUS << 233604007) AND ^ 88161000202101") == {
        "195967001", "38341003", "71000202107", "48194001"} - {"48194001"}
    everything = codes(no_cs, "*")
    assert "155574008" not in everything and "404684003" in everything   # active concepts only
    assert codes(no_cs, "^ 68101000202102") == {"233604007", "75570004", "29857009", "195967001", "38341003"}


def test_unknown_concept_in_ecl(no_cs):
    with pytest.raises(InvalidRequest) as e:
        evaluate(no_cs, "<< 999999999")
    assert "999999999" in e.value.message


def test_deep_or_long_expressions_are_refused_or_answered_not_crashed():
    import pytest
    from terminology.errors import InvalidRequest
    with pytest.raises(InvalidRequest) as exc:
        parse("(" * 500 + "138875005" + ")" * 500)
    assert "nested" in exc.value.message and len(exc.value.message) < 400
    with pytest.raises(InvalidRequest):
        parse("<<" * 5000 + "138875005")
    chain = parse(" OR ".join(["<< 138875005"] * 5000))
    assert chain[0] == "OR" and len(chain) == 5001
