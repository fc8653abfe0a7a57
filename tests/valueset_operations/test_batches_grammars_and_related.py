"""Second review's findings, one test (or a few) each: batch checks share their tx-resources' indexes and
do not inherit each other's inputs, text filters and supplements on grammar systems (BCP 47, UCUM),
supplement de-duplication, $related on versions of one system and on invalid value sets, $lookup's
unknown-version wording."""
import pytest

import terminology.index_cache
from terminology.index_cache import SUPPLIED_INDEXES
from terminology.bcp47 import BCP47
from terminology.ucum import UCUM

FJ = "application/fhir+json"
T = "http://example.org/review2/"
TREE = {"resourceType": "CodeSystem", "url": T + "tree", "version": "1", "status": "active", "content": "complete",
        "concept": [{"code": "A", "display": "Alpha"}, {"code": "B", "display": "Beta"}]}


def _post(client, path, *params):
    r = client.post(f"/fhir/{path}", json={"resourceType": "Parameters", "parameter": list(params)},
                    content_type=FJ)
    return r.status_code, r.get_json()


def _out(body: dict) -> dict:
    out = {}
    for p in body.get("parameter") or ():
        out.setdefault(p["name"], next((v for k, v in p.items() if k.startswith("value") or k == "resource"), p))
    return out


def _all(body: dict, name: str) -> list:
    return [p for p in body.get("parameter") or () if p["name"] == name]


def _text(body: dict) -> str:
    oo = body if body.get("resourceType") == "OperationOutcome" else _out(body).get("issues") or {"issue": []}
    return " ".join(i["details"]["text"] for i in oo["issue"])


def _check(*params):
    return {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": list(params)}}


def _validations(body):
    return [_out(p["resource"]) for p in body["parameter"]]


def _vs(name, *includes):
    return {"resourceType": "ValueSet", "url": T + "vs/" + name, "version": "1", "status": "active",
            "compose": {"include": list(includes)}}


# --- 3: a batch indexes its shared tx-resources once --------------------------------------------------
@pytest.fixture(autouse=True)
def _no_kept_indexes():
    """Builds are counted per request: none taken from the process-wide index cache (terminology/index_cache.py)
    an earlier test filled."""
    SUPPLIED_INDEXES.clear()


def test_batch_builds_the_shared_code_system_index_once(client, monkeypatch):
    big = {**TREE, "url": T + "big", "concept": [{"code": f"c{i}", "display": f"Code {i}"} for i in range(300)]}
    built = []
    real = terminology.index_cache.build_index

    def counting(resource, *rest):          # the real build, counted
        if resource.get("url") == big["url"]:
            built.append(resource.get("version"))
        return real(resource, *rest)

    monkeypatch.setattr(terminology.index_cache, "build_index", counting)
    checks = [_check({"name": "code", "valueCode": f"c{i}"}) for i in range(5)]
    status, body = _post(client, "CodeSystem/$batch-validate-code", {"name": "url", "valueUri": big["url"]},
                         {"name": "tx-resource", "resource": big}, *checks)
    assert status == 200, body
    assert [v["result"] for v in _validations(body)] == [True] * 5
    assert built == ["1"]


def test_a_shared_code_system_parameter_is_indexed_once_and_left_by_a_check_naming_another(client, monkeypatch):
    built = []
    real = terminology.index_cache.build_index

    def counting(resource, *rest):          # the real build, counted
        built.append(resource.get("url"))
        return real(resource, *rest)

    monkeypatch.setattr(terminology.index_cache, "build_index", counting)
    other = {**TREE, "url": T + "other", "concept": [{"code": "Q", "display": "Queue"}]}
    status, body = _post(client, "CodeSystem/$batch-validate-code", {"name": "codeSystem", "resource": TREE},
                         _check({"name": "code", "valueCode": "A"}), _check({"name": "code", "valueCode": "B"}),
                         _check({"name": "url", "valueUri": other["url"]}, {"name": "code", "valueCode": "Q"},
                                {"name": "tx-resource", "resource": other}))
    assert status == 200, body
    got = _validations(body)
    assert [v["result"] for v in got] == [True, True, True], got
    assert got[2]["system"] == other["url"]
    assert built.count(TREE["url"]) == 1


def test_a_checks_own_tx_resource_wins_over_the_shared_one(client):
    other = {**TREE, "concept": [{"code": "A", "display": "Other alpha"}]}
    status, body = _post(client, "CodeSystem/$batch-validate-code", {"name": "url", "valueUri": TREE["url"]},
                         {"name": "tx-resource", "resource": TREE},
                         _check({"name": "code", "valueCode": "B"}),
                         _check({"name": "code", "valueCode": "A"}, {"name": "tx-resource", "resource": other}),
                         _check({"name": "code", "valueCode": "A"}))
    assert status == 200, body
    got = _validations(body)
    assert [v["result"] for v in got] == [True, True, True]
    assert [v.get("display") for v in got] == ["Beta", "Other alpha", "Alpha"]


# --- 4: shared inputs do not leak into a check that gives its own -------------------------------------
def test_a_shared_display_is_not_tested_against_a_checks_own_code(client):
    status, body = _post(client, "CodeSystem/$batch-validate-code", {"name": "url", "valueUri": TREE["url"]},
                         {"name": "code", "valueCode": "A"}, {"name": "display", "valueString": "Alpha"},
                         {"name": "tx-resource", "resource": TREE},
                         _check({"name": "code", "valueCode": "B"}), _check())
    assert status == 200, body
    own, shared = _validations(body)
    assert own["result"] is True, own
    assert own["code"] == "B" and "Wrong Display" not in own.get("message", "")
    assert shared["result"] is True and shared["code"] == "A"


def test_a_check_naming_url_and_version_takes_no_shared_version(client):
    status, body = _post(client, "CodeSystem/$batch-validate-code", {"name": "url", "valueUri": TREE["url"]},
                         {"name": "version", "valueString": "9"}, {"name": "tx-resource", "resource": TREE},
                         _check({"name": "url", "valueUri": TREE["url"] + "|1"}, {"name": "code", "valueCode": "A"}))
    assert status == 200, body
    got = _validations(body)[0]
    assert got["result"] is True, got
    assert got["version"] == "1"


def test_a_check_giving_only_a_code_keeps_the_shared_code_system_version(client):
    v2 = {**TREE, "version": "2", "concept": [{"code": "A", "display": "Alpha two"}]}
    other = {**TREE, "url": T + "other", "concept": [{"code": "Q", "display": "Queue"}]}
    status, body = _post(client, "CodeSystem/$batch-validate-code", {"name": "url", "valueUri": TREE["url"]},
                         {"name": "version", "valueString": "1"}, {"name": "tx-resource", "resource": TREE},
                         {"name": "tx-resource", "resource": v2}, {"name": "tx-resource", "resource": other},
                         _check({"name": "code", "valueCode": "A"}),
                         _check({"name": "coding", "valueCoding": {"system": other["url"], "code": "Q"}}))
    assert status == 200, body
    own_code, own_coding = _validations(body)
    assert own_code["result"] is True and own_code["version"] == "1" and own_code["display"] == "Alpha"
    assert own_coding["result"] is True, own_coding
    assert own_coding["system"] == other["url"]


def test_valueset_batch_keeps_the_shared_value_set_beside_a_checks_code(client):
    vs = _vs("tree", {"system": TREE["url"]})
    status, body = _post(client, "ValueSet/$batch-validate-code", {"name": "url", "valueUri": vs["url"]},
                         {"name": "system", "valueUri": TREE["url"]}, {"name": "code", "valueCode": "A"},
                         {"name": "display", "valueString": "Alpha"},
                         {"name": "tx-resource", "resource": TREE}, {"name": "tx-resource", "resource": vs},
                         _check({"name": "coding", "valueCoding": {"system": TREE["url"], "code": "B"}}))
    assert status == 200, body
    got = _validations(body)[0]
    assert got["result"] is True, got
    assert got["code"] == "B"


# --- 5: a text filter over a value set that lists grammar codes -----------------------------------------
@pytest.mark.parametrize("system, codes, text, hits", [
    (BCP47, ["nb", "nn", "se"], "bok", ["nb"]),
    (BCP47, ["nb", "nn"], "norwegian", ["nb", "nn"]),
    (UCUM, ["mg", "kg", "mL"], "milli", ["mg", "mL"]),
])
def test_text_filter_on_listed_grammar_codes(client, system, codes, text, hits):
    vs = _vs("listed", {"system": system, "concept": [{"code": c} for c in codes]})
    status, body = _post(client, "ValueSet/$expand", {"name": "valueSet", "resource": vs},
                         {"name": "filter", "valueString": text})
    assert status == 200, body
    assert sorted(c["code"] for c in body["expansion"].get("contains", [])) == sorted(hits)


def test_text_filter_on_a_whole_grammar_still_cannot_be_expanded(client):
    vs = _vs("whole", {"system": BCP47})
    status, body = _post(client, "ValueSet/$expand", {"name": "valueSet", "resource": vs},
                         {"name": "filter", "valueString": "bok"})
    assert status == 422 and body["issue"][0]["code"] == "not-supported", body


# --- 6: a supplement of a grammar system -----------------------------------------------------------------
GRAMMAR_SUP = {"resourceType": "CodeSystem", "url": T + "bcp47-de", "version": "1", "status": "active",
               "content": "supplement", "supplements": BCP47, "language": "de",
               "concept": [{"code": "nb", "display": "Norwegisch"}]}


def test_expand_validate_and_lookup_agree_on_a_grammar_supplement(client):
    vs = _vs("langs", {"system": BCP47, "concept": [{"code": "nb"}, {"code": "nn"}]})
    common = [{"name": "tx-resource", "resource": GRAMMAR_SUP},
              {"name": "useSupplement", "valueCanonical": GRAMMAR_SUP["url"]},
              {"name": "displayLanguage", "valueCode": "de"}]
    status, body = _post(client, "ValueSet/$expand", {"name": "valueSet", "resource": vs}, *common)
    assert status == 200, body
    assert {c["code"]: c.get("display") for c in body["expansion"]["contains"]}["nb"] == "Norwegisch"
    assert {"name": "used-supplement", "valueUri": GRAMMAR_SUP["url"] + "|1"} in body["expansion"]["parameter"]

    status, body = _post(client, "ValueSet/$validate-code", {"name": "valueSet", "resource": vs},
                         {"name": "code", "valueCode": "nb"}, {"name": "system", "valueUri": BCP47},
                         {"name": "display", "valueString": "Norwegisch"}, *common)
    assert status == 200, body
    assert _out(body)["result"] is True, body

    status, body = _post(client, "CodeSystem/$validate-code", {"name": "url", "valueUri": BCP47},
                         {"name": "code", "valueCode": "nb"}, {"name": "display", "valueString": "Norwegisch"},
                         *common)
    assert status == 200, body
    assert _out(body)["result"] is True, body

    status, body = _post(client, "CodeSystem/$lookup", {"name": "system", "valueUri": BCP47},
                         {"name": "code", "valueCode": "nb"}, *common)
    assert status == 200, body
    assert _out(body)["display"] == "Norwegisch"


def test_a_grammar_supplement_leaves_the_grammar_itself_alone(client):
    vs = _vs("nb", {"system": BCP47, "concept": [{"code": "nb"}]})
    _post(client, "ValueSet/$expand", {"name": "valueSet", "resource": vs},
          {"name": "tx-resource", "resource": GRAMMAR_SUP},
          {"name": "useSupplement", "valueCanonical": GRAMMAR_SUP["url"]})
    status, body = _post(client, "ValueSet/$expand", {"name": "valueSet", "resource": vs},
                         {"name": "displayLanguage", "valueCode": "de"}, {"name": "includeDesignations",
                                                                         "valueBoolean": True})
    assert status == 200, body
    assert "Norwegisch" not in str(body)


# --- 8: one supplement named twice is applied and reported once ------------------------------------------
SUP_OF_TREE = {"resourceType": "CodeSystem", "url": T + "tree-sup", "version": "1", "status": "active",
               "content": "supplement", "supplements": TREE["url"],
               "property": [{"code": "weight", "type": "integer"}],
               "concept": [{"code": "A", "property": [{"code": "weight", "valueInteger": 3}]}]}


def test_lookup_names_a_supplement_given_twice_once(client):
    status, body = _post(client, "CodeSystem/$lookup", {"name": "system", "valueUri": TREE["url"]},
                         {"name": "code", "valueCode": "A"},
                         {"name": "tx-resource", "resource": TREE}, {"name": "tx-resource", "resource": SUP_OF_TREE},
                         {"name": "useSupplement", "valueCanonical": SUP_OF_TREE["url"]},
                         {"name": "useSupplement", "valueCanonical": SUP_OF_TREE["url"] + "|1"})
    assert status == 200, body
    assert len(_all(body, "used-supplement")) == 1
    weights = [p for p in _all(body, "property") if p["part"][0]["valueCode"] == "weight"]
    assert len(weights) == 1


# --- 9: $related on two spellings of one system, and on empty value sets ---------------------------------
def _related(client, this, other):
    status, body = _post(client, "ValueSet/$related", {"name": "thisValueSet", "resource": this},
                         {"name": "otherValueSet", "resource": other})
    return status, body


@pytest.mark.parametrize("this, other", [
    ({"system": UCUM, "version": "2.2"}, {"system": UCUM}),
    ({"system": UCUM}, {"system": UCUM, "version": "2.x"}),
    ({"system": BCP47}, {"system": BCP47}),
])
def test_related_one_grammar_named_two_ways_is_the_same(client, this, other):
    status, body = _related(client, _vs("a", this), _vs("b", other))
    assert status == 200, body
    assert _out(body)["result"] == "same"


def test_related_two_versions_of_a_stored_system_still_compare(client):
    v2 = {**TREE, "version": "2", "concept": TREE["concept"] + [{"code": "C", "display": "Gamma"}]}
    status, body = _post(client, "ValueSet/$related",
                         {"name": "thisValueSet", "resource": _vs("a", {"system": TREE["url"], "version": "2"})},
                         {"name": "otherValueSet", "resource": _vs("b", {"system": TREE["url"]})},
                         {"name": "tx-resource", "resource": TREE}, {"name": "tx-resource", "resource": v2})
    assert status == 200, body
    assert _out(body)["result"] == "same"          # no version: the latest, which is 2
    status, body = _post(client, "ValueSet/$related",
                         {"name": "thisValueSet", "resource": _vs("a", {"system": TREE["url"], "version": "2"})},
                         {"name": "otherValueSet", "resource": _vs("b", {"system": TREE["url"], "version": "1"})},
                         {"name": "tx-resource", "resource": TREE}, {"name": "tx-resource", "resource": v2})
    assert _out(body)["result"] == "superset"


def test_related_two_empty_value_sets_are_empty(client):
    empty = {"resourceType": "ValueSet", "url": T + "vs/empty", "status": "active", "compose": {"include": []}}
    status, body = _related(client, empty, {**empty, "url": T + "vs/empty2"})
    assert status == 200, body
    assert _out(body)["result"] == "empty"        # tx.fhir.org's result for two value sets without codes


# --- 10, 11: an invalid value set is the client's error, named by its parameter ---------------------------
def test_related_invalid_filter_is_an_error_as_in_expand(client):
    bad = _vs("bad", {"system": TREE["url"], "filter": [{"property": "code", "op": "regex", "value": "("}]})
    status, expanded = _post(client, "ValueSet/$expand", {"name": "valueSet", "resource": bad},
                             {"name": "tx-resource", "resource": TREE})
    assert status == 400, expanded
    status, body = _post(client, "ValueSet/$related", {"name": "thisValueSet", "resource": _vs("a", {"system":
                                                                                                   TREE["url"]})},
                         {"name": "otherValueSet", "resource": bad}, {"name": "tx-resource", "resource": TREE})
    assert status == 400, body
    assert body["resourceType"] == "OperationOutcome"


def test_related_unknown_system_is_still_indeterminate(client):
    status, body = _related(client, _vs("a", {"system": T + "nowhere", "concept": [{"code": "x"}]}),
                            _vs("b", {"system": T + "nowhere", "filter": [{"property": "concept", "op": "is-a",
                                                                           "value": "x"}]}))
    assert status == 200, body
    assert _out(body)["result"] == "indeterminate"


def test_related_malformed_other_value_set_is_named(client):
    bad = {**_vs("a", {"system": TREE["url"]}), "status": 5}
    status, body = _related(client, _vs("b", {"system": TREE["url"]}), bad)
    assert status == 400, body
    issue = body["issue"][0]
    assert "'otherValueSet'" in issue["details"]["text"]
    assert issue["diagnostics"].startswith("parameter: otherValueSet") and "expression" not in issue


# --- 12: $lookup's unknown version reads as $validate-code's ----------------------------------------------
@pytest.mark.parametrize("system, version", [(BCP47, "1"), (UCUM, "2.1")])
def test_lookup_unknown_version_wording(client, system, version):
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": system, "version": version, "code": "mg"
                                                             if system == UCUM else "en"})
    assert r.status_code == 422   # a code system (version) not held: 422
    text = _text(r.get_json())
    assert text.startswith(f"A definition for CodeSystem '{system}'"), text
    assert "so the code cannot be looked up" in text
    assert "(none with a version)" not in text
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": system, "version": version, "code": "en"})
    assert _out(r.get_json())["message"].split(", so ")[0] == text.split(", so ")[0]


def test_a_malformed_shared_tx_resource_is_the_batchs_400(client):
    status, body = _post(client, "CodeSystem/$batch-validate-code", {"name": "url", "valueUri": TREE["url"]},
                         {"name": "tx-resource", "resource": {**TREE, "status": 5}},
                         _check({"name": "code", "valueCode": "A"}))
    assert status == 400, body
    assert "tx-resource" in body["issue"][0]["details"]["text"]


def test_related_refuses_a_filter_not_understood_as_expand_does(client):
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/cs/plain", "status": "active",
          "content": "complete", "concept": [{"code": "a", "display": "A"}]}
    bad = {"resourceType": "ValueSet", "url": "http://example.org/vs/bad-filter", "status": "active",
           "compose": {"include": [{"system": cs["url"], "filter": [{"property": "foo", "op": "=", "value": "x"}]}]}}
    other = {"resourceType": "ValueSet", "url": "http://example.org/vs/plain", "status": "active",
             "compose": {"include": [{"system": cs["url"]}]}}
    r = client.post("/fhir/ValueSet/$related", json={"resourceType": "Parameters", "parameter": [
        {"name": "thisValueSet", "resource": bad}, {"name": "otherValueSet", "resource": other},
        {"name": "tx-resource", "resource": cs}]}, content_type="application/fhir+json")
    assert r.status_code == 400
    assert r.get_json()["issue"][0]["details"]["coding"][0]["code"] == "vs-invalid"


def test_a_fragment_is_not_refused_a_filter_on_a_property_it_does_not_hold(client):
    frag = {"resourceType": "CodeSystem", "url": "http://example.org/cs/frag", "status": "active",
            "content": "fragment", "concept": [{"code": "a", "display": "A"}]}
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/frag-filter", "status": "active",
          "compose": {"include": [{"system": frag["url"], "filter": [{"property": "grp", "op": "=", "value": "z"}]}]}}
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}, {"name": "tx-resource", "resource": frag}]},
        content_type="application/fhir+json")
    assert r.status_code == 200 and r.get_json()["expansion"]["total"] == 0


def test_an_empty_code_is_no_code(client):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": "http://example.org/none", "code": ""})
    # the reference's text, without a hint in diagnostics (tests/errors/test_code_without_system.py)
    assert r.status_code == 400 and "Unable to find code to validate" in r.get_json()["issue"][0]["details"]["text"]
    r = client.get("/fhir/ValueSet/$validate-code", query_string={"url": "http://example.org/none", "code": ""})
    assert r.status_code in (400, 422)
