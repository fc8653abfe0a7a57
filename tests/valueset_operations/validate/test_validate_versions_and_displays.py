"""$validate-code reviewer probe: code system versions pinned inside imported value sets, value sets that
include two versions of one system, version mismatch wording, '*' in the language list, concepts with no
display, and the display echoed for unknown codes of fragments. Each test holds $validate-code to what
$expand of the same value set says (one membership rule, terminology/operations/compose.py) and to the
FHIR R4 definition of the parameters."""


from tests.valueset_operations.test_limits_cycles_and_filters import FJ, _issues, _out, _p, _post
from tests.support.tx_files import tx_file

V = "http://hl7.org/fhir/test/CodeSystem/version"
W = "http://example.org/probe/CodeSystem/w"
VS = "http://hl7.org/fhir/test/ValueSet/"
P = "http://example.org/probe/ValueSet/"




def _cs(url, version, concepts, content="complete"):
    return {"resourceType": "CodeSystem", "url": url, "version": version, "status": "active", "content": content,
            "caseSensitive": True, "concept": [{"code": c, "display": d} for c, d in concepts]}


def _vs(url, version, *includes):
    vs = {"resourceType": "ValueSet", "url": url, "status": "active", "compose": {"include": list(includes)}}
    if version:
        vs["version"] = version
    return vs


V10 = _cs(V, "1.0.0", [("code1", "Display 1 (1.0)"), ("code2", "Display 2 (1.0)")])
V12 = _cs(V, "1.2.0", [("code1", "Display 1 (1.2)"), ("code2", "Display 2 (1.2)"), ("code3", "Display 3 (1.2)")])
VS_VERSION_1 = _vs(VS + "vs-version", "1.0.0", {"system": V, "version": "1.0.0", "concept": [{"code": "code1"}]})
VS_VERSION_2 = _vs(VS + "vs-version", "2.0.0", {"system": V, "version": "1.2.0",
                                                "concept": [{"code": "code1"}, {"code": "code3"}]})
IMPORT_PINNED = _vs(VS + "vs-import-pinned", "1.0.0", {"valueSet": [VS + "vs-version|1.0.0"]})
IMPORT_AND_TOP = _vs(P + "import-and-top", "1", {"valueSet": [VS + "vs-version|1.0.0"]},
                     {"system": V, "version": "1.2.0", "concept": [{"code": "code2"}]})
MIXED = _vs(VS + "version-mixed", "1.0.0", {"system": V, "version": "1.0.0", "concept": [{"code": "code1"}]},
            {"system": V, "version": "1.2.0", "concept": [{"code": "code3"}]})
VERSIONLESS = _vs(P + "versionless", "1", {"system": V})
# a code only the pinned version has: W 1.0.0 has "old", W 2.0.0 does not
W1 = _cs(W, "1.0.0", [("old", "Old"), ("kept", "Kept (1)")])
W2 = _cs(W, "2.0.0", [("kept", "Kept (2)")])
INNER_W = _vs(P + "inner-w", "1", {"system": W, "version": "1.0.0"})
OUTER_W = _vs(P + "outer-w", "1", {"valueSet": [P + "inner-w"]})

VERSIONS = [V10, V12, VS_VERSION_1, VS_VERSION_2, IMPORT_PINNED, IMPORT_AND_TOP, MIXED, VERSIONLESS,
            W1, W2, INNER_W, OUTER_W]


def _res(resources):
    return [("tx-resource", "resource", r) for r in resources]


def _validate(client, url, coding=None, *extra, resources=VERSIONS, code=None, headers=None):
    given = [("url", "valueUri", url)]
    if coding is not None:
        given.append(("coding", "valueCoding", coding))
    if code is not None:
        given.append(("code", "valueCode", code))
    pairs = given + list(extra) + _res(resources)
    if headers:
        r = client.post("/fhir/ValueSet/$validate-code", json=_p(*pairs), headers=headers, content_type=FJ)
        status, body = r.status_code, r.get_json()
    else:
        status, body = _post(client, "ValueSet/$validate-code", *pairs)
    assert status == 200, body
    return _out(body), _issues(body)


def _expanded(client, url, *extra, resources=VERSIONS):
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", url), *extra, *_res(resources))
    assert status == 200, body
    exp = body["expansion"]
    used = [p["valueUri"] for p in exp.get("parameter") or () if p["name"] == "used-codesystem"]
    # an entry names its version only when the expansion uses more than one version of its system
    only = {}
    for canon in used:
        url, _, ver = canon.partition("|")
        only[url] = None if url in only else ver
    return {(c["system"], c.get("version") or only.get(c["system"]), c["code"]): c.get("display")
            for c in exp.get("contains") or ()}, used


# --- 1. versions pinned inside imported value sets ----------------------------------------------------------

def test_import_pinned_version_is_the_version_validated(client):
    items, used = _expanded(client, VS + "vs-import-pinned")
    assert items == {(V, "1.0.0", "code1"): "Display 1 (1.0)"}
    assert used == [V + "|1.0.0"]
    out, issues = _validate(client, VS + "vs-import-pinned", {"system": V, "code": "code1",
                                                              "display": "Display 1 (1.0)"})
    assert out["result"] is True, issues
    assert out["version"] == "1.0.0" and out["display"] == "Display 1 (1.0)"
    out, _ = _validate(client, VS + "vs-import-pinned", {"system": V, "code": "code1"})
    assert out["result"] is True and out["version"] == "1.0.0"
    # a display of the other version is wrong for the version the value set uses
    out, issues = _validate(client, VS + "vs-import-pinned", {"system": V, "code": "code1",
                                                              "display": "Display 1 (1.2)"})
    assert out["result"] is False and out["version"] == "1.0.0"
    assert any(i["details"]["coding"][0]["code"] == "invalid-display" for i in issues)


def test_import_pinned_version_holds_a_code_the_latest_lacks(client):
    items, _ = _expanded(client, P + "outer-w")
    assert set(items) == {(W, "1.0.0", "old"), (W, "1.0.0", "kept")}
    out, issues = _validate(client, P + "outer-w", {"system": W, "code": "old"})
    assert out["result"] is True, issues
    assert out["version"] == "1.0.0" and out["display"] == "Old"
    out, _ = _validate(client, P + "outer-w", {"system": W, "code": "kept", "display": "Kept (1)"})
    assert out["result"] is True and out["version"] == "1.0.0"


def test_system_version_does_not_override_a_pin_inside_an_import(client):
    # system-version applies only "if the value set does not specify which one to use": $expand keeps 1.0.0
    sv = ("system-version", "valueCanonical", V + "|1.2.0")
    items, used = _expanded(client, VS + "vs-import-pinned", sv)
    assert items == {(V, "1.0.0", "code1"): "Display 1 (1.0)"} and used == [V + "|1.0.0"]
    out, issues = _validate(client, VS + "vs-import-pinned", {"system": V, "code": "code1",
                                                              "display": "Display 1 (1.0)"}, sv)
    assert out["result"] is True, issues
    assert out["version"] == "1.0.0"


def test_validating_an_expanded_entry_of_an_import_beside_a_top_level_include(client):
    items, _ = _expanded(client, P + "import-and-top")
    assert set(items) == {(V, "1.0.0", "code1"), (V, "1.2.0", "code2")}
    for (system, version, code), display in items.items():
        out, issues = _validate(client, P + "import-and-top", {"system": system, "version": version, "code": code,
                                                               "display": display})
        assert out["result"] is True, (code, issues)
        assert out["version"] == version
    out, issues = _validate(client, P + "import-and-top", {"system": V, "code": "code1"})
    assert out["result"] is True and out["version"] == "1.0.0", issues


def test_infer_system_uses_the_import_pin(client):
    out, issues = _validate(client, P + "outer-w", None, ("inferSystem", "valueBoolean", True), code="old")
    assert out["result"] is True, issues
    assert out["system"] == W and out["version"] == "1.0.0"


# --- 2. two versions of one system ----------------------------------------------------------------------

def test_two_versions_validate_against_the_version_whose_include_selects_the_code(client):
    items, _ = _expanded(client, VS + "version-mixed")
    assert set(items) == {(V, "1.0.0", "code1"), (V, "1.2.0", "code3")}
    out, issues = _validate(client, VS + "version-mixed", {"system": V, "code": "code1",
                                                           "display": "Display 1 (1.2)"})
    assert out["result"] is False and out["version"] == "1.0.0"
    assert [i["details"]["coding"][0]["code"] for i in issues if i["severity"] == "error"] == ["invalid-display"]
    out, issues = _validate(client, VS + "version-mixed", {"system": V, "code": "code1",
                                                           "display": "Display 1 (1.0)"})
    assert out["result"] is True and out["version"] == "1.0.0", issues
    out, issues = _validate(client, VS + "version-mixed", {"system": V, "code": "code3"})
    assert out["result"] is True and out["version"] == "1.2.0", issues
    # code2 is in neither include
    out, _ = _validate(client, VS + "version-mixed", {"system": V, "code": "code2"})
    assert out["result"] is False


# --- 3. mismatch wording for a versionless include: the reference servers' "resulting from the version ''" ---

def test_versionless_include_mismatch_names_the_empty_version_it_results_from(client):
    out, issues = _validate(client, P + "versionless", {"system": V, "version": "1.2.0", "code": "code1"},
                            ("system-version", "valueCanonical", V + "|1.0.0"))
    texts = [i["details"]["text"] for i in issues]
    assert any("version '1.0.0' resulting from the version '' in the ValueSet include" in t and "('1.2.0')" in t
               for t in texts), texts


# --- 4. '*' in the language list --------------------------------------------------------------------------

LANG = [tx_file("language/codesystem-en-multi.json"), tx_file("language/valueset-en-multi.json"),
        tx_file("language/valueset-en-de-soft-multi.json"), tx_file("language/valueset-en-de-hard-multi.json")]
EN_MULTI = "http://hl7.org/fhir/test/CodeSystem/en-multi"


def _lang(client, url, code, display, *extra, headers=None):
    return _validate(client, url, {"system": EN_MULTI, "code": code, "display": display}, *extra,
                     resources=LANG, headers=headers)


def test_wildcard_language_accepts_any_display(client):
    for langs in ("de,*", "de, *", "fr,*"):
        out, issues = _lang(client, VS + "en-multi", "code1", "Display 1", ("displayLanguage", "valueCode", langs))
        assert out["result"] is True, (langs, issues)
        assert not [i for i in issues if i["severity"] in ("error", "warning")], issues
    out, issues = _lang(client, VS + "en-multi", "code1", "Display 1", headers={"Accept-Language": "de,*"})
    assert out["result"] is True, issues
    # the soft value set's own language list is "de,*"
    out, issues = _lang(client, VS + "en-de-soft-multi", "code1", "Display 1")
    assert out["result"] is True, issues
    # a designation in another language is as valid, and not said to be "for the default language"
    out, issues = _lang(client, VS + "en-multi", "code2", "Anzeige 2", ("displayLanguage", "valueCode", "fr,*"))
    assert out["result"] is True, issues
    assert not any("default language" in i["details"]["text"] for i in issues), issues
    # a display the concept does not have is still wrong
    out, issues = _lang(client, VS + "en-multi", "code1", "Nope", ("displayLanguage", "valueCode", "de,*"))
    assert out["result"] is False


def test_wildcard_with_q0_is_still_hard(client):
    out, issues = _lang(client, VS + "en-multi", "code1", "Display 1", ("displayLanguage", "valueCode", "de,*; q=0"))
    assert out["result"] is False, issues
    out, issues = _lang(client, VS + "en-multi", "code1", "Anzeige 1", ("displayLanguage", "valueCode", "de,*; q=0"))
    assert out["result"] is True, issues
    # the hard value set's own language list is "de,*; q=0"
    out, issues = _lang(client, VS + "en-de-hard-multi", "code1", "Display 1")
    assert out["result"] is False, issues


# --- 5. a concept with no display at all -------------------------------------------------------------------

def test_concept_without_display_prints_no_none(client):
    res = [tx_file("language/codesystem-de-single.json"), tx_file("language/valueset-de-single.json")]
    out, issues = _validate(client, VS + "de-single", {"system": "http://hl7.org/fhir/test/CodeSystem/de-single",
                                                       "code": "code2aI", "display": "Whatever"},
                            ("displayLanguage", "valueCode", "de"), resources=res)
    texts = [i["details"]["text"] for i in issues]
    assert not any("None" in t or "Default display" in t for t in texts), texts
    assert out["result"] is True, issues
    assert not [i for i in issues if i["severity"] in ("error", "warning")], issues
    assert "display" not in out


# --- 6. unknown code of a fragment --------------------------------------------------------------------------

FRAG = _cs("http://example.org/probe/CodeSystem/frag", "1", [("f1", "F one")], content="fragment")
FRAG_ALL = _vs(P + "frag-all", "1", {"system": FRAG["url"]})
FRAG_LISTED = _vs(P + "frag-listed", "1", {"system": FRAG["url"], "concept": [{"code": "f2", "display": "F two"},
                                                                              {"code": "f3"}]})


def test_unknown_fragment_code_does_not_echo_the_client_display(client):
    res = [FRAG, FRAG_ALL, FRAG_LISTED]
    out, issues = _validate(client, P + "frag-all", {"system": FRAG["url"], "code": "f9", "display": "Made up"},
                            resources=res)
    assert out["result"] is True, issues
    assert "display" not in out
    out, _ = _validate(client, P + "frag-listed", {"system": FRAG["url"], "code": "f3", "display": "Made up"},
                       resources=res)
    assert "display" not in out
    # a listed code the fragment does not hold is not a member (as the reference servers answer it): no display
    out, _ = _validate(client, P + "frag-listed", {"system": FRAG["url"], "code": "f2", "display": "Made up"},
                       resources=res)
    assert out["result"] is False and "display" not in out


def test_a_display_the_value_set_gives_its_concept_is_valid(client):
    """The reference servers count an include's concept display and designations among the valid displays
    (as $expand shows them), in the value set's language."""
    en_multi = tx_file("language/codesystem-en-multi.json")
    vs = {"resourceType": "ValueSet", "url": P + "vs-displays", "status": "active", "compose": {"include": [
        {"system": en_multi["url"], "concept": [{"code": "code1", "display": "VS Display 1",
                                                 "designation": [{"language": "de", "value": "VS Anzeige 1"}]}]}]}}

    def check(display, *extra):
        status, body = _post(client, "ValueSet/$validate-code", ("valueSet", "resource", vs),
                             ("coding", "valueCoding", {"system": en_multi["url"], "code": "code1", "display": display}),
                             ("tx-resource", "resource", en_multi), *extra)
        assert status == 200, body
        return _out(body), _issues(body)

    assert check("VS Display 1")[0]["result"] is True
    assert check("VS Anzeige 1", ("displayLanguage", "valueCode", "de"))[0]["result"] is True
    assert check("Display 1")[0]["result"] is True          # the code system's own display stays valid
    out, issues = check("Nope")
    assert out["result"] is False and "'VS Display 1'" in out["message"]


def test_a_display_in_other_letter_case_is_the_same_display(client):
    """The reference servers compare displays case-insensitively; only whitespace differences are named."""
    simple = tx_file("simple/codesystem-simple.json")

    def check(display):
        status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", simple["url"]),
                             ("code", "valueCode", "code1"), ("display", "valueString", display),
                             ("tx-resource", "resource", simple))
        assert status == 200, body
        return _out(body), _issues(body)

    out, issues = check("display 1")
    assert out["result"] is True and not issues
    out, issues = check("display  1")
    assert out["result"] is False and "Wrong whitespace in Display Name" in out["message"]
    assert check("Display 2")[0]["result"] is False


# --- a code given without a system that its system has but the value set leaves out ------------------------

def test_code_without_system_outside_the_value_set_does_not_claim_the_system_lacks_it(client):
    # MIXED holds code1 (1.0.0) and code3 (1.2.0); code2 is in both versions of V but not in the value set
    out, issues = _validate(client, VS + "version-mixed", None, ("inferSystem", "valueBoolean", True), code="code2")
    texts = [i["details"]["text"] for i in issues]
    assert out["result"] is False
    assert any("could not be determined for the code 'code2'" in t and "not in the value set" in t
               for t in texts), texts
    assert not any("has this code" in t for t in texts), texts
