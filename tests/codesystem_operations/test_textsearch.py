"""The text filter: Norwegian words, folding, code prefixes, ranking; the index agrees with the matcher."""
from __future__ import annotations

import pytest

from terminology.codesystem import CodeSystemIndex
from terminology.textsearch import TextFilter, TextIndex, fold, search_codes

from .conftest import data


@pytest.fixture(scope="module")
def icd10():
    return CodeSystemIndex.from_resource(data("icd10no-2026-subset.json"))


def _scan(cs, text):
    f = TextFilter(text)
    return sorted((c for c in cs.concepts.values() if f.matches(c)), key=f.rank)


def test_fold_keeps_norwegian_letters_and_drops_diacritics():
    assert fold("Fødsel ØRE Ånde Æble") == "fødsel øre ånde æble"
    assert fold("Crème brûlée, Müller, Ångström") == "creme brulee, muller, ångstrom"


@pytest.mark.parametrize("text,expected", [
    ("kolera", {"A000", "A001", "A009", "Z230", "Z270"}),
    ("KOLERA imm", {"Z230", "Z270"}),
    ("hjerneslag", {"I64", "I694", "Z823"}),
    ("ikke hjernesl", {"I64", "I694"}),           # any order, word prefixes
])
def test_norwegian_words(icd10, text, expected):
    assert {c.code for c in _scan(icd10, text)} == expected
    assert set(search_codes(icd10, text)) == expected


def test_prefix_of_a_word_with_norwegian_letters(icd10):
    got = set(search_codes(icd10, "fødsel"))
    assert "A34" in got                                  # "Stivkrampe etter fødsel"
    assert got == set(search_codes(icd10, "foedsel"))   # the spelling without ø
    assert "H600" in search_codes(icd10, "øre")
    assert "H600" in search_codes(icd10, "oere")
    assert "H600" not in search_codes(icd10, "ore")     # ø is a letter of its own, not o
    assert "D024" in search_codes(icd10, "åndedrett")
    assert "D024" in search_codes(icd10, "aandedrett")


def test_code_prefix_and_exact_code_rank_first(icd10):
    got = search_codes(icd10, "J12")
    assert got[:6] == ["J120", "J121", "J122", "J123", "J128", "J129"]
    assert search_codes(icd10, "j128")[0] == "J128"
    assert search_codes(icd10, "J12.8")[0] == "J128"          # dotted form of a dot-less code


def test_display_start_ranks_before_word_inside():
    cs = CodeSystemIndex.from_resource({"url": "http://example.org/rank", "concept": [
        {"code": "1", "display": "Uspesifisert kolera"},
        {"code": "2", "display": "Kolera som skyldes Vibrio cholerae"},
        {"code": "3", "display": "Annet", "designation": [{"language": "en", "value": "Cholera, kolera type"}]},
        {"code": "kol", "display": "Code that is a prefix"},
    ]})
    assert search_codes(cs, "kol") == ["kol", "2", "1", "3"]
    assert [c.code for c in _scan(cs, "kol")] == ["kol", "2", "1", "3"]


def test_designations_match(icd10):
    cs = CodeSystemIndex.from_resource({"url": "http://example.org/d", "concept": [
        {"code": "O80", "display": "Normal fødsel", "designation": [{"language": "nn", "value": "Normal fødsel"},
                                                                     {"value": "Spontan forløysing"}]}]})
    assert search_codes(cs, "spontan forl") == ["O80"]
    assert search_codes(cs, "spontan keisersnitt") == []


def test_no_match_and_empty_filter(icd10):
    assert search_codes(icd10, "xyzzy") == []
    assert len(search_codes(icd10, "")) == len(icd10)
    assert TextFilter("").matches(next(iter(icd10.concepts.values())))


@pytest.mark.parametrize("text", ["pneumoni", "betennelse øre", "ytre", "uspes", "covid", "a0", "svulst i",
                                  "  Kolera  ", "diaré", "diare", "H6", "i"])
def test_index_agrees_with_the_matcher(icd10, text):
    assert search_codes(icd10, text) == [c.code for c in _scan(icd10, text)]


def test_index_is_built_once_and_kept(icd10):
    assert TextIndex.of(icd10) is TextIndex.of(icd10)
