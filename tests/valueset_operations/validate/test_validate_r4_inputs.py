"""$validate-code probe 6: case sensitivity, codeable concepts with several codings, inactive and deprecated codes,
and the R4 rules on how the code to validate is given (code/system/display, coding, codeableConcept).

Each test states the FHIR R4 rule (OperationDefinition ValueSet-validate-code / CodeSystem-validate-code,
CodeSystem.caseSensitive) or the agreement with $expand it holds the server to. Resources are written here, in
the shape of the shipped tx-tests ones.
"""
from terminology.codesystem import build_index
from terminology.operations.filters import understands
from terminology.supplements import apply_supplements

from tests.valueset_operations.test_limits_cycles_and_filters import _issues, _out, _post

B = "http://example.org/probe6/"
CI = B + "cs/insensitive"
CSN = B + "cs/sensitive"
INA = B + "cs/inactive"
DEPRECATED_EXT = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"


def _cs(url, concepts, case_sensitive, **extra):
    res = {"resourceType": "CodeSystem", "url": url, "version": "1", "status": "active", "content": "complete",
           "concept": concepts, **extra}
    if case_sensitive is not None:
        res["caseSensitive"] = case_sensitive
    return res


def _vs(name, *includes, **compose):
    return {"resourceType": "ValueSet", "url": B + "vs/" + name, "version": "1", "status": "active",
            "compose": {"include": list(includes), **compose}}


_PROPS = [{"code": "inactive", "type": "boolean", "uri": "http://hl7.org/fhir/concept-properties#inactive"},
          {"code": "status", "type": "code", "uri": "http://hl7.org/fhir/concept-properties#status"},
          {"code": "notSelectable", "type": "boolean", "uri": "http://hl7.org/fhir/concept-properties#notSelectable"}]
RESOURCES = [
    _cs(CI, [{"code": "code1", "display": "Display 1"}, {"code": "Abc", "display": "ABC"}], False),
    _cs(CSN, [{"code": "code1", "display": "lower"}, {"code": "CODE1", "display": "UPPER"}], True),
    _cs(B + "cs/unstated", [{"code": "code1", "display": "Display 1"}], None),
    _cs(INA, [{"code": "act", "display": "Active"},
              {"code": "inact", "display": "Inactive", "property": [{"code": "inactive", "valueBoolean": True}]},
              {"code": "ret", "display": "Retired", "property": [{"code": "status", "valueCode": "retired"}]},
              {"code": "dep", "display": "Deprecated", "property": [{"code": "status", "valueCode": "deprecated"}]},
              {"code": "abs", "display": "Abstract", "property": [{"code": "notSelectable", "valueBoolean": True}]}],
        True, property=_PROPS),
    _vs("ci-all", {"system": CI}),
    # the value set lists the code in another case than the code system, with a display of its own
    _vs("ci-own", {"system": CI, "concept": [{"code": "CODE1", "display": "Own display",
                                              "extension": [{"url": DEPRECATED_EXT, "valueBoolean": True}]}]}),
    _vs("cs-all", {"system": CSN}),
    _vs("ina-all", {"system": INA}),
    _vs("ina-list", {"system": INA, "concept": [{"code": "inact"}, {"code": "act"}, {"code": "ret"}]}),
    _vs("mix", {"system": CI}, {"system": INA}),
]


def _call(client, op, *pairs):
    return _post(client, op, *pairs, *[("tx-resource", "resource", r) for r in RESOURCES])


def _validate(client, vs, *pairs):
    status, body = _call(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/" + vs), *pairs)
    assert status == 200, body
    return _out(body), _issues(body)


def _coding(system, code, display=None):
    c = {"system": system, "code": code}
    if display is not None:
        c["display"] = display
    return ("coding", "valueCoding", c)


def _cc(*codings):
    return ("codeableConcept", "valueCodeableConcept", {"coding": list(codings)})


def _codes(issues):
    return [(i["severity"], i["details"]["coding"][0]["code"], (i.get("expression") or [None])[0]) for i in issues]


# --- case sensitivity ---------------------------------------------------------------------------------------------

def test_value_set_display_of_a_code_listed_in_another_case_is_valid(client):
    """$expand gives `code1` the value set's own display ('Own display') although the list writes it CODE1, the
    code system being case-insensitive: $validate-code must take that display as valid, and see the entry's
    deprecation mark, whichever case the request uses."""
    status, body = _call(client, "ValueSet/$expand", ("url", "valueUri", B + "vs/ci-own"))
    assert status == 200
    assert [(c["code"], c["display"]) for c in body["expansion"]["contains"]] == [("code1", "Own display")]
    for given in ("code1", "CODE1"):
        out, issues = _validate(client, "ci-own", _coding(CI, given, "Own display"))
        assert out["result"] is True, issues
        assert not any(i["details"]["coding"][0]["code"] == "invalid-display" for i in issues)
        assert any("is marked with a status of deprecated" in i["details"]["text"] for i in issues)


def test_case_insensitive_codes_answer_the_canonical_code(client):
    """A code in another case of a case-insensitive system is valid: the code as given is echoed, the code
    system's own spelling is `normalized-code`, and the case difference is an information issue (not in the
    message) at the code's place in the input."""
    for vs, pairs, where in (("ci-all", [("code", "valueCode", "CODE1"), ("system", "valueUri", CI)], "code"),
                             ("ci-all", [_coding(CI, "CODE1")], "Coding.code"),
                             ("ci-all", [_cc(_coding(CI, "CODE1")[2])], "CodeableConcept.coding[0].code")):
        out, issues = _validate(client, vs, *pairs)
        assert out["result"] is True and out["code"] == "CODE1" and out["normalized-code"] == "code1"
        assert "message" not in out
        assert _codes(issues) == [("information", "code-rule", where)]
    status, body = _call(client, "CodeSystem/$lookup", ("system", "valueUri", CI), ("code", "valueCode", "ABC"))
    assert status == 200
    assert [p["valueCode"] for p in body["parameter"] if p["name"] == "code"] == ["Abc"]


def test_case_sensitive_system_keeps_codes_apart(client):
    """caseSensitive true: CODE1 and code1 are two concepts, and Code1 is neither."""
    out, _ = _validate(client, "cs-all", _coding(CSN, "CODE1"))
    assert out["result"] is True and out["display"] == "UPPER" and "normalized-code" not in out
    out, issues = _validate(client, "cs-all", _coding(CSN, "Code1"))
    assert out["result"] is False
    assert ("error", "invalid-code", "Coding.code") in _codes(issues)


def test_unstated_case_sensitivity_accepts_any_case(client):
    """R4 CodeSystem.caseSensitive: "If this value is missing ... When the rule is not known, Postel's law should
    be followed: produce codes with the correct case, and accept codes in any case." (was: unknown code)"""
    status, body = _call(client, "CodeSystem/$validate-code", ("url", "valueUri", B + "cs/unstated"),
                         ("code", "valueCode", "CODE1"))
    assert status == 200
    out = _out(body)
    assert out["result"] is True and out["normalized-code"] == "code1"
    assert _codes(_issues(body)) == [("information", "code-rule", "code")]
    status, body = _call(client, "CodeSystem/$lookup", ("system", "valueUri", B + "cs/unstated"),
                         ("code", "valueCode", "Code1"))
    assert status == 200
    assert [p["valueCode"] for p in body["parameter"] if p["name"] == "code"] == ["code1"]


# --- codeable concepts with several codings ---------------------------------------------------------------------

def test_codeable_concept_one_valid_one_unknown_code(client):
    """R4: true when one coding is in the value set; an error about another coding still makes it false, and each
    issue points at its coding."""
    out, issues = _validate(client, "mix", _cc({"system": CI, "code": "zz"}, {"system": CI, "code": "Abc"}))
    assert out["result"] is False and out["code"] == "Abc" and out["display"] == "ABC"
    assert ("error", "invalid-code", "CodeableConcept.coding[0].code") in _codes(issues)
    assert ("information", "this-code-not-in-vs", "CodeableConcept.coding[0].code") in _codes(issues)


def test_codeable_concept_valid_code_outside_the_value_set_is_information(client):
    out, issues = _validate(client, "ci-all", _cc({"system": INA, "code": "act"}, {"system": CI, "code": "code1"}))
    assert out["result"] is True and out["code"] == "code1" and out["system"] == CI
    assert _codes(issues) == [("information", "this-code-not-in-vs", "CodeableConcept.coding[0].code")]


def test_codeable_concept_answers_with_the_first_valid_coding(client):
    """Two codings in the value set: the answer's code, system and display are the first one's (FHIRsmith 0.11:
    "Report the FIRST matching coding, not the last"; Kodebro answered with the last one before)."""
    out, issues = _validate(client, "mix", _cc({"system": INA, "code": "act"}, {"system": CI, "code": "Abc"}))
    assert out["result"] is True and (out["system"], out["code"], out["display"]) == (INA, "act", "Active")
    assert not issues


def test_codeable_concept_valid_plus_unknown_system(client):
    """A coding of a system this server does not know beside a valid one was not checked: a warning, the answer
    true, the valid coding answered with, and no x-* parameter (the missing system caused nothing; was: false with
    `x-caused-by-unknown-system`)."""
    status, body = _call(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/mix"),
                         _cc({"system": "http://example.org/nowhere", "code": "a"}, {"system": CI, "code": "code1"}))
    out, issues = _out(body), _issues(body)
    assert out["result"] is True and out["code"] == "code1"
    assert "x-caused-by-unknown-system" not in out and "x-unknown-system" not in out
    assert ("warning", "not-found", "CodeableConcept.coding[0].system") in _codes(issues)
    assert "so this coding was not checked" in out["message"]


def test_codeable_concept_all_invalid(client):
    out, issues = _validate(client, "mix", _cc({"system": CI, "code": "zz"}, {"system": INA, "code": "yy"}))
    assert out["result"] is False and "code" not in out
    assert ("error", "not-in-vs", None) in _codes(issues)
    assert ("error", "invalid-code", "CodeableConcept.coding[1].code") in _codes(issues)


# --- inactive, deprecated, abstract -----------------------------------------------------------------------------

def test_inactive_code_in_a_concept_list_with_active_only(client):
    out, issues = _validate(client, "ina-list", _coding(INA, "inact"))
    assert out["result"] is True and out["inactive"] is True
    out, issues = _validate(client, "ina-list", _coding(INA, "ret"), ("activeOnly", "valueBoolean", True))
    assert out["result"] is False and out["inactive"] is True and out["status"] == "retired"
    assert ("error", "code-rule", "Coding.code") in _codes(issues)


def test_status_notes_point_at_the_value(client):
    """An inactive concept's note points at its coding; for a plain code (code/system) at `code`, as FHIRsmith
    places it and as Kodebro's other issues about a plain code are placed (was: no location); deprecation is a
    note on the whole CodeableConcept."""
    status, body = _call(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/ina-all"),
                         ("code", "valueCode", "inact"), ("system", "valueUri", INA))
    assert status == 200 and _out(body)["inactive"] is True
    assert _codes(_issues(body)) == [("warning", "code-comment", "code")]
    assert _issues(body)[0]["expression"] == ["code"]
    out, issues = _validate(client, "mix", _cc({"system": CI, "code": "zz"}, {"system": INA, "code": "inact"}))
    assert ("warning", "code-comment", "CodeableConcept.coding[1]") in _codes(issues)
    out, issues = _validate(client, "mix", _cc({"system": INA, "code": "dep"}))
    assert out["result"] is True and out["status"] == "deprecated"
    assert _codes(issues) == [("warning", "code-comment", "CodeableConcept")]


def test_deprecated_code_is_active_but_warned(client):
    out, issues = _validate(client, "ina-all", _coding(INA, "dep"), ("activeOnly", "valueBoolean", True))
    assert out["result"] is True and "inactive" not in out and out["status"] == "deprecated"
    assert _codes(issues) == [("warning", "code-comment", "Coding")]


def test_abstract_false_refuses_a_not_selectable_code(client):
    out, issues = _validate(client, "ina-all", _coding(INA, "abs"), ("abstract", "valueBoolean", False))
    assert out["result"] is False
    assert ("error", "code-rule", "Coding.code") in _codes(issues)


# --- how the code is given --------------------------------------------------------------------------------------

def test_code_and_a_coding_of_another_code_is_refused(client):
    """code, coding and codeableConcept are alternatives: one naming another code than the rest used to be
    dropped silently (the coding was validated, the code ignored)."""
    status, body = _call(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/ci-all"),
                         ("code", "valueCode", "zz"), ("system", "valueUri", CI), _coding(CI, "code1"))
    assert status == 400 and body["resourceType"] == "OperationOutcome"
    assert "different codes" in body["issue"][0]["details"]["text"]
    status, body = _call(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/ci-all"),
                         _coding(CI, "code1"), _cc({"system": CI, "code": "zz"}))
    assert status == 400 and "different codes" in body["issue"][0]["details"]["text"]


def test_code_and_a_coding_of_the_same_code_is_validated(client):
    status, body = _call(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/ci-all"),
                         ("code", "valueCode", "code1"), ("system", "valueUri", CI), _coding(CI, "code1"))
    assert status == 200 and _out(body)["result"] is True
    status, body = _call(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/ci-all"),
                         _coding(CI, "code1"), _cc({"system": INA, "code": "act"}, {"system": CI, "code": "code1"}))
    assert status == 200 and _out(body)["result"] is True


def test_display_or_system_without_a_code_is_named(client):
    """R4: "If a display is provided a code must be provided"."""
    for name, key, value in (("display", "valueString", "Display 1"), ("system", "valueUri", CI)):
        status, body = _call(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/ci-all"), (name, key, value))
        assert status == 400
        assert f"a {name} was given without a code" in body["issue"][0]["diagnostics"]


# --- filters on a supplemented code system ----------------------------------------------------------------------

def test_filters_on_a_supplemented_copy_know_the_base_and_supplement_properties():
    """A request's supplement makes a copy of the index; the properties a filter may name are those the base
    declares (worked out once) and those the supplement declares. A property concepts merely carry is not
    understood (the reference servers refuse a filter on an undeclared property)."""
    base = build_index(_cs(B + "cs/props", [
        {"code": "a", "property": [{"code": "carried", "valueString": "x"}]},
        {"code": "b", "concept": [{"code": "b1", "property": [{"code": "deep", "valueString": "y"}]}]}],
        True, property=[{"code": "declared", "type": "string"}]))
    sup = {"resourceType": "CodeSystem", "url": B + "sup", "content": "supplement", "supplements": B + "cs/props",
           "status": "active", "property": [{"code": "supdeclared", "type": "string"}],
           "concept": [{"code": "b", "concept": [{"code": "b1", "property": [{"code": "fromsup", "valueString": "q"}]}]},
                       {"code": "nothere", "property": [{"code": "orphan", "valueString": "r"}]}]}
    copy = apply_supplements(base, [sup])
    for prop in ("declared", "supdeclared"):
        assert understands(copy, prop, "="), prop
    for prop in ("carried", "deep", "fromsup", "orphan", "nothing"):
        assert not understands(copy, prop, "="), prop
    assert not understands(base, "supdeclared", "=")


DEP = B + "cs/deprecated-property"
DEP_CS = _cs(DEP, [{"code": "old", "display": "Old", "property": [{"code": "deprecated", "valueDateTime": "2020-01-01"}]},
                   {"code": "later", "display": "Later",
                    "property": [{"code": "deprecated", "valueDateTime": "2999-01-01"}]},
                   {"code": "new", "display": "New"}], True,
             property=[{"code": "deprecated", "type": "dateTime",
                        "uri": "http://hl7.org/fhir/concept-properties#deprecated"}])


def test_r4_deprecated_property_warns(client):
    """R4 concept-properties#deprecated: "the date at which a concept was deprecated ... can still be used, but
    their use is discouraged". A code deprecated by then is valid with a warning; one deprecated only later is not
    deprecated yet."""
    def run(code, *extra):
        status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", DEP), ("code", "valueCode", code),
                             *extra, ("tx-resource", "resource", DEP_CS))
        assert status == 200, body
        return _out(body), _issues(body)
    out, issues = run("old")
    assert out["result"] is True and out["status"] == "deprecated" and "inactive" not in out
    assert _codes(issues) == [("warning", "code-comment", None)]      # a plain code: no element to point at
    assert "is deprecated" in issues[0]["details"]["text"]
    out, issues = run("later")
    assert out["result"] is True and "status" not in out and not issues
    out, issues = run("later", ("date", "valueDateTime", "2999-06-01"))
    assert out["status"] == "deprecated"


def test_withdrawn_presence_in_a_value_set_is_named(client):
    """A value set concept marked with the standards status `withdrawn` is a warning naming that status (was:
    no warning; only `deprecated` was read)."""
    ss = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"
    vs = _vs("withdrawn", {"system": INA, "concept": [{"code": "act", "extension": [{"url": ss, "valueCode": "withdrawn"}]}]})
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", vs["url"]), _coding(INA, "act"),
                         *[("tx-resource", "resource", r) for r in RESOURCES + [vs]])
    assert status == 200
    out, issues = _out(body), _issues(body)
    assert out["result"] is True and "message" not in out
    assert _codes(issues) == [("warning", "code-comment", "Coding.code")]
    assert "is marked with a status of withdrawn" in issues[0]["details"]["text"]


def test_deprecation_dates_are_read_on_the_servers_today(tmp_path):
    """With no date asked, a deprecation date is read on the server's today, KODEBRO_TODAY when set (as the
    edition in force is), not on the machine's clock: $validate-code and $expand alike."""
    from fhir_api import create_app
    soon = _cs(DEP + "-soon", [{"code": "old", "display": "Old",
                                "property": [{"code": "deprecated", "valueDateTime": "2026-06-01"}]}], True,
               property=[{"code": "deprecated", "type": "dateTime",
                          "uri": "http://hl7.org/fhir/concept-properties#deprecated"}])
    vs = {"resourceType": "ValueSet", "url": DEP + "-soon-vs", "status": "active",
          "compose": {"include": [{"system": soon["url"]}]}}
    for today, deprecated in (("2026-01-01", False), ("2026-12-01", True)):
        client = create_app({"DB": str(tmp_path / f"{today}.db"), "DEMO": False, "TODAY": today}).test_client()
        status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", soon["url"]),
                             ("code", "valueCode", "old"), ("tx-resource", "resource", soon))
        assert status == 200, body
        assert (_out(body).get("status") == "deprecated") is deprecated, (today, body)
        status, body = _post(client, "ValueSet/$expand", ("tx-resource", "resource", soon),
                             ("valueSet", "resource", vs))
        assert status == 200, body
        (item,) = body["expansion"]["contains"]
        import json
        marked = '"valueCode": "deprecated"' in json.dumps(item.get("extension", []))
        assert marked is deprecated, (today, item)
