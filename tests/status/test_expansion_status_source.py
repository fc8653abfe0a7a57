"""$expand's lifecycle warnings weighed against the value set expanded, as the reference server weighs them
(FHIRsmith expand.js checkCanonicalStatus, with the root value set as the source): an experimental root value
set is warned about itself (warning-experimental; its draft or retired status is not), and a retired code
system or import used by a retired value set is no warning: the value set says as much already.
$validate-code keeps its own rule (validate.js reports a retired resource whatever uses it)."""
from tests.support.resources import cs, vs
from tests.support.tx_requests import issues, post

CS = "http://example.org/fhir/CodeSystem/status-source"
VS = "http://example.org/fhir/ValueSet/status-source"
INNER = "http://example.org/fhir/ValueSet/status-source-inner"
CONCEPTS = [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}]


def _warnings(client, setup, url=VS):
    status, b = post(client, "ValueSet/$expand", [("url", url)], setup)
    assert status == 200, b
    return [(p["name"], p.get("valueUri")) for p in b["expansion"].get("parameter") or []
            if p["name"].startswith("warning-")]


def test_an_experimental_root_value_set_is_warned_about(client):
    setup = [cs(CS, "1", CONCEPTS), vs(VS, [{"system": CS}], "1", experimental=True)]
    assert _warnings(client, setup) == [("warning-experimental", f"{VS}|1")]


def test_a_retired_code_system_in_a_retired_value_set_is_no_warning(client):
    setup = [cs(CS, "1", CONCEPTS, status="retired"), vs(VS, [{"system": CS}], "1", status="retired")]
    assert _warnings(client, setup) == []


def test_a_retired_import_of_a_retired_value_set_is_no_warning(client):
    setup = [cs(CS, "1", CONCEPTS), vs(INNER, [{"system": CS, "concept": [{"code": "a"}]}], "1", status="retired"),
             vs(VS, [{"valueSet": [INNER]}], "1", status="retired")]
    assert _warnings(client, setup) == []


def test_a_retired_code_system_in_an_active_value_set_is_still_warned_about(client):
    setup = [cs(CS, "1", CONCEPTS, status="retired"), vs(VS, [{"system": CS}], "1")]
    assert _warnings(client, setup) == [("warning-retired", f"{CS}|1")]


def test_validate_code_still_reports_a_retired_code_system_of_a_retired_value_set(client):
    setup = [cs(CS, "1", CONCEPTS, status="retired"), vs(VS, [{"system": CS}], "1", status="retired")]
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", CS), ("code", "a")], setup)
    assert status == 200, b
    assert any("retired" in (i.get("details") or {}).get("text", "") and CS in i["details"]["text"]
               for i in issues(b)), issues(b)
