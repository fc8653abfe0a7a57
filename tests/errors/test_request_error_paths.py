"""Request-level errors carry no `expression`: the reference servers (FHIRsmith's workers build these issues with
no path) point only into resources (a compose filter, Coding.code) and at $subsumes' codeA/codeB/codingA/codingB.
The parameter at fault is still named, in `diagnostics`, which clients do not compare."""
from tests.support.tx_requests import SIMPLE, post, simple_cs
from tests.support.tx_files import tx_file


def _only_issue(b: dict) -> dict:
    assert b["resourceType"] == "OperationOutcome", b
    assert len(b["issue"]) == 1, b
    return b["issue"][0]


def test_expand_without_a_value_set_has_no_path(client):
    status, b = post(client, "ValueSet/$expand", [])
    assert 400 <= status < 500
    issue = _only_issue(b)
    assert "expression" not in issue and "location" not in issue


def test_a_bad_count_names_the_parameter_in_diagnostics_only(client):
    status, b = post(client, "ValueSet/$expand", [("url", "http://hl7.org/fhir/test/ValueSet/simple-all"),
                                                  ("count", -1)], [simple_cs(), tx_file("simple/valueset-all.json")])
    assert status == 400, b
    issue = _only_issue(b)
    assert "expression" not in issue and "location" not in issue
    assert issue["diagnostics"].startswith("parameter: count")


def test_subsumes_still_points_at_the_code_at_fault(client):
    status, b = post(client, "CodeSystem/$subsumes", [("system", SIMPLE), ("codeA", "code1"), ("codeB", "nope")],
                     [simple_cs()])
    assert status == 404, b
    assert _only_issue(b)["expression"] == ["codeB"]


def test_a_broken_filter_still_points_into_the_compose(client):
    vs = {"resourceType": "ValueSet", "url": "http://ex.org/paths/vs", "status": "active",
          "compose": {"include": [{"system": SIMPLE, "filter": [{"property": "concept", "op": "is-a"}]}]}}
    status, b = post(client, "ValueSet/$expand", [("url", vs["url"])], [simple_cs(), vs])
    assert 400 <= status < 500, b
    assert b["issue"][0]["expression"] == ["ValueSet.compose.include[0].filter[0]"]
