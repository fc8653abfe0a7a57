"""Third reviewer probe of $expand and $lookup against the FHIR R4 spec and the reference test runner:
one test (or two) per finding, each through the HTTP API (Flask test client) with tx-resource content."""
import copy
from tests.support.tx_files import stored_client, tx_file

FJ = "application/fhir+json"
SD = "http://hl7.org/fhir/StructureDefinition/"
R5 = "http://hl7.org/fhir/5.0/StructureDefinition/extension-"
EXTENSIONS = "http://hl7.org/fhir/test/CodeSystem/extensions"
SIMPLE = "http://hl7.org/fhir/test/CodeSystem/simple"
CP = "http://hl7.org/fhir/concept-properties#"
SIMPLE_ALL = "http://hl7.org/fhir/test/ValueSet/simple-all"




def _post(client, path: str, *pairs):
    body = {"resourceType": "Parameters", "parameter": [{"name": n, k: v} if k else {"name": n}
                                                        for n, k, v in pairs]}
    r = client.post(f"/fhir/{path}", json=body, content_type=FJ)
    return r.status_code, r.get_json()


def _res(*resources):
    return [("tx-resource", "resource", r) for r in resources]


def _ext_setup():
    return _res(*(tx_file(f"extensions/{n}.json") for n in (
        "codesystem-extensions", "codesystem-supplement", "valueset-extensions-enumerated",
        "valueset-extensions-all", "valueset-extensions-all-ns")))


def _value(body: dict, name: str):
    for p in body.get("parameter") or ():
        if p["name"] == name:
            return next((v for k, v in p.items() if k.startswith("value")), None)
    return None


def _lookup_props(body: dict) -> list[tuple]:
    out = []
    for p in body.get("parameter") or ():
        if p["name"] == "property":
            parts = {q["name"]: next(v for k, v in q.items() if k.startswith("value")) for q in p["part"]}
            out.append((parts["code"], parts.get("value")))
    return out


def _contains(vs: dict) -> dict:
    out = {}
    stack = list(vs["expansion"].get("contains") or ())
    while stack:
        c = stack.pop()
        out[c["code"]] = c
        stack.extend(c.get("contains") or ())
    return out


def _item_props(item: dict) -> dict:
    out = {}
    for e in item.get("extension") or ():
        if e["url"] == R5 + "ValueSet.expansion.contains.property":
            parts = {x["url"]: next(v for k, v in x.items() if k.startswith("value")) for x in e["extension"]}
            out.setdefault(parts["code"], []).append(parts["value"])
    return out


def _declared(vs: dict) -> dict:
    out = {}
    for e in vs["expansion"].get("extension") or ():
        if e["url"] == R5 + "ValueSet.expansion.property":
            parts = {x["url"]: next(v for k, v in x.items() if k.startswith("value")) for x in e["extension"]}
            out[parts["code"]] = parts.get("uri")
    return out


def _plain_exts(item: dict) -> set:
    return {e["url"] for e in item.get("extension") or () if not e["url"].startswith(R5)}


# --- 1. unknown value set concept / designation extensions stay out of expansion.contains --------------------
def test_unknown_valueset_concept_extensions_are_not_copied_into_the_expansion(client):
    status, vs = _post(client, "ValueSet/$expand",
                       ("url", "valueUri", "http://hl7.org/fhir/test/ValueSet/extensions-enumerated"),
                       ("includeDesignations", "valueBoolean", True), ("includeDefinition", "valueBoolean", True),
                       *_ext_setup())
    assert status == 200, vs
    items = _contains(vs)
    assert _plain_exts(items["code1"]) == {SD + "valueset-deprecated"}
    assert _plain_exts(items["code5"]) == {SD + "valueset-concept-definition"}
    des = [d for d in items["code2"]["designation"] if d["value"] == "Mein zweiter Code"]
    assert des and [e["url"] for e in des[0]["extension"]] == [SD + "coding-sctdescid"]
    # the code system's designation keeps its status
    des = [d for d in items["code2"]["designation"] if d["value"] == "2nd Code"]
    assert des[0]["extension"] == [{"url": SD + "structuredefinition-standards-status", "valueCode": "withdrawn"}]
    # the definition asked for with includeDefinition is echoed untouched
    concept2 = vs["compose"]["include"][0]["concept"][1]
    assert any(e["url"].endswith("unknown-extension-6") for e in concept2["designation"][0]["extension"])


# --- 2. the value set's standards status is a warning parameter, not an echoed extension --------------------
def test_withdrawn_value_set_status_is_not_echoed_as_an_extension(client):
    setup = _res(tx_file("deprecated/codesystem-deprecated.json"), tx_file("deprecated/valueset-withdrawn.json"))
    status, vs = _post(client, "ValueSet/$expand", ("url", "valueUri", "http://hl7.org/fhir/test/ValueSet/withdrawn"),
                       *setup)
    assert status == 200, vs
    assert "extension" not in vs
    assert any(p["name"] == "warning-withdrawn" for p in vs["expansion"]["parameter"])


def test_other_value_set_extensions_come_with_the_definition(client):
    # the value set's extensions are part of its definition: answered with includeDefinition, left out
    # without it (as FHIRsmith's expand.js, fhirserver and the Java expander strip them)
    url = ("url", "valueUri", "http://hl7.org/fhir/test/ValueSet/extensions-enumerated")
    status, vs = _post(client, "ValueSet/$expand", url, ("includeDefinition", "valueBoolean", True), *_ext_setup())
    assert status == 200, vs
    assert SD + "valueset-supplement" in {e["url"] for e in vs["extension"]}
    status, vs = _post(client, "ValueSet/$expand", url, *_ext_setup())
    assert status == 200, vs
    assert "extension" not in vs and "compose" not in vs


# --- 3. property=status keeps a status that comes from the standards-status extension -----------------------
def test_property_status_keeps_an_extension_status(client):
    status, vs = _post(client, "ValueSet/$expand",
                       ("url", "valueUri", "http://hl7.org/fhir/test/ValueSet/extensions-all-ns"),
                       ("property", "valueString", "status"), ("excludeNested", "valueBoolean", True),
                       *_ext_setup())
    assert status == 200, vs
    assert _item_props(_contains(vs)["code5"]).get("status") == ["deprecated"]
    assert _declared(vs).get("status") == CP + "status"


# --- 4. $lookup status agrees with $expand -------------------------------------------------------------------
def test_lookup_status_uses_the_standards_status_extension(client):
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", EXTENSIONS),
                         ("code", "valueCode", "code5"), ("property", "valueCode", "status"),
                         *_res(tx_file("extensions/codesystem-extensions.json")))
    assert status == 200, body
    assert ("status", "deprecated") in _lookup_props(body)
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", EXTENSIONS),
                         ("code", "valueCode", "code4"), ("property", "valueCode", "status"),
                         *_res(tx_file("extensions/codesystem-extensions.json")))
    assert ("status", "active") in _lookup_props(body)


# --- 6. the R4 `child` property makes the concept a parent ---------------------------------------------------
CHILD_CS = {"resourceType": "CodeSystem", "url": "http://example.org/cs/child-prop", "version": "1",
            "status": "active", "content": "complete",
            "property": [{"code": "child", "uri": CP + "child", "type": "code"}],
            "concept": [{"code": "D", "display": "Dee", "property": [{"code": "child", "valueCode": "E"}]},
                        {"code": "E", "display": "Eee"}, {"code": "F", "display": "Eff"}]}


def test_child_property_is_answered_by_lookup(client):
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", CHILD_CS["url"]),
                         ("code", "valueCode", "D"), ("property", "valueCode", "child"), *_res(CHILD_CS))
    assert status == 200, body
    assert ("child", "E") in _lookup_props(body)
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", CHILD_CS["url"]),
                         ("code", "valueCode", "E"), ("property", "valueCode", "parent"), *_res(CHILD_CS))
    assert _lookup_props(body) == [("parent", "D")]


def test_child_property_counts_for_is_a_and_subsumes(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/child-isa", "status": "active",
          "compose": {"include": [{"system": CHILD_CS["url"],
                                   "filter": [{"property": "concept", "op": "is-a", "value": "D"}]}]}}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs), *_res(CHILD_CS))
    assert status == 200, body
    assert set(_contains(body)) == {"D", "E"}
    status, body = _post(client, "CodeSystem/$subsumes", ("system", "valueUri", CHILD_CS["url"]),
                         ("codeA", "valueCode", "D"), ("codeB", "valueCode", "E"), *_res(CHILD_CS))
    assert status == 200, body
    assert _value(body, "outcome") == "subsumes"


def test_child_property_counts_in_stored_content(tmp_path):
    client = stored_client(tmp_path, [CHILD_CS])
    status, body = _post(client, "CodeSystem/$subsumes", ("system", "valueUri", CHILD_CS["url"]),
                         ("codeA", "valueCode", "D"), ("codeB", "valueCode", "E"))
    assert status == 200, body
    assert _value(body, "outcome") == "subsumes"


# --- 7. status / inactive under other codes with the standard URIs -------------------------------------------
ALIAS_CS = {"resourceType": "CodeSystem", "url": "http://example.org/cs/aliases", "version": "1",
            "status": "active", "content": "complete",
            "property": [{"code": "st", "uri": CP + "status", "type": "code"},
                         {"code": "inact", "uri": CP + "inactive", "type": "boolean"}],
            "concept": [{"code": "a", "display": "A"},
                        {"code": "b", "display": "B", "property": [{"code": "st", "valueCode": "retired"}]},
                        {"code": "c", "display": "C", "property": [{"code": "inact", "valueBoolean": True}]},
                        {"code": "d", "display": "D", "property": [{"code": "st", "valueCode": "deprecated"}]}]}
ALIAS_VS = {"resourceType": "ValueSet", "url": "http://example.org/vs/aliases", "status": "active",
            "compose": {"include": [{"system": ALIAS_CS["url"]}]}}


def test_status_and_inactive_are_recognised_by_uri_in_expand(client):
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", ALIAS_VS), *_res(ALIAS_CS))
    assert status == 200, body
    items = _contains(body)
    assert items["b"].get("inactive") is True and items["c"].get("inactive") is True
    assert "inactive" not in items["a"] and "inactive" not in items["d"]
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", ALIAS_VS),
                         ("activeOnly", "valueBoolean", True), *_res(ALIAS_CS))
    assert set(_contains(body)) == {"a", "d"}


def test_status_and_inactive_are_recognised_by_uri_in_lookup(client):
    for code, inactive, st in (("b", True, "retired"), ("c", True, "inactive"), ("a", False, "active"),
                               ("d", False, "deprecated")):
        status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", ALIAS_CS["url"]),
                             ("code", "valueCode", code), ("property", "valueCode", "inactive"),
                             ("property", "valueCode", "status"), *_res(ALIAS_CS))
        assert status == 200, body
        props = _lookup_props(body)
        assert ("inactive", inactive) in props and ("status", st) in props, (code, props)


# --- 8. a date before CodeSystem.date does not break $lookup of a single version ------------------------------
def test_lookup_with_an_early_date_and_one_version(client):
    simple = tx_file("simple/codesystem-simple.json")
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", SIMPLE), ("code", "valueCode", "code2a"),
                         ("date", "valueDateTime", "2020-01-01"), *_res(simple))
    assert status == 200, body
    assert _value(body, "code") == "code2a" and _value(body, "version") == "0.1.0"
    # $expand with the same date agrees
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/simple-all", "status": "active",
          "compose": {"include": [{"system": SIMPLE}]}}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs),
                         ("date", "valueDateTime", "2020-01-01"), *_res(simple))
    assert status == 200, body


def test_lookup_before_the_first_of_several_editions_is_still_an_error(client):
    def edition(year: str) -> dict:
        return {"resourceType": "CodeSystem", "url": "http://example.org/cs/yearly", "version": year,
                "status": "active", "content": "complete", "concept": [{"code": "x", "display": f"X {year}"}]}
    setup = _res(edition("2024"), edition("2025"))
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", "http://example.org/cs/yearly"),
                         ("code", "valueCode", "x"), ("date", "valueDate", "2024-07-01"), *setup)
    assert status == 200 and _value(body, "version") == "2024", body
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", "http://example.org/cs/yearly"),
                         ("code", "valueCode", "x"), ("date", "valueDate", "2020-01-01"), *setup)
    assert status == 422 and body["resourceType"] == "OperationOutcome"   # a code system (version) not held: 422


# --- 9. display is 1..1 in the $lookup answer -----------------------------------------------------------------
def test_lookup_display_falls_back_to_the_code(client):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/cs/no-display", "version": "1",
          "status": "active", "content": "complete", "concept": [{"code": "bare"}]}
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", cs["url"]),
                         ("code", "valueCode", "bare"), *_res(cs))
    assert status == 200, body
    assert _value(body, "display") == "bare"


# --- 10. echoed expansion parameters are valid FHIR -----------------------------------------------------------
def _echoed(body: dict) -> list:
    return [p for p in body["expansion"].get("parameter") or () if not p["name"].startswith("used-")]


def test_empty_and_valueless_parameters_are_not_echoed(client):
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", SIMPLE_ALL),
                         ("filter", "valueString", ""), ("excludeNested", None, None),
                         *_res(tx_file("simple/codesystem-simple.json"), tx_file("simple/valueset-all.json")))
    assert status == 200, body
    echoed = _echoed(body)
    assert not any(p["name"] in ("filter", "excludeNested") for p in echoed), echoed
    for p in echoed:
        value = next(v for k, v in p.items() if k.startswith("value"))
        assert value is not None and value != "", p


def test_filter_sent_as_a_number_is_echoed_as_a_string(client):
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", SIMPLE_ALL),
                         ("filter", "valueInteger", 2),
                         *_res(tx_file("simple/codesystem-simple.json"), tx_file("simple/valueset-all.json")))
    assert status == 200, body
    assert {"name": "filter", "valueString": "2"} in _echoed(body)


# --- 11. one wording for an unknown system, with or without a version -----------------------------------------
def test_unknown_system_is_worded_alike_with_and_without_a_version(client):
    texts = []
    for extra in ((), (("version", "valueString", "1.0"),)):
        status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", "http://example.org/cs/nowhere"),
                             ("code", "valueCode", "a"), *extra)
        assert status == 422 and body["resourceType"] == "OperationOutcome"   # a code system (version) not held: 422
        texts.append(body["issue"][0]["details"]["text"])
    for t in texts:
        assert t.startswith("A definition for CodeSystem 'http://example.org/cs/nowhere'"), t
        assert "so the code cannot be looked up" in t, t


def test_unknown_version_of_a_known_system_keeps_the_valid_versions(client):
    cs = copy.deepcopy(tx_file("simple/codesystem-simple.json"))
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", SIMPLE), ("code", "valueCode", "code1"),
                         ("version", "valueString", "9.9"), *_res(cs))
    assert status == 422   # a code system (version) not held: 422
    text = body["issue"][0]["details"]["text"]
    assert "version '9.9'" in text and "so the code cannot be looked up" in text and "0.1.0" in text


def test_a_status_filter_reads_the_status_under_the_systems_own_code_and_the_extension(client):
    by_status = {"resourceType": "ValueSet", "url": "http://example.org/vs/retired", "status": "active",
                 "compose": {"include": [{"system": ALIAS_CS["url"],
                                          "filter": [{"property": "status", "op": "=", "value": "retired"}]}]}}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", by_status), *_res(ALIAS_CS))
    assert status == 200, body
    assert set(_contains(body)) == {"b"}
    deprecated = {**by_status, "compose": {"include": [{"system": EXTENSIONS, "filter": [
        {"property": "status", "op": "=", "value": "deprecated"}]}]}}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", deprecated), *_ext_setup())
    assert status == 200, body
    assert "code5" in _contains(body)


def test_subsumes_of_an_unknown_system_says_what_cannot_be_done(client):
    r = client.get("/fhir/CodeSystem/$subsumes", query_string={"system": "http://example.org/cs/none",
                                                              "codeA": "a", "codeB": "b"})
    assert r.status_code == 422   # a code system (version) not held: 422
    assert "subsumption cannot be tested" in r.get_json()["issue"][0]["details"]["text"]


OTHER = "http://example.org/cs/other"
EXPANSION_ONLY = {"resourceType": "ValueSet", "url": "http://example.org/vs/expansion-only", "version": "1",
                  "status": "active", "expansion": {
                      "identifier": "urn:uuid:7d5e3a2c-1b4f-4c8e-9a6d-2f1e0b3c4d5e",
                      "timestamp": "2024-01-01T00:00:00Z", "contains": [
                          {"system": OTHER, "version": "3", "code": "a", "display": "A"},
                          {"system": OTHER, "version": "3", "code": "b", "display": "B", "inactive": True},
                          {"system": OTHER, "version": "3", "code": "c", "display": "C", "abstract": True,
                           "contains": [{"system": OTHER, "version": "3", "code": "c1", "display": "C1"}]}]}}


def test_a_stated_expansion_keeps_its_flags_nesting_and_versions(client):
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", EXPANSION_ONLY))
    assert status == 200, body
    top = body["expansion"]["contains"]
    assert [(c["code"], c.get("inactive"), c.get("abstract"), c.get("version")) for c in top] == \
        [("a", None, None, "3"), ("b", True, None, "3"), ("c", None, True, "3")]
    assert [c["code"] for c in top[2]["contains"]] == ["c1"]
    # answered as stored: no used-codesystem of Kodebro's own (tx.fhir.org; research-s10-paging ADOPT-5)
    assert "parameter" not in body["expansion"]
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", EXPANSION_ONLY),
                         ("activeOnly", "valueBoolean", True), ("excludeNotForUI", "valueBoolean", True),
                         ("excludeNested", "valueBoolean", True))
    assert [c["code"] for c in body["expansion"]["contains"]] == ["a", "c1"]


def test_a_stated_expansion_of_an_unknown_system_cannot_be_validated_but_says_why(client):
    status, body = _post(client, "ValueSet/$validate-code", ("valueSet", "resource", EXPANSION_ONLY),
                         ("coding", "valueCoding", {"system": OTHER, "code": "a"}))
    assert status == 200
    assert _value(body, "result") is False
    assert _value(body, "x-caused-by-unknown-system") == OTHER


def test_a_stated_expansion_is_read_once_for_many_checks(client, store):
    """A batch asks about one expansion-only value set once per check, each with its own evaluator: its keys
    are read once (a 100,000-entry expansion times 1,000 checks held a worker for minutes)."""
    from terminology import Catalog
    from terminology.operations.compose import ComposeEvaluator
    codes = [f"c{i}" for i in range(2000)]
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/many", "status": "active",
          "expansion": {"contains": [{"system": OTHER, "code": code} for code in codes]}}
    catalog = Catalog(store)
    first = ComposeEvaluator(catalog).expansion_keys(vs)
    assert first is ComposeEvaluator(catalog).expansion_keys(vs) and len(first) == 2000
    cs = {"resourceType": "CodeSystem", "url": OTHER, "status": "active", "content": "complete",
          "concept": [{"code": code, "display": code} for code in codes + ["outside"]]}
    checks = [{"name": "validation", "resource": {"resourceType": "Parameters", "parameter": [
        {"name": "coding", "valueCoding": {"system": OTHER, "code": code}}]}} for code in ("c1", "c1999", "outside")]
    r = client.post("/fhir/ValueSet/$batch-validate-code", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}, {"name": "tx-resource", "resource": cs}, *checks]}, content_type=FJ)
    answers = [p["resource"] for p in r.get_json()["parameter"]]
    assert [_value(a, "result") for a in answers] == [True, True, False]
