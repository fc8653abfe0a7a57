"""Probe 8, the R4 ValueSet.compose invariants a terminology server meets when it is handed a value set
(tx-resource) to expand or validate against. vsd-1, vsd-2 (concepts or filters need a system) and vsd-3 (not
both concepts and filters) are refused with 400, vs-invalid, at the include or exclude that breaks them."""
import pytest

from tests.support.tx_requests import SIMPLE, SIMPLE_ALL, post, simple_cs, vs
from tests.support.tx_files import tx_file

IS_A_CODE2 = [{"property": "concept", "op": "is-a", "value": "code2"}]


def _refused(status, b, where):
    assert 400 <= status < 500 and b["resourceType"] == "OperationOutcome", b
    issue = b["issue"][0]
    assert issue["severity"] == "error" and issue["code"] == "invalid"
    assert issue.get("expression") == [where] or issue.get("location") == [where], issue


def _both(client, compose_part, where):
    bad = vs("http://ex.org/vs/bad", [])
    bad["compose"] = compose_part
    setup = [simple_cs(), tx_file("simple/valueset-all.json"), bad]
    _refused(*post(client, "ValueSet/$expand", [("url", bad["url"])], setup), where)
    _refused(*post(client, "ValueSet/$validate-code", [("url", bad["url"]), ("system", SIMPLE), ("code", "code2a")],
                   setup), where)


def test_vsd_1_include_without_system_or_value_set_is_refused(client):
    _both(client, {"include": [{"concept": [{"code": "code1"}]}]}, "ValueSet.compose.include[0]")


def test_vsd_2_filter_beside_an_import_without_a_system_is_refused(client):
    _both(client, {"include": [{"valueSet": [SIMPLE_ALL], "filter": IS_A_CODE2}]}, "ValueSet.compose.include[0]")


def test_vsd_2_in_an_exclude_is_refused(client):
    _both(client, {"include": [{"system": SIMPLE}],
                   "exclude": [{"valueSet": [SIMPLE_ALL], "filter": IS_A_CODE2}]}, "ValueSet.compose.exclude[0]")


def test_vsd_3_concept_and_filter_in_one_include_is_refused(client):
    _both(client, {"include": [{"system": SIMPLE, "concept": [{"code": "code1"}], "filter": IS_A_CODE2}]},
          "ValueSet.compose.include[0]")


def test_a_supplied_code_system_with_a_code_twice_is_read_as_one_concept(client):
    """R4 CodeSystem invariant csd-1 ('Within a code system definition, all the codes SHALL be unique') is kept
    for stored content; a request's own code system is read as the reference server reads it instead of being
    refused: one concept, under every parent it was given
    (tests/valueset_operations/test_supplied_duplicate_codes.py)."""
    dup = {"resourceType": "CodeSystem", "url": "http://ex.org/cs/dup", "version": "1", "status": "active",
           "content": "complete", "concept": [{"code": "a", "display": "First"},
                                              {"code": "b", "display": "B", "concept": [{"code": "a"}]}]}
    status, b = post(client, "CodeSystem/$lookup", [("system", dup["url"]), ("code", "a")], [dup])
    assert status == 200, b
    parents = [pt["valueCode"] for p in b["parameter"] if p["name"] == "property"
               for pt in p["part"] if pt["name"] == "value" and {"name": "code", "valueCode": "parent"} in p["part"]]
    assert parents == ["b"]


def test_a_supplement_is_not_a_source_of_codes(client):
    base = {"resourceType": "CodeSystem", "url": "http://ex.org/cs/base", "version": "1", "status": "active",
            "content": "complete", "concept": [{"code": "a", "display": "Alpha"}]}
    sup = {"resourceType": "CodeSystem", "url": "http://ex.org/cs/sup", "version": "1", "status": "active",
           "content": "supplement", "supplements": "http://ex.org/cs/base|1", "concept": [{"code": "a"}]}
    bad = vs("http://ex.org/vs/s", [{"system": sup["url"]}])
    status, b = post(client, "ValueSet/$expand", [("url", bad["url"])], [base, sup, bad])
    assert status == 400 and "supplement" in b["issue"][0]["details"]["text"]


def test_exists_filter_with_a_value_other_than_true_or_false_is_refused(client):
    bad = vs("http://ex.org/vs/ex", [{"system": SIMPLE, "filter": [{"property": "prop", "op": "exists",
                                                                       "value": "maybe"}]}])
    status, b = post(client, "ValueSet/$expand", [("url", bad["url"])], [simple_cs(), bad])
    assert 400 <= status < 500 and b["resourceType"] == "OperationOutcome", b


@pytest.mark.parametrize("value,want", [("true", 7), ("false", 0)])
def test_exists_filter_true_and_false(client, value, want):
    f = vs("http://ex.org/vs/ex", [{"system": SIMPLE, "filter": [{"property": "prop", "op": "exists",
                                                                     "value": value}]}])
    status, b = post(client, "ValueSet/$expand", [("url", f["url"])], [simple_cs(), f])
    assert status == 200 and b["expansion"]["total"] == want


def test_a_filter_on_a_property_with_an_operator_it_does_not_support_is_refused(client):
    """As the shipped errors/broken-filter outputs: 400 OperationOutcome, tx-issue-type vs-invalid."""
    f = vs("http://ex.org/vs/pf", [{"system": SIMPLE, "filter": [{"property": "prop", "op": "is-a", "value": "old"}]}])
    status, b = post(client, "ValueSet/$expand", [("url", f["url"])], [simple_cs(), f])
    assert status == 400 and b["issue"][0]["details"]["coding"][0]["code"] == "vs-invalid"
