"""A code system or value set that is both draft and experimental is reported as experimental: FHIRsmith's
checkCanonicalStatus chain (tx/workers/expand.js and validate.js) tests deprecated, withdrawn, retired,
experimental and then draft, first match wins. Draft + experimental is the usual pair of IG example systems."""
from tests.support.tx_requests import eparams, issues, out, post, tx_codes
from tests.support.resources import cs, vs

CS = "http://example.org/fhir/CodeSystem/draft-experimental"
VS = "http://example.org/fhir/ValueSet/draft-experimental"
INNER = "http://example.org/fhir/ValueSet/draft-experimental-inner"


def _cs(**kw):
    return cs(CS, "1", [{"code": "a", "display": "A"}], **kw)


def _expand(client, setup):
    status, b = post(client, "ValueSet/$expand", [("url", VS)], setup)
    assert status == 200, b
    return b["expansion"]


def _status_texts(b):
    return [(i["severity"], i["code"], tx_codes(i), i["details"]["text"], i.get("expression"))
            for i in issues(b) if "status-check" in tx_codes(i)]


def test_draft_experimental_code_system_is_experimental_in_expand(client):
    exp = _expand(client, [_cs(status="draft", experimental=True), vs(VS, [{"system": CS}], "1")])
    assert eparams(exp, "warning-experimental") == [f"{CS}|1"]
    assert eparams(exp, "warning-draft") == []


def test_draft_experimental_code_system_is_experimental_in_validate(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", CS), ("code", "a")],
                     [_cs(status="draft", experimental=True), vs(VS, [{"system": CS}], "1")])
    assert status == 200, b
    assert out(b)["result"] is True
    assert _status_texts(b) == [("information", "business-rule", ["status-check"],
                                 f"Reference to experimental CodeSystem {CS}|1", None)]
    assert "Reference to" not in (out(b).get("message") or "")


def test_code_system_validate_of_a_draft_experimental_system(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", CS), ("code", "a")],
                     [_cs(status="draft", experimental=True)])
    assert status == 200, b
    assert [t[3] for t in _status_texts(b)] == [f"Reference to experimental CodeSystem {CS}|1"]


def test_draft_experimental_value_set_is_experimental_in_validate(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", CS), ("code", "a")],
                     [_cs(), vs(VS, [{"system": CS}], "1", status="draft", experimental=True)])
    assert status == 200, b
    assert [t[3] for t in _status_texts(b)] == [f"Reference to experimental ValueSet {VS}|1"]


def test_imported_draft_experimental_value_set_is_experimental_in_validate(client):
    setup = [_cs(), vs(INNER, [{"system": CS}], "1", status="draft", experimental=True),
             vs(VS, [{"valueSet": [INNER]}], "1")]
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", CS), ("code", "a")], setup)
    assert status == 200, b
    assert out(b)["result"] is True
    assert [t[3] for t in _status_texts(b)] == [f"Reference to experimental ValueSet {INNER}|1"]


def test_retired_still_beats_experimental(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", CS), ("code", "a")],
                     [_cs(status="retired", experimental=True), vs(VS, [{"system": CS}], "1")])
    assert [t[3] for t in _status_texts(b)] == [f"Reference to retired CodeSystem {CS}|1"]
    exp = _expand(client, [_cs(status="retired", experimental=True), vs(VS, [{"system": CS}], "1")])
    assert eparams(exp, "warning-retired") == [f"{CS}|1"] and eparams(exp, "warning-experimental") == []


def test_withdrawn_beats_experimental(client):
    ext = [{"url": "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status",
            "valueCode": "withdrawn"}]
    exp = _expand(client, [_cs(status="draft", experimental=True, extension=ext), vs(VS, [{"system": CS}], "1")])
    assert eparams(exp, "warning-withdrawn") == [f"{CS}|1"]
    assert eparams(exp, "warning-experimental") == [] and eparams(exp, "warning-draft") == []


def test_draft_alone_is_still_draft(client):
    exp = _expand(client, [_cs(status="draft"), vs(VS, [{"system": CS}], "1")])
    assert eparams(exp, "warning-draft") == [f"{CS}|1"] and eparams(exp, "warning-experimental") == []


def test_a_standards_status_of_draft_is_draft(client):
    # FHIRsmith's status check reads the structuredefinition-standards-status extension as well as status
    sdraft = {"url": "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status",
              "valueCode": "draft"}
    exp = _expand(client, [_cs(extension=[sdraft]), vs(VS, [{"system": CS}], "1")])
    assert eparams(exp, "warning-draft") == [f"{CS}|1"]


def test_a_standards_status_without_a_code_does_not_hide_the_next(client):
    # review: only the first standards-status extension was read, even when it carried no code
    ss = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"
    exp = _expand(client, [_cs(extension=[{"url": ss, "valueString": "x"}, {"url": ss, "valueCode": "deprecated"}]),
                           vs(VS, [{"system": CS}], "1")])
    assert eparams(exp, "warning-deprecated") == [f"{CS}|1"]
