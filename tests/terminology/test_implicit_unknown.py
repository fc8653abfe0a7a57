"""Implicit value sets naming a code the version in use lacks: `{system}?fhir_vs=isa/<code>` is a 400 saying
the code is not in that version and which versions are loaded, for every code system (SNOMED CT, ICD-10-NO,
ICPC-2, a stored FHIR CodeSystem) — judged against the version the request uses, so a code only another
loaded version holds is taken when the request picks that version. SNOMED CT `refset/<id>`: a refset concept
with no members loaded is an empty value set; a concept that is no refset is a 400 where the release holds
the refset hierarchy.

Data: the NAV ICD-10 and ICPC-2 lists (tests/data/norway, see its README), the SNOMED CT hand-made Norwegian
sample and the Snowstorm dummy release (tests/data/snomed, see its README), small CodeSystems written here.
"""
from __future__ import annotations

import pytest

from tests.norway.conftest import ICD10_NAV, ICPC2_NAV
from tests.snomed.conftest import DUMMY, HANDMADE, SNOMED, client_at
from tests.support.tx_files import imported_client

FJ = "application/fhir+json"
ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"
ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
X = "http://example.org/implicit"
CS = {"resourceType": "CodeSystem", "url": X, "status": "active", "content": "complete",
      "hierarchyMeaning": "is-a", "concept": [{"code": "a", "concept": [{"code": "b"}]}]}


def _codes(r) -> list[str]:
    return sorted(c["code"] for c in r.get_json()["expansion"].get("contains", []))


def _text(r) -> str:
    return r.get_json()["issue"][0]["details"]["text"]


def _expand(client, url, **params):
    return client.get("/fhir/ValueSet/$expand", query_string={"url": url, **params})


def _validate(client, url, system, code, **params):
    return client.get("/fhir/ValueSet/$validate-code", query_string={"url": url, "system": system, "code": code,
                                                                      **params})


def _result(r) -> bool:
    return next(p["valueBoolean"] for p in r.get_json()["parameter"] if p["name"] == "result")


# --- a stored FHIR CodeSystem ---------------------------------------------------------------------------
@pytest.fixture
def versions(client):
    """http://example.org/implicit in version 1 (a, b under a) and version 2 (a only): 2 is the latest."""
    for body in ({**CS, "version": "1"}, {**CS, "version": "2", "concept": [{"code": "a"}]}):
        assert client.post("/fhir/CodeSystem", json=body, content_type=FJ).status_code == 201
    return client


def test_an_unknown_code_is_400_naming_the_version_used_and_the_loaded_ones(versions):
    r = _expand(versions, f"{X}?fhir_vs=isa/zzz")
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["resourceType"] == "OperationOutcome" and r.get_json()["issue"][0]["code"] == "invalid"
    text = _text(r)
    assert "'zzz' is not in http://example.org/implicit version 2" in text and "loaded versions: 1, 2" in text


def test_a_known_code_still_expands(versions):
    r = _expand(versions, f"{X}?fhir_vs=isa/a")
    assert r.status_code == 200 and _codes(r) == ["a"]          # version 2: a has no children there


def test_a_code_only_another_version_holds_is_judged_in_the_version_used(versions):
    # the latest (2) lacks b: refused, saying so
    r = _expand(versions, f"{X}?fhir_vs=isa/b")
    assert r.status_code == 400 and "version 2" in _text(r)
    # a request that uses version 1 takes b there
    for param in ("force-system-version", "system-version"):
        r = _expand(versions, f"{X}?fhir_vs=isa/b", **{param: f"{X}|1"})
        assert r.status_code == 200 and _codes(r) == ["b"], (param, r.get_json())


def test_every_expansion_path_refuses(versions):
    # paging (one filter straight from the index), a text filter, count=0: each meets the version used
    for params in ({"count": "1"}, {"count": "0"}, {"filter": "b"}, {"offset": "1", "count": "1"}):
        r = _expand(versions, f"{X}?fhir_vs=isa/zzz", **params)
        assert r.status_code == 400, (params, r.get_json())


def test_validate_code_against_it(versions):
    url = f"{X}?fhir_vs=isa/b"
    # a coding of version 1 is validated in version 1, which has b
    r = _validate(versions, url, X, "b", systemVersion="1")
    assert r.status_code == 200 and _result(r) is True
    r = _validate(versions, url, X, "a", systemVersion="1")
    assert r.status_code == 200 and _result(r) is False
    # a coding of the latest version: the value set cannot be evaluated there, as a broken filter cannot (4xx)
    r = _validate(versions, url, X, "a")
    assert r.status_code == 400 and "'b' is not in http://example.org/implicit version 2" in _text(r)
    # a coding of another system is simply not in it: nothing to evaluate
    r = _validate(versions, url, "http://example.org/other", "a")
    assert r.status_code == 200 and _result(r) is False


def test_a_fragment_may_lack_the_code(client):
    body = {**CS, "version": "1", "content": "fragment"}
    assert client.post("/fhir/CodeSystem", json=body, content_type=FJ).status_code == 201
    r = _expand(client, f"{X}?fhir_vs=isa/zzz")
    assert r.status_code == 200 and _codes(r) == []


def test_a_stored_value_set_with_such_a_filter_is_unchanged(versions):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/isa-zzz", "status": "active",
          "compose": {"include": [{"system": X, "filter": [{"property": "concept", "op": "is-a", "value": "zzz"}]}]}}
    r = versions.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}]}, content_type=FJ)
    assert r.status_code == 200 and _codes(r) == []


# --- ICD-10-NO and ICPC-2 (the NAV lists, complete) ------------------------------------------------------
@pytest.fixture(scope="module")
def nav(tmp_path_factory):
    return imported_client(tmp_path_factory.mktemp("implicit-nav"), [ICD10_NAV, ICPC2_NAV])


@pytest.mark.parametrize("system, known, members", [
    (ICD10_NO, "B18.0", ["B180", "B1800", "B1809"]),        # written with the dot: the system's own form found
    (ICPC2, "D99", ["D99", "D991", "D992", "D993", "D994", "D995"]),
])
def test_norwegian_codebooks(nav, system, known, members):
    r = _expand(nav, f"{system}?fhir_vs=isa/{known}", excludeNested="true")
    assert r.status_code == 200 and _codes(r)[:len(members)] == members, r.get_json()
    r = _expand(nav, f"{system}?fhir_vs=isa/XYZ99")
    assert r.status_code == 400, r.get_json()
    assert f"'XYZ99' is not in {system} version 2026" in _text(r) and "loaded versions: 2026" in _text(r)


# --- SNOMED CT ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def handmade(tmp_path_factory):
    return client_at(tmp_path_factory.mktemp("implicit-no"), HANDMADE)


@pytest.fixture(scope="module")
def dummy(tmp_path_factory):
    """The Snowstorm dummy international release: it holds the refset hierarchy (17 concepts below
    900000000000455006) and no refset members."""
    return client_at(tmp_path_factory.mktemp("implicit-int"), DUMMY)


def test_snomed_isa_unknown_is_400_with_the_edition(handmade):
    r = _expand(handmade, f"{SNOMED}?fhir_vs=isa/999999")
    assert r.status_code == 400
    assert "'999999' is not in http://snomed.info/sct version http://snomed.info/sct/51000202101/version/20250415" \
        in _text(r)
    assert _expand(handmade, f"{SNOMED}?fhir_vs=isa/233604007").status_code == 200


def test_snomed_refset_concept_without_members_is_empty(dummy):
    r = _expand(dummy, f"{SNOMED}?fhir_vs=refset/446609009")        # |Simple type reference set|
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["expansion"]["total"] == 0


@pytest.mark.parametrize("code, words", [
    ("138875005", "138875005 is not a reference set (a concept below 900000000000455006 |Reference set|) in"),
    ("999999", "999999 is not a concept of")])
def test_snomed_refset_of_what_is_no_refset_is_400(dummy, code, words):
    r = _expand(dummy, f"{SNOMED}?fhir_vs=refset/{code}")
    assert r.status_code == 400, r.get_json()
    assert words in _text(r) and "http://snomed.info/sct/900000000000207008/version/20180731" in _text(r)
    r = _validate(dummy, f"{SNOMED}?fhir_vs=refset/{code}", SNOMED, "138875005")
    assert r.status_code == 400


def test_snomed_refset_in_an_extract_without_the_refset_hierarchy(handmade):
    # the hand-made sample has no 900000000000455006: a concept with no members cannot be told from a refset
    r = _expand(handmade, f"{SNOMED}?fhir_vs=refset/75570004")
    assert r.status_code == 200 and r.get_json()["expansion"]["total"] == 0
    # a refset with members is one, whatever the hierarchy
    r = _expand(handmade, f"{SNOMED}?fhir_vs=refset/68101000202102")
    assert r.status_code == 200 and r.get_json()["expansion"]["total"] == 5


# --- the code an isa/ names: one code, URL-decoded, cut short in the message ---------------------------------------
COMMA = "http://example.org/implicit-comma"


@pytest.fixture
def comma(client):
    """A code system whose codes x and y exist, and a code with a comma in it."""
    body = {"resourceType": "CodeSystem", "url": COMMA, "version": "1", "status": "active", "content": "complete",
            "hierarchyMeaning": "is-a", "concept": [{"code": "x", "concept": [{"code": "x1"}]}, {"code": "y"},
                                                    {"code": "x,y"}]}
    assert client.post("/fhir/CodeSystem", json=body, content_type=FJ).status_code == 201
    return client


def test_an_isa_code_is_one_code_even_with_a_comma(comma):
    # is-a takes one code: 'x,y' is that code, not a list of x and y
    r = _expand(comma, f"{COMMA}?fhir_vs=isa/x,y")
    assert r.status_code == 200 and _codes(r) == ["x,y"]
    # x and y exist, 'x,zz' as one code does not: the message names the code asked for
    r = _expand(comma, f"{COMMA}?fhir_vs=isa/x,zz")
    assert r.status_code == 400 and "the code 'x,zz' is not in" in _text(r)
    r = _expand(comma, f"{COMMA}?fhir_vs=isa/y,x")
    assert r.status_code == 400 and "the code 'y,x' is not in" in _text(r)


def test_the_isa_code_is_url_decoded_as_for_snomed(comma):
    # the query string arrives decoded once; the code inside the implicit URL is decoded as SNOMED CT's is
    r = _expand(comma, f"{COMMA}?fhir_vs=isa/x%2Cy")
    assert r.status_code == 200 and _codes(r) == ["x,y"]
    r = _expand(comma, f"{COMMA}?fhir_vs=isa/%78", excludeNested="true")
    assert r.status_code == 200 and _codes(r) == ["x", "x1"]


def test_a_huge_unknown_code_is_cut_short_in_the_message(comma):
    r = _expand(comma, f"{COMMA}?fhir_vs=isa/" + "z" * 5000)
    assert r.status_code == 400
    assert len(_text(r)) < 600 and "…" in _text(r)


def test_loaded_refsets_are_listed_in_numeric_order():
    from types import SimpleNamespace

    from terminology.snomed.index import SnomedIndex
    index = SimpleNamespace(refsets={"1000000000000": set(), "446609009": set()}, maps={"900000000000497000": {}},
                            release={"refsets": ["723264001"]})
    assert SnomedIndex.loaded_refsets(index) == ["446609009", "723264001", "1000000000000", "900000000000497000"]
