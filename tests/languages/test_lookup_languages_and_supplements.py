"""Reviewer probe findings on $lookup, display languages, supplements, filters and value set versions:
one test (or two) per finding, each through the HTTP API with tx-resource content."""
import copy
from tests.support.tx_files import tx_file

FJ = "application/fhir+json"
VERSION_CS = "http://hl7.org/fhir/test/CodeSystem/version"
EN_MULTI = "http://hl7.org/fhir/test/CodeSystem/en-multi"
EN_SINGLE = "http://hl7.org/fhir/test/CodeSystem/en-single"
TX_ISSUE_TYPE = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"




def _version_cs(version: str) -> dict:
    cs = copy.deepcopy(tx_file("version/codesystem-version-1.json"))
    cs["version"] = version
    for c in cs["concept"]:
        c["display"] = c["display"].replace("(1.0)", f"({version})")
    return cs


V100, V120 = _version_cs("1.0.0"), _version_cs("1.2.0")
VSUP = {"resourceType": "CodeSystem", "url": "http://example.org/cs/vsup", "version": "1", "status": "active",
        "content": "supplement", "supplements": VERSION_CS + "|1.0.0",
        "concept": [{"code": "code1", "designation": [{"language": "fr", "value": "Affichage 1"}]}]}


def _post(client, path: str, *pairs):
    body = {"resourceType": "Parameters", "parameter": [{"name": n, k: v} for n, k, v in pairs]}
    r = client.post(f"/fhir/{path}", json=body, content_type=FJ)
    return r.status_code, r.get_json()


def _res(*resources):
    return [("tx-resource", "resource", r) for r in resources]


def _params(body: dict) -> list:
    return body.get("parameter") or []


def _value(body: dict, name: str):
    for p in _params(body):
        if p["name"] == name:
            return next((v for k, v in p.items() if k.startswith("value")), p.get("resource"))
    return None


def _designations(body: dict) -> list[dict]:
    out = []
    for p in _params(body):
        if p["name"] == "designation":
            out.append({q["name"]: next(v for k, v in q.items() if k.startswith("value")) for q in p["part"]})
    return out


def _issue(body: dict) -> dict:
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"][0]


def _contains(body: dict) -> dict:
    out = {}

    def walk(items):
        for c in items or ():
            out[c["code"]] = c
            walk(c.get("contains"))
    walk(body["expansion"].get("contains"))
    return out


# --- 1. a supplement of another version of the system is not applied by $lookup ---------------------------------
def test_lookup_refuses_supplement_of_another_version(client):
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", VERSION_CS),
                         ("code", "valueCode", "code1"), ("useSupplement", "valueCanonical", "http://example.org/cs/vsup"),
                         *_res(V100, V120, VSUP))
    assert status == 400, body      # as the reference server answers a $lookup
    issue = _issue(body)
    assert issue["details"]["text"] == "Required supplement not found: http://example.org/cs/vsup"
    assert issue["details"]["coding"][0] == {"system": TX_ISSUE_TYPE, "code": "not-found"}


def test_lookup_applies_supplement_to_the_version_it_supplements(client):
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", VERSION_CS),
                         ("version", "valueString", "1.0.0"), ("code", "valueCode", "code1"),
                         ("useSupplement", "valueCanonical", "http://example.org/cs/vsup"),
                         ("displayLanguage", "valueCode", "fr"), *_res(V100, V120, VSUP))
    assert status == 200, body
    assert _value(body, "display") == "Affichage 1"
    assert _value(body, "used-supplement") == "http://example.org/cs/vsup|1"
    fr = [d for d in _designations(body) if d.get("language") == "fr"]
    assert fr == [{"language": "fr", "source": "http://example.org/cs/vsup|1", "value": "Affichage 1"}]


# --- 2. $lookup of an unknown version says so in the wording $validate-code and $expand use -----------------------
def test_lookup_unknown_version_uses_the_shared_wording(client):
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", VERSION_CS),
                         ("version", "valueString", "3.0.0"), ("code", "valueCode", "code1"), *_res(V100, V120))
    assert status == 422, body   # a code system (version) not held: 422
    text = _issue(body)["details"]["text"]
    assert text.startswith(f"A definition for CodeSystem '{VERSION_CS}' version '3.0.0' could not be found, so ")
    assert text.endswith("Valid versions: 1.0.0 or 1.2.0")


# --- 3. check-valueset-version picks the version of an unversioned url ------------------------------------------
VS_VERSION = "http://example.org/vs/vs-version"


def _vs_version(version: str) -> dict:
    return {"resourceType": "ValueSet", "url": VS_VERSION, "version": version, "status": "active",
            "compose": {"include": [{"system": VERSION_CS, "version": "1.0.0"}]}}


def test_check_valueset_version_chooses_the_version_of_an_unversioned_url(client):
    res = _res(V100, _vs_version("1.0.0"), _vs_version("2.0.0"))
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", VS_VERSION),
                         ("check-valueset-version", "valueUri", VS_VERSION + "|1.0.0"), *res)
    assert status == 200, body
    assert body["version"] == "1.0.0"
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", VS_VERSION),
                         ("check-valueset-version", "valueUri", VS_VERSION + "|1.0.0"),
                         ("system", "valueUri", VERSION_CS), ("code", "valueCode", "code1"), *res)
    assert status == 200 and _value(body, "result") is True, body


def test_check_valueset_version_still_refuses_a_pinned_other_version(client):
    res = _res(V100, _vs_version("1.0.0"), _vs_version("2.0.0"))
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", VS_VERSION + "|2.0.0"),
                         ("check-valueset-version", "valueUri", VS_VERSION + "|1.0.0"), *res)
    assert status == 400, body
    assert "The version '2.0.0' is not allowed" in _issue(body)["details"]["text"]


# --- 4. ValueSet.language is a display language source for $expand too -------------------------------------------
DELANG = {"resourceType": "ValueSet", "language": "de", "url": "http://example.org/vs/delang", "status": "active",
          "compose": {"include": [{"system": EN_MULTI}]}}


def test_expand_uses_and_echoes_the_value_set_language(client):
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", DELANG["url"]),
                         *_res(tx_file("language/codesystem-en-multi.json"), DELANG))
    assert status == 200, body
    assert _contains(body)["code1"]["display"] == "Anzeige 1"
    echo = [p for p in body["expansion"]["parameter"] if p["name"] == "displayLanguage"]
    assert echo == [{"name": "displayLanguage", "valueCode": "de"}]


# --- 5. an exact-region designation beats the code system's base-language display ------------------------------
COLOUR = {"resourceType": "CodeSystem", "url": "http://example.org/cs/colour", "language": "en", "status": "active",
          "content": "complete",
          "concept": [{"code": "c", "display": "Colour", "designation": [{"language": "en-US", "value": "Color"}]}]}
COLOUR_VS = {"resourceType": "ValueSet", "url": "http://example.org/vs/colour", "status": "active",
             "compose": {"include": [{"system": COLOUR["url"]}]}}


def test_exact_region_designation_beats_base_language_display(client):
    res = _res(COLOUR, COLOUR_VS)
    lang = ("displayLanguage", "valueCode", "en-US")
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", COLOUR_VS["url"]), lang, *res)
    assert status == 200 and _contains(body)["c"]["display"] == "Color", body
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", COLOUR["url"]),
                         ("code", "valueCode", "c"), lang, *res)
    assert status == 200 and _value(body, "display") == "Color", body
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", COLOUR_VS["url"]),
                         ("system", "valueUri", COLOUR["url"]), ("code", "valueCode", "c"), lang, *res)
    assert status == 200 and _value(body, "display") == "Color", body


def test_base_language_display_still_wins_for_the_base_language(client):
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", COLOUR["url"]),
                         ("code", "valueCode", "c"), ("displayLanguage", "valueCode", "en"), *_res(COLOUR))
    assert status == 200 and _value(body, "display") == "Colour", body


# --- 6. a language-pack supplement's display is a designation in the supplement's language -----------------------
NL_PACK = {"resourceType": "CodeSystem", "url": "http://example.org/cs/nl-pack", "version": "1", "language": "nl",
           "status": "active", "content": "supplement", "supplements": EN_SINGLE,
           "concept": [{"code": "code2", "display": "Weergave 2"},
                       {"code": "code3", "designation": [{"value": "Weergave 3"}]}]}


def test_language_pack_supplement_display_is_used(client):
    res = _res(tx_file("language/codesystem-en-single.json"), NL_PACK)
    for code, want in (("code2", "Weergave 2"), ("code3", "Weergave 3")):
        status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", EN_SINGLE),
                             ("code", "valueCode", code), ("useSupplement", "valueCanonical", NL_PACK["url"]),
                             ("displayLanguage", "valueCode", "nl"), *res)
        assert status == 200 and _value(body, "display") == want, body
        nl = [d for d in _designations(body) if d.get("language") == "nl"]
        assert nl == [{"language": "nl", "source": NL_PACK["url"] + "|1", "value": want}]
    # without the language the base display stays
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", EN_SINGLE),
                         ("code", "valueCode", "code2"), ("useSupplement", "valueCanonical", NL_PACK["url"]), *res)
    assert status == 200 and _value(body, "display") == "Display 2", body


def test_language_pack_supplement_display_in_expand(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/en-single", "status": "active",
          "compose": {"include": [{"system": EN_SINGLE}]}}
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", vs["url"]),
                         ("useSupplement", "valueCanonical", NL_PACK["url"]), ("displayLanguage", "valueCode", "nl"),
                         *_res(tx_file("language/codesystem-en-single.json"), NL_PACK, vs))
    assert status == 200, body
    assert _contains(body)["code2"]["display"] == "Weergave 2"
    assert _contains(body)["code1"]["display"] == "Display 1"


# --- 7. an invalid regex is a vs-invalid error -------------------------------------------------------------------
def test_invalid_regex_filter_is_vs_invalid(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/bad-regex", "status": "active",
          "compose": {"include": [{"system": EN_MULTI,
                                   "filter": [{"property": "code", "op": "regex", "value": "code[1"}]}]}}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs),
                         *_res(tx_file("language/codesystem-en-multi.json")))
    assert status == 400, body
    issue = _issue(body)
    assert issue["code"] == "invalid"
    assert issue["details"]["coding"] == [{"system": TX_ISSUE_TYPE, "code": "vs-invalid"}]
    assert "code[1" in issue["details"]["text"]
    assert issue["expression"] == ["ValueSet.compose.include[0].filter[0]"]
    status, body = _post(client, "ValueSet/$validate-code", ("valueSet", "resource", vs),
                         ("system", "valueUri", EN_MULTI), ("code", "valueCode", "code1"),
                         *_res(tx_file("language/codesystem-en-multi.json")))
    assert status == 400, body
    assert _issue(body)["details"]["coding"] == [{"system": TX_ISSUE_TYPE, "code": "vs-invalid"}]
    assert _issue(body)["expression"] == ["ValueSet.compose.include[0].filter[0]"]


# --- 8. a notSelectable filter finds the property by its URI ---------------------------------------------------
ALIASED = {"resourceType": "CodeSystem", "url": "http://example.org/cs/aliased", "status": "active",
           "content": "complete", "hierarchyMeaning": "is-a",
           "property": [{"code": "abs", "uri": "http://hl7.org/fhir/concept-properties#notSelectable",
                         "type": "boolean"}],
           "concept": [{"code": "grp", "display": "Group", "property": [{"code": "abs", "valueBoolean": True}],
                        "concept": [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}]}]}


def test_not_selectable_filter_on_an_aliased_property(client):
    def expand(value):
        vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/ns", "status": "active",
              "compose": {"include": [{"system": ALIASED["url"],
                                       "filter": [{"property": "notSelectable", "op": "=", "value": value}]}]}}
        status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs), *_res(ALIASED))
        assert status == 200, body
        return _contains(body)
    got = expand("true")
    assert set(got) == {"grp"} and got["grp"].get("abstract") is True
    # a and b state no notSelectable value: `= false` selects only codes that state false (probe5)
    assert set(expand("false")) == set()


# --- 9. an expansion-only value set keeps the versions its expansion states ---------------------------------------
def test_expansion_only_value_set_keeps_contains_version(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/expansion-only", "status": "active",
          "expansion": {"timestamp": "2024-01-01T00:00:00Z",
                        "contains": [{"system": VERSION_CS, "version": "1.2.0", "code": "code1"}]}}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs))
    assert status == 200, body
    assert _contains(body)["code1"].get("version") == "1.2.0"
