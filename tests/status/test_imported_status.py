"""$expand warns about an imported value set's lifecycle status (ADOPT 3 of research-s10-status): FHIRsmith's
includeCodes/excludeCodes check each imported value set (checkResourceCanonicalStatus), so a draft, retired or
experimental import gives warning-draft / warning-retired / warning-experimental with its canonical, a draft root
suppressing the draft one. The root value set itself keeps its own rule (no draft or retired warning for
itself)."""
import pytest

from tests.support.tx_requests import eparams, post
from tests.support.resources import cs, vs

CS = "http://example.org/fhir/CodeSystem/s10-import"
OUTER = "http://example.org/fhir/ValueSet/s10-import-outer"
INNER = "http://example.org/fhir/ValueSet/s10-import-inner"
SS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"
CONCEPTS = [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}]


def _expand(client, setup, url=OUTER):
    status, b = post(client, "ValueSet/$expand", [("url", url)], setup)
    assert status == 200, b
    return b["expansion"]


def _warnings(exp):
    return [(p["name"], p.get("valueUri")) for p in exp.get("parameter") or [] if p["name"].startswith("warning-")]


def _inner(**kw):
    return vs(INNER, [{"system": CS, "concept": [{"code": "a"}]}], "1", **kw)


@pytest.mark.parametrize("kw, warning", [
    ({"status": "retired"}, "warning-retired"),
    ({"status": "draft"}, "warning-draft"),
    ({"experimental": True}, "warning-experimental"),
    ({"status": "draft", "experimental": True}, "warning-experimental"),
    ({"extension": [{"url": SS, "valueCode": "deprecated"}]}, "warning-deprecated"),
], ids=["retired", "draft", "experimental", "draft-experimental", "deprecated"])
def test_imported_value_set_status_is_warned_about(client, kw, warning):
    exp = _expand(client, [cs(CS, "1", CONCEPTS), _inner(**kw), vs(OUTER, [{"valueSet": [INNER]}], "1")])
    assert _warnings(exp) == [(warning, f"{INNER}|1")]
    assert eparams(exp, "used-valueset") == [f"{INNER}|1"]
    assert [c["code"] for c in exp["contains"]] == ["a"]


def test_excluded_value_set_status_is_warned_about(client):
    outer = vs(OUTER, [{"system": CS}], "1")
    outer["compose"]["exclude"] = [{"valueSet": [INNER]}]
    exp = _expand(client, [cs(CS, "1", CONCEPTS), _inner(status="retired"), outer])
    assert _warnings(exp) == [("warning-retired", f"{INNER}|1")]
    assert [c["code"] for c in exp["contains"]] == ["b"]


def test_draft_root_does_not_warn_about_a_draft_import(client):
    setup = [cs(CS, "1", CONCEPTS), _inner(status="draft"), vs(OUTER, [{"valueSet": [INNER]}], "1", status="draft")]
    assert _warnings(_expand(client, setup)) == []


def test_draft_root_still_warns_about_a_retired_import(client):
    setup = [cs(CS, "1", CONCEPTS), _inner(status="retired"), vs(OUTER, [{"valueSet": [INNER]}], "1", status="draft")]
    assert _warnings(_expand(client, setup)) == [("warning-retired", f"{INNER}|1")]


# (an experimental root is warned about, as the reference server does: tests/status/test_expansion_status_source.py)
@pytest.mark.parametrize("kw", [{"status": "draft"}, {"status": "retired"}], ids=["draft", "retired"])
def test_root_value_set_gives_no_lifecycle_warning_for_itself(client, kw):
    exp = _expand(client, [cs(CS, "1", CONCEPTS), vs(OUTER, [{"system": CS}], "1", **kw)])
    assert _warnings(exp) == []


def test_active_import_gives_no_warning(client):
    exp = _expand(client, [cs(CS, "1", CONCEPTS), _inner(), vs(OUTER, [{"valueSet": [INNER]}], "1")])
    assert _warnings(exp) == []
