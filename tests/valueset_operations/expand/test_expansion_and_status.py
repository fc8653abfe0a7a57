"""Concept status (retired, inactive, deprecated), exclude-system versions, designation tokens, paging bounds."""
from tests.support.tx_files import stored_client
from tests.valueset_operations.test_limits_cycles_and_filters import T, _issues, _out, _post

CS = {"resourceType": "CodeSystem", "url": T + "status", "version": "1", "status": "active", "content": "complete",
      "property": [{"code": "status", "type": "code"}, {"code": "inactive", "type": "boolean"}],
      "concept": [
          {"code": "dep", "display": "Deprecated", "property": [{"code": "status", "valueCode": "deprecated"}]},
          {"code": "ret", "display": "Retired", "property": [{"code": "status", "valueCode": "retired"}]},
          {"code": "kept", "display": "Retired but stated active", "property": [
              {"code": "status", "valueCode": "retired"}, {"code": "inactive", "valueBoolean": False}]},
          {"code": "ext", "display": "Deprecated the FHIR way", "extension": [
              {"url": "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status",
               "valueCode": "deprecated"}]}]}
VS = {"resourceType": "ValueSet", "url": T + "vs-status", "status": "active",
      "compose": {"include": [{"system": T + "status"}]}}


def _validate(client, code):
    return _post(client, "ValueSet/$validate-code", ("url", "valueUri", VS["url"]), ("system", "valueUri", CS["url"]),
                 ("code", "valueCode", code), ("tx-resource", "resource", CS), ("tx-resource", "resource", VS))


def test_deprecated_is_active_with_a_warning(client):
    for code in ("dep", "ext"):
        status, body = _validate(client, code)
        out = _out(body)
        assert status == 200 and out["result"] is True and "inactive" not in out and out["status"] == "deprecated"
        [issue] = _issues(body)
        assert (issue["severity"], issue["details"]["coding"][0]["code"]) == ("warning", "code-comment")
        assert issue["details"]["text"] == f"The concept '{code}' is deprecated and its use should be reviewed"


def test_retired_is_inactive_unless_inactive_is_stated_false(client):
    out = _out(_validate(client, "ret")[1])
    assert out["inactive"] is True and out["status"] == "retired"
    out = _out(_validate(client, "kept")[1])
    assert "inactive" not in out


def test_expand_active_only_agrees(client):
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", VS["url"]), ("activeOnly", "valueBoolean", True),
                         ("tx-resource", "resource", CS), ("tx-resource", "resource", VS))
    assert status == 200
    assert sorted(c["code"] for c in body["expansion"]["contains"]) == ["dep", "ext", "kept"]


def test_exclude_system_with_a_version_removes_only_that_version(client):
    def total(exclude):
        status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", VS["url"]),
                             ("exclude-system", "valueUri", exclude),
                             ("tx-resource", "resource", CS), ("tx-resource", "resource", VS))
        assert status == 200
        return body["expansion"]["total"]
    assert total(CS["url"] + "|2") == 4      # a version not in use removes nothing
    assert total(CS["url"] + "|1") == 0
    assert total(CS["url"]) == 0


def test_designation_token_without_a_system_matches_a_language_or_a_use(client):
    cs = {**CS, "url": T + "designations", "concept": [{"code": "a", "display": "A", "designation": [
        {"language": "de", "value": "A auf Deutsch"},
        {"language": "nb", "use": {"system": "http://snomed.info/sct", "code": "900000000000013009"},
         "value": "A på norsk"}]}]}
    vs = {**VS, "url": T + "vs-designations", "compose": {"include": [{"system": cs["url"]}]}}

    def designations(token):
        status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", vs["url"]),
                             ("includeDesignations", "valueBoolean", True), ("designation", "valueString", token),
                             ("tx-resource", "resource", cs), ("tx-resource", "resource", vs))
        assert status == 200
        return sorted(d["value"] for d in body["expansion"]["contains"][0].get("designation") or ())
    assert designations("de") == ["A auf Deutsch"]
    assert designations("urn:ietf:bcp:47|de") == ["A auf Deutsch"]
    assert designations("900000000000013009") == ["A på norsk"]
    assert designations("http://snomed.info/sct|900000000000013009") == ["A på norsk"]


def test_paging_bounds_are_checked_and_the_count_used_is_echoed(tmp_path):
    big = {"resourceType": "CodeSystem", "url": T + "pages", "status": "active", "content": "complete",
           "concept": [{"code": f"p{i}", "display": f"Page code {i}"} for i in range(10_050)]}
    vs = {"resourceType": "ValueSet", "url": T + "vs-pages", "status": "active",
          "compose": {"include": [{"system": big["url"]}]}}
    # stored: a code system sent with the request is not paged past 1,000 codes (test_large_supplied_systems.py)
    client = stored_client(tmp_path, [big, vs])

    def expand(**paging):
        return _post(client, "ValueSet/$expand", ("url", "valueUri", vs["url"]),
                     *((k, "valueInteger", v) for k, v in paging.items()))
    status, body = expand(offset=10**20)
    assert status == 400 and "offset" in body["issue"][0]["details"]["text"]
    status, body = expand(count=20_000)
    assert status == 200 and len(body["expansion"]["contains"]) == 10_000
    echoed = {p["name"]: p.get("valueInteger") for p in body["expansion"]["parameter"]}
    # a page of a set over the expansion limit carries no total (tx.fhir.org; research-s10-paging ADOPT-1)
    assert echoed["count"] == 10_000 and "total" not in body["expansion"]


def test_include_definition_returns_the_compose(client):
    def keys(flag):
        status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", VS["url"]),
                             ("includeDefinition", "valueBoolean", flag),
                             ("tx-resource", "resource", CS), ("tx-resource", "resource", VS))
        assert status == 200
        return body
    assert keys(True)["compose"] == VS["compose"]
    assert "compose" not in keys(False)


def test_a_display_for_a_concept_without_displays_is_not_checked(client):
    cs = {**CS, "url": T + "no-display", "concept": [{"code": "bare"}]}
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", cs["url"]),
                         ("code", "valueCode", "bare"), ("display", "valueString", "Something"),
                         ("tx-resource", "resource", cs))
    out = _out(body)
    # nothing to compare the display with: not checked, nothing said (as the reference servers do)
    assert status == 200 and out["result"] is True
    assert "message" not in out and "issues" not in out


def test_display_language_uses_the_value_sets_own_designations(client):
    cs = {**CS, "url": T + "vs-designated", "concept": [{"code": "a", "display": "Alpha"}]}
    vs = {**VS, "url": T + "vs-with-designations", "compose": {"include": [{"system": cs["url"], "concept": [
        {"code": "a", "display": "VS Alpha", "designation": [{"language": "fr", "value": "Alpha en français"}]}]}]}}

    def display(language):
        status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", vs["url"]),
                             ("displayLanguage", "valueCode", language),
                             ("tx-resource", "resource", cs), ("tx-resource", "resource", vs))
        assert status == 200
        return body["expansion"]["contains"][0]["display"]
    assert display("fr") == "Alpha en français"
    assert display("de") == "VS Alpha"
