"""Review of $validate-code probe 6: the deprecated property read by its URI and only where a system has it, codes
that differ only in case, the wording for a system that does not state caseSensitive, value set entries in
another case looked up once per include, and code + coding naming one concept in two spellings."""
from terminology import Catalog
from terminology.codesystem import build_index
from terminology.identifiers import ICD10_NO
from terminology.operations.compose import ComposeEvaluator
from terminology.operations.concept_status import is_deprecated

from tests.valueset_operations.test_limits_cycles_and_filters import _issues, _out, _post

B = "http://example.org/review6/"
DEPRECATED_URI = "http://hl7.org/fhir/concept-properties#deprecated"


def _cs(url, concepts, case_sensitive=None, **extra):
    res = {"resourceType": "CodeSystem", "url": url, "version": "1", "status": "active", "content": "complete",
           "concept": concepts, **extra}
    if case_sensitive is not None:
        res["caseSensitive"] = case_sensitive
    return res


def _vs(name, *includes):
    return {"resourceType": "ValueSet", "url": B + "vs/" + name, "version": "1", "status": "active",
            "compose": {"include": list(includes)}}


def _texts(issues):
    return [i["details"]["text"] for i in issues]


# --- the deprecated property ------------------------------------------------------------------------------------

def test_deprecation_codes_are_known_per_system():
    """Nearly no system has a deprecated property: then no concept's properties are read for it (the hot path of
    every ICD-10-NO $validate-code, whose concepts all carry `reportable`)."""
    plain = build_index(_cs(B + "plain", [{"code": "a", "property": [{"code": "reportable", "valueBoolean": True}]}]))
    assert plain.deprecation_codes() == ()
    assert not is_deprecated(plain.get("a"), None, plain)
    used = build_index(_cs(B + "used", [{"code": "a", "property": [{"code": "deprecated",
                                                                    "valueDateTime": "2020-01-01"}]}]))
    assert used.deprecation_codes() == ("deprecated",)
    assert is_deprecated(used.get("a"), None, used)


def test_deprecated_property_is_read_by_its_uri():
    """R4 concept properties are what their URI says: a system may give concept-properties#deprecated a code of its
    own, and may use the code `deprecated` for something else (as status/inactive/notSelectable)."""
    own = build_index(_cs(B + "own", [{"code": "a", "property": [{"code": "utgatt", "valueDateTime": "2020-01-01"}]}],
                          property=[{"code": "utgatt", "type": "dateTime", "uri": DEPRECATED_URI}]))
    assert own.deprecation_codes() == ("utgatt",)
    assert is_deprecated(own.get("a"), "2021-01-01", own)
    other = build_index(_cs(B + "other", [{"code": "a", "property": [{"code": "deprecated", "valueBoolean": True}]}],
                            property=[{"code": "deprecated", "type": "boolean", "uri": B + "something-else"}]))
    assert other.deprecation_codes() == ()
    assert not is_deprecated(other.get("a"), None, other)


def test_deprecated_dates_compare_as_dates(client):
    """A partial date stands for its first day; a value that is no date ('0') deprecates nothing (it used to,
    compared as text with today's date)."""
    cs = _cs(B + "dates", [{"code": "month", "property": [{"code": "deprecated", "valueDateTime": "2021-03"}]},
                           {"code": "flag", "property": [{"code": "deprecated", "valueString": "0"}]}], True,
             property=[{"code": "deprecated", "type": "dateTime", "uri": DEPRECATED_URI}])
    ix = build_index(cs)
    assert is_deprecated(ix.get("month"), "2021-03-01", ix)
    assert not is_deprecated(ix.get("month"), "2021-02-28T23:00:00Z", ix)
    assert is_deprecated(ix.get("month"), "2022", ix)
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", B + "dates"),
                         ("code", "valueCode", "flag"), ("tx-resource", "resource", cs))
    assert status == 200
    assert _out(body)["result"] is True and "status" not in _out(body) and not _issues(body)


# --- codes that differ only in case -----------------------------------------------------------------------------

UNITS = B + "units"
UNITS_CS = _cs(UNITS, [{"code": "mg", "display": "milligram"}, {"code": "Mg", "display": "magnesium"},
                       {"code": "kg", "display": "kilogram"}])


def _validate_cs(client, cs, code):
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", cs["url"]),
                         ("code", "valueCode", code), ("tx-resource", "resource", cs))
    assert status == 200, body
    return _out(body), _issues(body)


def test_codes_differing_only_in_case_do_not_match_another_case(client):
    """`mg` (milligram) and `Mg` (magnesium) in a system that does not state caseSensitive: `MG` names neither (it
    used to answer whichever came last); each exact code still answers itself, other codes any case."""
    for cs in (UNITS_CS, {**UNITS_CS, "caseSensitive": False}):
        out, _ = _validate_cs(client, cs, "MG")
        assert out["result"] is False
        for code, display in (("mg", "milligram"), ("Mg", "magnesium")):
            out, _ = _validate_cs(client, cs, code)
            assert out["result"] is True and out["display"] == display and "normalized-code" not in out
        out, _ = _validate_cs(client, cs, "KG")
        assert out["result"] is True and out["normalized-code"] == "kg"


def test_case_note_is_worded_alike_whether_case_insensitivity_is_stated_or_not(client):
    """A system that does not say whether it is case sensitive is matched in any case (R4), and the note is the
    one of a system that says it is case insensitive, as the reference words both."""
    for cs in (UNITS_CS, {**UNITS_CS, "caseSensitive": False}):
        _out_, issues = _validate_cs(client, cs, "KG")
        assert any("Although the code system 'http://example.org/review6/units|1' is case insensitive" in t
                   for t in _texts(issues)), issues
        assert not any("does not say whether it is case sensitive" in t for t in _texts(issues))


# --- value set entries in another case --------------------------------------------------------------------------

def test_value_set_entries_by_folded_code_are_worked_out_once_per_include(client, store):
    """The value set's own entry for a code of a case-insensitive system written in another case: looked up in a
    table built once per include (it used to casefold every entry of the list on every call)."""
    ci = _cs(B + "ci", [{"code": f"c{i}", "display": f"C {i}"} for i in range(50)], False)
    vs = _vs("ci-list", {"system": B + "ci", "concept": [{"code": f"C{i}", "display": f"Own {i}"} for i in range(50)]})
    ev = ComposeEvaluator(Catalog(store).overlay([ci, vs]))
    inc = vs["compose"]["include"][0]
    folded = ev.folded_concept_entries(inc)
    assert folded["c7"]["display"] == "Own 7"
    assert ev.folded_concept_entries(inc) is folded
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/ci-list"),
                         ("coding", "valueCoding", {"system": B + "ci", "code": "c7", "display": "Own 7"}),
                         ("tx-resource", "resource", ci), ("tx-resource", "resource", vs))
    assert status == 200 and _out(body)["result"] is True, body


# --- code and coding naming one concept -------------------------------------------------------------------------

ICD = _cs(ICD10_NO, [{"code": "J128", "display": "Annen viruspneumoni"}, {"code": "J129", "display": "Viruspneumoni"}],
          True)
ICD["version"] = "review6"
ICD_VS = _vs("icd", {"system": ICD10_NO})
CI = B + "ci-two"
CI_CS = _cs(CI, [{"code": "Abc", "display": "ABC"}, {"code": "def", "display": "DEF"}], False)
CI_VS = _vs("ci-two", {"system": CI})


def _both(client, vs, *pairs):
    return _post(client, "ValueSet/$validate-code", ("url", "valueUri", B + "vs/" + vs), *pairs,
                 *[("tx-resource", "resource", r) for r in (ICD, ICD_VS, CI_CS, CI_VS)])


def test_code_and_coding_in_two_spellings_of_one_concept_are_validated(client):
    """code=J12.8 and a coding of J128 name one ICD-10-NO concept (DESIGN.md: the dotted form is accepted), as do
    abc and Abc in a case-insensitive system and an OID alias and the URL: not 'different codes'."""
    for vs, code, system, coding in (
            ("icd", "J12.8", ICD10_NO, {"system": ICD10_NO, "code": "J128"}),
            ("icd", "J128", "urn:oid:2.16.578.1.12.4.1.1.7110", {"system": ICD10_NO, "code": "J128"}),
            ("ci-two", "abc", CI, {"system": CI, "code": "Abc"})):
        status, body = _both(client, vs, ("code", "valueCode", code), ("system", "valueUri", system),
                             ("coding", "valueCoding", coding))
        assert status == 200, (code, body)
        assert _out(body)["result"] is True, body
    status, body = _both(client, "icd", ("code", "valueCode", "J12.9"), ("system", "valueUri", ICD10_NO),
                         ("coding", "valueCoding", {"system": ICD10_NO, "code": "J128"}))
    assert status == 400 and "different codes" in body["issue"][0]["details"]["text"]


def test_display_with_a_coding_is_ignored(client):
    """R4: display goes with `code`. Sent beside a coding or codeableConcept it is ignored, as the reference servers
    ignore it: the coding is what is validated, with its own display (none here: nothing to check, no issue)."""
    for extra in (("coding", "valueCoding", {"system": CI, "code": "Abc"}),
                  ("codeableConcept", "valueCodeableConcept", {"coding": [{"system": CI, "code": "Abc"}]})):
        status, body = _both(client, "ci-two", ("display", "valueString", "Wrong"), extra)
        assert status == 200, body
        out = _out(body)
        assert out["result"] is True and out["display"] == "ABC", body
        assert "Wrong" not in str(body)
