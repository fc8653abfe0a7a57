"""urn:ietf:bcp:47: language tags answered from the IANA registry and CLDR names (the langcodes package)."""
import pytest

from tests.support.tx_requests import out as by_name

from terminology.bcp47 import BCP47, canonical_tag

FJ = "application/fhir+json"


def _out(r):
    assert r.status_code == 200, r.get_json()
    return by_name(r.get_json())


@pytest.mark.parametrize("tag, canon", [
    ("EN-us", "en-US"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419"), ("nb-no", "nb-NO"),
    ("en-x-ABC", "en-x-abc"), ("de-ch-1996", "de-CH-1996"), ("se", "se"),
    ("en-US-u-ca-gregory", "en-US-u-ca-gregory"), ("EN-us-U-CA-Gregory", "en-US-u-ca-gregory"),
    ("de-DE-t-en-us", "de-DE-t-en-us"), ("x-AB", "x-ab"),
])
def test_canonical_case(tag, canon):
    assert canonical_tag(tag) == canon


def test_lookup_in_english_and_in_norwegian(client):
    out = _out(client.get("/fhir/CodeSystem/$lookup", query_string={"system": BCP47, "code": "nb-NO"}))
    assert out["display"] == "Norwegian Bokmål (Norway)"
    out = _out(client.get("/fhir/CodeSystem/$lookup", query_string={"system": BCP47, "code": "se",
                                                                    "displayLanguage": "nb"}))
    assert out["display"] == "nordsamisk"


@pytest.mark.parametrize("code, display, result", [
    ("se", None, True), ("sma", "Southern Sami", True), ("nn", "norsk nynorsk", True),
    ("nn", "Bokmål", False), ("xx-YY", None, False), ("en-", None, False), ("e" * 200, None, False),
])
def test_validate_code(client, code, display, result):
    q = {"url": BCP47, "code": code}
    if display:
        q["display"] = display
    out = _out(client.get("/fhir/CodeSystem/$validate-code", query_string=q))
    assert out["result"] is result
    if not result and display is None:
        assert out["issues"]["issue"][0]["details"]["coding"][0]["code"] == "invalid-code"


def test_a_tag_in_other_case_is_valid_and_named_in_its_canonical_case(client):
    out = _out(client.get("/fhir/CodeSystem/$validate-code", query_string={"url": BCP47, "code": "en-us"}))
    assert out["result"] is True and out["normalized-code"] == "en-US"


def _vs(*include):
    return {"resourceType": "ValueSet", "url": "http://example.org/vs/languages", "status": "active",
            "compose": {"include": list(include)}}


def _post(client, op, *params):
    return client.post(f"/fhir/ValueSet/${op}", json={"resourceType": "Parameters", "parameter": list(params)},
                       content_type=FJ)


def test_a_value_set_of_named_tags_expands_with_norwegian_displays(client):
    vs = _vs({"system": BCP47, "concept": [{"code": "nb"}, {"code": "nn"}, {"code": "se"}]})
    r = _post(client, "expand", {"name": "valueSet", "resource": vs}, {"name": "displayLanguage", "valueCode": "nb"})
    assert r.status_code == 200
    got = {c["code"]: c["display"] for c in r.get_json()["expansion"]["contains"]}
    assert got == {"nb": "norsk bokmål", "nn": "norsk nynorsk", "se": "nordsamisk"}
    out = _out(_post(client, "validate-code", {"name": "valueSet", "resource": vs},
                     {"name": "coding", "valueCoding": {"system": BCP47, "code": "sma"}}))
    assert out["result"] is False      # a valid tag, but not one the value set names


def test_the_whole_grammar_validates_but_does_not_expand(client):
    vs = _vs({"system": BCP47})
    for code, result in (("smj", True), ("zz-ZZ-zz", False)):
        out = _out(_post(client, "validate-code", {"name": "valueSet", "resource": vs},
                         {"name": "coding", "valueCoding": {"system": BCP47, "code": code}}))
        assert out["result"] is result, code
    r = _post(client, "expand", {"name": "valueSet", "resource": vs})
    assert r.status_code == 422
    issue = r.get_json()["issue"][0]
    # the reference servers' answer (FHIRsmith CODESYSTEM_NOT_ENUMERABLE): not supported rather than too costly,
    # since no paging could list it; what to do instead is for a person, in diagnostics
    assert issue["code"] == "not-supported" and issue["details"]["coding"][0]["code"] == "not-supported"
    assert issue["details"]["text"] == (f"The code system '{BCP47}' cannot be expanded because its codes cannot be "
                                        "iterated or enumerated in any meaningful sense")
    assert "grammar" in issue["diagnostics"]


def test_a_stored_or_supplied_code_system_of_that_url_wins(client):
    own = {"resourceType": "CodeSystem", "url": BCP47, "version": "local", "status": "active",
           "content": "complete", "concept": [{"code": "tlh", "display": "Klingon (local list)"}]}
    r = client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": BCP47}, {"name": "code", "valueCode": "tlh"},
        {"name": "tx-resource", "resource": own}]}, content_type=FJ)
    assert _out(r)["display"] == "Klingon (local list)"


def test_terminology_capabilities_name_the_grammar(client):
    caps = client.get("/fhir/metadata", query_string={"mode": "terminology"}).get_json()
    assert {"uri": BCP47} in caps["codeSystem"]


def test_related_a_whole_grammar_holds_a_list_of_it(client):
    whole, listed = _vs({"system": BCP47}), {**_vs({"system": BCP47, "concept": [{"code": "nb"}]}),
                                            "url": "http://example.org/vs/nb"}
    out = _out(client.post("/fhir/ValueSet/$related", json={"resourceType": "Parameters", "parameter": [
        {"name": "thisValueSet", "resource": whole}, {"name": "otherValueSet", "resource": listed}]},
        content_type=FJ))
    assert out["result"] == "superset"      # tx.fhir.org's rule: a whole system holds more than a list of it
