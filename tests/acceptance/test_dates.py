"""`date` on $lookup and $validate-code as integration engines send it: full dates, dateTimes with a zone,
and the partial dates FHIR allows (`2021`, `2020-06`). The edition in force on that date answers."""
from __future__ import annotations

import pytest
import requests

NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"


def _params(r):
    assert r.status_code == 200, r.text
    return {p["name"]: p for p in r.json()["parameter"]}


@pytest.mark.parametrize("date,edition", [("2021-06-01", "2021"), ("2021", "2021"), ("2020-06", "2020"),
                                          ("2020-12-31T23:00:00+01:00", "2020"), ("2019-06-01", "2019")])
def test_lookup_answers_from_the_edition_in_force(site, date, edition):
    base, _db = site
    p = _params(requests.get(base + "/CodeSystem/$lookup", params={"system": NCMP, "code": "OAEA00", "date": date},
                             timeout=10))
    assert p["version"]["valueString"] == edition


def test_a_date_that_is_not_a_date_is_a_bad_request(site):
    base, _db = site
    r = requests.get(base + "/CodeSystem/$lookup", params={"system": NCMP, "code": "OAEA00", "date": "garbage"},
                     timeout=10)
    assert r.status_code == 400 and r.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("date,valid", [("2020-06-01", False), ("2021-06-01", True), ("2019-06-01", True)])
def test_validate_code_follows_the_edition_in_force(site, date, valid):
    base, _db = site
    p = _params(requests.get(base + "/CodeSystem/$validate-code", params={"url": NCMP, "code": "OAEA00", "date": date},
                             timeout=10))
    assert p["result"]["valueBoolean"] is valid


def test_validate_code_with_a_year_date(site):
    base, _db = site
    p = _params(requests.get(base + "/CodeSystem/$validate-code", params={"url": NCMP, "code": "OAEA00", "date": "2021"},
                             timeout=10))
    assert p["result"]["valueBoolean"] is True


def test_validate_code_with_a_date_that_is_not_a_date_is_a_bad_request(site):
    base, _db = site
    r = requests.get(base + "/CodeSystem/$validate-code", params={"url": NCMP, "code": "OAEA00", "date": "garbage"},
                     timeout=10)
    assert r.status_code == 400
