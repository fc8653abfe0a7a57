"""In December, with next year's edition loaded, a request naming no date is answered by this year's edition (the
edition in force); these tests are about what the coder is told of 1 January beside that answer, as information
issues only (review s16 re-check N2, N3, N7).

Data: the demo's NAV ICD-10 slice (terminology/demo/navikt-ICD10-2026-slice.json, MIT, NAV IT) loaded as a
complete ICD-10-NO 2026, and a 2027 made from it in the test: A00.0 with another text, A00.1 left out, J12.9
subdivided into J12.90/J12.91 (so a WHO grouping in 2027). Hand-made CodeSystems for a code kept as retired in
2027, and the NCRP 2016/2017 fixture with its 2017 change list (tests/data/norway_advice_successors) for a
successor. Facts: editions of the Norwegian yearly codebooks are valid from 1 January of their year
(norway-identifiers.md).
"""
import json
import os

import pytest

from terminology import import_paths, open_store
from terminology.demo import DEMO_DIR
from tests.conftest import DATA
from tests.support.tx_files import imported_client

from .conftest import answer, infos, issues, params

ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"
NCRP = "urn:oid:2.16.578.1.12.4.1.1.7270"
REPORTABLE = "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"
SLICE = os.path.join(DEMO_DIR, "navikt-ICD10-2026-slice.json")
TEXT_2026 = "Kolera som skyldes Vibrio cholerae 01, biovar cholerae"
TEXT_2027 = "Kolera, klassisk biovar (tekst fra 2027)"


def _rows_2027():
    rows = [r for r in json.load(open(SLICE, encoding="utf-8")) if r["code"] not in ("A001", "J129")]
    for r in rows:
        if r["code"] == "A000":
            r["text"] = TEXT_2027
    return rows + [{"code": "J1290", "text": "Viruspneumoni, uspesifisert, hos barn"},
                   {"code": "J1291", "text": "Viruspneumoni, uspesifisert, hos voksne"}]


def _write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _db(tmp_path, files: dict) -> str:
    """A store of ICD-10-NO editions {year: file}, without the demo content."""
    db = str(tmp_path / "k.db")
    store = open_store(db)
    for year, path in files.items():
        report = import_paths(store, [path], edition=year, system=ICD10NO)
        assert not report.rejected, report.rejected
    store.close()
    return db


def _client(db, today):
    from fhir_api import create_app
    return create_app({"DB": db, "DEMO": False, "TODAY": today}).test_client()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("nextyear_files")
    return {"2026": _write(d / "icd10no-2026.json", json.load(open(SLICE, encoding="utf-8"))),
            "2027": _write(d / "icd10no-2027.json", _rows_2027()),
            # a name with 'slice' is imported as a fragment (norway/common.content_for)
            "2027-fragment": _write(d / "icd10no-2027-slice.json", _rows_2027())}


@pytest.fixture(scope="module")
def both_db(tmp_path_factory, files):
    return _db(tmp_path_factory.mktemp("nextyear_both"), {"2026": files["2026"], "2027": files["2027"]})


@pytest.fixture(scope="module")
def december(both_db):
    return _client(both_db, "2026-11-26")


@pytest.fixture(scope="module")
def january(both_db):
    return _client(both_db, "2027-01-02")


@pytest.fixture(scope="module")
def only_2026(tmp_path_factory, files):
    """The same 2026 alone: what the answer is without a later edition, to compare with."""
    return _client(_db(tmp_path_factory.mktemp("nextyear_only"), {"2026": files["2026"]}), "2026-11-26")


@pytest.fixture(scope="module")
def fragment_next(tmp_path_factory, files):
    return _client(_db(tmp_path_factory.mktemp("nextyear_frag"),
                       {"2026": files["2026"], "2027": files["2027-fragment"]}), "2026-11-26")


def _cs(client, **q):
    return answer(client, "CodeSystem", url=ICD10NO, **q)


def _vs(client, **q):
    return answer(client, "ValueSet", url=REPORTABLE, system=ICD10NO, **q)


def _without(body: dict, note: str) -> tuple:
    """The answer but for the one note: result, message, version, display and the other issues."""
    p = params(body)
    return (p.get("result"), p.get("message"), p.get("version"), p.get("display"),
            [i for i in issues(body) if i[2] != note])


# --- N2: next year's text -------------------------------------------------------------------------------------

N2 = (f"'{TEXT_2027}' is the text of A00.0 from ICD-10-NO 2027 (in force from 2027-01-01); send date= to check a "
      f"stay in 2027")


def test_next_years_text_is_named_in_december(december, only_2026):
    body = _cs(december, code="A00.0", display=TEXT_2027)
    assert params(body)["result"] is False
    assert N2 in infos(body), issues(body)
    # the answer itself is what it is without the 2027 edition loaded
    assert _without(body, N2) == _without(_cs(only_2026, code="A00.0", display=TEXT_2027), N2)


def test_next_years_text_is_named_against_the_rule_value_set(december, only_2026):
    body = _vs(december, code="A00.0", display=TEXT_2027)
    assert params(body)["result"] is False and params(body)["version"] == "2026"
    assert N2 in infos(body), issues(body)
    assert _without(body, N2) == _without(_vs(only_2026, code="A00.0", display=TEXT_2027), N2)


def test_next_years_text_with_a_date_this_year_leaves_out_the_date_hint(december):
    body = _cs(december, code="A00.0", display=TEXT_2027, date="2026-12-15")
    assert params(body)["result"] is False
    assert f"'{TEXT_2027}' is the text of A00.0 from ICD-10-NO 2027 (in force from 2027-01-01)" in infos(body)
    assert not any("send date=" in t for t in infos(body))


def test_a_text_of_no_edition_gets_no_next_year_note(december):
    body = _cs(december, code="A00.0", display="Noe helt annet")
    assert params(body)["result"] is False
    assert not any("is the text of" in t for t in infos(body)), infos(body)


def test_in_january_this_years_text_is_last_years_note_not_next_years(january):
    body = _cs(january, code="A00.0", display=TEXT_2026)
    assert params(body)["result"] is False
    texts = infos(body)
    assert any(t.startswith(f"'{TEXT_2026}' was the text of A00.0 in ICD-10-NO 2026") for t in texts), texts
    assert not any("is the text of" in t for t in texts), texts


# --- N3: a code that next year's edition subdivides, drops or retires ----------------------------------------

N3_GROUPING = ("from 2027-01-01 J12.9 is a grouping in ICD-10-NO 2027, not a reportable code; choose one of "
               "J12.90, J12.91")
N3_DROPPED = "A00.1 is not in ICD-10-NO 2027 (in force from 2027-01-01)"


def test_a_code_subdivided_next_year_is_told_in_december(december, only_2026):
    body = _vs(december, code="J12.9")
    assert params(body)["result"] is True and params(body)["version"] == "2026"
    assert infos(body).count(N3_GROUPING) == 1, issues(body)
    assert _without(body, N3_GROUPING) == _without(_vs(only_2026, code="J12.9"), N3_GROUPING)


def test_a_code_dropped_next_year_is_told_in_december(december, only_2026):
    body = _cs(december, code="A00.1")
    assert params(body)["result"] is True
    assert N3_DROPPED in infos(body), issues(body)
    assert _without(body, N3_DROPPED) == _without(_cs(only_2026, code="A00.1"), N3_DROPPED)


def test_an_unchanged_code_gets_no_next_year_note(december, only_2026):
    body = _vs(december, code="A00.9")
    assert params(body)["result"] is True
    assert issues(body) == issues(_vs(only_2026, code="A00.9"))


def test_a_request_with_a_date_is_not_told_of_next_year(december):
    # the date says which stay: a December stay is judged by 2026, and 2027's changes are not its concern
    body = _vs(december, code="J12.9", date="2026-12-15")
    assert params(body)["result"] is True
    assert not any("2027" in t for t in infos(body)), infos(body)


def test_in_january_nothing_later_is_loaded(january):
    body = _cs(january, code="J12.90")
    assert params(body)["result"] is True and params(body)["version"] == "2027"
    assert not any("in force from" in t or "from 2028" in t for t in infos(body)), infos(body)


def test_a_fragment_next_edition_says_nothing_of_a_code_it_leaves_out(fragment_next):
    body = _cs(fragment_next, code="A00.1")
    assert params(body)["result"] is True and params(body)["version"] == "2026"
    assert not any("2027" in t for t in infos(body)), infos(body)


def _codesystem(version: str, concepts: list) -> dict:
    return {"resourceType": "CodeSystem", "id": f"nextyear-icd10no-{version}", "url": ICD10NO,
            "version": version, "name": "ICD10NO", "status": "active", "content": "complete",
            "caseSensitive": False,
            "property": [{"code": "status", "uri": "http://hl7.org/fhir/concept-properties#status", "type": "code"},
                         {"code": "validTo", "uri": "https://kodebro.no/fhir/CodeSystem/property#validTo",
                          "type": "dateTime"}],
            "concept": concepts}


def test_a_code_kept_as_retired_next_year_is_told_in_december(tmp_path):
    kept = {"code": "M5490", "display": "Ryggsmerter, uspesifisert"}
    retired = {**kept, "property": [{"code": "status", "valueCode": "retired"},
                                    {"code": "validTo", "valueDateTime": "2026-12-31"}]}
    client = imported_client(tmp_path, [_write(tmp_path / "cs-2026.json", _codesystem("2026", [kept])),
                                        _write(tmp_path / "cs-2027.json", _codesystem("2027", [retired]))],
                             TODAY="2026-11-26")
    body = _cs(client, code="M54.90")
    assert params(body)["result"] is True and params(body)["version"] == "2026"
    note = "M54.90 is retired in ICD-10-NO 2027 (in force from 2027-01-01; valid to 2026-12-31)"
    assert note in infos(body), issues(body)


def test_a_dropped_code_names_its_successor_when_the_change_list_does(tmp_path):
    here = os.path.join(DATA, "norway_advice_successors")
    files = ("ncrp-2016.json", "ncrp-2017.json", "changes-ncrp-2017.csv")
    client = imported_client(tmp_path, [os.path.join(here, f) for f in files], TODAY="2016-12-01")
    body = answer(client, "CodeSystem", url=NCRP, code="SAA0AE")
    assert params(body)["result"] is True and params(body)["version"] == "2016"
    assert ("SAA0AE is not in NCRP 2017 (in force from 2017-01-01); SAA0AE was merged into SAA0AP in NCRP 2017"
            in infos(body)), issues(body)


# --- N7: a coding of next year's version against this year's rule value set ----------------------------------

def test_a_coding_of_next_years_version_is_told_how_to_ask_for_it(december):
    body = _vs(december, code="J12.9", systemVersion="2027")
    p = params(body)
    assert p["result"] is False
    assert "version '2026' in the ValueSet include is different to the one in the value ('2027')" in p["message"]
    note = f"the value set in force today is {REPORTABLE}|2026; ask with date= or valueSetVersion=2027 for 2027"
    assert note in infos(body), issues(body)
    assert note not in p["message"]


def test_the_hint_is_not_given_when_the_value_set_version_was_chosen_by_date(december):
    body = _vs(december, code="J12.9", systemVersion="2027", date="2026-12-15")
    assert params(body)["result"] is False
    assert not any("valueSetVersion=" in t for t in infos(body)), infos(body)


def test_loading_next_years_edition_later_brings_the_note(tmp_path, files):
    # whether a later edition is loaded is kept with the edition's index: a load after the first answer counts
    from terminology import Catalog
    from terminology.operations.validate import ValidateRequest, validate_code
    db = _db(tmp_path, {"2026": files["2026"]})
    store = open_store(db)
    try:
        catalog = Catalog(store, today="2026-11-26")

        def notes():
            got = validate_code(catalog, ValidateRequest(codesystem=ICD10NO,
                                                         codings=[{"system": ICD10NO, "code": "J12.9"}]))
            assert got.result is True
            return [i.text for i in got.issues if i.severity == "information"]
        assert not any("2027" in t for t in notes())
        report = import_paths(store, [files["2027"]], edition="2027", system=ICD10NO)
        assert not report.rejected, report.rejected
        catalog.refresh(force=True)
        assert N3_GROUPING in notes()
    finally:
        store.close()


def test_when_the_year_turns_last_years_edition_asked_by_version_gets_no_note(both_db):
    # the next edition found for an edition is kept with its index; 1 January makes the kept answer stale
    from terminology import Catalog
    from terminology.operations.validate import ValidateRequest, validate_code
    store = open_store(both_db)
    try:
        catalog = Catalog(store, today="2026-12-31")

        def notes():
            got = validate_code(catalog, ValidateRequest(codesystem=ICD10NO, codesystem_version="2026",
                                                         codings=[{"system": ICD10NO, "code": "J12.9"}]))
            assert got.result is True
            return [i.text for i in got.issues if i.severity == "information"]
        assert N3_GROUPING in notes()
        catalog.today = "2027-01-01"
        assert N3_GROUPING not in notes()
    finally:
        store.close()


def test_under_a_forced_edition_the_date_hint_is_left_out(december):
    """force-system-version picks the edition whatever the date, so "send date=" would not help (review s16 D)."""
    body = _cs(december, code="A00.0", display=TEXT_2027, **{"force-system-version": f"{ICD10NO}|2026"})
    assert params(body)["result"] is False
    assert f"'{TEXT_2027}' is the text of A00.0 from ICD-10-NO 2027 (in force from 2027-01-01)" in infos(body)
    assert not any("send date=" in t for t in infos(body)), infos(body)

