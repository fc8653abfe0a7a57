"""Code history (engine, HTTP, CLI), diff-editions, dates, OperationDefinitions, edition ConceptMaps."""
from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from mappings.changelist import to_conceptmaps, parse_row
from mappings.succession_build import graph_for
from mappings.succession_history import code_history
from scripts.cli import main
from terminology import Catalog
from terminology.identifiers import NCMP, NCRP


def test_history_of_a_reactivated_code(catalog):
    h = code_history(catalog, "urn:oid:2.16.578.1.12.4.1.1.7220", "OAEA00")
    assert h["editions"] == ["2019", "2021"] and h["loaded_editions"] == ["2019", "2020", "2021"]
    assert [(e["edition"], e["kind"]) for e in h["events"]] == [("2020", "retired"), ("2021", "reactivated")]


def test_history_texts_over_time_and_lineage(catalog):
    h = code_history(catalog, NCMP, "WMAA10")
    display = [(t["edition"], t["text"]) for t in h["texts"] if t["part"] == "display"]
    assert display == [("2019", "Tverrfaglig utredning"), ("2021", "Tverrfaglig utredning av ukjent tilstand")]
    assert any(t["part"] == "subtext" and t["edition"] == "2021" for t in h["texts"])
    sap = code_history(catalog, NCRP, "SAA0AP")
    assert sorted(p["code"] for p in sap["predecessors"]) == ["SAA0AE", "SAA0AF"]
    assert {c["code"] for c in sap["earlier_codes"]} == {"SAA0AE", "SAA0AF"}


def test_http_code_history(seeded_client):
    r = seeded_client.get("/fhir/CodeSystem/$code-history", query_string={"system": NCRP, "code": "SAA0AE"})
    assert r.status_code == 200
    params = r.get_json()["parameter"]
    succ = [p for p in params if p["name"] == "successor"]
    assert len(succ) == 1
    parts = {p["name"]: p for p in succ[0]["part"]}
    assert parts["concept"]["valueCoding"]["code"] == "SAA0AP" and parts["edition"]["valueString"] == "2017"
    assert parts["kind"]["valueCode"] == "merged"
    summary = next(p["valueString"] for p in params if p["name"] == "summary")
    assert "2017: merged -> NCRP SAA0AP" in summary
    r = seeded_client.get("/fhir/CodeSystem/$code-history", query_string={"system": NCRP, "code": "NOPE"})
    assert r.status_code == 404 and r.get_json()["resourceType"] == "OperationOutcome"
    r = seeded_client.get("/fhir/CodeSystem/$code-history", query_string={"code": "NOPE"})
    assert r.status_code == 400
    # coding=system|code in a query, as the other operations take it
    r = seeded_client.get("/fhir/CodeSystem/$code-history", query_string={"coding": f"{NCRP}|SAA0AE"})
    assert r.status_code == 200
    assert any(p["name"] == "successor" for p in r.get_json()["parameter"])


def test_operation_definitions_are_served(seeded_client):
    r = seeded_client.get("/fhir/OperationDefinition/CodeSystem-code-history")
    assert r.status_code == 200 and r.get_json()["code"] == "code-history"
    r = seeded_client.get("/fhir/OperationDefinition/ConceptMap-translate")
    names = [p["name"] for p in r.get_json()["parameter"]]
    assert "target-version" in names
    bundle = seeded_client.get("/fhir/OperationDefinition").get_json()
    assert bundle["total"] >= 2
    assert seeded_client.get("/fhir/OperationDefinition/nope").status_code == 404
    cs = next(x for x in seeded_client.get("/fhir/metadata").get_json()["rest"][0]["resource"]
              if x["type"] == "CodeSystem")
    assert any(o["name"] == "code-history" for o in cs["operation"])


def test_adjacent_edition_maps_are_plain_conceptmaps(seeded_client):
    url = "https://kodebro.no/fhir/ConceptMap/changes-ncrp-2017"
    r = seeded_client.get("/fhir/ConceptMap", query_string={"url": url})
    bundle = r.get_json()
    assert bundle["total"] == 1
    r = seeded_client.get("/fhir/ConceptMap/changes-ncrp-2017")
    assert r.status_code == 200 and r.get_json()["group"][0]["targetVersion"] == "2017"
    # a standard client using the map by url gets the one-step answer
    r = seeded_client.get("/fhir/ConceptMap/$translate", query_string={
        "url": "https://kodebro.no/fhir/ConceptMap/changes-ncrp-2017", "system": NCRP, "code": "SAA0AF"})
    params = r.get_json()["parameter"]
    assert params[0]["valueBoolean"] is True


def test_validate_code_by_date_follows_the_edition_in_force(seeded_client):
    def valid(date):
        r = seeded_client.get("/fhir/CodeSystem/$validate-code",
                              query_string={"url": NCMP, "code": "OAEA00", "date": date})
        assert r.status_code == 200
        return next(p["valueBoolean"] for p in r.get_json()["parameter"] if p["name"] == "result")
    assert valid("2021-06-01") is True
    assert valid("2020-06-01") is False
    assert valid("2019-06-01") is True


def test_lookup_by_date(catalog):
    from terminology.operations.lookup import LookupRequest, lookup
    from terminology.errors import TerminologyError
    got = lookup(catalog, LookupRequest(code="WMAA10", system=NCMP, date="2019-03-01"))
    assert getattr(got, "display", None) == "Tverrfaglig utredning" or \
        getattr(got, "version", None) == "2019"
    try:
        later = lookup(catalog, LookupRequest(code="WMAA10", system=NCMP, date="2021-03-01"))
    except TerminologyError:
        raise AssertionError("2021 lookup failed")
    assert getattr(later, "display", None) == "Tverrfaglig utredning av ukjent tilstand"


def test_graph_is_rebuilt_when_the_store_changes(seeded):
    from terminology.loader import load
    from terminology.importers import Item
    cat = Catalog(seeded)
    g1 = graph_for(cat)
    assert graph_for(cat) is g1
    change, _ = parse_row({"codebook": "NCRP", "edition": "2018", "kind": "retired", "code": "SAA0AP"})
    load(seeded, [Item("test", resource=cm) for cm in to_conceptmaps([change])])
    cat.refresh(force=True)
    g2 = graph_for(cat)
    assert g2 is not g1 and (NCRP, "SAA0AP") in g2.g


def test_cli_diff_editions_and_history(db_path, seeded, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["diff-editions", "--db", db_path, "--system", "NCMP", "--from", "2020", "--to", "2021"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    got = {(x["kind"], x["code"]) for x in rows}
    assert ("retired", "ZWUU40") in got and ("reactivated", "OAEA00") in got and ("new", "JAGD55") in got
    assert ("text", "WMAA10") in got
    text = next(x for x in rows if x["code"] == "WMAA10")
    assert (text["old_text"], text["new_text"]) == ("Tverrfaglig utredning", "Tverrfaglig utredning av ukjent tilstand")
    out = tmp_path / "draft.json"
    r = runner.invoke(main, ["diff-editions", "--db", db_path, "--system", NCMP, "--from", "2019", "--to", "2020",
                             "--out", str(out)])
    assert r.exit_code == 0
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert draft["format"] == "kodebro-changelist"
    assert {(c["kind"], c["code"]) for c in draft["changes"]} == {("retired", "OAEA00"), ("retired", "OCAA00")}
    r = runner.invoke(main, ["diff-editions", "--db", db_path, "--system", "NCMP", "--from", "2015", "--to", "2021"])
    assert r.exit_code == 1 and "not loaded" in r.output
    r = runner.invoke(main, ["history", "--db", db_path, "--system", "NCRP", "SAA0AE"])
    assert r.exit_code == 0 and "2017: merged -> NCRP SAA0AP" in r.output
    r = runner.invoke(main, ["history", "--db", db_path, "--system", "NCRP", "SAA0AE", "--json"])
    assert json.loads(r.output)["successors"][0]["code"] == "SAA0AP"


def test_diff_editions_draft_imports_back(db_path, seeded, tmp_path):
    from terminology.loader import import_paths
    runner = CliRunner()
    out = tmp_path / "draft.csv"
    r = runner.invoke(main, ["diff-editions", "--db", db_path, "--system", "NCRP", "--from", "2016", "--to", "2017",
                             "--out", str(out)])
    assert r.exit_code == 0
    report = import_paths(seeded, [str(out)])
    assert [a[1] for a in report.replaced] == ["changes-ncrp-2017"] or report.added
