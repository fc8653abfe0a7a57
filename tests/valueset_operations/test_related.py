"""ValueSet/$related: how two value sets' codes relate, including two editions of one code system."""
import pytest

FJ = "application/fhir+json"
S = "http://example.org/cs/ed"
ED1 = {"resourceType": "CodeSystem", "url": S, "version": "2024", "status": "active", "content": "complete",
       "concept": [{"code": c, "display": c.upper()} for c in ("a", "b", "c", "d")]}
ED2 = {**ED1, "version": "2025", "concept": [{"code": c, "display": c.upper()} for c in ("a", "b", "c", "e")]}
OTHER = {"resourceType": "CodeSystem", "url": "http://example.org/cs/other", "status": "active",
         "content": "complete", "concept": [{"code": "x", "display": "X"}]}


def _vs(name, *includes, exclude=None, version="1"):
    compose = {"include": list(includes)}
    if exclude:
        compose["exclude"] = exclude
    return {"resourceType": "ValueSet", "id": name, "url": f"http://example.org/vs/{name}", "version": version,
            "status": "active", "compose": compose}


def _codes(*codes, version=None):
    inc = {"system": S, "concept": [{"code": c} for c in codes]}
    if version:
        inc["version"] = version
    return inc


WHOLE_24 = _vs("whole-2024", {"system": S, "version": "2024"})
WHOLE_25 = _vs("whole-2025", {"system": S, "version": "2025"})
ABCD = _vs("abcd", _codes("a", "b", "c", "d", version="2024"))
AB = _vs("ab", _codes("a", "b"))
BC = _vs("bc", _codes("b", "c"))
X = _vs("x", {"system": OTHER["url"]})
WHOLE_BUT_D = _vs("whole-but-d", {"system": S, "version": "2024"}, exclude=[_codes("d", version="2024")])
NO_COMPOSE = {"resourceType": "ValueSet", "url": "http://example.org/vs/empty", "status": "active"}
ALL = [ED1, ED2, OTHER, WHOLE_24, WHOLE_25, ABCD, AB, BC, X, WHOLE_BUT_D, NO_COMPOSE]


def _related(client, this, other, **extra):
    params = [{"name": "thisUrl", "valueUri": this["url"]}, {"name": "otherUrl", "valueUri": other["url"]}]
    params += [{"name": "tx-resource", "resource": r} for r in ALL + [r for r in (this, other) if r not in ALL]]
    params += [{"name": k, "valueString": v} for k, v in extra.items()]
    r = client.post("/fhir/ValueSet/$related", json={"resourceType": "Parameters", "parameter": params},
                    content_type=FJ)
    assert r.status_code == 200, r.get_json()
    out = {p["name"]: p.get("valueCode", p.get("valueString")) for p in r.get_json()["parameter"]}
    return out["result"], out["message"]


@pytest.mark.parametrize("this, other, result", [
    (WHOLE_24, ABCD, "same"),               # a whole edition and the list of all its codes
    (WHOLE_24, _vs("abcd-latest", _codes("a", "b", "c", "d")), "superset"),   # d is not in the latest edition
    (ABCD, AB, "superset"),
    (AB, ABCD, "subset"),
    (AB, BC, "overlapping"),
    (AB, X, "disjoint"),
    (WHOLE_24, WHOLE_25, "overlapping"),    # two editions: d retired, e new
    (WHOLE_24, WHOLE_24, "same"),
    (WHOLE_BUT_D, _vs("abc", _codes("a", "b", "c")), "same"),
    (WHOLE_25, AB, "superset"),
    (_vs("both", _codes("a"), {"system": OTHER["url"]}), X, "superset"),
])
def test_relation(client, this, other, result):
    got, message = _related(client, this, other)
    assert got == result, message
    assert this["url"] in message and other["url"] in message


def test_a_value_set_without_a_definition_cannot_be_compared(client):
    got, message = _related(client, NO_COMPOSE, AB)
    assert got == "indeterminate" and "no compose" in message


def test_supplied_value_sets_and_instance_level(client):
    for r in (ED1, {**AB, "id": "ab"}):
        kind = r["resourceType"]
        path = f"/fhir/{kind}/{r['id']}" if "id" in r else f"/fhir/{kind}"
        assert client.open(path, method="PUT" if "id" in r else "POST", json=r,
                           content_type=FJ).status_code in (200, 201)
    body = {"resourceType": "Parameters", "parameter": [{"name": "otherValueSet", "resource": ABCD}]}
    r = client.post("/fhir/ValueSet/ab/$related", json=body, content_type=FJ)
    assert r.status_code == 200
    assert r.get_json()["parameter"][0] == {"name": "result", "valueCode": "subset"}


@pytest.mark.parametrize("query, status, text", [
    ({"thisUrl": "http://example.org/vs/ab"}, 400, "otherUrl"),
    ({"otherUrl": "http://example.org/vs/ab"}, 400, "thisUrl"),
    ({"thisUrl": "http://example.org/vs/missing", "otherUrl": "http://example.org/vs/missing"}, 404,
     "http://example.org/vs/missing"),
])
def test_bad_requests_say_what_is_wrong(client, query, status, text):
    r = client.get("/fhir/ValueSet/$related", query_string=query)
    assert r.status_code == status
    assert text in r.get_json()["issue"][0]["diagnostics"]      # tx.fhir.org's errors: diagnostics only


def test_a_non_value_set_resource_is_refused(client):
    body = {"resourceType": "Parameters", "parameter": [{"name": "thisValueSet", "resource": ED1},
                                                        {"name": "otherUrl", "valueUri": AB["url"]}]}
    r = client.post("/fhir/ValueSet/$related", json=body, content_type=FJ)
    assert r.status_code == 400 and "thisValueSet" in r.get_json()["issue"][0]["details"]["text"]


@pytest.mark.parametrize("exclude_version, kept", [("2024", ["a", "b", "c"]), (None, ["a", "b", "c", "d"])])
def test_an_exclude_removes_codes_of_the_edition_it_reads(client, exclude_version, kept):
    """$expand and $validate-code agree: an exclude naming the include's edition removes d; an unversioned one
    reads the latest edition (2025, tx.fhir.org's rule: tests/versions/test_exclude_versions.py), so d of 2024 stays."""
    vs = _vs("whole-but-d-" + str(exclude_version), {"system": S, "version": "2024"},
             exclude=[_codes("d", version=exclude_version)])
    shared = [{"name": "url", "valueUri": vs["url"]}] + [{"name": "tx-resource", "resource": r} for r in ALL + [vs]]
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": shared},
                    content_type=FJ)
    assert sorted(c["code"] for c in r.get_json()["expansion"]["contains"]) == kept
    coding = {"name": "coding", "valueCoding": {"system": S, "version": "2024", "code": "d"}}
    r = client.post("/fhir/ValueSet/$validate-code", json={"resourceType": "Parameters",
                                                           "parameter": shared + [coding]}, content_type=FJ)
    assert r.get_json()["parameter"][0] == {"name": "result", "valueBoolean": "d" in kept}


def test_value_set_version_rules_apply_to_the_two_value_sets(client):
    v1 = {**_vs("ed", _codes("a", "b"), version="1"), "id": "ed-1"}
    v2 = {**_vs("ed", _codes("a", "b", "c"), version="2"), "id": "ed-2"}
    params = [{"name": "thisUrl", "valueUri": v1["url"]}, {"name": "otherUrl", "valueUri": v1["url"] + "|1"}]
    params += [{"name": "tx-resource", "resource": r} for r in ALL + [v1, v2]]

    def related(*extra):
        r = client.post("/fhir/ValueSet/$related", json={"resourceType": "Parameters", "parameter": params +
                                                          list(extra)}, content_type=FJ)
        assert r.status_code == 200, r.get_json()
        return r.get_json()["parameter"][0]["valueCode"]

    assert related() == "superset"          # thisUrl without a version is the latest, 2
    assert related({"name": "force-valueset-version", "valueCanonical": v1["url"] + "|1"}) == "same"
