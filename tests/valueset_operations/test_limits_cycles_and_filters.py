"""Reviewer findings, one test each: too-costly limit, value set cycles, supplements used wrongly,
fragment/example wording, display messages, parent/child filters, value set version parameters."""
import pytest

from tests.support.tx_files import stored_client

FJ = "application/fhir+json"
T = "http://example.org/review/"


def _p(*pairs):
    return {"resourceType": "Parameters", "parameter": [{"name": n, k: v} for n, k, v in pairs]}


def _post(client, path, *pairs):
    r = client.post(f"/fhir/{path}", json=_p(*pairs), content_type=FJ)
    return r.status_code, r.get_json()


def _out(body: dict) -> dict:
    return {p["name"]: next(v for k, v in p.items() if k.startswith("value") or k == "resource")
            for p in body.get("parameter") or () if p["name"] != "issues"}


def _issues(body: dict) -> list:
    oo = body if body.get("resourceType") == "OperationOutcome" else \
        next((p["resource"] for p in body.get("parameter") or () if p["name"] == "issues"), {"issue": []})
    return oo["issue"]


def _flat(contains):
    for c in contains or ():
        yield c["code"]
        yield from _flat(c.get("contains"))


BIG = {"resourceType": "CodeSystem", "url": T + "big", "version": "5.0.0", "status": "active",
       "content": "complete", "concept": [{"code": f"c{i}", "display": f"Code {i}"} for i in range(1500)]}
BIG_VS = {"resourceType": "ValueSet", "url": T + "vs-big", "version": "5.0.0", "status": "active",
          "compose": {"include": [{"system": T + "big"}]}}


# --- 1. too-costly ----------------------------------------------------------------------------------------
def test_unpaged_expansion_over_1000_codes_is_too_costly(client):
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", BIG_VS), ("tx-resource", "resource", BIG))
    assert status == 422 and body["resourceType"] == "OperationOutcome"
    issue = body["issue"][0]
    assert issue["code"] == "too-costly" and issue["details"]["coding"][0]["code"] == "too-costly"
    # the reference servers' sentence alone (clients compare it); the advice is for a person, in diagnostics
    assert issue["details"]["text"] == \
        f"The value set '{T}vs-big|5.0.0' expansion has too many codes to produce (>1000)"


@pytest.mark.parametrize("stored", [False, True])
def test_too_costly_says_what_would_narrow_it(client, tmp_path, stored):
    # a request that already brought a text filter is told to narrow it, not to add one
    c = stored_client(tmp_path, [BIG, BIG_VS]) if stored else client
    vs = ("url", "valueUri", BIG_VS["url"]) if stored else ("valueSet", "resource", BIG_VS)
    extra = [] if stored else [("tx-resource", "resource", BIG)]
    status, body = _post(c, "ValueSet/$expand", vs, *extra)
    assert status == 422 and body["issue"][0]["diagnostics"].endswith("or a text filter")
    status, body = _post(c, "ValueSet/$expand", vs, ("filter", "valueString", "code"), *extra)
    assert status == 422 and body["issue"][0]["diagnostics"].endswith("or a narrower text filter")
    assert body["issue"][0]["details"]["text"].endswith("too many codes to produce (>1000)")


def test_too_costly_without_version_names_the_url_only(client):
    vs = {k: v for k, v in BIG_VS.items() if k != "version"}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs), ("tx-resource", "resource", BIG))
    assert status == 422
    assert body["issue"][0]["details"]["text"].startswith(f"The value set '{T}vs-big' expansion has too many")


def test_paging_a_large_value_set_still_works(tmp_path):
    # stored: a code system sent with the request is not paged past 1,000 codes
    # (tests/valueset_operations/expand/test_large_supplied_systems.py)
    client = stored_client(tmp_path, [BIG, BIG_VS])
    for offset in (0, 1200):
        status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", BIG_VS["url"]),
                             ("offset", "valueInteger", offset), ("count", "valueInteger", 1100))
        assert status == 200, body
        e = body["expansion"]
        # over the expansion limit a page carries no total (tx.fhir.org; research-s10-paging ADOPT-1)
        assert "total" not in e and len(e["contains"]) == min(1100, 1500 - offset)


def test_large_count_is_answered_with_a_page(tmp_path):
    client = stored_client(tmp_path, [BIG, BIG_VS])     # (stored: as above)
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", BIG_VS["url"]),
                         ("count", "valueInteger", 50_000))
    assert status == 200 and len(body["expansion"]["contains"]) == 1500


# --- 2. value set cycles ----------------------------------------------------------------------------------
SMALL = {"resourceType": "CodeSystem", "url": T + "small", "version": "1", "status": "active",
         "content": "complete", "concept": [{"code": "a"}, {"code": "b"}]}
CIRCLE_1 = {"resourceType": "ValueSet", "url": T + "circle-1", "version": "5.0.0", "status": "active",
            "compose": {"include": [{"system": T + "small"}], "exclude": [{"valueSet": [T + "circle-2|5.0.0"]}]}}
CIRCLE_2 = {"resourceType": "ValueSet", "url": T + "circle-2", "version": "5.0.0", "status": "active",
            "compose": {"include": [{"valueSet": [T + "circle-1"]}]}}
CYCLE_TEXT = (f"Found a circularity pointing to {T}circle-1|5.0.0 processing ValueSet with pathway "
              f"[{T}circle-1|5.0.0, {T}circle-2|5.0.0]")


@pytest.mark.parametrize("op", ["expand", "validate-code"])
def test_value_set_cycle_is_reported_with_its_pathway(client, op):
    extra = [("system", "valueUri", T + "small"), ("code", "valueCode", "a")] if op == "validate-code" else []
    status, body = _post(client, f"ValueSet/${op}", ("url", "valueUri", T + "circle-1"), *extra,
                         ("tx-resource", "resource", SMALL), ("tx-resource", "resource", CIRCLE_1),
                         ("tx-resource", "resource", CIRCLE_2))
    assert 400 <= status < 500 and body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] in ("processing", "invalid")
    assert body["issue"][0]["details"]["text"] == CYCLE_TEXT


def test_a_diamond_of_imports_is_not_a_cycle(client):
    leaf = {"resourceType": "ValueSet", "url": T + "leaf", "status": "active",
            "compose": {"include": [{"system": T + "small", "concept": [{"code": "a"}]}]}}
    mids = [{"resourceType": "ValueSet", "url": T + f"mid{i}", "status": "active",
             "compose": {"include": [{"valueSet": [T + "leaf"]}]}} for i in (1, 2)]
    top = {"resourceType": "ValueSet", "url": T + "top", "status": "active",
           "compose": {"include": [{"valueSet": [T + "mid1"]}, {"valueSet": [T + "mid2"]}],
                       "exclude": [{"valueSet": [T + "mid2"]}]}}
    res = [("tx-resource", "resource", r) for r in (SMALL, leaf, *mids)]
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", top), *res)
    assert status == 200 and body["expansion"]["total"] == 0
    status, body = _post(client, "ValueSet/$validate-code", ("valueSet", "resource", top), *res,
                         ("system", "valueUri", T + "small"), ("code", "valueCode", "a"))
    assert status == 200 and _out(body)["result"] is False


# --- 3. a supplement is not a code system of its own ------------------------------------------------------
BASE = {"resourceType": "CodeSystem", "url": T + "base", "version": "1.0", "status": "active",
        "content": "complete", "concept": [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}]}
SUP = {"resourceType": "CodeSystem", "url": T + "sup", "version": "0.1", "status": "active",
       "content": "supplement", "supplements": T + "base",
       "concept": [{"code": "a", "designation": [{"language": "nb", "value": "A på norsk"}]}]}
OTHER_SUP = {**SUP, "url": T + "other-sup", "supplements": T + "small"}
BASE_VS = {"resourceType": "ValueSet", "url": T + "vs-base", "status": "active",
           "compose": {"include": [{"system": T + "base"}]}}
SUP_RES = [("tx-resource", "resource", r) for r in (BASE, SUP, OTHER_SUP, SMALL)]
SUP_TEXT = f"CodeSystem {T}sup|0.1 is a supplement, so can't be used as a value in Coding.system"


@pytest.mark.parametrize("mode", ["code", "coding"])
def test_supplement_as_coding_system_in_validate_code(client, mode):
    given = [("system", "valueUri", T + "sup"), ("code", "valueCode", "a")] if mode == "code" else \
        [("coding", "valueCoding", {"system": T + "sup", "code": "a"})]
    for path, target in (("ValueSet/$validate-code", ("valueSet", "resource", BASE_VS)),
                         ("CodeSystem/$validate-code", ("url", "valueUri", T + "sup"))):
        status, body = _post(client, path, target, *given, *SUP_RES)
        assert status == 200 and _out(body)["result"] is False
        issues = _issues(body)
        assert len(issues) == 1, issues
        i = issues[0]
        assert (i["severity"], i["code"], i["details"]["coding"][0]["code"]) == ("error", "invalid", "invalid-data")
        assert i["details"]["text"] == SUP_TEXT
        assert i["expression"] == ["system" if mode == "code" else "Coding.system"]


def test_supplement_as_system_in_lookup_and_expand_is_a_client_error(client):
    status, body = _post(client, "CodeSystem/$lookup", ("system", "valueUri", T + "sup"),
                         ("code", "valueCode", "a"), *SUP_RES)
    assert 400 <= status < 500 and "is a supplement" in body["issue"][0]["details"]["text"]
    vs = {"resourceType": "ValueSet", "url": T + "vs-sup", "status": "active",
          "compose": {"include": [{"system": T + "sup"}]}}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs), *SUP_RES)
    assert 400 <= status < 500 and "is a supplement" in body["issue"][0]["details"]["text"]


# --- 4. a supplement of another system is refused alike by $expand, $validate-code and $lookup ----------
@pytest.mark.parametrize("op", ["expand", "validate-code", "lookup"])
def test_supplement_of_another_system_is_refused(client, op):
    given = {"expand": [("valueSet", "resource", BASE_VS)],
             "validate-code": [("valueSet", "resource", BASE_VS), ("system", "valueUri", T + "base"),
                               ("code", "valueCode", "a")],
             "lookup": [("system", "valueUri", T + "base"), ("code", "valueCode", "a")]}[op]
    path = f"CodeSystem/${op}" if op == "lookup" else f"ValueSet/${op}"
    status, body = _post(client, path, *given, ("useSupplement", "valueCanonical", T + "other-sup"), *SUP_RES)
    assert 400 <= status < 500
    assert body["issue"][0]["details"]["text"] == f"Required supplement not found: {T}other-sup"
    # the right supplement still works
    status, body = _post(client, path, *given, ("useSupplement", "valueCanonical", T + "sup"), *SUP_RES)
    assert status == 200


def test_valueset_supplement_extension_of_another_system_is_refused(client):
    vs = {**BASE_VS, "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/valueset-supplement",
                                    "valueCanonical": T + "other-sup"}]}
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs), *SUP_RES)
    assert 400 <= status < 500
    assert body["issue"][0]["details"]["text"] == f"Required supplement not found: {T}other-sup"


# --- 5. unknown code in a fragment or an example --------------------------------------------------------
@pytest.mark.parametrize("content,label", [("fragment", "labeled as a fragment, so the code may be valid in some "
                                                        "other fragment"),
                                           ("example", "labeled as a fragment")])   # the reference's text
def test_unknown_code_in_partial_content_is_a_warning(client, content, label):
    cs = {**BASE, "url": T + content, "content": content}
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", T + content),
                         ("code", "valueCode", "zz"), ("tx-resource", "resource", cs))
    assert status == 200 and _out(body)["result"] is True
    issue = _issues(body)[0]       # (an example adds the reference server's warning that it says too little)
    assert issue["severity"] == "warning" and len(_issues(body)) == (2 if content == "example" else 1)
    text = issue["details"]["text"]
    assert text.startswith(f"Unknown Code 'zz' in the CodeSystem '{T}{content}' version '1.0' - note that the code "
                           f"system is {label}")


# --- 6. a display whose language is not known --------------------------------------------------------------
def test_wrong_display_message_without_a_language_tag(client):
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", T + "base"),
                         ("code", "valueCode", "a"), ("display", "valueString", "Wrong"),
                         ("tx-resource", "resource", BASE))
    text = _out(body)["message"]
    assert text == f"Wrong Display Name 'Wrong' for {T}base#a. Valid display is 'A' (for the language(s) '--')"
    status, body = _post(client, "CodeSystem/$validate-code", ("url", "valueUri", T + "base"),
                         ("code", "valueCode", "a"), ("display", "valueString", "Wrong"),
                         ("tx-resource", "resource", {**BASE, "language": "en"}))
    assert "Valid display is 'A' (en) (for the language(s) '--')" in _out(body)["message"]


# --- 7. parent = X and child = X -------------------------------------------------------------------------
TREE = {"resourceType": "CodeSystem", "url": T + "tree", "status": "active", "content": "complete",
        "concept": [{"code": "A", "concept": [{"code": "A1", "concept": [{"code": "A1a"}]}, {"code": "A2"}]},
                    {"code": "B"}]}


@pytest.mark.parametrize("prop,op,value,codes", [
    ("parent", "=", "A", ["A1", "A2"]),
    ("child", "=", "A1a", ["A1"]),
    ("child", "=", "A1", ["A"]),
    ("parent", "in", "A,A1", ["A1", "A1a", "A2"]),
    ("parent", "=", "B", []),
])
def test_parent_and_child_filters_select_the_neighbours(client, prop, op, value, codes):
    vs = {"resourceType": "ValueSet", "url": T + "vs-tree", "status": "active",
          "compose": {"include": [{"system": T + "tree", "filter": [{"property": prop, "op": op, "value": value}]}]}}
    res = ("tx-resource", "resource", TREE)
    status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs), res)
    assert status == 200 and sorted(_flat(body["expansion"].get("contains"))) == codes
    for code in ("A", "A1", "A1a", "A2", "B"):
        status, body = _post(client, "ValueSet/$validate-code", ("valueSet", "resource", vs), res,
                             ("system", "valueUri", T + "tree"), ("code", "valueCode", code))
        assert _out(body)["result"] is (code in codes), code


# --- 8. default-/check-/force-valueset-version ----------------------------------------------------------
def _inner(version, code):
    return {"resourceType": "ValueSet", "url": T + "inner", "version": version, "status": "active",
            "compose": {"include": [{"system": T + "small", "concept": [{"code": code}]}]}}


OUTER = {"resourceType": "ValueSet", "url": T + "outer", "version": "1", "status": "active",
         "compose": {"include": [{"valueSet": [T + "inner"]}]}}
PINNED = {**OUTER, "version": "2", "compose": {"include": [{"valueSet": [T + "inner|1.0.0"]}]}}
VRES = [("tx-resource", "resource", r) for r in (SMALL, _inner("1.0.0", "a"), _inner("2.0.0", "b"), OUTER, PINNED)]


def _expand_codes(client, *pairs):
    status, body = _post(client, "ValueSet/$expand", *pairs, *VRES)
    return status, (sorted(_flat(body["expansion"].get("contains"))) if status == 200 else body)


def test_default_valueset_version_picks_the_import(client):
    status, codes = _expand_codes(client, ("url", "valueUri", T + "outer|1"))
    assert codes == ["b"]      # the latest
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", T + "outer|1"), *VRES,
                         ("default-valueset-version", "valueUri", T + "inner|1.0.0"))
    assert sorted(_flat(body["expansion"]["contains"])) == ["a"]
    assert {"name": "default-valueset-version", "valueUri": T + "inner|1.0.0"} in body["expansion"]["parameter"]
    assert {"name": "used-valueset", "valueUri": T + "inner|1.0.0"} in body["expansion"]["parameter"]
    # a pinned import keeps its version
    assert _expand_codes(client, ("url", "valueUri", T + "outer|2"),
                         ("default-valueset-version", "valueUri", T + "inner|2.0.0"))[1] == ["a"]


def test_force_valueset_version_overrides_a_pin_and_the_request(client):
    assert _expand_codes(client, ("url", "valueUri", T + "outer|2"),
                         ("force-valueset-version", "valueUri", T + "inner|2.0.0"))[1] == ["b"]
    # the value set of the request too
    assert _expand_codes(client, ("url", "valueUri", T + "inner|1.0.0"),
                         ("force-valueset-version", "valueUri", T + "inner|2.0.0"))[1] == ["b"]
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", T + "outer|2"), *VRES,
                         ("force-valueset-version", "valueUri", T + "inner|2.0.0"),
                         ("system", "valueUri", T + "small"), ("code", "valueCode", "b"))
    assert _out(body)["result"] is True


def test_check_valueset_version_refuses_another_version(client):
    status, body = _expand_codes(client, ("url", "valueUri", T + "outer|2"),
                                 ("check-valueset-version", "valueUri", T + "inner|2.0.0"))
    assert 400 <= status < 500 and "version-check" in body["issue"][0]["details"]["text"]
    assert _expand_codes(client, ("url", "valueUri", T + "outer|1"),
                         ("check-valueset-version", "valueUri", T + "inner|1.0.0"))[1] == ["a"]
    status, body = _expand_codes(client, ("url", "valueUri", T + "inner|1.0.0"),
                                 ("check-valueset-version", "valueUri", T + "inner|2.0.0"))
    assert 400 <= status < 500


def test_valueset_version_parameters_are_advertised(client):
    caps = client.get("/fhir/metadata?mode=terminology").get_json()
    names = {p["name"] for p in caps["expansion"]["parameter"]}
    assert {"default-valueset-version", "check-valueset-version", "force-valueset-version"} <= names


# --- 9. a designation without a language is in the code system's language ----------------------------------
def test_designation_without_language_is_in_the_code_system_language(client):
    cs = {**BASE, "url": T + "lang", "language": "en",
          "concept": [{"code": "a", "display": "Apple", "designation": [{"value": "Apple tree fruit"}]}]}
    res = ("tx-resource", "resource", cs)
    given = [("url", "valueUri", T + "lang"), ("code", "valueCode", "a"),
             ("display", "valueString", "Apple tree fruit")]
    status, body = _post(client, "CodeSystem/$validate-code", *given, res, ("displayLanguage", "valueCode", "en"))
    assert _out(body)["result"] is True and not _issues(body)
    status, body = _post(client, "CodeSystem/$validate-code", *given, res, ("displayLanguage", "valueCode", "de"))
    texts = [i["details"]["text"] for i in _issues(body)]
    assert any("no valid display names found" in t and "'de'" in t for t in texts), texts


def test_check_valueset_version_with_a_wildcard(client):
    assert _expand_codes(client, ("url", "valueUri", T + "outer|1"),
                         ("check-valueset-version", "valueUri", T + "inner|2.x"))[1] == ["b"]
    status, _body = _expand_codes(client, ("url", "valueUri", T + "outer|2"),
                                  ("check-valueset-version", "valueUri", T + "inner|2.x"))
    assert status == 400


def test_import_depth_backstop_still_holds(client):
    chain = [{"resourceType": "ValueSet", "url": T + f"deep{i}", "status": "active",
              "compose": {"include": [{"valueSet": [T + f"deep{i + 1}"]}]}} for i in range(30)]
    chain.append({"resourceType": "ValueSet", "url": T + "deep30", "status": "active",
                  "compose": {"include": [{"system": T + "small"}]}})
    res = [("tx-resource", "resource", r) for r in (SMALL, *chain)]
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", T + "deep0"), *res)
    text = body["issue"][0]["details"]["text"]
    assert status == 400 and "nested too deeply" in text
    # the answer says how far the server goes and where the chain started
    assert "at most 20 levels" in text and f"[{T}deep0, {T}deep1, {T}deep2, …]" in text
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", T + "deep15"), *res)
    assert status == 200 and body["expansion"]["total"] == 2
