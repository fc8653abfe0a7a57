"""Review s15 F8: a derived retirement is dated by the code's validTo when it says earlier than the next complete
edition, and a fragment (or example) edition's silence is no event: not in the graph, not in history, not in
$translate."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from mappings.succession_build import graph_for
from mappings.succession_history import code_history, summary_lines
from mappings.translate import TranslateRequest, translate
from tests.successions.conftest import E2025, E2027, F2026, ICD10_NO, M1905, concept, edition


def _events(sg, code):
    return [(ed, kind, derived) for ed, kind, _o, _n, _p, _note, derived in sg.local_events((ICD10_NO, code))]


def _ask(cat, code, version, target_version):
    return translate(cat, TranslateRequest(code=code, system=ICD10_NO, version=version, target_system=ICD10_NO,
                                           target_version=target_version))


# --- the graph ---------------------------------------------------------------------------------------------

def test_validto_dates_the_derived_retirement(load):
    sg = graph_for(load(E2025, F2026, E2027))
    assert _events(sg, "M1906") == [("2026", "retired", True)]
    # no validTo: the first complete edition without the code
    assert _events(sg, "A001") == [("2027", "retired", True)]
    # validTo 2026-12-31: the year after is 2027, the next complete edition: not earlier, so 2027 as before
    assert _events(sg, "R170") == [("2027", "retired", True)]


def test_validto_dates_the_retirement_without_a_fragment_too(load):
    sg = graph_for(load(E2025, E2027))
    assert _events(sg, "M1906") == [("2026", "retired", True)]


@pytest.mark.parametrize("content", ["fragment", "example"])
def test_a_partial_edition_between_two_complete_ones_changes_no_event(load, store, content):
    without = graph_for(load(E2025, E2027))
    before = {code: _events(without, code) for code in ("M1905", "J128", "M1906", "A001", "R170", "U099")}
    partial = dict(F2026, content=content)
    with_partial = graph_for(load(partial))
    assert ("2026" in with_partial.loaded[ICD10_NO]) and (ICD10_NO, "2026") not in with_partial.complete
    assert {code: _events(with_partial, code) for code in before} == before
    assert before["U099"] == [("2027", "new", True)] and before["J128"] == []


def test_a_partial_edition_after_the_last_complete_one_retires_nothing(load):
    sg = graph_for(load(E2025, F2026))
    assert _events(sg, "A001") == [] and _events(sg, "J128") == []
    # the validTo alone does not make an event: only a complete edition without the code does
    assert _events(sg, "M1906") == []


def test_validto_of_the_last_edition_listing_the_code_counts(load):
    # the fragment lists M1906 with a later validTo than 2025 gave: the last listing wins
    f = edition("2026", "fragment", [dict(E2025["concept"][2], property=[{"code": "validTo",
                                                                          "valueDateTime": "2026-06-30"}])])
    e2028 = edition("2028", "complete", E2027["concept"])
    sg = graph_for(load(E2025, f, e2028))
    assert _events(sg, "M1906") == [("2027", "retired", True)]


def test_a_new_code_the_fragment_lists_is_new_there(load):
    f = edition("2026", "fragment", [E2027["concept"][2]])       # U099 already in the 2026 fragment
    sg = graph_for(load(E2025, f, E2027))
    assert _events(sg, "U099") == [("2026", "new", True)]


def test_a_new_code_is_dated_by_its_validfrom(load):
    e2027 = edition("2027", "complete", E2027["concept"][:2] + [concept("U099", "Post-covid-19-tilstand",
                                                                          valid_from="2026-01-01")])
    sg = graph_for(load(E2025, F2026, e2027))
    assert _events(sg, "U099") == [("2026", "new", True)]


def test_a_fragment_listing_the_code_as_inactive_dates_the_retirement(load):
    gone = dict(E2025["concept"][3], property=[{"code": "status", "valueCode": "retired"}])
    f = edition("2026", "fragment", [M1905, gone], extra_property={"code": "status", "type": "code"})
    sg = graph_for(load(E2025, f, E2027))
    assert (ICD10_NO, "A001") in sg.g and "A001" in sg.editions[(ICD10_NO, "2026")].inactive
    assert _events(sg, "A001") == [("2026", "retired", True)]


def test_diff_editions_dates_rows_as_the_graph_does(load):
    from mappings.edition_diff import edition_changes
    cat = load(E2025, F2026, E2027)
    rows = {(c.code, c.kind): c.edition for c in edition_changes(cat, ICD10_NO, "2025", "2027")}
    assert rows[("M1906", "retired")] == "2026" and rows[("A001", "retired")] == "2027"


# --- history and $code-history --------------------------------------------------------------------------------

def test_history_says_retired_in_2026(load):
    cat = load(E2025, F2026, E2027)
    h = code_history(cat, ICD10_NO, "M19.06")
    assert [(e["edition"], e["kind"]) for e in h["events"]] == [("2026", "retired")]
    lines = summary_lines(h)
    assert any(line.strip().startswith("2026: retired") for line in lines), lines
    assert not any("2027: retired" in line for line in lines)
    # the fragment is said to be one, so "in loaded editions: 2025" does not read as "not in 2026"
    assert any("2026 (fragment)" in line for line in lines), lines


def test_http_code_history_says_2026(load, db_path):
    from fhir_api import create_app
    load(E2025, F2026, E2027)
    client = create_app({"DB": db_path, "DEMO": False}).test_client()
    r = client.get("/fhir/CodeSystem/$code-history", query_string={"system": ICD10_NO, "code": "M19.06"})
    assert r.status_code == 200
    params = r.get_json()["parameter"]
    events = [{p["name"]: p for p in ev["part"]} for ev in params if ev["name"] == "event"]
    assert [(e["edition"]["valueString"], e["kind"]["valueCode"]) for e in events] == [("2026", "retired")]
    summary = next(p["valueString"] for p in params if p["name"] == "summary")
    assert "2026: retired" in summary and "2027: retired" not in summary


def test_cli_history_says_2026(load, db_path):
    from scripts.cli import main
    load(E2025, F2026, E2027)
    out = CliRunner().invoke(main, ["history", "--system", ICD10_NO, "M19.06", "--db", db_path])
    assert out.exit_code == 0, out.output
    assert "2026: retired" in out.output and "2027: retired" not in out.output


# --- $translate -------------------------------------------------------------------------------------------------

def test_translate_2025_to_2027_retired_in_2026(load):
    res = _ask(load(E2025, F2026, E2027), "M19.06", "2025", "2027")
    assert res.result is False
    assert "M1906 (ICD-10-NO 2025) was retired in 2026 without a successor" in res.message, res.message
    steps = [m.extensions for m in res.matches][0]
    assert any(p.get("valueString") == "2026" for e in steps if e["url"].endswith("succession-step")
               for p in e["extension"])


def test_translate_into_the_fragment_year_follows_validto(load):
    res = _ask(load(E2025, F2026, E2027), "M1906", "2025", "2026")
    assert res.result is False and "retired in 2026" in res.message, res.message


def test_translate_into_a_fragment_that_leaves_the_code_out_is_not_unchanged(load):
    cat = load(E2025, F2026, E2027)
    res = _ask(cat, "A001", "2025", "2026")
    # the 2026 fragment does not list A001 and 2027 no longer has it: whether it was in 2026 is not known
    assert res.result is False, (res.message, res.matches)
    assert not [m for m in res.matches if m.code]
    assert "unchanged" not in (res.message or "")
    assert "fragment" in res.message and "2026" in res.message, res.message
    assert "not known" in res.message, res.message


def test_translate_into_a_fragment_keeps_a_code_both_complete_editions_list(load):
    # J128 is in 2025 and 2027 and nothing happened to it: the fragment's silence does not change that
    res = _ask(load(E2025, F2026, E2027), "J128", "2025", "2026")
    assert res.result is True
    assert [(m.code, m.equivalence, m.version) for m in res.matches] == [("J128", "equal", "2026")]


def test_translate_over_the_fragment_to_the_next_complete_edition(load):
    cat = load(E2025, F2026, E2027)
    res = _ask(cat, "A001", "2025", "2027")
    assert res.result is False and "retired in 2027" in res.message
    res = _ask(cat, "J128", "2025", "2027")
    assert [(m.code, m.equivalence) for m in res.matches] == [("J128", "equal")]
