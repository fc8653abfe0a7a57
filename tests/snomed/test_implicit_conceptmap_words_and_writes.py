"""SNOMED CT implicit ConceptMaps (review-cm2 B, D, G and its code points): what an R4 answer says where a match
has no comment (reverse answers, inactive targets), stored maps refused at the urls and ids the server keeps for
them, and where the implicit map's pieces live."""
from __future__ import annotations

import ast
import inspect
import os
import re
import shutil

import pytest

from tests.conftest import ROOT

from .conftest import DUMMY, SNOMED, client_at, import_rejects
from .translate_answers import translate_get as _get, message as _message

REPLACED_BY = SNOMED + "?fhir_cm=900000000000526001"
ASSOCIATIONS = os.path.join("Snapshot", "Refset", "Content",
                            "der2_cRefset_AssociationReferenceSnapshot_INT_20180731.txt")


@pytest.fixture(scope="module")
def inactive_target(tmp_path_factory):
    """The dummy release with one more row: 118225008 REPLACED BY 246188002, which is itself inactive (REPLACED BY
    404684003). Real releases keep targets active; a local extension need not."""
    root = tmp_path_factory.mktemp("cm3-inactive-target")
    release = os.path.join(str(root), "RF2Release")
    shutil.copytree(DUMMY, release)
    with open(os.path.join(release, ASSOCIATIONS), "a", newline="") as f:
        f.write("\t".join(["a0c1c3a4-0000-4000-8000-000000000001", "20180731", "1", "900000000000207008",
                           "900000000000526001", "118225008", "246188002"]) + "\n")
    return client_at(root, release)


def _codes(body) -> list[str]:
    return [q["valueCoding"]["code"] for m in body["parameter"] if m["name"] == "match"
            for q in m["part"] if q["name"] == "concept"]


# --- B: a reverse answer says its concepts are not substitutes ---------------------------------------------------

@pytest.mark.parametrize("qs", [{"url": REPLACED_BY}, {"targetsystem": SNOMED}])
def test_reverse_answer_says_the_sources_are_replaced_concepts_not_substitutes(hand, qs):
    status, body = _get(hand, system=SNOMED, code="75570004", reverse="true", **qs)
    assert status == 200 and _codes(body) == ["155574008"], body
    message = _message(body)
    assert "155574008" in message and "inactive concepts that 75570004 replaced" in message
    assert "NOT substitutes for 75570004" in message


# --- G: a replacement that is itself inactive is said so -----------------------------------------------------------

@pytest.mark.parametrize("qs", [{"url": REPLACED_BY}, {"targetsystem": SNOMED}])
def test_an_inactive_replacement_is_said_so(inactive_target, qs):
    status, body = _get(inactive_target, system=SNOMED, code="118225008", **qs)
    assert status == 200 and "246188002" in _codes(body), body
    message = _message(body)
    assert "is itself inactive" in message and "replaced by 404684003" in message, message


def test_an_active_replacement_gets_no_such_word(hand):
    status, body = _get(hand, system=SNOMED, code="155574008", url=REPLACED_BY)
    assert status == 200 and _codes(body) == ["75570004"], body
    assert "itself inactive" not in _message(body)


def test_the_inactive_note_marks_an_inactive_replacement(inactive_target):
    note = inactive_target.get("/fhir/CodeSystem/$validate-code",
                               query_string={"url": SNOMED, "code": "118225008"}).get_data(as_text=True)
    assert "246188002 |" in note and "(itself inactive)" in note


# --- D: the implicit maps' urls and ids are the server's ----------------------------------------------------------

def _map(**over) -> dict:
    cm = {"resourceType": "ConceptMap", "url": "https://example.org/cm/mirror", "status": "active",
          "group": [{"source": SNOMED, "target": SNOMED, "element": [
              {"code": "155574008", "target": [{"code": "75570004", "equivalence": "equivalent"}]}]}]}
    cm.update(over)
    return cm


@pytest.mark.parametrize("url", [REPLACED_BY, "http://snomed.info/sct/51000202101?fhir_cm=900000000000526001",
                                 SNOMED + "?fhir_cm=447562003", SNOMED + "?fhir_cm=abc"])
def test_a_stored_map_at_an_implicit_url_is_refused(hand, url):
    for r in (hand.put("/fhir/ConceptMap/mirror-rb", json=_map(id="mirror-rb", url=url)),
              hand.post("/fhir/ConceptMap", json=_map(url=url))):
        assert r.status_code == 422, r.get_json()
        assert "reserved for SNOMED CT implicit ConceptMaps" in r.get_json()["issue"][0]["details"]["text"]
    assert hand.get("/fhir/ConceptMap/mirror-rb").status_code == 404


def test_a_stored_map_under_an_implicit_id_is_refused(hand):
    rid = "sct-cm-900000000000526001-900000000000207008-20180731"
    r = hand.put(f"/fhir/ConceptMap/{rid}", json=_map(id=rid))
    assert r.status_code == 422, r.get_json()
    assert "reserved for SNOMED CT implicit ConceptMaps" in r.get_json()["issue"][0]["details"]["text"]


def test_a_create_ignores_a_reserved_id_in_the_body(hand):
    # http.html#create: the body's id is ignored, so it is no reason to refuse the map
    r = hand.post("/fhir/ConceptMap", json=_map(id="sct-cm-900000000000526001", url="https://example.org/cm/own"))
    assert r.status_code == 201, r.get_json()
    assert not r.headers["Location"].rstrip("/").split("/")[-1].startswith("sct-cm-")


def test_an_import_of_a_map_at_an_implicit_url_is_refused(tmp_path):
    import_rejects(tmp_path, _map(id="mirror", url=REPLACED_BY), "reserved for SNOMED CT implicit ConceptMaps")


# --- where the pieces live -----------------------------------------------------------------------------------------

def _source(*parts) -> str:
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def test_the_generic_translate_engine_knows_nothing_of_snomed_maps():
    src = _source("mappings", "translate.py")
    assert "_rows_by_url" not in src and not re.search(r"\bmap_url\b", src) and "snomed.implicit" not in src


def test_served_bodies_are_one_plain_function():
    from fhir_api import resource_views
    assert callable(resource_views.served_body)
    assert not hasattr(resource_views, "_Served") and not hasattr(resource_views, "_served_last")


def test_search_sets_no_row_body_from_outside():
    tree = ast.parse(_source("fhir_api", "search.py"))
    poked = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "_body"
             and isinstance(n.ctx, ast.Store)]
    assert not poked


def test_map_edition_takes_named_versions():
    from terminology.snomed.implicit import map_edition
    params = inspect.signature(map_edition).parameters
    assert not any(p.kind is p.VAR_POSITIONAL for p in params.values())
    assert {"pinned", "conceptmap_version"} <= {n for n, p in params.items() if p.kind is p.KEYWORD_ONLY}


def test_search_filters_an_implicit_header_by_its_body(hand):
    # Row.body reads the implicit header itself (served_body), not a copy the search laid on it
    found = hand.get("/fhir/ConceptMap", query_string={"url": REPLACED_BY, "description": "The concept map"})
    assert found.status_code == 200 and found.get_json()["total"] == 1, found.get_json()
    none = hand.get("/fhir/ConceptMap", query_string={"url": REPLACED_BY, "description": "no such words"})
    assert none.get_json()["total"] == 0


def test_translate_on_an_implicit_id_in_both_directions(hand):
    rid = hand.get("/fhir/ConceptMap", query_string={"url": REPLACED_BY}).get_json()["entry"][0]["resource"]["id"]
    r = hand.get(f"/fhir/ConceptMap/{rid}/$translate", query_string={"system": SNOMED, "code": "155574008"})
    assert r.status_code == 200 and _codes(r.get_json()) == ["75570004"], r.get_json()
    r = hand.get(f"/fhir/ConceptMap/{rid}/$translate",
                 query_string={"system": SNOMED, "code": "75570004", "reverse": "true"})
    assert r.status_code == 200 and _codes(r.get_json()) == ["155574008"], r.get_json()
