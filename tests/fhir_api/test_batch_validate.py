"""$batch-validate-code: many $validate-code checks in one request, each answered as the single call would be."""
import pytest

from terminology.identifiers import ICD10_NO

FJ = "application/fhir+json"
TREE = {"resourceType": "CodeSystem", "url": "http://example.org/tree", "version": "1", "status": "active",
        "content": "complete", "concept": [{"code": "A", "display": "Alpha"}, {"code": "B", "display": "Beta"}]}
ONLY_A = {"resourceType": "ValueSet", "url": "http://example.org/vs/only-a", "status": "active",
          "compose": {"include": [{"system": "http://example.org/tree", "concept": [{"code": "A"}]}]}}
TREE_VS = {"resourceType": "ValueSet", "url": "http://example.org/vs/tree", "status": "active",
           "compose": {"include": [{"system": "http://example.org/tree"}]}}


def _check(*params):
    return {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": list(params)}}


def _coding(code, display=None):
    c = {"system": "http://example.org/tree", "code": code}
    if display:
        c["display"] = display
    return {"name": "coding", "valueCoding": c}


def _answers(r):
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["resourceType"] == "Parameters"
    assert all(p["name"] == "validation" for p in body["parameter"])
    return [p["resource"] for p in body["parameter"]]


def _result(res):
    return {p["name"]: next(v for k, v in p.items() if k != "name") for p in res["parameter"]}


def _post(client, path, *params):
    return client.post(path, json={"resourceType": "Parameters", "parameter": list(params)}, content_type=FJ)


def test_each_check_is_answered_in_order_as_a_single_validate_code_would(client):
    shared = [{"name": "url", "valueUri": ONLY_A["url"]},
              {"name": "tx-resource", "resource": TREE}, {"name": "tx-resource", "resource": ONLY_A}]
    checks = [_check(_coding("A")), _check(_coding("B")), _check(_coding("A", "Wrong")), _check(_coding("Z"))]
    answers = _answers(_post(client, "/fhir/ValueSet/$batch-validate-code", *shared, *checks))
    assert len(answers) == 4
    for check, answer in zip(checks, answers):
        single = _post(client, "/fhir/ValueSet/$validate-code", *shared, *check["resource"]["parameter"])
        assert answer == single.get_json()
    assert [_result(a)["result"] for a in answers] == [True, False, False, False]
    assert _result(answers[0])["display"] == "Alpha"


def test_a_check_may_name_its_own_value_set_and_resources(client):
    shared = [{"name": "url", "valueUri": ONLY_A["url"]},
              {"name": "tx-resource", "resource": TREE}, {"name": "tx-resource", "resource": ONLY_A}]
    own_vs = _check({"name": "valueSet", "resource": TREE_VS}, _coding("B"))
    own_url = _check({"name": "url", "valueUri": TREE_VS["url"]},
                     {"name": "tx-resource", "resource": TREE_VS}, _coding("B"))
    answers = _answers(_post(client, "/fhir/ValueSet/$batch-validate-code", *shared, _check(_coding("B")),
                             own_vs, own_url))
    assert [_result(a)["result"] for a in answers] == [False, True, True]


def test_a_check_without_a_value_set_is_a_code_system_check(client):
    answers = _answers(_post(client, "/fhir/ValueSet/$batch-validate-code",
                             {"name": "tx-resource", "resource": TREE}, _check(_coding("B")), _check(_coding("Q"))))
    assert [_result(a)["result"] for a in answers] == [True, False]
    assert _result(answers[1])["issues"]["issue"][0]["details"]["coding"][0]["code"] == "invalid-code"


def test_code_system_batch_shares_the_system_and_canonicalises_icd10_codes(client):
    icd = {"resourceType": "CodeSystem", "url": ICD10_NO, "version": "2024", "status": "active",
           "content": "complete", "concept": [{"code": "J128", "display": "Annen viruspneumoni"}]}
    answers = _answers(_post(client, "/fhir/CodeSystem/$batch-validate-code",
                             {"name": "url", "valueUri": ICD10_NO}, {"name": "tx-resource", "resource": icd},
                             _check({"name": "code", "valueCode": "J12.8"}),
                             _check({"name": "code", "valueCode": "J12.9"})))
    first, second = (_result(a) for a in answers)
    assert first["result"] is True and first["code"] == "J128" and first["version"] == "2024"
    assert second["result"] is False


def test_instance_level_checks_against_that_value_set(client):
    assert client.put("/fhir/CodeSystem/tree", json={**TREE, "id": "tree"}, content_type=FJ).status_code in (200, 201)
    assert client.put("/fhir/ValueSet/only-a", json={**ONLY_A, "id": "only-a"},
                      content_type=FJ).status_code in (200, 201)
    answers = _answers(_post(client, "/fhir/ValueSet/only-a/$batch-validate-code",
                             _check(_coding("A")), _check(_coding("B"))))
    assert [_result(a)["result"] for a in answers] == [True, False]


def test_a_failing_check_is_its_own_outcome_not_the_batch(client):
    answers = _answers(_post(client, "/fhir/ValueSet/$batch-validate-code",
                             {"name": "tx-resource", "resource": TREE},
                             _check({"name": "url", "valueUri": "http://example.org/vs/missing"}, _coding("A")),
                             {"name": "validation", "valueString": "not a Parameters"},
                             _check(_coding("A"))))
    missing, junk, fine = answers
    assert missing["resourceType"] == "OperationOutcome"
    assert "http://example.org/vs/missing" in missing["issue"][0]["details"]["text"]
    assert junk["resourceType"] == "OperationOutcome" and junk["issue"][0]["code"] == "invalid"
    assert _result(fine)["result"] is True


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "path": "/fhir/ValueSet/$batch-validate-code?code=A"},
    {"method": "POST", "path": "/fhir/ValueSet/$batch-validate-code",
     "json": {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": "http://x"}]}},
])
def test_a_batch_without_checks_is_a_400_that_says_how(client, request_kwargs):
    r = client.open(request_kwargs["path"], method=request_kwargs["method"], json=request_kwargs.get("json"),
                    content_type=FJ)
    assert r.status_code == 400
    assert "'validation'" in r.get_json()["issue"][0]["details"]["text"]


def test_too_many_checks_are_refused(client):
    checks = [_check(_coding("A"))] * 1001
    r = _post(client, "/fhir/CodeSystem/$batch-validate-code", {"name": "tx-resource", "resource": TREE}, *checks)
    assert r.status_code in (400, 422) and "1001" in r.get_json()["issue"][0]["details"]["text"]


def test_capability_statement_points_at_the_definition(client):
    ops = {(res["type"], op["name"]): op["definition"]
           for rest in client.get("/fhir/metadata").get_json()["rest"] for res in rest["resource"]
           for op in res.get("operation", [])}
    url = ops[("ValueSet", "batch-validate-code")]
    assert url == ops[("CodeSystem", "batch-validate-code")]
    d = client.get("/fhir/OperationDefinition/batch-validate-code").get_json()
    assert d["url"] == url and d["code"] == "batch-validate-code"
