"""With no version and no date, the yearly edition in force today answers, not next year's loaded in December
(review s16 hospital H1, L4, L9).

Data: the demo's NAV ICD-10 slice (terminology/demo/navikt-ICD10-2026-slice.json, MIT, NAV IT) as edition 2026,
and a 2027 edition made from it in the test: A00.1 left out, A00.2 added, A00.0 with another text. Facts:
editions of the Norwegian yearly codebooks are valid from 1 January of their year (norway-identifiers.md).
"""
import datetime
import json
import os

import pytest
from click.testing import CliRunner

from terminology import Catalog, import_paths, open_store
from terminology.demo import DEMO_DIR

ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"
REPORTABLE = "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"
SLICE = os.path.join(DEMO_DIR, "navikt-ICD10-2026-slice.json")
TEXT_2027 = "Kolera, klassisk biovar (tekst fra 2027)"


def _edition_2027(tmp_path) -> str:
    rows = json.load(open(SLICE, encoding="utf-8"))
    rows = [r for r in rows if r["code"] != "A001"]
    for r in rows:
        if r["code"] == "A000":
            r["text"] = TEXT_2027
    rows.append({"code": "A002", "text": "Kolera, ny kode i 2027"})
    path = tmp_path / "icd10no-2027.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _store(tmp_path, editions=(("2026", None), ("2027", "next"))):
    """A store with the ICD-10-NO slice loaded as each of `editions` ((year, None: the slice; "next": the 2027
    variant)), without the demo content."""
    db = str(tmp_path / "k.db")
    store = open_store(db)
    for year, kind in editions:
        import_paths(store, [SLICE if kind is None else _edition_2027(tmp_path)], edition=year, system=ICD10NO)
    store.close()
    return db


def _app(db, today=None):
    from fhir_api import create_app
    return create_app({"DB": db, "DEMO": False, **({"TODAY": today} if today else {})})


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return _store(tmp_path_factory.mktemp("inforce"))


@pytest.fixture(scope="module")
def december(db):
    return _app(db, "2026-11-26").test_client()


@pytest.fixture(scope="module")
def january(db):
    return _app(db, "2027-01-01").test_client()


def _params(body: dict) -> dict:
    return {p["name"]: next((v for k, v in p.items() if k.startswith("value")), p.get("resource"))
            for p in body.get("parameter", [])}


def _get(client, path, **q):
    r = client.get("/fhir/" + path, query_string=q)
    return r.status_code, r.get_json()


# --- the edition in force answers ------------------------------------------------------------------------

def test_lookup_without_version_answers_from_the_edition_in_force(december, january):
    status, body = _get(december, "CodeSystem/$lookup", system=ICD10NO, code="A00.0")
    assert status == 200 and _params(body)["version"] == "2026"
    assert _params(body)["display"] != TEXT_2027
    status, body = _get(january, "CodeSystem/$lookup", system=ICD10NO, code="A00.0")
    assert status == 200 and _params(body)["version"] == "2027"
    assert _params(body)["display"] == TEXT_2027


def test_next_years_edition_still_answers_by_version_and_date(december):
    status, body = _get(december, "CodeSystem/$lookup", system=ICD10NO, code="A00.2", version="2027")
    assert status == 200 and _params(body)["version"] == "2027"
    status, body = _get(december, "CodeSystem/$lookup", system=ICD10NO, code="A00.2", date="2027-03-01")
    assert status == 200 and _params(body)["version"] == "2027"
    status, _body = _get(december, "CodeSystem/$lookup", system=ICD10NO, code="A00.2")
    assert status == 404


def test_codesystem_validate_code_takes_todays_edition(december, january):
    _s, body = _get(december, "CodeSystem/$validate-code", url=ICD10NO, code="A00.1")
    assert _params(body)["result"] is True and _params(body)["version"] == "2026"
    _s, body = _get(january, "CodeSystem/$validate-code", url=ICD10NO, code="A00.1")
    assert _params(body)["result"] is False


def test_rule_value_set_without_version_is_todays(december, january):
    _s, body = _get(december, "ValueSet/$validate-code", url=REPORTABLE, system=ICD10NO, code="A00.1")
    p = _params(body)
    assert p["result"] is True and p["version"] == "2026", body
    _s, body = _get(january, "ValueSet/$validate-code", url=REPORTABLE, system=ICD10NO, code="A00.1")
    assert _params(body)["result"] is False


def test_rule_value_set_with_a_date_next_year_is_next_years(december):
    _s, body = _get(december, "ValueSet/$validate-code", url=REPORTABLE, system=ICD10NO, code="A00.2",
                    date="2027-02-01")
    p = _params(body)
    assert p["result"] is True and p["version"] == "2027", body


def test_expand_offers_todays_codes(december, january):
    def codes(client):
        status, body = _get(client, "ValueSet/$expand", url=REPORTABLE, filter="kolera")
        assert status == 200, body
        return {c["code"] for c in body["expansion"].get("contains", [])}
    assert "A001" in codes(december) and "A002" not in codes(december)
    assert "A002" in codes(january) and "A001" not in codes(january)


def test_implicit_value_set_takes_todays_edition(december):
    status, body = _get(december, "ValueSet/$expand", url=ICD10NO + "?fhir_vs", filter="kolera",
                        excludeNested="true")
    assert status == 200, body
    codes = {c["code"] for c in body["expansion"]["contains"]}
    assert "A001" in codes and "A002" not in codes


def test_metadata_marks_the_edition_in_force_default(december, january):
    def default(client):
        _s, body = _get(client, "metadata", mode="terminology")
        entry = next(e for e in body["codeSystem"] if e["uri"] == ICD10NO)
        return [v["code"] for v in entry["version"] if v["isDefault"]]
    assert default(december) == ["2026"]
    assert default(january) == ["2027"]


# --- L4: $subsumes honours date ---------------------------------------------------------------------------

def test_subsumes_honours_date(december):
    status, body = _get(december, "CodeSystem/$subsumes", system=ICD10NO, codeA="A00.0", codeB="A00.2",
                        date="2027-06-01")
    assert status == 200 and _params(body)["outcome"] == "not-subsumed", body
    # without the date, the 2026 edition in force answers, which has no A00.2
    status, body = _get(december, "CodeSystem/$subsumes", system=ICD10NO, codeA="A00.0", codeB="A00.2")
    assert status >= 400 and "A00.2" in json.dumps(body)


def test_subsumes_refuses_a_malformed_date(december):
    status, body = _get(december, "CodeSystem/$subsumes", system=ICD10NO, codeA="A00.0", codeB="A00.1",
                        date="in juni")
    assert status == 400 and body["resourceType"] == "OperationOutcome"


# --- only yearly editions -------------------------------------------------------------------------------

def test_only_next_years_edition_loaded_answers(tmp_path):
    db = _store(tmp_path, editions=(("2027", "next"),))
    status, body = _get(_app(db, "2026-11-26").test_client(), "CodeSystem/$lookup", system=ICD10NO, code="A00.2")
    assert status == 200 and _params(body)["version"] == "2027"


def test_other_versions_keep_the_latest(tmp_path):
    db = str(tmp_path / "k.db")
    store = open_store(db)
    for v in ("2026", "2027"):
        path = tmp_path / f"cs-{v}.json"
        path.write_text(json.dumps({"resourceType": "CodeSystem", "url": "http://example.org/cs", "version": v,
                                    "status": "active", "content": "complete", "concept": [{"code": "c" + v}]}))
        import_paths(store, [str(path)])
    catalog = Catalog(store, today="2026-06-01")
    assert catalog.find_header("CodeSystem", "http://example.org/cs").version == "2027"
    store.close()


# --- caches follow the new year ---------------------------------------------------------------------------

def test_kept_answers_change_when_the_year_turns(db):
    app = _app(db, "2026-12-31")
    client = app.test_client()
    for _ in range(2):      # the second answer comes from what the first kept
        _s, body = _get(client, "ValueSet/$validate-code", url=REPORTABLE, system=ICD10NO, code="A00.1")
        assert _params(body)["result"] is True
    app.extensions["kodebro.catalog"].today = "2027-01-01"
    _s, body = _get(client, "ValueSet/$validate-code", url=REPORTABLE, system=ICD10NO, code="A00.1")
    assert _params(body)["result"] is False
    _s, body = _get(client, "CodeSystem/$lookup", system=ICD10NO, code="A00.0")
    assert _params(body)["version"] == "2027"


# --- today: the clock, or KODEBRO_TODAY -------------------------------------------------------------------

def test_without_the_setting_the_real_date_answers(tmp_path):
    from terminology.editions import today
    now = today()
    this_year = now[:4]
    next_year = str(int(this_year) + 1)
    assert abs(datetime.date.fromisoformat(now) - datetime.datetime.now(datetime.timezone.utc).date()).days <= 1
    db = _store(tmp_path, editions=((this_year, None), (next_year, "next")))
    status, body = _get(_app(db).test_client(), "CodeSystem/$lookup", system=ICD10NO, code="A00.0")
    assert status == 200 and _params(body)["version"] == this_year


@pytest.mark.parametrize("bad", ["2026-13-01", "26.11.2026", "2026-02-30", "i morgen"])
def test_a_malformed_today_refuses_to_start(tmp_path, monkeypatch, bad):
    from fhir_api.settings import load_settings
    with pytest.raises(ValueError, match="KODEBRO_TODAY must be a date written YYYY-MM-DD"):
        monkeypatch.setenv("KODEBRO_TODAY", bad)
        load_settings()
    monkeypatch.delenv("KODEBRO_TODAY")
    with pytest.raises(ValueError, match="TODAY"):
        _app(str(tmp_path / "k.db"), bad)


def test_the_setting_is_read_from_the_environment(monkeypatch):
    from fhir_api.settings import load_settings
    monkeypatch.setenv("KODEBRO_TODAY", "2027-01-01")
    assert load_settings()["TODAY"] == "2027-01-01"
    monkeypatch.setenv("KODEBRO_TODAY", "")
    assert load_settings()["TODAY"] is None


def test_cli_list_marks_the_edition_in_force(db, monkeypatch):
    from scripts.cli import main
    monkeypatch.setenv("KODEBRO_TODAY", "2026-11-26")
    out = CliRunner().invoke(main, ["list", "--db", db])
    assert out.exit_code == 0, out.output
    line = next(x for x in out.output.splitlines() if ICD10NO + " " in x)
    # "default", not "in force": a fragment or an old edition can be the one that answers (review s16 recheck N8)
    before, after = line.split("2027 (")
    assert "default" in before and "from 2027-01-01" in after and "default" not in after
    assert "(default)" in out.output and "2026-11-26" in out.output
    assert REPORTABLE + "|2026 (default)" in out.output and REPORTABLE + "|2027 (from 2027-01-01)" in out.output
    monkeypatch.setenv("KODEBRO_TODAY", "not a date")
    out = CliRunner().invoke(main, ["list", "--db", db])
    assert out.exit_code != 0 and "KODEBRO_TODAY" in out.output and "Traceback" not in out.output


def test_norway_turns_the_year_at_midnight_cet():
    from terminology.editions import norway_day
    turn = datetime.datetime(2026, 12, 31, 23, 0, tzinfo=datetime.timezone.utc).timestamp()   # 00:00 in Oslo
    assert norway_day(turn - 1) == "2026-12-31"
    assert norway_day(turn) == "2027-01-01"


def test_the_clock_turning_the_year_drops_what_was_kept(db, monkeypatch):
    from terminology import editions
    far = 4e9       # the kept day is used until then: the test sets the clock's answer
    monkeypatch.setattr(editions, "_kept_today", (far, "2026-12-31"))
    store = open_store(db)
    catalog = Catalog(store)
    assert catalog.find_header("CodeSystem", ICD10NO).version == "2026"
    kept = catalog.derived("in-force-test", lambda _c: object())
    monkeypatch.setattr(editions, "_kept_today", (far, "2027-01-01"))
    assert catalog.find_header("CodeSystem", ICD10NO).version == "2027"
    assert catalog.derived("in-force-test", lambda _c: object()) is not kept
    store.close()


def test_batch_checks_take_todays_edition(december):
    def check(code):
        return {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": REPORTABLE}, {"name": "system", "valueUri": ICD10NO},
            {"name": "code", "valueCode": code}]}}
    r = december.post("/fhir/ValueSet/$batch-validate-code",
                      json={"resourceType": "Parameters", "parameter": [check("A00.1"), check("A00.2")]})
    assert r.status_code == 200, r.get_json()
    answers = [_params(p["resource"]) for p in r.get_json()["parameter"] if p["name"] == "validation"]
    assert [a["result"] for a in answers] == [True, False]
    assert answers[0]["version"] == "2026"


def test_serve_refuses_a_malformed_today_before_starting(tmp_path, monkeypatch):
    from scripts.cli import main
    monkeypatch.setenv("KODEBRO_TODAY", "2026-11-31")
    out = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "k.db"), "--port", "1"])
    assert out.exit_code != 0 and "KODEBRO_TODAY must be a date written YYYY-MM-DD" in out.output
    assert "Traceback" not in out.output and not (tmp_path / "k.db").exists()


def test_translate_target_check_is_judged_by_todays_edition(tmp_path):
    # ICPC-2 D13 → R17: a grouping in NAV's ICD-10-NO 2026 list, absent from the small complete 2027 slice
    from mappings.translate import TranslateRequest, translate
    from tests.conftest import DATA
    db = str(tmp_path / "k.db")
    store = open_store(db)
    for path in (os.path.join(DATA, "norway", "navikt-ICD10-2026.json"),
                 os.path.join(DATA, "norway", "ehelse-ICPC2_til_ICD-10_CSV_1_1_2019.txt"),
                 os.path.join(DATA, "icd10no_slices", "icd10no-2027-small.json")):
        import_paths(store, [path])
    req = TranslateRequest(code="D13", system="http://hl7.org/fhir/sid/icpc-2", target_system=ICD10NO)
    december = translate(Catalog(store, today="2026-11-26"), req)
    assert "R17 is a grouping in ICD-10-NO 2026" in december.message
    assert "R17 is not in ICD-10-NO 2027" in translate(Catalog(store, today="2027-01-01"), req).message
    store.close()


# --- $translate within one codebook walks to the edition in force ---------------------------------------------

def test_translate_within_the_codebook_walks_to_the_edition_in_force(december, january):
    """A00.1 is in 2026 and not in 2027: in December the code is current (the walk ends in 2026, the edition in
    force), from 1 January it went out of use in 2027 (before: 'not a code of ICD-10-NO edition 2027' already in
    December, the newest loaded edition taken as the current one)."""
    q = {"system": ICD10NO, "code": "A00.1", "targetsystem": ICD10NO}
    status, body = _get(december, "ConceptMap/$translate", **q)
    out = _params(body)
    assert status == 200 and out["result"] is True, body
    assert "2027" not in (out.get("message") or "")
    status, body = _get(january, "ConceptMap/$translate", **q)
    out = _params(body)
    assert status == 200 and out["result"] is False, body
    assert "2027" in out["message"]


def test_a_requests_own_year_versioned_value_sets_follow_the_date(december):
    """Value sets sent with the request (tx-resource) in versions 2026 and 2027: a `date` in 2026 picks 2026, and
    without a date the latest sent answers (a request's own resources win, as for any version; review s16 A H1:
    the in-force default of stored value sets was taken for them, and the 2027 set answered a 2026 date)."""
    def vs(year, code):
        return {"resourceType": "ValueSet", "url": "http://x/rule", "version": year, "status": "active",
                "compose": {"include": [{"system": ICD10NO, "version": year, "concept": [{"code": code}]}]}}
    def check(*extra):
        body = {"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": "http://x/rule"}, {"name": "code", "valueCode": "A00.1"},
            {"name": "system", "valueUri": ICD10NO}, *extra,
            {"name": "tx-resource", "resource": vs("2026", "A001")},
            {"name": "tx-resource", "resource": vs("2027", "A002")}]}
        r = december.post("/fhir/ValueSet/$validate-code", json=body)
        assert r.status_code == 200, r.get_data(as_text=True)
        return _params(r.get_json())
    assert check({"name": "date", "valueDate": "2026-06-01"})["result"] is True
    assert check()["result"] is False            # the latest sent (2027) does not hold A00.1


# --- year-versioned ConceptMaps: the one in force answers ---------------------------------------------------------

def test_the_conversion_map_in_force_answers_without_a_version(tmp_path):
    """The directorate's ICPC-2 -> ICD-10 conversion is one map url with a version per year. With 2019's and a
    2027 one loaded, a December request naming no map version is answered by 2019's alone, from 1 January by
    2027's (review s16 A M3: the newest answered, or both did). The 2027 file is the real 2019 slice
    (terminology/demo, Direktoratet for e-helse) with its year and A04's target changed in the test."""
    from terminology.demo import DEMO_DIR
    real = os.path.join(DEMO_DIR, "ehelse-ICPC2_til_ICD-10-2019-slice.txt")
    text = open(real, encoding="utf-8").read()
    later = text.replace("gjelder fra 1.1.2019", "gjelder fra 1.1.2027").replace(
        "A04;Slapphet/tretthet;Slapphet/tretthet;R53;", "A04;Slapphet/tretthet;Slapphet/tretthet;R54;")
    assert later != text
    path = tmp_path / "ehelse-ICPC2_til_ICD-10-2027-slice.txt"
    path.write_text(later, encoding="utf-8")
    db = str(tmp_path / "maps.db")
    store = open_store(db)
    import_paths(store, [real, str(path)])
    store.close()

    def targets(today, **q):
        status, body = _get(_app(db, today).test_client(), "ConceptMap/$translate", system=ICPC2_URL, code="A04",
                            targetsystem=ICD10NO, **q)
        assert status == 200, body
        return sorted(part["valueCoding"]["code"] for p in body["parameter"] if p["name"] == "match"
                      for part in p["part"] if part["name"] == "concept")
    assert targets("2026-11-26") == ["R53"]
    assert targets("2027-01-01") == ["R54"]
    url = next(h.url for h in Catalog(open_store(db)).headers("ConceptMap") if "icpc2" in (h.url or "").lower())
    assert targets("2026-11-26", url=url) == ["R53"]
    assert targets("2026-11-26", url=url, conceptMapVersion="2027") == ["R54"]
    # a request's own map of that url answers, not the stored one in force nor next year's (its own resources win,
    # as a code system's do; review s16 C H1: the stored 2027 map answered, or all three did)
    own = {"resourceType": "ConceptMap", "url": url, "version": "2026", "status": "active",
           "group": [{"source": ICPC2_URL, "target": ICD10NO,
                      "element": [{"code": "A04", "target": [{"code": "Z99", "equivalence": "inexact"}]}]}]}
    client = _app(db, "2026-11-26").test_client()
    for q in ({}, {"url": url}):
        r = client.post("/fhir/ConceptMap/$translate", json={"resourceType": "Parameters", "parameter": [
            *({"name": k, "valueUri": v} for k, v in q.items()),
            {"name": "system", "valueUri": ICPC2_URL}, {"name": "code", "valueCode": "A04"},
            {"name": "targetsystem", "valueUri": ICD10NO}, {"name": "tx-resource", "resource": own}]})
        body = r.get_json()
        got = sorted(part["valueCoding"]["code"] for p in body["parameter"] if p["name"] == "match"
                     for part in p["part"] if part["name"] == "concept")
        assert got == ["Z99"], (q, body)


ICPC2_URL = "http://hl7.org/fhir/sid/icpc-2"
