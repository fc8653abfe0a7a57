"""$validate-code checks a value set's import graph (include and exclude `valueSet`, transitively) before it
looks at the code, as tx.fhir.org does (ValueSetChecker.prepare): a cycle is a 400 OperationOutcome and a
missing import a result=false answer whatever the code; a diamond (shared import) is no cycle."""
import pytest

from tests.support.tx_requests import cs, out, post, tx_codes, issues, vs

S = "http://ex.org/cs/cyc"
CS = cs(S, "1", [{"code": "A", "display": "Alpha"}, {"code": "B", "display": "Beta"}])
C1 = "http://ex.org/vs/c1"
C2 = "http://ex.org/vs/c2"
I1 = "http://ex.org/vs/i1"
I2 = "http://ex.org/vs/i2"
MISSING = "http://ex.org/vs/missing"


def _excluding(url, other):
    r = vs(url, [{"system": S}], version="1.0")
    r["compose"]["exclude"] = [{"valueSet": [other + "|1.0"]}]
    return r


CYCLE_BY_EXCLUDE = [CS, _excluding(C1, C2), _excluding(C2, C1)]
CYCLE_BY_INCLUDE = [CS, vs(I1, [{"valueSet": [I2]}], version="1.0"),
                    vs(I2, [{"system": S, "concept": [{"code": "A"}]}, {"valueSet": [I1]}], version="1.0")]


def _circular(status, b, canon, pathway):
    assert status == 400 and b["resourceType"] == "OperationOutcome", b
    issue = b["issue"][0]
    assert issue["severity"] == "error" and issue["code"] == "processing"
    assert [c["code"] for c in issue["details"]["coding"]] == ["vs-invalid"]
    assert issue["details"]["text"] == (f"Found a circularity pointing to {canon} processing ValueSet with "
                                        f"pathway [{', '.join(pathway)}]")


@pytest.mark.parametrize("code", ["A", "Z"])   # Z: not in the included system (its exclude was never asked)
def test_mutual_excludes_are_circular_whatever_the_code(client, code):
    _circular(*post(client, "ValueSet/$validate-code", [("url", C1), ("system", S), ("code", code)],
                    CYCLE_BY_EXCLUDE), C1 + "|1.0", [C1 + "|1.0", C2 + "|1.0"])


def test_code_of_an_unknown_system_against_a_cyclic_value_set(client):
    _circular(*post(client, "ValueSet/$validate-code", [("url", C1), ("system", "http://ex.org/cs/nope"),
                                                        ("code", "A")], CYCLE_BY_EXCLUDE),
              C1 + "|1.0", [C1 + "|1.0", C2 + "|1.0"])


@pytest.mark.parametrize("code", ["A", "B"])   # A: in i2's own concept list, found before the cyclic import
def test_import_cycle_is_found_before_the_code_is(client, code):
    _circular(*post(client, "ValueSet/$validate-code", [("url", I1), ("system", S), ("code", code)],
                    CYCLE_BY_INCLUDE), I1 + "|1.0", [I1 + "|1.0", I2 + "|1.0"])


def test_coding_and_codeable_concept_modes_check_the_graph_too(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", I1), ("coding", {"system": S, "code": "A"})], CYCLE_BY_INCLUDE)
    assert status == 400 and b["resourceType"] == "OperationOutcome", b
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", I1), ("codeableConcept", {"coding": [{"system": S, "code": "A"}]})], CYCLE_BY_INCLUDE)
    assert status == 400 and b["resourceType"] == "OperationOutcome", b


def _missing_import(status, b):
    assert status == 200 and b["resourceType"] == "Parameters", b
    got = out(b)
    text = f"A definition for the value Set '{MISSING}' could not be found"
    assert got["result"] is False and got["message"] == text
    found = issues(b)
    assert len(found) == 1 and found[0]["severity"] == "error" and found[0]["code"] == "not-found"
    assert tx_codes(found[0]) == ["not-found"] and found[0]["details"]["text"] == text
    assert "expression" not in found[0] and "location" not in found[0]


def test_missing_import_after_an_include_that_holds_the_code(client):
    m = vs("http://ex.org/vs/m", [{"system": S, "concept": [{"code": "A"}]}, {"valueSet": [MISSING]}])
    _missing_import(*post(client, "ValueSet/$validate-code",
                          [("url", "http://ex.org/vs/m"), ("system", S), ("code", "A")], [CS, m]))


def test_missing_exclude_import_with_a_code_outside_the_include(client):
    mx = vs("http://ex.org/vs/mx", [{"system": S}])
    mx["compose"]["exclude"] = [{"valueSet": [MISSING]}]
    _missing_import(*post(client, "ValueSet/$validate-code",
                          [("url", "http://ex.org/vs/mx"), ("system", S), ("code", "Z")], [CS, mx]))


def test_missing_import_below_an_import(client):
    top = vs("http://ex.org/vs/top", [{"system": S, "concept": [{"code": "A"}]},
                                      {"valueSet": ["http://ex.org/vs/mid"]}])
    mid = vs("http://ex.org/vs/mid", [{"system": S}])
    mid["compose"]["exclude"] = [{"valueSet": [MISSING]}]
    _missing_import(*post(client, "ValueSet/$validate-code",
                          [("url", "http://ex.org/vs/top"), ("system", S), ("code", "A")], [CS, top, mid]))


def test_diamond_is_not_a_cycle(client):
    d = "http://ex.org/vs/d-"
    setup = [CS, vs(d + "top", [{"valueSet": [d + "left"]}, {"valueSet": [d + "right"]}]),
             vs(d + "left", [{"valueSet": [d + "leaf"]}]), vs(d + "right", [{"valueSet": [d + "leaf"]}]),
             vs(d + "leaf", [{"system": S}])]
    status, b = post(client, "ValueSet/$validate-code", [("url", d + "top"), ("system", S), ("code", "A")], setup)
    assert status == 200 and out(b)["result"] is True, b
    status, b = post(client, "ValueSet/$validate-code", [("url", d + "top"), ("system", S), ("code", "Z")], setup)
    assert status == 200 and out(b)["result"] is False, b
    assert not any("circularity" in (i.get("details") or {}).get("text", "") for i in issues(b))


def test_unknown_value_set_is_still_answered_first(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", "http://ex.org/vs/none"), ("system", S), ("code", "A")], CYCLE_BY_EXCLUDE)
    assert status == 422 and b["resourceType"] == "OperationOutcome", b


def test_batch_validate_code_answers_each_check_with_the_cycle(client):
    check = {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": I1},
                                                         {"name": "system", "valueUri": S},
                                                         {"name": "code", "valueCode": "A"}]}
    status, b = post(client, "ValueSet/$batch-validate-code", [("validation", check)], CYCLE_BY_INCLUDE)
    assert status == 200, b
    oo = b["parameter"][0]["resource"]
    assert oo["resourceType"] == "OperationOutcome" and oo["issue"][0]["code"] == "processing", oo
    assert oo["issue"][0]["details"]["text"].startswith(f"Found a circularity pointing to {I1}|1.0 ")


def test_deep_diamond_chain_is_walked_once_per_value_set(client):
    # L_i and M_i both import L_i+1 and M_i+1: 2^18 pathways, 38 value sets (each explored once)
    d, depth = "http://ex.org/vs/deep-", 18
    setup = [CS, vs(d + "L18", [{"system": S}]), vs(d + "M18", [{"system": S, "concept": [{"code": "A"}]}])]
    for i in range(depth):
        for side in "LM":
            setup.append(vs(f"{d}{side}{i}", [{"valueSet": [f"{d}L{i + 1}"]}, {"valueSet": [f"{d}M{i + 1}"]}]))
    status, b = post(client, "ValueSet/$validate-code", [("url", d + "L0"), ("system", S), ("code", "B")], setup)
    assert status == 200 and out(b)["result"] is True, b


def test_imports_are_resolved_under_the_value_set_version_rules(client):
    # i2 1.0 closes no cycle, i2 2.0 (the latest, taken by default) imports i1 back
    setup = [CS, vs(I1, [{"valueSet": [I2]}], version="1.0"),
             vs(I2, [{"system": S}], version="1.0"),
             vs(I2, [{"system": S}, {"valueSet": [I1]}], version="2.0")]
    params = [("url", I1), ("system", S), ("code", "A")]
    _circular(*post(client, "ValueSet/$validate-code", params, setup), I1 + "|1.0", [I1 + "|1.0", I2 + "|2.0"])
    status, b = post(client, "ValueSet/$validate-code", params + [("force-valueset-version", I2 + "|1.0")], setup)
    assert status == 200 and out(b)["result"] is True, b
