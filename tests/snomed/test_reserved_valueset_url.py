"""A stored ValueSet may not take the url of a SNOMED CT implicit value set (R4 snomedct.html `?fhir_vs`): a stored
value set is found before the implicit one, so a copy at `…?fhir_vs=isa/<id>` would answer every request for that
url in its place. Refused (422) as a stored ConceptMap at a `?fhir_cm=` url is, by one rule for every write: PUT,
POST, a batch entry, `kodebro import`. The RF2 import's own reference set value sets keep their urls."""
from __future__ import annotations

import json

import pytest

from .conftest import SNOMED, import_rejects

ISA = SNOMED + "?fhir_vs=isa/404684003"
WHY = "reserved for SNOMED CT implicit value sets"

def _vs(**over) -> dict:
    vs = {"resourceType": "ValueSet", "status": "active",
          "compose": {"include": [{"system": SNOMED, "concept": [{"code": "404684003"}]}]}}
    vs.update(over)
    return vs


def _text(r) -> str:
    return r.get_json()["issue"][0]["details"]["text"]


def _total(client, url) -> int:
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": url, "count": 1})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["expansion"]["total"]


@pytest.mark.parametrize("url", [ISA, SNOMED + "?fhir_vs", SNOMED + "?fhir_vs=refset/88161000202101",
                                 "http://snomed.info/sct/51000202101/version/20250415?fhir_vs=ecl/<< 404684003",
                                 SNOMED + "?fhir_vs=nonsense"])
def test_put_and_post_at_an_implicit_url_are_refused(hand, url):
    for r in (hand.put("/fhir/ValueSet/mirror", json=_vs(id="mirror", url=url)),
              hand.post("/fhir/ValueSet", json=_vs(url=url))):
        assert r.status_code == 422, r.get_json()
        assert r.get_json()["resourceType"] == "OperationOutcome"
        text = _text(r)
        assert WHY in text and "give the ValueSet a url of its own" in text, text
    assert hand.get("/fhir/ValueSet/mirror").status_code == 404


def test_the_implicit_value_set_still_answers_after_a_refused_write(hand):
    before = _total(hand, ISA)
    assert before > 1
    assert hand.put("/fhir/ValueSet/mirror", json=_vs(id="mirror", url=ISA)).status_code == 422
    assert _total(hand, ISA) == before


def test_a_batch_entry_at_an_implicit_url_is_refused_alone(hand):
    entries = [{"request": {"method": "PUT", "url": "ValueSet/mirror"}, "resource": _vs(id="mirror", url=ISA)},
               {"request": {"method": "PUT", "url": "ValueSet/own"},
                "resource": _vs(id="own", url="https://example.org/fhir/ValueSet/own")}]
    r = hand.post("/fhir", data=json.dumps({"resourceType": "Bundle", "type": "batch", "entry": entries}),
                  content_type="application/fhir+json")
    assert r.status_code == 200, r.get_json()
    got = r.get_json()["entry"]
    assert got[0]["response"]["status"].startswith("422"), got[0]
    assert WHY in json.dumps(got[0])
    assert got[1]["response"]["status"][:3] in ("200", "201"), got[1]


def test_an_import_at_an_implicit_url_is_refused(tmp_path):
    import_rejects(tmp_path, _vs(id="mirror", url=ISA), WHY)


@pytest.mark.parametrize("url", ["http://snomed.info/sctx?fhir_vs", SNOMED + "?fhir_vsx=1",
                                 "https://example.org/fhir/ValueSet/x?fhir_vs", "http://hl7.org/fhir/sid/icpc-2x"])
def test_a_url_that_only_looks_alike_is_the_value_sets_own(hand, url):
    r = hand.put("/fhir/ValueSet/alike", json=_vs(id="alike", url=url))
    assert r.status_code in (200, 201), r.get_json()


def test_the_rf2_import_keeps_its_reference_set_value_sets(hand):
    r = hand.get("/fhir/ValueSet", query_string={"url": SNOMED + "?fhir_vs=refset/88161000202101"})
    assert [e["resource"]["id"] for e in r.get_json().get("entry", [])] == ["SNOMED-refset-88161000202101-20250415"]
