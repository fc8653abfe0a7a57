"""Next year's ICD-10-NO edition loaded in December (review s15 F1) and an edition removed again (F2).

Data: the demo's NAV ICD-10 slice (terminology/demo/navikt-ICD10-2026-slice.json, MIT, NAV IT), imported a second
time as edition 2027, as ops do with next year's list in December. Facts: editions of the Norwegian yearly
codebooks are valid from 1 January of their year (norway-identifiers.md); A00.0 is in both editions.
"""
import os

import pytest

from terminology import import_paths
from terminology.demo import DEMO_DIR

from .answers import issue_texts as _texts, params as _params

ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"
REPORTABLE = "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"
MAIN = "https://kodebro.no/fhir/ValueSet/icd-10-no-main-condition"
SLICE = os.path.join(DEMO_DIR, "navikt-ICD10-2026-slice.json")


def _app(tmp_path):
    from fhir_api import create_app
    from fhir_api.store import get_catalog, get_store
    # the day the review loaded 2027, so the answers without a date do not depend on the clock
    app = create_app({"DB": str(tmp_path / "k.db"), "DEMO": True, "TODAY": "2026-11-26"})
    with app.app_context():
        import_paths(get_store(), [SLICE], edition="2027")
        get_catalog().refresh(force=True)
    return app


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return _app(tmp_path_factory.mktemp("s15dates")).test_client()


@pytest.fixture
def fresh(tmp_path):
    app = _app(tmp_path)
    return app, app.test_client()


def _validate(client, url, code, **q):
    r = client.get("/fhir/ValueSet/$validate-code", query_string=dict(url=url, system=ICD10NO, code=code, **q))
    assert r.status_code == 200, r.get_json()
    return _params(r.get_json()), r.get_json()


# --- F1: a date picks the value set version of its year ---------------------------------------------------

@pytest.mark.parametrize("url,code", [(REPORTABLE, "A00.0"), (MAIN, "A00.0")])
def test_date_this_year_uses_this_years_rule_set(client, url, code):
    p, body = _validate(client, url, code, date="2026-11-26")
    assert p["result"] is True, _texts(body)
    assert p["version"] == "2026"


def test_datetime_this_year_uses_this_years_rule_set(client):
    p, body = _validate(client, REPORTABLE, "A00.0", date="2026-11-26T10:15:00+01:00")
    assert p["result"] is True and p["version"] == "2026", _texts(body)


def test_no_date_uses_the_edition_in_force_today(client):
    # was "the newest (2027)": without a date the edition in force today answers (review s16 H1)
    p, _ = _validate(client, REPORTABLE, "A00.0")
    assert p["result"] is True and p["version"] == "2026"


def test_date_next_year_uses_next_years_rule_set(client):
    p, _ = _validate(client, REPORTABLE, "A00.0", date="2027-02-01")
    assert p["result"] is True and p["version"] == "2027"


def test_value_set_version_given_is_kept_and_judged_by_the_date(client):
    p, body = _validate(client, REPORTABLE, "A00.0", date="2026-11-26", valueSetVersion="2027")
    assert p["result"] is False
    assert any("not in force on 2026-11-26" in t for t in _texts(body)), _texts(body)


def test_force_valueset_version_decides_over_the_date(client):
    p, body = _validate(client, REPORTABLE, "A00.0", date="2026-11-26",
                        **{"force-valueset-version": f"{REPORTABLE}|2027"})
    assert p["result"] is False, _texts(body)


def test_date_before_every_edition_is_refused_clearly(client):
    p, body = _validate(client, REPORTABLE, "A00.0", date="2019-06-01")
    assert p["result"] is False
    assert any("2019-06-01" in t for t in _texts(body)), _texts(body)


def test_expand_with_date_names_the_version_it_used(client):
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": REPORTABLE, "date": "2026-11-26", "count": 5})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == "2026"
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": REPORTABLE, "date": "2027-02-01", "count": 5})
    assert r.status_code == 200 and r.get_json()["version"] == "2027"
    # without a date: the edition in force today (was the newest, 2027, before review s16 H1)
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": REPORTABLE, "count": 5})
    assert r.status_code == 200 and r.get_json()["version"] == "2026"


def test_import_in_a_compose_follows_the_date(client):
    vs = {"resourceType": "ValueSet", "url": "http://sykehus.example/fhir/ValueSet/akutt", "version": "1.0.0",
          "status": "active", "compose": {"include": [{"valueSet": [REPORTABLE]}]}}
    r = client.post("/fhir/ValueSet/$validate-code", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}, {"name": "system", "valueUri": ICD10NO},
        {"name": "code", "valueCode": "A00.0"}, {"name": "date", "valueDateTime": "2026-11-26"}]})
    p = _params(r.get_json())
    assert r.status_code == 200 and p["result"] is True and p["version"] == "2026", r.get_json()


def _post_vs(client, url, version, edition="2026"):
    vs = {"resourceType": "ValueSet", "url": url, "version": version, "status": "active",
          "compose": {"include": [{"system": ICD10NO, "version": edition, "concept": [{"code": "A000"}]}]}}
    r = client.post("/fhir/ValueSet", json=vs)
    assert r.status_code == 201, r.get_json()


def test_semver_value_sets_take_the_newest_whatever_the_date(client):
    url = "http://sykehus.example/fhir/ValueSet/semver"
    _post_vs(client, url, "1.0.0")
    _post_vs(client, url, "2.0.0")
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": url, "date": "2026-11-26"})
    assert r.status_code == 200 and r.get_json()["version"] == "2.0.0", r.get_json()


def test_mixed_versions_take_the_newest_whatever_the_date(client):
    url = "http://sykehus.example/fhir/ValueSet/mixed"
    for version in ("2025", "2027", "3.0"):
        _post_vs(client, url, version)
    newest = client.get("/fhir/ValueSet/$expand", query_string={"url": url}).get_json()["version"]
    assert newest == "2027"         # (versions compare as numbers: 2027 > 3.0)
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": url, "date": "2026-06-01"})
    assert r.status_code == 200 and r.get_json()["version"] == newest, r.get_json()


# --- F2: removing an edition removes its generated rule value sets -------------------------------------

def _vs_ids(app):
    from fhir_api.store import get_store
    with app.app_context():
        return {h.id for h in get_store().headers("ValueSet") if h.url in (REPORTABLE, MAIN)}


def _generation(app):
    from fhir_api.store import get_store
    with app.app_context():
        return get_store().generation()


def test_delete_edition_removes_its_rule_sets_in_the_same_write(fresh):
    app, client = fresh
    assert {"ICD10NOReportable-2027", "ICD10NOMainCondition-2027"} <= _vs_ids(app)
    before = _generation(app)
    r = client.delete("/fhir/CodeSystem/ICD10NO-2027")
    assert r.status_code == 200, r.get_json()
    assert _generation(app) == before + 1          # one write, one generation
    assert _vs_ids(app) == {"ICD10NOReportable-2026", "ICD10NOMainCondition-2026"}
    assert client.get("/fhir/ValueSet/ICD10NOReportable-2027").status_code == 404
    for url in (REPORTABLE, MAIN):
        p, body = _validate(client, url, "A00.0")
        assert p["result"] is True and p["version"] == "2026", _texts(body)
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": REPORTABLE, "count": 3})
    assert r.status_code == 200 and r.get_json()["version"] == "2026"


def test_delete_edition_keeps_value_sets_written_by_others(fresh):
    app, client = fresh
    _post_vs(client, "http://sykehus.example/fhir/ValueSet/pinned-2027", "1", edition="2027")
    assert client.delete("/fhir/CodeSystem/ICD10NO-2027").status_code == 200
    r = client.get("/fhir/ValueSet", query_string={"url": "http://sykehus.example/fhir/ValueSet/pinned-2027"})
    assert r.get_json().get("total", len(r.get_json().get("entry", []))) == 1, r.get_json()


def test_refused_delete_leaves_everything(fresh):
    app, client = fresh
    ids = _vs_ids(app)
    before = _generation(app)
    r = client.delete("/fhir/CodeSystem/ICD10NO-2027", headers={"If-Match": 'W/"1-nottherightone"'})
    assert r.status_code == 412, r.get_json()
    assert _vs_ids(app) == ids and _generation(app) == before
    assert client.get("/fhir/CodeSystem/ICD10NO-2027").status_code == 200


def test_put_same_edition_back_keeps_its_rule_sets(fresh):
    app, client = fresh
    cs = client.get("/fhir/CodeSystem/ICD10NO-2027").get_json()
    r = client.put("/fhir/CodeSystem/ICD10NO-2027", json=cs)
    assert r.status_code == 200, r.get_json()
    assert {"ICD10NOReportable-2027", "ICD10NOMainCondition-2027"} <= _vs_ids(app)


def test_store_delete_through_derive_removes_rule_sets(fresh):
    """A removal that deletes through the store with the derive hook (as `kodebro remove` does) follows too."""
    from fhir_api.store import get_store
    from terminology.derived import Derive
    app, _client = fresh
    with app.app_context():
        report = get_store().write((), delete=[("CodeSystem", "ICD10NO-2026")],
                                   derive=Derive((), [("CodeSystem", "ICD10NO-2026")]))
    assert ("ValueSet", "ICD10NOReportable-2026") in report["deleted"]
    assert _vs_ids(app) == {"ICD10NOReportable-2027", "ICD10NOMainCondition-2027"}


def _edition(version, reportable=True):
    # (no property at all without the flag: FHIR JSON has no empty arrays)
    props = {"property": [{"code": "reportable", "valueBoolean": True}]} if reportable else {}
    return {"resourceType": "CodeSystem", "url": ICD10NO, "version": version, "status": "active",
            "content": "fragment", "caseSensitive": False,
            "property": [{"code": "reportable", "type": "boolean"}],
            "concept": [{"code": "A000", "display": "Kolera som skyldes Vibrio cholerae 01, biovar cholerae", **props},
                        {"code": "U071", "display": "Covid-19, virus påvist", **props}]}


def test_rest_create_of_an_edition_builds_its_rule_sets(fresh):
    app, client = fresh
    r = client.post("/fhir/CodeSystem", json=_edition("2028"))
    assert r.status_code == 201, r.get_json()
    assert {"ICD10NOReportable-2028", "ICD10NOMainCondition-2028"} <= _vs_ids(app)
    p, body = _validate(client, MAIN, "A00.0", date="2028-03-01")
    assert p["result"] is True and p["version"] == "2028", _texts(body)
    p, body = _validate(client, MAIN, "U07.1", date="2028-03-01")
    assert p["result"] is False, _texts(body)            # not valid as main condition (seed 002)
    p, _ = _validate(client, REPORTABLE, "A00.0", date="2027-03-01")
    assert p["result"] is True and p["version"] == "2027"
    # deleted again over REST: its rule sets go with it
    cs_id = next(e["resource"]["id"] for e in client.get(
        "/fhir/CodeSystem", query_string={"url": ICD10NO, "version": "2028"}).get_json()["entry"])
    assert client.delete(f"/fhir/CodeSystem/{cs_id}").status_code == 200
    assert not any(i.endswith("-2028") for i in _vs_ids(app))


def test_rest_create_without_reportable_flags_builds_nothing(fresh):
    app, client = fresh
    r = client.post("/fhir/CodeSystem", json=_edition("2028", reportable=False))
    assert r.status_code == 201, r.get_json()
    assert not any(i.endswith("-2028") for i in _vs_ids(app))


def test_rule_set_written_by_someone_else_is_neither_replaced_nor_deleted(fresh):
    app, client = fresh
    own = {"resourceType": "ValueSet", "url": REPORTABLE, "version": "2028", "name": "SykehusetsUtvalg",
           "publisher": "Sykehuset", "status": "active",
           "compose": {"include": [{"system": ICD10NO, "version": "2028", "concept": [{"code": "A000"}]}]}}
    assert client.post("/fhir/ValueSet", json=own).status_code == 201
    assert client.post("/fhir/CodeSystem", json=_edition("2028")).status_code == 201
    r = client.get("/fhir/ValueSet", query_string={"url": REPORTABLE, "version": "2028"}).get_json()
    assert [e["resource"]["publisher"] for e in r["entry"]] == ["Sykehuset"]
    cs_id = next(e["resource"]["id"] for e in client.get(
        "/fhir/CodeSystem", query_string={"url": ICD10NO, "version": "2028"}).get_json()["entry"])
    assert client.delete(f"/fhir/CodeSystem/{cs_id}").status_code == 200
    r = client.get("/fhir/ValueSet", query_string={"url": REPORTABLE, "version": "2028"}).get_json()
    assert [e["resource"]["publisher"] for e in r["entry"]] == ["Sykehuset"]
