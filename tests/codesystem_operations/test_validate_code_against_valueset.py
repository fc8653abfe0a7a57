"""Probe 9, CodeSystem/$validate-code against ValueSet/$validate-code (R4 OperationDefinitions
CodeSystem-validate-code and ValueSet-validate-code): url of a code system, several codings, `abstract`,
`activeOnly`, displays and versions."""

from tests.support.tx_requests import cs, issues, out, post, simple_cs, tx_codes

from .simple_requests import S, VS_ALL, assert_outcome, first, raw

CSV, VSV = "CodeSystem/$validate-code", "ValueSet/$validate-code"
SETUP = [simple_cs()]
SU = SETUP + [VS_ALL]


def test_cs_validate_takes_the_code_system_url(client):
    """CodeSystem-validate-code `url`: 'CodeSystem URL'; the answer names code, system, version, display."""
    status, b = post(client, CSV, [("url", S), ("code", "code1")], SETUP)
    assert status == 200
    o = out(b)
    assert (o["result"], o["code"], o["system"], o["version"], o["display"]) == (True, "code1", S, "0.1.0",
                                                                                "Display 1")


def test_cs_validate_url_with_version_suffix(client):
    status, b = post(client, CSV, [("url", S + "|0.1.0"), ("code", "code1")], SETUP)
    assert status == 200 and out(b)["result"] is True and out(b)["version"] == "0.1.0"


def test_cs_validate_unknown_code_is_result_false_with_located_issue(client):
    _, b = post(client, CSV, [("url", S), ("code", "code1x")], SETUP)
    assert out(b)["result"] is False
    (i,) = issues(b)
    assert (i["severity"], i["code"], tx_codes(i)) == ("error", "code-invalid", ["invalid-code"])
    assert i["expression"] == ["code"]


def test_cs_validate_url_naming_a_value_set_is_explained(client):
    """The url of CodeSystem/$validate-code is a CodeSystem URL: a value set's URL there gets a result=false
    that says so, not 'unknown code system'."""
    _, b = post(client, CSV, [("url", VS_ALL["url"]), ("code", "code1")], SU)
    assert out(b)["result"] is False
    assert "value set" in out(b)["message"].lower()


def test_cs_validate_coding_of_another_system_is_false(client):
    """CodeSystem-validate-code `coding`: 'The system must match the specified code system'."""
    _, b = post(client, CSV, [("url", S), ("coding", {"system": "http://ex.org/other", "code": "code1"})], SETUP)
    assert out(b)["result"] is False
    assert "http://ex.org/other" in out(b)["message"]


def test_cs_validate_codeable_concept_reports_the_bad_coding_at_its_index(client):
    """CodeSystem-validate-code codeableConcept with a valid and an unknown coding: the valid one is named in
    code/display, the unknown one is reported, located at its index. (Whether result is then true -- R4's 'true
    if one of the coding values is in the code system' -- or false, as the ecosystem suite's
    complex-codeableconcept-full answers for an unknown coding, is left open here.)"""
    cc = {"coding": [{"system": S, "code": "codeX"}, {"system": S, "code": "code1"}]}
    _, b = post(client, CSV, [("url", S), ("codeableConcept", cc)], SETUP)
    o = out(b)
    assert o["codeableConcept"] == cc
    assert o["code"] == "code1"
    located = [i["expression"] for i in issues(b) if i["severity"] == "error"]
    assert located == [["CodeableConcept.coding[0].code"]]


def test_abstract_false_refuses_an_abstract_code_in_both(client):
    """`abstract`: 'If this parameter is false, abstract codes are not considered to be valid'. code2 is
    notSelectable (abstract) in the simple code system."""
    _, cb = post(client, CSV, [("url", S), ("code", "code2"), ("abstract", False)], SETUP)
    _, vb = post(client, VSV, [("url", VS_ALL["url"]), ("system", S), ("code", "code2"), ("abstract", False)],
                 SU)
    for b in (cb, vb):
        assert out(b)["result"] is False
        assert any("code-rule" in tx_codes(i) and "abstract" in i["details"]["text"] for i in issues(b))


def test_abstract_default_allows_an_abstract_code_in_the_code_system(client):
    _, b = post(client, CSV, [("url", S), ("code", "code2")], SETUP)
    assert out(b)["result"] is True


def test_active_only_refuses_an_inactive_code_of_the_value_set(client):
    _, b = post(client, VSV, [("url", VS_ALL["url"]), ("system", S), ("code", "code2"), ("activeOnly", True)],
                SU)
    assert out(b)["result"] is False
    assert out(b)["inactive"] is True


def test_active_only_keeps_an_active_code(client):
    _, b = post(client, VSV, [("url", VS_ALL["url"]), ("system", S), ("code", "code2a"), ("activeOnly", True)],
                SU)
    assert out(b)["result"] is True


def test_wrong_display_names_the_valid_ones(client):
    _, b = post(client, CSV, [("url", S), ("code", "code1"), ("display", "Display 2")], SETUP)
    o = out(b)
    assert o["result"] is False and o["display"] == "Display 1"
    (i,) = issues(b)
    assert tx_codes(i) == ["invalid-display"] and i["expression"] == ["display"]
    assert "Display 1" in i["details"]["text"]


def test_display_of_a_coding_is_checked_in_value_set_validation(client):
    _, b = post(client, VSV, [("url", VS_ALL["url"]), ("coding", {"system": S, "code": "code1",
                                                                  "display": "Nope"})], SU)
    assert out(b)["result"] is False
    assert [i["expression"] for i in issues(b)] == [["Coding.display"]]


def test_system_version_unknown_is_reported(client):
    """ValueSet-validate-code `systemVersion`: 'The version of the system'; a version not held is an unknown
    code system version, result=false."""
    _, b = post(client, VSV, [("url", VS_ALL["url"]), ("system", S), ("code", "code1"),
                              ("systemVersion", "9.9")], SU)
    o = out(b)
    assert o["result"] is False and "9.9" in o["message"] and "0.1.0" in o["message"]


def test_cs_validate_unknown_version_is_result_false(client):
    _, b = post(client, CSV, [("url", S), ("code", "code1"), ("version", "9.9")], SETUP)
    o = out(b)
    assert o["result"] is False and o["x-caused-by-unknown-system"] == S + "|9.9"


def test_value_set_validate_without_a_value_set_is_400(client):
    """ValueSet-validate-code: 'one of the in parameters url, context or valueSet must be provided'."""
    status, b = post(client, VSV, [("system", S), ("code", "code1")], SU)
    assert_outcome(status, b, 400, "invalid", "url", tx="invalid-data")


def test_cs_validate_without_url_or_system_is_400(client):
    """CodeSystem-validate-code: 'one of the parameters "url" or "codeSystem" must be provided'."""
    status, b = raw(client, CSV, [{"name": "code", "valueCode": "code1"}])
    assert_outcome(status, b, 400, "invalid", "unable to find code", tx="invalid-data")


def test_cs_validate_with_code_system_supplied_as_codesystem(client):
    cs = simple_cs()
    status, b = raw(client, CSV, [{"name": "codeSystem", "resource": cs}, {"name": "code", "valueCode": "code3"}],
                    setup=[])
    assert status == 200 and out(b)["result"] is True and out(b)["display"] == "Display 3"


def test_instance_level_cs_validate(stored):
    r = stored.get("/fhir/CodeSystem/simple/$validate-code?code=code2b")
    assert r.status_code == 200 and first(r.get_json(), "result") is True


def test_cs_validate_version_contradicting_coding_version_is_reported(client):
    """R4 CodeSystem-validate-code `version` is 'the version of the code system'; a coding naming another one is
    validated against the version asked for (as the reference servers answer): 9.9 is not loaded, so that is the
    answer. tests/valueset_operations/validate has the version mismatch of two loaded versions."""
    status, b = raw(client, CSV, [{"name": "url", "valueUri": S}, {"name": "version", "valueString": "9.9"},
                             {"name": "coding", "valueCoding": {"system": S, "code": "code1", "version": "0.1.0"}}])
    assert status == 200 and first(b, "result") is False, b
    assert first(b, "x-caused-by-unknown-system") == f"{S}|9.9", b
    assert [i["expression"] for i in issues(b)] == [["Coding.system"]], b


def test_vs_validate_system_version_contradicting_coding_version_is_refused(client):
    """ValueSet-validate-code: systemVersion is the version of the code's system; a coding naming another one
    is refused the same way (it used to be ignored in favour of coding.version)."""
    status, b = raw(client, "ValueSet/$validate-code", [
        {"name": "url", "valueUri": VS_ALL["url"]}, {"name": "systemVersion", "valueString": "9.9"},
        {"name": "coding", "valueCoding": {"system": S, "code": "code1", "version": "0.1.0"}}], [simple_cs(), VS_ALL])
    assert_outcome(status, b, 400, "invalid", "systemVersion")


def test_vs_validate_system_contradicting_coding_system_is_refused(client):
    """As $lookup: a `system` naming another code system than the coding's is refused, not silently dropped."""
    status, b = raw(client, VSV, [
        {"name": "url", "valueUri": VS_ALL["url"]}, {"name": "system", "valueUri": "http://ex.org/other"},
        {"name": "coding", "valueCoding": {"system": S, "code": "code1"}}], [simple_cs(), VS_ALL])
    assert_outcome(status, b, 400, "invalid", "system", "http://ex.org/other")
    # the same system given twice is no contradiction
    status, b = raw(client, VSV, [
        {"name": "url", "valueUri": VS_ALL["url"]}, {"name": "system", "valueUri": S},
        {"name": "coding", "valueCoding": {"system": S, "code": "code1"}}], [simple_cs(), VS_ALL])
    assert status == 200 and out(b)["result"] is True


def test_cs_validate_display_in_the_display_language(client):
    x = cs("http://ex.org/p9/lang", "2", [{"code": "p", "display": "Parent",
                                           "designation": [{"language": "de", "value": "Elter"}]}], language="en")
    _, b = post(client, CSV, [("url", x["url"]), ("code", "p"), ("display", "Elter"), ("displayLanguage", "de")],
                [x])
    assert out(b)["result"] is True and out(b)["display"] == "Elter"


def test_cs_validate_with_a_date(client):
    _, b = post(client, CSV, [("url", S), ("code", "code1"), ("date", "2020-01-01")], SETUP)
    assert out(b)["result"] is True


def test_cs_validate_codeable_concept_with_a_coding_of_another_system(client):
    """CodeSystem-validate-code codeableConcept: 'true if one of the coding values is in the code system'; a
    coding of another system is judged in its own code system, as the reference servers judge it: one that is
    not loaded (LOINC here) is an unknown system, which beside a valid coding was only not checked: a warning, and
    the answer true (FHIRsmith after hapifhir/org.hl7.fhir.core#2272; tests/valueset_operations/validate)."""
    cc = {"coding": [{"system": "http://loinc.org", "code": "1234-5"}, {"system": S, "code": "code1"}]}
    _, b = post(client, CSV, [("url", S), ("codeableConcept", cc)], SETUP)
    assert out(b)["result"] is True and out(b)["code"] == "code1"
    assert "x-caused-by-unknown-system" not in out(b) and "x-unknown-system" not in out(b)
    assert [(i["severity"], i["expression"]) for i in issues(b)] == [("warning", ["CodeableConcept.coding[0].system"])]
