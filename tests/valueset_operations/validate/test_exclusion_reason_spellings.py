"""An exclude's reason (the exclusion-reason extension) is given for every spelling of a code it refuses: an
ICD-10-NO exclude listing `U07.1` refuses `U07.1`, `U071` and `u071` alike, so each is told why, and the first
exclude listing the code in any spelling answers for it."""
from terminology.exclusions import ExclusionReasons, exclusion_reason
from terminology.identifiers import ICD10_NO, ICPC2
from tests.support.resources import cs, vs
from tests.support.tx_requests import issues, out, post

VS = "http://example.org/fhir/ValueSet/spellings"
REASON = "https://kodebro.no/fhir/StructureDefinition/exclusion-reason"


def _why(text):
    return [{"url": REASON, "valueString": text}]


def _refusal(client, code):
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", ICD10_NO), ("code", code)])
    assert status == 200 and out(b)["result"] is False, b
    texts = [i["details"]["text"] for i in issues(b) if i["severity"] == "error"]
    assert len(texts) == 1, texts
    return texts[0]


def test_each_accepted_spelling_of_a_listed_code_is_told_the_reason(client):
    icd = cs(ICD10_NO, "t1", [{"code": c, "display": c} for c in ("U071", "J128", "Z038", "A00")])
    body = vs(VS, [{"system": ICD10_NO}], "1")
    body["compose"]["exclude"] = [
        {"system": ICD10_NO, "extension": _why("dotted"), "concept": [{"code": "U07.1"}, {"code": "j12.8"}]},
        {"system": ICD10_NO, "extension": _why("later"), "concept": [{"code": "U071"}, {"code": "Z038"}]}]
    for r, rid in ((icd, "icd"), (body, "spellings")):
        assert client.put(f"/fhir/{r['resourceType']}/{rid}", json={**r, "id": rid}).status_code in (200, 201)
    for _ in range(2):      # the second answer is the kept facts'
        for code in ("U07.1", "U071", "u071", "u07.1", "J12.8", "J128", "j12.8"):
            assert _refusal(client, code).endswith(": dotted"), code
        assert _refusal(client, "Z03.8").endswith(": later")
        status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", ICD10_NO), ("code", "A00")])
        assert out(b)["result"] is True, b


def test_the_index_and_the_body_scan_give_the_reason_for_every_spelling():
    excludes = [{"system": ICD10_NO, "extension": _why("icd"), "concept": [{"code": "U07.1"}]},
                {"system": ICPC2, "extension": _why("icpc"), "concept": [{"code": "k86"}]}]
    indexed = {"compose": {"include": [], "exclude": excludes}}
    # an exclude whose system is no string: the reasons are read off the body, exclude by exclude
    scanned = {"compose": {"include": [], "exclude": [{"system": 7}, *excludes]}}
    assert ExclusionReasons(indexed).groups is not None and ExclusionReasons(scanned).groups is None
    for body in (indexed, scanned):
        for code in ("U07.1", "U071", "u071"):
            assert exclusion_reason(body, ICD10_NO, code) == "icd", code
        for code in ("k86", "K86"):
            assert exclusion_reason(body, ICPC2, code) == "icpc", code
        assert exclusion_reason(body, ICD10_NO, "U072") is None
    # a case-sensitive system's code is its own spelling only
    own = {"compose": {"exclude": [{"system": "http://x/cs", "extension": _why("x"), "concept": [{"code": "ab"}]}]}}
    assert exclusion_reason(own, "http://x/cs", "ab") == "x" and exclusion_reason(own, "http://x/cs", "AB") is None


def test_the_reason_answers_whichever_way_the_system_is_named():
    oid = "urn:oid:2.16.578.1.12.4.1.1.7110"
    for exc_system, asked in ((oid, ICD10_NO), (ICD10_NO, oid), (oid, oid)):
        body = vs(VS, [{"system": ICD10_NO}], "1")
        body["compose"]["exclude"] = [{"system": exc_system, "extension": _why("by oid"),
                                       "concept": [{"code": "U07.1"}]}]
        for code in ("U07.1", "U071"):
            assert exclusion_reason(body, asked, code) == "by oid", (exc_system, asked, code)
            body["compose"]["exclude"][0]["system"] = [exc_system]     # a body ExclusionReasons cannot index
            assert exclusion_reason(body, asked, code) is None          # (a list is no system: scanned, no match)
            body["compose"]["exclude"][0]["system"] = exc_system
