"""A draft value set does not warn about draft things (ADOPT 2 of research-s10-status): FHIRsmith's
checkCanonicalStatus (tx/workers/validate.js, expand.js) and Java's ValueSetProcessBase.checkCanonical report a draft
resource only when the referring value set is not draft itself (status draft, or standards-status draft). What else
holds (retired, deprecated, withdrawn, experimental) is still reported."""
from tests.support.tx_requests import eparams, issues, out, post, tx_codes
from tests.support.resources import cs, vs

CS = "http://example.org/fhir/CodeSystem/s10-draft-source"
VS = "http://example.org/fhir/ValueSet/s10-draft-source"
INNER = "http://example.org/fhir/ValueSet/s10-draft-source-inner"
SS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"


def _cs(**kw):
    return cs(CS, "1", [{"code": "a", "display": "A"}], **kw)


def _draft_vs(include=None, **kw):
    return vs(VS, include or [{"system": CS}], "1", **({"status": "draft"} | kw))


def _validate(client, setup):
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", CS), ("code", "a")], setup)
    assert status == 200, b
    assert out(b)["result"] is True, b
    return b


def _expand(client, setup):
    status, b = post(client, "ValueSet/$expand", [("url", VS)], setup)
    assert status == 200, b
    return b["expansion"]


def _status_texts(b):
    return [i["details"]["text"] for i in issues(b) if "status-check" in tx_codes(i)]


def _warnings(exp):
    return [(p["name"], p.get("valueUri")) for p in exp.get("parameter") or [] if p["name"].startswith("warning-")]


def test_draft_value_set_over_an_active_system_has_no_issues(client):
    b = _validate(client, [_cs(), _draft_vs()])
    assert "issues" not in out(b), b


def test_draft_value_set_over_a_draft_system_says_nothing_in_validate(client):
    b = _validate(client, [_cs(status="draft"), _draft_vs()])
    assert _status_texts(b) == [] and "issues" not in out(b), b


def test_draft_value_set_over_a_draft_system_has_no_warning_draft(client):
    exp = _expand(client, [_cs(status="draft"), _draft_vs()])
    assert _warnings(exp) == []
    assert eparams(exp, "used-codesystem") == [f"{CS}|1"]


def test_standards_status_draft_value_set_counts_as_draft(client):
    ext = [{"url": SS, "valueCode": "draft"}]
    setup = [_cs(status="draft"), _draft_vs(status="active", extension=ext)]
    assert _status_texts(_validate(client, setup)) == []
    assert _warnings(_expand(client, setup)) == []


def test_draft_value_set_importing_a_draft_value_set(client):
    setup = [_cs(status="draft"), vs(INNER, [{"system": CS}], "1", status="draft"),
             _draft_vs([{"valueSet": [f"{INNER}|1"]}])]
    assert _status_texts(_validate(client, setup)) == []
    exp = _expand(client, setup)
    assert _warnings(exp) == [] and eparams(exp, "used-valueset") == [f"{INNER}|1"]


def test_draft_value_set_still_reports_a_retired_system(client):
    setup = [_cs(status="retired"), _draft_vs()]
    assert _status_texts(_validate(client, setup)) == [f"Reference to retired CodeSystem {CS}|1"]
    assert _warnings(_expand(client, setup)) == [("warning-retired", f"{CS}|1")]


def test_draft_value_set_still_reports_a_deprecated_system(client):
    setup = [_cs(status="draft", extension=[{"url": SS, "valueCode": "deprecated"}]), _draft_vs()]
    assert _status_texts(_validate(client, setup)) == [f"Reference to deprecated CodeSystem {CS}|1"]
    assert _warnings(_expand(client, setup)) == [("warning-deprecated", f"{CS}|1")]


def test_draft_value_set_still_reports_an_experimental_system(client):
    # draft + experimental is reported as experimental, which a draft source does not suppress
    for system in (_cs(experimental=True), _cs(status="draft", experimental=True)):
        setup = [system, _draft_vs()]
        assert _status_texts(_validate(client, setup)) == [f"Reference to experimental CodeSystem {CS}|1"]
        assert _warnings(_expand(client, setup)) == [("warning-experimental", f"{CS}|1")]


def test_retired_value_set_still_reports_itself_in_validate(client):
    b = _validate(client, [_cs(), _draft_vs(status="retired")])
    assert _status_texts(b) == [f"Reference to retired ValueSet {VS}|1"]


def test_active_value_set_still_reports_draft_content(client):
    setup = [_cs(status="draft"), _draft_vs(status="active")]
    assert _status_texts(_validate(client, setup)) == [f"Reference to draft CodeSystem {CS}|1"]
    assert _warnings(_expand(client, setup)) == [("warning-draft", f"{CS}|1")]


def test_code_system_validate_of_a_draft_system_still_reports_it(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", CS), ("code", "a")], [_cs(status="draft")])
    assert status == 200, b
    assert _status_texts(b) == [f"Reference to draft CodeSystem {CS}|1"]
