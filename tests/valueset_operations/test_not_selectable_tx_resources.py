"""Not-selectable (abstract) codes, probed through $expand, $validate-code and $lookup with code systems supplied
as tx-resource, the way the HL7 tx ecosystem tests send them.

Four ways a code system can say a concept is not selectable:
  PROP    declares `notSelectable` (http://hl7.org/fhir/concept-properties#notSelectable) and uses it;
  REPROP  declares that URI under a code of its own (`not-selectable`) and uses that code;
  UNPROP  declares nothing and uses `notSelectable` anyway;
  ABSPROP declares nothing and uses `abstract` (the older convention tx.fhir.org also honours).
Each has a not-selectable group with two children (one stated selectable, one silent) and a silent root code.

The rules (R4 4.0.1 operation definitions; where they are silent, what tx.fhir.org does):
- a filter on notSelectable compares the values a concept states, under whatever code the system gives the
  property's URI; a concept that states nothing has no value (`= false` does not select it);
- $validate-code `abstract` defaults to true (abstract codes are valid); `abstract=false` makes an abstract code
  invalid, and in a value set also not a member of it (so it is reported as not in the value set too);
- $expand marks abstract codes `abstract: true`, drops them with excludeNotForUI, and `property=notSelectable`
  returns the stated values whatever code the system uses for the property.
"""
import pytest

from .test_limits_cycles_and_filters import _issues, _out, _post

NS = "http://hl7.org/fhir/concept-properties#notSelectable"
B = "http://example.org/ns5/CodeSystem/"
V = "http://example.org/ns5/ValueSet/"
TX = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"


def _cs(name, code="notSelectable", declare=True, uri=NS):
    res = {"resourceType": "CodeSystem", "url": B + name, "version": "1.0", "name": name.title(), "status": "active",
           "content": "complete", "caseSensitive": True, "hierarchyMeaning": "is-a",
           "concept": [
               {"code": "group", "display": "Group", "property": [{"code": code, "valueBoolean": True}],
                "concept": [
                    {"code": "chosen", "display": "Chosen", "property": [{"code": code, "valueBoolean": False}]},
                    {"code": "silent", "display": "Silent"}]},
               {"code": "other", "display": "Other"}]}
    if declare:
        res["property"] = [{"code": code, "uri": uri, "type": "boolean"}]
    return res


PROP = _cs("prop")
REPROP = _cs("reprop", "not-selectable")
UNPROP = _cs("unprop", declare=False)
ABSPROP = _cs("absprop", "abstract", declare=False)
# `abstract` declared with a meaning of its own: not the notSelectable property
OTHERURI = _cs("otheruri", "abstract", uri="http://example.org/ns5/props#abstract")
# top > grp (not selectable) > leaf: a heading in the middle of the hierarchy
DEEP = {"resourceType": "CodeSystem", "url": B + "deep", "version": "1", "status": "active", "content": "complete",
        "hierarchyMeaning": "is-a", "property": [{"code": "notSelectable", "uri": NS, "type": "boolean"}],
        "concept": [{"code": "top", "display": "Top", "concept": [
            {"code": "grp", "display": "Heading", "property": [{"code": "notSelectable", "valueBoolean": True}],
             "concept": [{"code": "leaf", "display": "Leaf"}]}]}]}
# no notSelectable at all
NOPROP = {**_cs("noprop"), "property": [], "concept": [{"code": "x", "display": "X"}, {"code": "y", "display": "Y"}]}
SYSTEMS = [PROP, REPROP, UNPROP, ABSPROP, OTHERURI, DEEP, NOPROP]
KINDS = ["prop", "reprop", "unprop", "absprop"]


def _vs(name, system, **include):
    inc = {"system": B + system, **include}
    return {"resourceType": "ValueSet", "url": V + name, "version": "1", "status": "active",
            "compose": {"include": [inc]}}


def _res():
    return [("tx-resource", "resource", r) for r in SYSTEMS]


def _flat(contains, parent=None):
    for c in contains or ():
        yield c, parent
        yield from _flat(c.get("contains"), c["code"])


def _expand(client, vs, *extra):
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs), *extra, *_res())
    assert status == 200, body
    return body["expansion"]


def _codes(client, vs, *extra):
    return {c["code"] for c, _parent in _flat(_expand(client, vs, *extra).get("contains"))}


def _props(item):
    """contains.property as the R4 extension that stands for it: [(code, value)]."""
    out = []
    for ext in item.get("extension") or ():
        if ext["url"].endswith("extension-ValueSet.expansion.contains.property"):
            parts = {e["url"]: e for e in ext["extension"]}
            value = next(v for k, v in parts["value"].items() if k.startswith("value"))
            out.append((parts["code"]["valueCode"], value))
    return out


def _declared(expansion):
    """expansion.property (R4 extension): {code: uri}."""
    out = {}
    for ext in expansion.get("extension") or ():
        if ext["url"].endswith("extension-ValueSet.expansion.property"):
            parts = {e["url"]: e for e in ext["extension"]}
            out[parts["code"]["valueCode"]] = (parts.get("uri") or {}).get("valueUri")
    return out


# --- the property's value as filters see it ----------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_filter_true_selects_the_groups(client, kind):
    vs = _vs("t-" + kind, kind, filter=[{"property": "notSelectable", "op": "=", "value": "true"}])
    assert _codes(client, vs) == {"group"}


@pytest.mark.parametrize("kind", KINDS)
def test_filter_false_selects_only_codes_stating_false(client, kind):
    # `=`: "the specified property of the code equals the provided value"; a code without the property has none
    vs = _vs("f-" + kind, kind, filter=[{"property": "notSelectable", "op": "=", "value": "false"}])
    assert _codes(client, vs) == {"chosen"}


@pytest.mark.parametrize("kind", KINDS)
def test_filter_exists_and_in_see_stated_values_only(client, kind):
    exists = _vs("e-" + kind, kind, filter=[{"property": "notSelectable", "op": "exists", "value": "true"}])
    assert _codes(client, exists) == {"group", "chosen"}
    absent = _vs("x-" + kind, kind, filter=[{"property": "notSelectable", "op": "exists", "value": "false"}])
    assert _codes(client, absent) == {"silent", "other"}
    both = _vs("i-" + kind, kind, filter=[{"property": "notSelectable", "op": "in", "value": "true,false"}])
    assert _codes(client, both) == {"group", "chosen"}


@pytest.mark.parametrize("kind", KINDS)
def test_filter_not_in_keeps_codes_without_the_property(client, kind):
    vs = _vs("n-" + kind, kind, filter=[{"property": "notSelectable", "op": "not-in", "value": "true"}])
    assert _codes(client, vs) == {"chosen", "silent", "other"}


@pytest.mark.parametrize("value", ["true", "false"])
def test_filter_on_a_system_without_the_property_selects_nothing(client, value):
    vs = _vs("none-" + value, "noprop", filter=[{"property": "notSelectable", "op": "=", "value": value}])
    exp = _expand(client, vs)
    assert exp["total"] == 0 and not exp.get("contains")


@pytest.mark.parametrize("kind", KINDS)
def test_validate_code_agrees_with_the_filter(client, kind):
    vs = _vs("agree-" + kind, kind, filter=[{"property": "notSelectable", "op": "=", "value": "false"}])
    for code, member in (("chosen", True), ("silent", False), ("group", False)):
        out, _issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", vs),
                                 ("code", "valueCode", code), ("system", "valueUri", B + kind))
        assert out["result"] is member, code


def test_filter_by_the_systems_own_code_for_the_property(client):
    vs = _vs("own", "reprop", filter=[{"property": "not-selectable", "op": "=", "value": "true"}])
    assert _codes(client, vs) == {"group"}
    vs = _vs("own-f", "reprop", filter=[{"property": "not-selectable", "op": "=", "value": "false"}])
    assert _codes(client, vs) == {"chosen"}


def test_a_property_declared_with_another_uri_is_not_not_selectable(client):
    vs = _vs("other", "otheruri", filter=[{"property": "notSelectable", "op": "=", "value": "true"}])
    assert _codes(client, vs) == set()
    items = {c["code"]: c for c, _parent in _flat(_expand(client, _vs("other-all", "otheruri")).get("contains"))}
    assert not any(c.get("abstract") for c in items.values())


# --- $expand ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_expansion_marks_abstract_and_nests_under_the_group(client, kind):
    contains = _expand(client, _vs("all-" + kind, kind)).get("contains")
    by = {c["code"]: (c, parent) for c, parent in _flat(contains)}
    assert set(by) == {"group", "chosen", "silent", "other"}
    assert by["group"][0].get("abstract") is True
    assert [c for c in by if by[c][0].get("abstract")] == ["group"]
    assert by["chosen"][1] == "group" and by["silent"][1] == "group" and by["other"][1] is None


@pytest.mark.parametrize("kind", KINDS)
def test_exclude_not_for_ui_drops_the_groups(client, kind):
    exp = _expand(client, _vs("ui-" + kind, kind), ("excludeNotForUI", "valueBoolean", True))
    assert {"name": "excludeNotForUI", "valueBoolean": True} in exp["parameter"]
    assert {c["code"] for c, _parent in _flat(exp.get("contains"))} == {"chosen", "silent", "other"}


def test_exclude_not_for_ui_keeps_children_under_the_nearest_kept_ancestor(client):
    exp = _expand(client, _vs("deep", "deep"), ("excludeNotForUI", "valueBoolean", True))
    assert {c["code"]: parent for c, parent in _flat(exp.get("contains"))} == {"top": None, "leaf": "top"}
    full = _expand(client, _vs("deep-all", "deep"))
    assert {c["code"]: parent for c, parent in _flat(full.get("contains"))} == \
        {"top": None, "grp": "top", "leaf": "grp"}


# the property asked by the FHIR code, of a system that names it so or renames it, or by the system's own code
@pytest.mark.parametrize("vs_id, system, asked", [("p-prop", "prop", "notSelectable"),
                                                  ("p-reprop", "reprop", "notSelectable"),
                                                  ("p-own", "reprop", "not-selectable")])
def test_property_not_selectable_in_the_expansion(client, vs_id, system, asked):
    exp = _expand(client, _vs(vs_id, system), ("property", "valueString", asked))
    items = {c["code"]: c for c, _parent in _flat(exp.get("contains"))}
    assert _props(items["group"]) == [(asked, True)]
    assert _props(items["chosen"]) == [(asked, False)]
    assert _props(items["silent"]) == [] and _props(items["other"]) == []
    assert _declared(exp) == {asked: NS}


# --- $validate-code -----------------------------------------------------------------------------------------
def _validate(client, path, *pairs):
    status, body = _post(client, path, *pairs, *_res())
    assert status == 200, body
    return _out(body), _issues(body)


def _brief(issues):
    return sorted((i["severity"], i["code"], i["details"]["coding"][0]["code"], tuple(i.get("expression") or ()))
                  for i in issues)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("abstract", [None, True])
def test_abstract_code_is_valid_unless_refused(client, kind, abstract):
    extra = [] if abstract is None else [("abstract", "valueBoolean", abstract)]
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", _vs("v-" + kind, kind)),
                            ("code", "valueCode", "group"), ("system", "valueUri", B + kind), *extra)
    assert out["result"] is True and issues == [] and out["display"] == "Group"


@pytest.mark.parametrize("kind", KINDS)
def test_abstract_false_refuses_the_code_and_its_membership(client, kind):
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", _vs("r-" + kind, kind)),
                            ("code", "valueCode", "group"), ("system", "valueUri", B + kind),
                            ("abstract", "valueBoolean", False))
    assert out["result"] is False
    assert (out["code"], out["system"], out["display"]) == ("group", B + kind, "Group")
    assert _brief(issues) == [("error", "business-rule", "code-rule", ("code",)),
                              ("error", "code-invalid", "not-in-vs", ("code",))]
    abstract = next(i for i in issues if i["details"]["coding"][0]["code"] == "code-rule")
    text = f"Code '{B + kind}#group' is abstract, and not allowed in this context"
    assert abstract["details"]["text"] == text
    assert text in out["message"] and "; " in out["message"]


def test_abstract_false_through_a_coding(client):
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", _vs("r-coding", "reprop")),
                            ("coding", "valueCoding", {"system": B + "reprop", "code": "group"}),
                            ("abstract", "valueBoolean", False))
    assert out["result"] is False
    assert _brief(issues) == [("error", "business-rule", "code-rule", ("Coding.code",)),
                              ("error", "code-invalid", "not-in-vs", ("Coding.code",))]


def test_abstract_false_through_a_codeable_concept(client):
    cc = {"coding": [{"system": B + "prop", "code": "group"}]}
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", _vs("r-cc", "prop")),
                            ("codeableConcept", "valueCodeableConcept", cc), ("abstract", "valueBoolean", False))
    assert out["result"] is False
    assert _brief(issues) == [("error", "business-rule", "code-rule", ("CodeableConcept.coding[0].code",)),
                              ("error", "code-invalid", "not-in-vs", ()),
                              ("information", "code-invalid", "this-code-not-in-vs",
                               ("CodeableConcept.coding[0].code",))]


def test_abstract_false_with_a_selectable_coding_beside_it(client):
    cc = {"coding": [{"system": B + "prop", "code": "group"}, {"system": B + "prop", "code": "chosen"}]}
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", _vs("r-cc2", "prop")),
                            ("codeableConcept", "valueCodeableConcept", cc), ("abstract", "valueBoolean", False))
    assert out["code"] == "chosen"
    # the abstract coding is still reported, and it is an error
    assert ("error", "business-rule", "code-rule", ("CodeableConcept.coding[0].code",)) in _brief(issues)
    assert out["result"] is False


def test_abstract_false_on_a_code_outside_the_value_set_only_says_so(client):
    vs = _vs("r-out", "prop", concept=[{"code": "chosen"}])
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", vs),
                            ("code", "valueCode", "group"), ("system", "valueUri", B + "prop"),
                            ("abstract", "valueBoolean", False))
    assert out["result"] is False
    assert _brief(issues) == [("error", "code-invalid", "not-in-vs", ("code",))]


def test_abstract_false_against_a_value_set_given_by_its_expansion(client):
    vs = {"resourceType": "ValueSet", "url": V + "expanded", "version": "1", "status": "active",
          "expansion": {"timestamp": "2024-01-01T00:00:00Z", "contains": [
              {"system": B + "prop", "code": "group", "display": "Group", "abstract": True,
               "contains": [{"system": B + "prop", "code": "chosen", "display": "Chosen"}]}]}}
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", vs),
                            ("code", "valueCode", "group"), ("system", "valueUri", B + "prop"),
                            ("abstract", "valueBoolean", False))
    assert out["result"] is False
    assert ("error", "business-rule", "code-rule", ("code",)) in _brief(issues)
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", vs),
                            ("code", "valueCode", "chosen"), ("system", "valueUri", B + "prop"),
                            ("abstract", "valueBoolean", False))
    assert out["result"] is True and issues == []


def test_membership_only_refuses_without_the_abstract_issue(client):
    out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", _vs("r-mo", "prop")),
                            ("code", "valueCode", "group"), ("system", "valueUri", B + "prop"),
                            ("abstract", "valueBoolean", False), ("valueset-membership-only", "valueBoolean", True))
    assert out["result"] is False
    assert [i["details"]["coding"][0]["code"] for i in issues] == ["not-in-vs"]


def test_selectable_codes_pass_with_abstract_false(client):
    for code in ("chosen", "silent", "other"):
        out, issues = _validate(client, "ValueSet/$validate-code", ("valueSet", "resource", _vs("s", "reprop")),
                                ("code", "valueCode", code), ("system", "valueUri", B + "reprop"),
                                ("abstract", "valueBoolean", False))
        assert out["result"] is True and issues == [], code


@pytest.mark.parametrize("kind", KINDS)
def test_codesystem_validate_code_refuses_only_as_abstract(client, kind):
    out, issues = _validate(client, "CodeSystem/$validate-code", ("url", "valueUri", B + kind),
                            ("code", "valueCode", "group"), ("abstract", "valueBoolean", False))
    assert out["result"] is False
    assert _brief(issues) == [("error", "business-rule", "code-rule", ("code",))]
    out, issues = _validate(client, "CodeSystem/$validate-code", ("url", "valueUri", B + kind),
                            ("code", "valueCode", "group"))
    assert out["result"] is True and issues == []


def test_codesystem_validate_code_abstract_false_through_a_coding(client):
    out, issues = _validate(client, "CodeSystem/$validate-code",
                            ("coding", "valueCoding", {"system": B + "absprop", "code": "group"}),
                            ("abstract", "valueBoolean", False))
    assert out["result"] is False
    assert _brief(issues) == [("error", "business-rule", "code-rule", ("Coding.code",))]


# --- $lookup ------------------------------------------------------------------------------------------------
def _lookup(client, system, code, *props):
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", B + system), ("code", "valueCode", code),
                         *[("property", "valueCode", p) for p in props], *_res())
    assert status == 200, body
    found = []
    for p in body["parameter"]:
        if p["name"] == "property":
            parts = {q["name"]: q for q in p["part"]}
            found.append((parts["code"]["valueCode"],
                          next((v for k, v in parts.get("value", {}).items() if k.startswith("value")), None)))
    abstract = next((p["valueBoolean"] for p in body["parameter"] if p["name"] == "abstract"), None)
    return abstract, found


@pytest.mark.parametrize("kind", KINDS)
def test_lookup_says_abstract(client, kind):
    assert _lookup(client, kind, "group")[0] is True
    assert _lookup(client, kind, "chosen")[0] is False and _lookup(client, kind, "silent")[0] is False


def test_lookup_returns_the_property_under_the_systems_code(client):
    _a, props = _lookup(client, "reprop", "group")
    assert ("not-selectable", True) in props and not any(code == "notSelectable" for code, _v in props)
    assert _lookup(client, "reprop", "chosen", "not-selectable")[1] == [("not-selectable", False)]


@pytest.mark.parametrize("kind", KINDS)
def test_lookup_property_not_selectable_by_its_standard_code(client, kind):
    assert _lookup(client, kind, "group", "notSelectable")[1] == [("notSelectable", True)]
    assert _lookup(client, kind, "chosen", "notSelectable")[1] == [("notSelectable", False)]
    assert _lookup(client, kind, "silent", "notSelectable")[1] == []


# --- the engine: one rule for every operation ---------------------------------------------------------------
@pytest.mark.parametrize("res, abstract", [(PROP, True), (REPROP, True), (UNPROP, True), (ABSPROP, True),
                                           (OTHERURI, False)])
def test_concepts_know_whether_they_are_selectable(res, abstract):
    from terminology.codesystem import CodeSystemIndex
    cs = CodeSystemIndex.from_resource(res)
    assert cs.get("group").abstract is abstract
    assert not cs.get("chosen").abstract and not cs.get("silent").abstract
    stated = [True] if abstract else []
    assert cs.get("group").not_selectable_values() == stated
    assert cs.get("silent").not_selectable_values() == []


def test_a_string_abstract_is_not_a_flag():
    from terminology.codesystem import CodeSystemIndex
    res = {"resourceType": "CodeSystem", "url": B + "text", "status": "active", "content": "complete",
           "concept": [{"code": "paper", "property": [{"code": "abstract", "valueString": "We studied things"}]}]}
    c = CodeSystemIndex.from_resource(res).get("paper")
    assert c.abstract is False and c.not_selectable_values() == []
