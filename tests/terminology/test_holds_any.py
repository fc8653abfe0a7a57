"""`CodeSystemIndex.holds_any(codes, folded)`: does a code system hold any of these codes, read as `find` reads
them (review s15 F4). The `code` search parameter of CodeSystem (fhir_api/search_params._cs_code) asks it
instead of restating find's rules (dotted ICD-10-NO codes, case, folded codes) in the web layer; a plain
system is answered with set operations (a search may bring 1,000 codes to try on every system), any other
through the index's own find."""
import itertools
import random

import pytest

from terminology.codesystem import CodeSystemIndex, flatten_concepts
from terminology.identifiers import ICD10_NO
from tests.snomed.conftest import HANDMADE, SNOMED, catalog_at, client_at


def _index(url, codes, **extra):
    res = {"resourceType": "CodeSystem", "url": url, "version": "1", "content": "complete", **extra}
    return CodeSystemIndex(res, flatten_concepts([{"code": c} for c in codes]))


class _Aliased(CodeSystemIndex):
    """An index with a find of its own (as SNOMED CT's and the grammars' are): an old code names its successor."""
    def find(self, code):
        return super().find({"OLD": "kg"}.get(code, code))


INDEXES = {
    "any case": _index("http://ex.org/units", ["mg", "Mg", "kg", "ß"]),
    "case-sensitive": _index("http://ex.org/units-cs", ["mg", "Mg", "kg"], caseSensitive=True),
    "dotted": _index(ICD10_NO, ["J128", "I210a", "A00", "Z99"]),
    "dotted, case-sensitive": _index(ICD10_NO, ["J128", "I210a"], caseSensitive=True),
    "own find": _Aliased({"resourceType": "CodeSystem", "url": "http://ex.org/aliased", "content": "complete"},
                         [{"code": "kg"}]),
}
ASKED = ["mg", "MG", "Mg", "mG", "kg", "KG", "Kg", "ss", "SS", "ß", "x", "J12.8", "j12.8", "J128", "j128",
         " J12.8 ", "I21.0a", "I21.0A", "i210A", "I210A", "I21.0b", "A00", "a.00", "Z99.", "OLD", "old", "."]


@pytest.mark.parametrize("name", INDEXES)
def test_holds_any_answers_as_find_does(name):
    index = INDEXES[name]
    sets = [frozenset(s) for n in (1, 2) for s in itertools.combinations(ASKED, n)]
    rng = random.Random(7)
    sets += [frozenset(rng.sample(ASKED, 6)) for _ in range(50)]
    for codes in sets:
        expected = any(index.find(c)[0] is not None for c in codes)
        assert index.holds_any(codes) is expected, codes
        assert index.holds_any(codes, frozenset(c.casefold() for c in codes)) is expected, codes


def test_holds_any_of_nothing_is_false():
    assert INDEXES["any case"].holds_any(frozenset()) is False
    assert INDEXES["own find"].holds_any([]) is False


def test_an_index_with_its_own_find_is_asked_through_it():
    assert INDEXES["own find"].holds_any({"OLD"}) is True
    assert INDEXES["own find"].holds_any({"NEW"}) is False


@pytest.fixture(scope="module")
def snomed_catalog(tmp_path_factory):
    return catalog_at(tmp_path_factory.mktemp("s15e-snomed"), HANDMADE)


def test_a_snomed_index_answers_through_its_own_find(snomed_catalog):
    cs = snomed_catalog.codesystem(SNOMED)
    assert type(cs).find is not CodeSystemIndex.find
    # SNOMED CT's find reads a concept id with the spaces around it that its rows never hold
    for codes in ({"233604007"}, {" 233604007 "}, {"999999999", "233604007"}, {"999999999"}, {"x"}):
        assert cs.holds_any(codes) is any(cs.find(c)[0] is not None for c in codes), codes
    assert cs.holds_any({" 233604007 "}) is True and cs.holds_any({"999999999"}) is False


def _found(client, code) -> list[str]:
    r = client.get("/fhir/CodeSystem", query_string={"code": code, "_elements": "url"})
    assert r.status_code == 200, r.get_json()
    return sorted({e["resource"]["url"] for e in r.get_json().get("entry", [])})


def _known(client, url, code) -> bool:
    """$validate-code found the concept: a valid answer without an unknown-code issue (the demo's ICD-10-NO is a
    fragment, so an unknown code is valid with a warning)."""
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": url, "code": code})
    assert r.status_code == 200, r.get_json()
    params = {p["name"]: p for p in r.get_json()["parameter"]}
    issues = params["issues"]["resource"]["issue"] if "issues" in params else []
    unknown = [i for i in issues for c in i.get("details", {}).get("coding", []) if c["code"] == "invalid-code"]
    return params["result"]["valueBoolean"] and not unknown


@pytest.mark.parametrize("code", ["J12.8", "j128", "J128", "j12.8", "I21.0a", "I21.0A", "i210A", "I210a",
                                  "J12.9x", "I21.0b", "ZZZ"])
def test_the_code_search_finds_icd10no_as_validate_code_finds_the_code(demo_client, code):
    assert (ICD10_NO in _found(demo_client, code)) is _known(demo_client, ICD10_NO, code)


def test_dotted_and_lower_case_spellings_find_the_icd10no_edition(demo_client):
    assert ICD10_NO in _found(demo_client, "J12.8") and ICD10_NO in _found(demo_client, "j128")
    assert ICD10_NO in _found(demo_client, f"{ICD10_NO}|J12.8")
    assert ICD10_NO not in _found(demo_client, "J12.8.9")


def test_the_code_search_finds_snomed_ct_through_its_index(tmp_path):
    client = client_at(tmp_path, HANDMADE)
    assert _found(client, "233604007") == [SNOMED]
    assert _found(client, f"{SNOMED}|233604007") == [SNOMED]
    assert _found(client, "999999999") == []
