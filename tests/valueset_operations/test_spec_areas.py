"""Not-selectable codes, overloaded codes, display languages, supplements, fragments, regex filters,
paging totals and batches, each against the FHIR R4 terminology service rules."""
import pytest

from tests.support.tx_files import stored_client

FJ = "application/fhir+json"
B = "http://example.org/fhir/"
LANG_CS = B + "CodeSystem/lang"
PREFERRED = {"system": "http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra", "code": "preferredForLanguage"}
LANG = {"resourceType": "CodeSystem", "id": "lang", "url": LANG_CS, "version": "1", "language": "en",
        "status": "active", "content": "complete", "hierarchyMeaning": "is-a",
        "property": [{"code": "notSelectable", "uri": "http://hl7.org/fhir/concept-properties#notSelectable",
                      "type": "boolean"}],
        "concept": [{"code": "grp", "display": "Organs", "property": [{"code": "notSelectable", "valueBoolean": True}],
                     "concept": [
                         {"code": "c1", "display": "Heart", "designation": [
                             {"language": "nn-NO", "value": "Hjarte"},
                             {"language": "nb", "value": "Hjerte"},
                             {"language": "nb-NO", "use": PREFERRED, "value": "Hjertet"},
                             {"language": "de", "value": "Herz"}]},
                         {"code": "c2", "display": "Lung", "designation": [{"language": "nn", "value": "Lunge"}]},
                         {"code": "c10", "display": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}]}]}
SUP = {"resourceType": "CodeSystem", "id": "lang-sup", "url": B + "CodeSystem/lang-sup", "version": "1",
       "status": "active", "content": "supplement", "supplements": LANG_CS + "|1",
       "property": [{"code": "weight", "type": "integer"}],
       "concept": [{"code": "c1", "designation": [{"language": "fr", "value": "Coeur"}],
                    "property": [{"code": "weight", "valueInteger": 3}]}]}
FRAG = {"resourceType": "CodeSystem", "id": "frag", "url": B + "CodeSystem/frag", "version": "1", "status": "active",
        "content": "fragment", "concept": [{"code": "f1", "display": "F one"}]}
O1 = {"resourceType": "CodeSystem", "id": "o1", "url": B + "CodeSystem/o1", "status": "active", "content": "complete",
      "concept": [{"code": "x", "display": "X in o1"}]}
O2 = {**O1, "id": "o2", "url": B + "CodeSystem/o2", "concept": [{"code": "x", "display": "X in o2"}]}


def _vs(id_, *includes):
    return {"resourceType": "ValueSet", "id": id_, "url": B + "ValueSet/" + id_, "status": "active",
            "compose": {"include": list(includes)}}


def _regex(id_, prop, pattern):
    return _vs(id_, {"system": LANG_CS, "filter": [{"property": prop, "op": "regex", "value": pattern}]})


@pytest.fixture(scope="module")
def sc(tmp_path_factory):
    resources = [LANG, SUP, FRAG, O1, O2, _vs("lang", {"system": LANG_CS}), _vs("frag", {"system": FRAG["url"]}),
                 _vs("frag-listed", {"system": FRAG["url"], "concept": [{"code": "f1"}]}),
                 _vs("over", {"system": O1["url"]}, {"system": O2["url"]}),
                 _vs("isa", {"system": LANG_CS, "filter": [{"property": "concept", "op": "is-a", "value": "grp"}]}),
                 _regex("rx-c", "code", "c"), _regex("rx-cdigit", "code", "c[0-9]+"),
                 _regex("rx-bad", "code", "c[0-"), _regex("rx-slow", "display", "(x|xx)+y?z")]
    return stored_client(tmp_path_factory.mktemp("spec_areas"), resources)


def _expand(c, headers=None, **q):
    r = c.get("/fhir/ValueSet/$expand", query_string=q, headers=headers or {})
    return r.status_code, r.get_json()


def _flat(contains):
    out = {}
    for x in contains or ():
        out[x["code"]] = x
        out.update(_flat(x.get("contains")))
    return out


def _items(body):
    return _flat(body["expansion"].get("contains"))


def _out(r):
    out = {}
    for p in r.get_json()["parameter"]:
        out[p["name"]] = p.get("resource") or next((v for k, v in p.items() if k.startswith("value")), p.get("part"))
    return out


def _validate(c, **q):
    r = c.get("/fhir/ValueSet/$validate-code", query_string=q)
    assert r.status_code == 200
    return _out(r)


# --- not-selectable / abstract ----------------------------------------------------------------------------
def test_expansion_marks_abstract_codes(sc):
    _s, body = _expand(sc, url=B + "ValueSet/lang")
    items = _items(body)
    assert items["grp"]["abstract"] is True and "abstract" not in items["c1"]
    _s, body = _expand(sc, url=B + "ValueSet/lang", excludeNotForUI="true")
    assert "grp" not in _items(body) and "c1" in _items(body)


def test_validate_abstract_parameter(sc):
    ok = _validate(sc, url=B + "ValueSet/lang", system=LANG_CS, code="grp")
    assert ok["result"] is True
    refused = _validate(sc, url=B + "ValueSet/lang", system=LANG_CS, code="grp", abstract="false")
    assert refused["result"] is False
    # refused as abstract, and so not a member of the value set either (test_not_selectable_probe5)
    issue, not_in_vs = refused["issues"]["issue"]
    assert not_in_vs["details"]["coding"][0]["code"] == "not-in-vs"
    assert issue["code"] == "business-rule" and issue["details"]["coding"][0]["code"] == "code-rule"
    assert "is abstract, and not allowed in this context" in issue["details"]["text"]
    assert _validate(sc, url=B + "ValueSet/lang", system=LANG_CS, code="c1", abstract="false")["result"] is True


# --- overloaded codes -------------------------------------------------------------------------------------
def test_overloaded_code_in_two_systems(sc):
    _s, body = _expand(sc, url=B + "ValueSet/over")
    got = sorted((x["system"], x["display"]) for x in body["expansion"]["contains"])
    assert got == [(O1["url"], "X in o1"), (O2["url"], "X in o2")]
    # no system: it cannot be inferred
    out = _validate(sc, url=B + "ValueSet/over", code="x", inferSystem="true")
    assert out["result"] is False and "multiple matches" in out["message"]
    # each system judges the display by its own text
    assert _validate(sc, url=B + "ValueSet/over", system=O2["url"], code="x", display="X in o2")["result"] is True
    wrong = _validate(sc, url=B + "ValueSet/over", system=O2["url"], code="x", display="X in o1")
    assert wrong["result"] is False and "Valid display is 'X in o2'" in wrong["message"]


# --- display languages ------------------------------------------------------------------------------------
def test_display_language_norwegian_macro_language(sc):
    _s, body = _expand(sc, url=B + "ValueSet/lang", displayLanguage="no")
    items = _items(body)
    # 'no' takes Bokmål (nb, nb-NO; the one marked preferred first) and falls back to Nynorsk
    assert items["c1"]["display"] == "Hjertet" and items["c2"]["display"] == "Lunge"
    _s, body = _expand(sc, url=B + "ValueSet/lang", displayLanguage="nb")
    assert _items(body)["c1"]["display"] == "Hjerte"      # the exact tag before a regional one
    _s, body = _expand(sc, url=B + "ValueSet/lang", displayLanguage="nn")
    assert _items(body)["c1"]["display"] == "Hjarte"


def test_accept_language_q_values(sc):
    _s, body = _expand(sc, headers={"Accept-Language": "fr, de;q=0.5, nn;q=0.9"}, url=B + "ValueSet/lang")
    items = _items(body)
    assert items["c1"]["display"] == "Hjarte"           # nn (0.9) before de (0.5); no fr
    assert items["c2"]["display"] == "Lunge"
    _s, body = _expand(sc, headers={"Accept-Language": "de, nn;q=0.1"}, url=B + "ValueSet/lang")
    assert _items(body)["c1"]["display"] == "Herz" and _items(body)["grp"]["display"] == "Organs"


def test_designations_with_use(sc):
    _s, body = _expand(sc, url=B + "ValueSet/lang", includeDesignations="true",
                       designation="http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra|preferredForLanguage")
    des = _items(body)["c1"]["designation"]
    assert [d["value"] for d in des] == ["Hjertet"]


# --- supplements ------------------------------------------------------------------------------------------
def test_supplement_designations_and_properties_in_expand(sc):
    _s, body = _expand(sc, url=B + "ValueSet/lang", useSupplement=SUP["url"], displayLanguage="fr", property="weight")
    c1 = _items(body)["c1"]
    assert c1["display"] == "Coeur"
    assert "weight" in str(c1) and "3" in str(c1)
    assert {"name": "used-supplement", "valueUri": SUP["url"] + "|1"} in body["expansion"]["parameter"]


def test_supplement_in_lookup_and_validate(sc):
    r = sc.get("/fhir/CodeSystem/$lookup", query_string={"system": LANG_CS, "code": "c1", "useSupplement": SUP["url"],
                                                          "displayLanguage": "fr", "property": "weight"})
    out = _out(r)
    assert out["display"] == "Coeur" and out["used-supplement"] == SUP["url"] + "|1"
    ok = _validate(sc, url=B + "ValueSet/lang", system=LANG_CS, code="c1", display="Coeur", useSupplement=SUP["url"],
                   displayLanguage="fr")
    assert ok["result"] is True


def test_supplement_not_found(sc):
    status, body = _expand(sc, url=B + "ValueSet/lang", useSupplement=B + "CodeSystem/missing")
    # $expand: 422 for a definition it lacks (the reference server's status)
    assert status == 422 and "Required supplement not found" in body["issue"][0]["details"]["text"]


# --- fragments --------------------------------------------------------------------------------------------
def test_unknown_code_in_fragment_is_a_warning(sc):
    out = _validate(sc, url=B + "ValueSet/frag", system=FRAG["url"], code="f9")
    assert out["result"] is True
    (issue,) = out["issues"]["issue"]
    assert issue["severity"] == "warning" and "fragment" in issue["details"]["text"]
    cs = _out(sc.get("/fhir/CodeSystem/$validate-code", query_string={"url": FRAG["url"], "code": "f9"}))
    assert cs["result"] is True
    # a value set that lists its codes still knows f9 is not one of them
    listed = _validate(sc, url=B + "ValueSet/frag-listed", system=FRAG["url"], code="f9")
    assert listed["result"] is False


# --- regex filters ----------------------------------------------------------------------------------------
def test_regex_matches_the_whole_code(sc):
    _s, body = _expand(sc, url=B + "ValueSet/rx-c")
    assert body["expansion"]["total"] == 0
    _s, body = _expand(sc, url=B + "ValueSet/rx-cdigit")
    assert sorted(_items(body)) == ["c1", "c10", "c2"]


def test_invalid_regex_is_a_client_error(sc):
    status, body = _expand(sc, url=B + "ValueSet/rx-bad")
    assert status == 400 and "regex" in body["issue"][0]["details"]["text"]


def test_catastrophic_regex_stops(sc):
    status, body = _expand(sc, url=B + "ValueSet/rx-slow")
    assert status == 422 and body["issue"][0]["code"] == "too-costly"


# --- paging -----------------------------------------------------------------------------------------------
def test_paging_a_filtered_value_set_keeps_the_total(sc):
    _s, whole = _expand(sc, url=B + "ValueSet/isa")
    everything = sorted(_items(whole))
    assert whole["expansion"]["total"] == len(everything) == 4
    _s, page = _expand(sc, url=B + "ValueSet/isa", offset=1, count=2)
    assert page["expansion"]["total"] == 4 and page["expansion"]["offset"] == 1
    assert len(page["expansion"]["contains"]) == 2
    _s, count0 = _expand(sc, url=B + "ValueSet/isa", count=0)
    assert count0["expansion"]["total"] == 4 and not count0["expansion"].get("contains")
    codes = []
    for off in range(0, 4, 2):
        _s, p = _expand(sc, url=B + "ValueSet/isa", offset=off, count=2)
        codes += [x["code"] for x in p["expansion"]["contains"]]
    assert sorted(codes) == everything


# --- batch ------------------------------------------------------------------------------------------------
def test_batch_mixes_operations_and_reads(sc):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": "ValueSet/$expand?url=" + B + "ValueSet/lang&count=1"}},
        {"request": {"method": "GET", "url": "CodeSystem/lang"}},
        {"request": {"method": "GET", "url": "CodeSystem/unknown"}},
        {"request": {"method": "POST", "url": "ValueSet/$validate-code"},
         "resource": {"resourceType": "Parameters", "parameter": [
             {"name": "url", "valueUri": B + "ValueSet/lang"},
             {"name": "coding", "valueCoding": {"system": LANG_CS, "code": "c1"}}]}},
        {"request": {"method": "GET", "url": "CodeSystem/$lookup?system=" + LANG_CS + "&code=zz"}}]}
    r = sc.post("/fhir", json=bundle, content_type=FJ)
    body = r.get_json()
    assert r.status_code == 200 and body["type"] == "batch-response"
    got = [(e["response"]["status"][:3], e["resource"]["resourceType"]) for e in body["entry"]]
    assert got == [("200", "ValueSet"), ("200", "CodeSystem"), ("404", "OperationOutcome"),
                   ("200", "Parameters"), ("404", "OperationOutcome")]
    assert body["entry"][3]["resource"]["parameter"][0] == {"name": "result", "valueBoolean": True}
    assert body["entry"][2]["response"]["outcome"]["resourceType"] == "OperationOutcome"
    assert "outcome" not in body["entry"][0]["response"]


def test_not_selectable_property_under_another_code(sc):
    cs = {"resourceType": "CodeSystem", "url": B + "CodeSystem/alias", "status": "active", "content": "complete",
          "property": [{"code": "abstract", "uri": "http://hl7.org/fhir/concept-properties#notSelectable",
                        "type": "boolean"}],
          "concept": [{"code": "head", "property": [{"code": "abstract", "valueBoolean": True}]}, {"code": "leaf"}]}
    vs = _vs("alias", {"system": cs["url"]})
    r = sc.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}, {"name": "tx-resource", "resource": cs}]}, content_type=FJ)
    items = _items(r.get_json())
    assert items["head"]["abstract"] is True and "abstract" not in items["leaf"]
