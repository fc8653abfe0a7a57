"""A code's history when its codebook has one loaded edition: the code's one edition and text, no changes known
(CLI `kodebro history`, HTTP CodeSystem/$code-history, the engine); a code in no loaded edition stays "not a code".

The succession graph holds only codebooks with two or more editions (or a stated change); the history of any
other codebook is read from the catalog (mappings/succession_history.py)."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from mappings.succession_history import code_history
from scripts.cli import main
from terminology import Catalog, open_store
from terminology.demo import load_demo
from tests.conftest import DATA

ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
ICD10NO = "http://hl7.org/fhir/sid/icd-10-no"
ICPC2_LIST = os.path.join(DATA, "norway", "navikt-ICPC2-2026.json")    # NAV's full ICPC-2 list, 2026
FAT_ICD10 = os.path.join(DATA, "norway", "fat-icd10-2026.json")        # directorate download layout, dotted


def _cli(db, *args):
    return CliRunner().invoke(main, [*args, "--db", db])


@pytest.fixture(scope="module")
def one_edition_db(tmp_path_factory):
    """A hospital's store with one ICPC-2 edition and one ICD-10-NO edition, nothing else."""
    db = str(tmp_path_factory.mktemp("one") / "kb.sqlite")
    assert _cli(db, "import", ICPC2_LIST, "--edition", "2026").exit_code == 0
    assert _cli(db, "import", FAT_ICD10).exit_code == 0
    return db


@pytest.fixture(scope="module")
def client(one_edition_db):
    from fhir_api import create_app
    return create_app({"DB": one_edition_db, "DEMO": False}).test_client()


def test_cli_history_of_a_code_in_the_only_icpc2_edition(one_edition_db):
    r = _cli(one_edition_db, "history", "--system", "ICPC-2", "A01")
    assert r.exit_code == 0, r.output
    assert "A01 (ICPC-2" in r.output
    assert "in ICPC-2 2026, the only edition of ICPC-2 loaded; no predecessors or successors known" in r.output
    assert '2026: text "Smerte generell/flere steder" (edition)' in r.output
    assert "not a code" not in r.output


def test_cli_history_of_an_icd10no_code_in_one_edition_takes_the_dotted_spelling(one_edition_db):
    r = _cli(one_edition_db, "history", "--system", "ICD-10-NO", "J12.8")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("J128 (ICD-10-NO")
    assert "in ICD-10-NO 2026, the only edition of ICD-10-NO loaded" in r.output


def test_cli_history_json_of_one_edition(one_edition_db):
    r = _cli(one_edition_db, "history", "--system", "ICPC-2", "A01", "--json")
    assert r.exit_code == 0, r.output
    h = json.loads(r.output)
    assert h["system"] == ICPC2 and h["code"] == "A01"
    assert h["editions"] == ["2026"] and h["loaded_editions"] == ["2026"] and h["partial_editions"] == {}
    assert h["texts"] == [{"edition": "2026", "text": "Smerte generell/flere steder", "part": "display",
                           "source": "edition"}]
    assert h["events"] == h["predecessors"] == h["successors"] == []
    assert h["earlier_codes"] == h["later_codes"] == []


def test_cli_code_in_no_loaded_edition_is_not_a_code_and_names_the_loaded_edition(one_edition_db):
    r = _cli(one_edition_db, "history", "--system", "ICPC-2", "Z99")
    assert r.exit_code == 1
    assert "Z99 is not a code of ICPC-2 in any loaded edition" in r.output and "loaded: 2026" in r.output
    # a codebook not loaded at all is still "not known"
    r = _cli(one_edition_db, "history", "--system", "NCMP", "WMAA10")
    assert r.exit_code == 1 and "not known to this server" in r.output


def test_http_code_history_of_one_edition(client):
    r = client.get("/fhir/CodeSystem/$code-history", query_string={"system": ICPC2, "code": "A01"})
    assert r.status_code == 200, r.get_json()
    params = r.get_json()["parameter"]
    by = {}
    for p in params:
        by.setdefault(p["name"], []).append(p)
    assert by["code"][0]["valueCode"] == "A01"
    assert [p["valueString"] for p in by["edition"]] == ["2026"]
    assert [p["valueString"] for p in by["loadedEdition"]] == ["2026"]
    assert "no predecessors or successors known" in by["summary"][0]["valueString"]
    assert "event" not in by and "predecessor" not in by and "successor" not in by
    text = {q["name"]: q for q in by["text"][0]["part"]}
    assert text["text"]["valueString"] == "Smerte generell/flere steder"
    # coding=system|code, and the dotted ICD-10 spelling
    r = client.get("/fhir/CodeSystem/$code-history", query_string={"coding": f"{ICD10NO}|J12.8"})
    assert r.status_code == 200
    assert next(p for p in r.get_json()["parameter"] if p["name"] == "code")["valueCode"] == "J128"


def test_http_code_in_no_loaded_edition_is_a_404_listing_the_loaded_edition(client):
    r = client.get("/fhir/CodeSystem/$code-history", query_string={"system": ICPC2, "code": "Z99"})
    assert r.status_code == 404
    oo = r.get_json()
    assert oo["resourceType"] == "OperationOutcome"
    text = json.dumps(oo)
    assert "not a code of ICPC-2" in text and "loaded: 2026" in text


def test_engine_history_of_one_edition(one_edition_db):
    store = open_store(one_edition_db)
    try:
        catalog = Catalog(store)
        h = code_history(catalog, ICD10NO, "J12.8")
        assert h["code"] == "J128" and h["editions"] == ["2026"] and h["events"] == []
        assert code_history(catalog, ICD10NO, "J128")["texts"] == h["texts"]
        assert [t["text"] for t in h["texts"]] == ["Annen spesifisert viruspneumoni"]
        # listed in the one edition, but retired there (validTo 2025-12-31): a code, not in use
        m = code_history(catalog, ICD10NO, "M19.06")
        assert m["code"] == "M1906" and m["editions"] == [] and m["inactive_editions"] == ["2026"]
        assert m["texts"][0]["text"] == "Primær artrose i annet ledd, kne"
    finally:
        store.close()


def test_cli_history_of_a_code_the_only_edition_lists_as_inactive(one_edition_db):
    r = _cli(one_edition_db, "history", "--system", "ICD-10-NO", "M19.06")
    assert r.exit_code == 0, r.output
    assert "in ICD-10-NO 2026, the only edition of ICD-10-NO loaded, where it is inactive" in r.output


def test_a_fragment_as_the_only_edition_says_so(tmp_path):
    # the demo's ICPC-2 2026 is a slice of the list (R4 content fragment)
    db = str(tmp_path / "demo.sqlite")
    store = open_store(db)
    load_demo(store)
    store.close()
    r = _cli(db, "history", "--system", "ICPC-2", "A01")
    assert r.exit_code == 0, r.output
    assert "in ICPC-2 2026 (fragment), the only edition of ICPC-2 loaded" in r.output
    # what the fragment leaves out may still be a code: the answer says the one edition is partial
    r = _cli(db, "history", "--system", "ICPC-2", "Z99")
    assert r.exit_code == 1 and "loaded: 2026 (fragment)" in r.output


def test_a_second_edition_gives_the_history_from_the_graph(tmp_path):
    db = str(tmp_path / "two.sqlite")
    assert _cli(db, "import", ICPC2_LIST, "--edition", "2026").exit_code == 0
    assert _cli(db, "import", ICPC2_LIST, "--edition", "2025").exit_code == 0
    r = _cli(db, "history", "--system", "ICPC-2", "A01")
    assert r.exit_code == 0, r.output
    assert "in loaded editions: 2025, 2026 (loaded: 2025, 2026)" in r.output
    assert "only edition" not in r.output


def test_two_editions_name_the_one_that_lists_the_code_as_inactive(tmp_path):
    # the same list as edition 2025 (M19.06 valid to 2025-12-31: in use) and 2026 (retired)
    db = str(tmp_path / "two-icd.sqlite")
    assert _cli(db, "import", FAT_ICD10, "--edition", "2025").exit_code == 0
    assert _cli(db, "import", FAT_ICD10, "--edition", "2026").exit_code == 0
    r = _cli(db, "history", "--system", "ICD-10-NO", "M19.06")
    assert r.exit_code == 0, r.output
    assert "in loaded editions: 2025 (loaded: 2025, 2026)" in r.output
    assert "listed as inactive in: 2026" in r.output and "2026: retired (derived from editions)" in r.output
