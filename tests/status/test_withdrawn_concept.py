"""A code system concept whose standards-status extension says `withdrawn` is inactive, as FHIRsmith's
FhirCodeSystemProvider (tx/cs/cs-cs.js isInactive / getStatus) reads it: its status is 'withdrawn'. $expand marks
it inactive (activeOnly drops it); $validate-code answers inactive + status and warns INACTIVE_CONCEPT_FOUND."""
from tests.support.tx_requests import codes, issues, out, post, tx_codes
from tests.support.resources import cs, vs

CS = "http://example.org/fhir/CodeSystem/withdrawn-concepts"
VS = "http://example.org/fhir/ValueSet/withdrawn-concepts"
SS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"


def _setup(**vs_kw):
    concepts = [{"code": "a", "display": "A"},
                {"code": "w", "display": "W", "extension": [{"url": SS, "valueCode": "withdrawn"}]},
                {"code": "d", "display": "D", "extension": [{"url": SS, "valueCode": "deprecated"}]}]
    return [cs(CS, "1", concepts), vs(VS, [{"system": CS}], "1", **vs_kw)]


def _expand(client, params=(), setup=None):
    status, b = post(client, "ValueSet/$expand", [("url", VS), *params], setup or _setup())
    assert status == 200, b
    return b["expansion"]


def _item(exp, code):
    return next(c for c in exp["contains"] if c["code"] == code)


def _status_prop(item):
    for ext in item.get("extension") or ():
        parts = {p["url"]: p for p in ext.get("extension") or ()}
        if parts.get("code", {}).get("valueCode") == "status":
            return parts["value"].get("valueCode")
    for p in item.get("property") or ():
        if p.get("code") == "status":
            return p.get("valueCode")
    return None


def test_expand_marks_a_withdrawn_concept_inactive(client):
    exp = _expand(client)
    assert _item(exp, "w").get("inactive") is True
    assert _status_prop(_item(exp, "w")) == "withdrawn"
    assert "inactive" not in _item(exp, "a") and "inactive" not in _item(exp, "d")


def test_active_only_drops_a_withdrawn_concept(client):
    assert codes(_expand(client, [("activeOnly", True)])) == ["a", "d"]


def test_compose_inactive_false_drops_a_withdrawn_concept(client):
    setup = _setup()
    setup[1]["compose"]["inactive"] = False
    assert codes(_expand(client, setup=setup)) == ["a", "d"]


TEXT = "The concept 'w' has a status of withdrawn"


def test_valueset_validate_of_a_withdrawn_concept(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", VS), ("coding", {"system": CS, "code": "w"})], _setup())
    assert status == 200, b
    got = out(b)
    assert got["result"] is True and got["inactive"] is True and got["status"] == "withdrawn"
    [iss] = issues(b)
    assert (iss["severity"], iss["code"], tx_codes(iss), iss.get("expression")) == \
        ("warning", "business-rule", ["code-comment"], ["Coding"])
    assert iss["details"]["text"].startswith(TEXT)
    assert iss["details"]["text"].endswith("and its use should be reviewed")
    assert got["message"] == iss["details"]["text"]


def test_codesystem_validate_of_a_withdrawn_concept(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", CS), ("code", "w")], _setup())
    assert status == 200, b
    got = out(b)
    assert got["result"] is True and got["inactive"] is True and got["status"] == "withdrawn"
    [iss] = issues(b)
    assert tx_codes(iss) == ["code-comment"] and iss["details"]["text"].startswith(TEXT)
    assert iss["expression"] == ["code"]          # a plain code's note is at `code`, as FHIRsmith places it


def test_active_only_validate_refuses_a_withdrawn_concept(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", VS), ("system", CS), ("code", "w"), ("activeOnly", True)], _setup())
    assert status == 200, b
    got = out(b)
    assert got["result"] is False
    # refused as any inactive code is (the wording is validate.py's, the same as for a retired concept)
    assert any(tx_codes(i) == ["code-rule"] and i["severity"] == "error" for i in issues(b))


def test_a_deprecated_concept_stays_active(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", CS), ("code", "d")], _setup())
    got = out(b)
    assert got["result"] is True and "inactive" not in got and got["status"] == "deprecated"


def test_lookup_says_withdrawn_concept_is_inactive(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", CS), ("code", "w")], _setup())
    assert status == 200, b
    props = {}
    for p in b["parameter"]:
        if p["name"] == "property":
            parts = {x["name"]: x for x in p["part"]}
            props[parts["code"]["valueCode"]] = next(v for k, v in parts["value"].items() if k.startswith("value"))
    assert props.get("inactive") is True
