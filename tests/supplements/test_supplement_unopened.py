"""A required supplement whose base code system the operation never opens is refused, like one of another version.

useSupplement and the valueset-supplement extension name supplements the answer depends on ("should not be used
in its absence", R4 valueset-supplement). A supplement of a system the request then never reads (exclude-system
removes it, or the value set takes no codes from it) cannot be applied: the answer is the same 404 not-found
("Required supplement not found: <as named>") the reference servers give, with the why in diagnostics. A
supplement of a system the value set does use keeps working; $validate-code of a code of one system of a value
set answers for the whole value set, so a supplement of its other systems is accepted there.
"""
import pytest

from tests.support.tx_files import param_pairs, stored_client, supplement_refused as _refused

B = "http://example.org/fhir/"
CS_A = B + "CodeSystem/unopened-a"
CS_B = B + "CodeSystem/unopened-b"
SUP_A = B + "CodeSystem/unopened-a-sup"
SUP_B = B + "CodeSystem/unopened-b-sup"
E = "http://hl7.org/fhir/StructureDefinition/"
TX = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"


def _cs(url: str, rid: str, prefix: str) -> dict:
    return {"resourceType": "CodeSystem", "id": rid, "url": url, "version": "1", "status": "active",
            "content": "complete", "concept": [{"code": "x", "display": prefix + " X"},
                                               {"code": "y", "display": prefix + " Y"}]}


def _sup(url: str, rid: str, base: str) -> dict:
    return {"resourceType": "CodeSystem", "id": rid, "url": url, "version": "1", "status": "active",
            "content": "supplement", "supplements": base, "language": "fr",
            "concept": [{"code": "x", "display": "Ex en français"}]}


VS_AB = {"resourceType": "ValueSet", "id": "unopened-ab", "url": B + "ValueSet/unopened-ab", "status": "active",
         "compose": {"include": [{"system": CS_A}, {"system": CS_B}]}}
VS_A = {"resourceType": "ValueSet", "id": "unopened-a", "url": B + "ValueSet/unopened-a", "status": "active",
        "compose": {"include": [{"system": CS_A}]}}
VS_AB_EXT = {**VS_AB, "id": "unopened-ab-ext", "url": B + "ValueSet/unopened-ab-ext",
             "extension": [{"url": E + "valueset-supplement", "valueCanonical": SUP_B}]}
# a value set that states its expansion only: its codes are listed without opening their code systems
VS_STATED = {"resourceType": "ValueSet", "id": "unopened-st", "url": B + "ValueSet/unopened-st", "status": "active",
             "expansion": {"identifier": "urn:uuid:5d3c8a4e-8b1f-4a53-9a61-0c2a7f3f0b11", "timestamp": "2024-01-01",
                           "contains": [{"system": CS_A, "code": "x", "display": "A X"},
                                        {"system": CS_B, "code": "x", "display": "B X"}]}}
VS_STATED_EXT = {**VS_STATED, "id": "unopened-st-ext", "url": B + "ValueSet/unopened-st-ext",
                 "extension": [{"url": E + "valueset-supplement", "valueCanonical": SUP_B}]}


@pytest.fixture
def client(tmp_path):
    return stored_client(tmp_path, [_cs(CS_A, "unopened-a", "A"), _cs(CS_B, "unopened-b", "B"),
                                    _sup(SUP_A, "unopened-a-sup", CS_A), _sup(SUP_B, "unopened-b-sup", CS_B),
                                    VS_AB, VS_A, VS_AB_EXT, VS_STATED, VS_STATED_EXT])


def _params(body: dict) -> dict:
    return dict(param_pairs(body))




def _expand(client, **q):
    return client.get("/fhir/ValueSet/$expand", query_string=q)


def test_expand_refuses_a_supplement_of_a_system_exclude_system_removes(client):
    r = _expand(client, url=VS_AB["url"], useSupplement=SUP_B, **{"exclude-system": CS_B})
    issue = _refused(r, SUP_B)
    assert f"{SUP_B}|1 supplements {CS_B}" in issue.get("diagnostics", "")
    assert "does not use" in issue.get("diagnostics", "")


def test_expand_refuses_the_value_sets_own_supplement_when_exclude_system_removes_its_system(client):
    # named by the value set's valueset-supplement extension, not by the request
    _refused(_expand(client, url=VS_AB_EXT["url"], **{"exclude-system": CS_B}), SUP_B)


def test_expand_refuses_a_supplement_of_a_system_the_value_set_does_not_use(client):
    _refused(_expand(client, url=VS_A["url"], useSupplement=SUP_B), SUP_B)


def test_refusal_is_worded_like_the_wrong_version_case(client):
    wrong_version = _expand(client, url=VS_A["url"], useSupplement=SUP_A + "|9")
    unopened = _expand(client, url=VS_AB["url"], useSupplement=SUP_B, **{"exclude-system": CS_B})
    assert wrong_version.status_code == unopened.status_code == 422  # $expand: 422 for a definition it lacks (the reference server's status)
    a, b = wrong_version.get_json()["issue"][0], unopened.get_json()["issue"][0]
    assert (a["severity"], a["code"], a["details"]["coding"]) == (b["severity"], b["code"], b["details"]["coding"])
    assert a["details"]["text"].split(": ")[0] == b["details"]["text"].split(": ")[0] == "Required supplement not found"


def test_expand_applies_a_supplement_of_a_system_it_uses(client):
    r = _expand(client, url=VS_AB["url"], useSupplement=SUP_B, includeDesignations="true")
    assert r.status_code == 200, r.get_json()
    exp = r.get_json()["expansion"]
    assert {"name": "used-supplement", "valueUri": SUP_B + "|1"} in exp["parameter"]
    bx = next(c for c in exp["contains"] if c["system"] == CS_B and c["code"] == "x")
    assert {"language": "fr", "value": "Ex en français"} in bx["designation"]


def test_expand_with_exclude_system_of_the_other_system_keeps_the_supplement(client):
    r = _expand(client, url=VS_AB["url"], useSupplement=SUP_B, displayLanguage="fr", **{"exclude-system": CS_A})
    assert r.status_code == 200, r.get_json()
    shown = {(c["system"], c["code"]): c.get("display") for c in r.get_json()["expansion"]["contains"]}
    assert shown == {(CS_B, "x"): "Ex en français", (CS_B, "y"): "B Y"}


def test_valueset_validate_code_accepts_a_supplement_of_another_system_of_the_value_set(client):
    # a code of A is validated against the whole value set, which takes B's codes (and their supplement) too
    r = client.get("/fhir/ValueSet/$validate-code", query_string={
        "url": VS_AB_EXT["url"], "system": CS_A, "code": "x"})
    assert r.status_code == 200, r.get_json()
    assert _params(r.get_json())["result"] is True


def test_valueset_validate_code_refuses_a_supplement_of_a_system_not_in_the_value_set(client):
    r = client.get("/fhir/ValueSet/$validate-code", query_string={
        "url": VS_A["url"], "system": CS_A, "code": "x", "useSupplement": SUP_B})
    _refused(r, SUP_B)


def test_codesystem_validate_code_without_a_code_system_refuses_an_unused_supplement(client):
    # only a coding: the supplement of B is refused once the coding (of A) is checked without B
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={
        "coding": f"{CS_A}|x", "useSupplement": SUP_B})
    _refused(r, SUP_B)


def test_codesystem_validate_code_refuses_a_supplement_of_another_system(client):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={
        "url": CS_A, "code": "x", "useSupplement": SUP_B})
    _refused(r, SUP_B)


def test_validate_code_applies_the_supplement_of_the_system_it_checks(client):
    r = client.get("/fhir/ValueSet/$validate-code", query_string={
        "url": VS_AB_EXT["url"], "system": CS_B, "code": "x", "display": "Ex en français", "displayLanguage": "fr"})
    body = _params(r.get_json())
    assert r.status_code == 200 and body["result"] is True, r.get_json()
    assert body["display"] == "Ex en français"


def test_expand_of_a_stated_expansion_does_not_refuse_a_supplement_of_its_codes_system(client):
    # the codes come from the value set's own expansion, not from opening the code system: they are of the
    # system the supplement is for, so it is not one "no code of it is expanded"
    vs = {"resourceType": "ValueSet", "url": B + "ValueSet/unopened-stated", "status": "active",
          "expansion": {"identifier": "urn:uuid:5f0c2d0e-9d1c-4a47-9f54-0d1e1d3c6b10", "timestamp": "2024-01-01",
                        "contains": [{"system": CS_B, "code": "x", "display": "B X"}]}}
    body = {"resourceType": "Parameters", "parameter": [{"name": "valueSet", "resource": vs},
                                                        {"name": "useSupplement", "valueCanonical": SUP_B}]}
    r = client.post("/fhir/ValueSet/$expand", json=body, content_type="application/fhir+json")
    assert r.status_code == 200, r.get_json()
    assert [c["code"] for c in r.get_json()["expansion"]["contains"]] == ["x"]


# --- the answer does not hang on the page or the text filter asked for ------------------------------------------
@pytest.mark.parametrize("page", [{}, {"count": 1}, {"count": 1, "offset": 1}, {"count": 0}, {"filter": "A"},
                                  {"filter": "B"}, {"filter": "zzz"}])
def test_a_supplement_of_a_system_of_a_stated_expansion_is_judged_on_the_whole_expansion(client, page):
    # the stated expansion lists codes of B: a supplement of B is not unused because the page (or the codes the
    # text filter keeps) holds codes of A only
    for url, q in ((VS_STATED["url"], {"useSupplement": SUP_B}), (VS_STATED_EXT["url"], {}),
                   (VS_AB["url"], {"useSupplement": SUP_B})):
        r = _expand(client, url=url, **q, **page)
        assert r.status_code == 200, (url, page, r.get_json())


@pytest.mark.parametrize("page", [{}, {"count": 1}, {"filter": "A"}])
def test_a_supplement_of_a_system_the_expansion_does_not_hold_is_refused_whatever_the_page(client, page):
    _refused(_expand(client, url=VS_A["url"], useSupplement=SUP_B, **page), SUP_B)
    _refused(_expand(client, url=VS_AB["url"], useSupplement=SUP_B, **{"exclude-system": CS_B}, **page), SUP_B)
