"""$validate-code of a stored value set keeps, per store revision, what its compose decides before it looks at the
code (membership_plan.py), and the reasons its excludes give, by code (exclusions.ExclusionReasons). What is kept
must answer as the compose does, code by code, follow a value set or code system that is replaced, and step aside
for a request whose version rules change what the compose selects."""
from terminology.identifiers import ICD10_NO
from tests.support.resources import cs, vs
from tests.support.tx_requests import codes, expansion, issues, out, post

CS = "http://example.org/fhir/CodeSystem/plan"
OTHER = "http://example.org/fhir/CodeSystem/plan-other"
VS = "http://example.org/fhir/ValueSet/plan"
REASON = "https://kodebro.no/fhir/StructureDefinition/exclusion-reason"


def _store(client, *resources):
    """PUT each resource under an id of its url's last segment and its version (so versions sit side by side, and a
    later PUT of the same version replaces it)."""
    for r in resources:
        rid = f"{r['url'].rsplit('/', 1)[-1]}-{r.get('version', 'none')}"
        status = client.put(f"/fhir/{r['resourceType']}/{rid}", json={**r, "id": rid}).status_code
        assert status in (200, 201), status


def _c(code, group=None, inactive=False):
    props = [{"code": "group", "valueString": group}] if group else []
    if inactive:
        props.append({"code": "inactive", "valueBoolean": True})
    return {"code": code, "display": f"Concept {code}", **({"property": props} if props else {})}


CONCEPTS = [_c("a1", "a"), _c("a2", "a"), _c("a3", "a", inactive=True), _c("a4", "a"), _c("b1", "b"), _c("b2", "b"),
            _c("c1", "c"), _c("c2"), _c("d1", "d")]
PROPS = [{"code": "group", "type": "string"}, {"code": "inactive", "type": "boolean"}]


def _cs(version="1", concepts=CONCEPTS):
    return cs(CS, version, concepts, property=PROPS)


def _vs(version="1", **compose):
    body = vs(VS, compose.pop("include"), version)
    body["compose"].update(compose)
    return body


def _valid(client, code, *extra, system=CS):
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", system), ("code", code), *extra])
    assert status == 200, b
    return out(b)["result"], b


def _expanded(client, *extra):
    return set(codes(expansion(client, [("url", VS), *extra])))


def _agree(client, every, *extra):
    """Each code validates exactly when $expand lists it: twice, so that the second answer is the kept one's."""
    listed = _expanded(client, *extra)
    for _ in range(2):
        got = {code for code in every if _valid(client, code, *extra)[0]}
        assert got == listed, (sorted(got), sorted(listed))
    return listed


def test_filters_lists_and_excludes_of_every_kind_answer_as_the_expansion(client):
    _store(client, _cs(), cs(OTHER, "1", [{"code": "a1"}, {"code": "x"}]), _vs(
        include=[{"system": CS, "filter": [{"property": "group", "op": "=", "value": "a"}]},
                 {"system": CS, "version": "1", "concept": [{"code": "b1"}, {"code": "c2"}, {"code": "zz"}]},
                 {"system": CS, "filter": [{"property": "group", "op": "=", "value": "d"}]},
                 {"system": OTHER}],
        exclude=[{"system": CS, "concept": [{"code": "a2"}]},
                 {"system": CS, "version": "1", "filter": [{"property": "group", "op": "=", "value": "d"}]},
                 {"system": OTHER, "concept": [{"code": "x"}]}],
        inactive=False))
    held = [c["code"] for c in CONCEPTS] + ["zz"]
    assert _agree(client, held) == {"a1", "a4", "b1", "c2"}
    # the other system's codes: the excludes of one system do not reach another's
    assert _valid(client, "a1", system=OTHER)[0] is True
    assert _valid(client, "x", system=OTHER)[0] is False


def test_a_whole_system_exclude_removes_every_code(client):
    _store(client, _cs(), _vs(include=[{"system": CS}], exclude=[{"system": CS}]))
    assert _agree(client, [c["code"] for c in CONCEPTS]) == set()


def test_a_replaced_value_set_or_code_system_is_answered_as_stored_now(client):
    # the include names the version: the catalog's index of that version is kept with the headers it was found in
    group_a = {"system": CS, "version": "1", "filter": [{"property": "group", "op": "=", "value": "a"}]}
    _store(client, _cs(), _vs(include=[group_a], exclude=[{"system": CS, "concept": [{"code": "a2"}]}]))
    for _ in range(2):
        assert _valid(client, "a1")[0] is True and _valid(client, "a2")[0] is False
    _store(client, _vs(include=[group_a], exclude=[{"system": CS, "concept": [{"code": "a1"}]}]))
    for _ in range(2):
        assert _valid(client, "a1")[0] is False and _valid(client, "a2")[0] is True
    # the same code moved to another group in a replaced code system of the same version
    _store(client, _cs(concepts=[_c("a1", "a"), _c("a2", "b"), _c("a4", "a")]))
    for _ in range(2):
        assert _valid(client, "a2")[0] is False and _valid(client, "a4")[0] is True


def test_a_version_another_include_pins_is_still_asked(client):
    # include 2 pins version 1, which holds b1 as group b: a coding checked against version 2 (the latest) is a
    # member through it, which only the version pinned can tell
    _store(client, _cs("1"), _cs("2", [_c("a1", "a"), _c("b1", "a"), _c("n1", "b")]),
           _vs(include=[{"system": CS, "version": "2", "filter": [{"property": "group", "op": "=", "value": "a"}]},
                        {"system": CS, "version": "1", "filter": [{"property": "group", "op": "=", "value": "b"}]}]))
    for _ in range(2):
        assert _valid(client, "b2")[0] is True
        assert _valid(client, "b1")[0] is True
        assert _valid(client, "c1")[0] is False
        # group b in version 2 only: the include of version 1 does not take it
        assert _valid(client, "n1", ("systemVersion", "2"))[0] is False


def test_an_exclude_reaching_a_version_only_under_force_system_version(client):
    # the exclude names version 2; forced to version 1, it resolves to version 1 and reaches the code in hand
    _store(client, _cs("1"), _cs("2"),
           _vs(include=[{"system": CS, "filter": [{"property": "group", "op": "=", "value": "b"}]}],
               exclude=[{"system": CS, "version": "2", "concept": [{"code": "b1"}]}]))
    for _ in range(2):
        assert _valid(client, "b1", ("systemVersion", "1"))[0] is True
        assert _valid(client, "b1", ("force-system-version", f"{CS}|1"))[0] is False
        assert _valid(client, "b1", ("systemVersion", "1"))[0] is True
        assert _valid(client, "b2", ("force-system-version", f"{CS}|1"))[0] is True


def test_an_inactive_code_of_an_active_only_value_set_is_no_member_to_infer_a_system_from(client):
    _store(client, _cs(), _vs(include=[{"system": CS, "filter": [{"property": "group", "op": "=", "value": "a"}]}],
                              inactive=False))
    for _ in range(2):
        status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("code", "a1"), ("inferSystem", True)])
        assert status == 200 and out(b)["result"] is True, b
        status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("code", "a3"), ("inferSystem", True)])
        assert status == 200 and out(b)["result"] is False, b
        assert any("could not be determined" in i["details"]["text"] for i in issues(b)), b


def test_a_request_that_changes_what_the_compose_selects_is_answered_by_its_own_rules(client):
    # the unversioned include takes version 2 unless a system-version or date says otherwise
    _store(client, _cs("1"), _cs("2", [_c("a1", "b"), _c("b1", "a")]),
           _vs(include=[{"system": CS, "filter": [{"property": "group", "op": "=", "value": "a"}]}]))
    for _ in range(2):
        assert _valid(client, "b1")[0] is True
        assert _valid(client, "a1")[0] is False
        assert _valid(client, "a1", ("system-version", f"{CS}|1"))[0] is True
        assert _valid(client, "b1", ("system-version", f"{CS}|1"))[0] is False


def _reason(client, code, system=ICD10_NO):
    result, b = _valid(client, code, system=system)
    assert result is False, b
    texts = [i["details"]["text"] for i in issues(b) if i["severity"] == "error"]
    assert len(texts) == 1, texts
    return texts[0].split("' was not found in the value set ", 1)[1]


def test_the_first_exclude_listing_a_code_with_a_reason_gives_it(client):
    icd = cs(ICD10_NO, "t1", [{"code": c, "display": c} for c in ("U071", "U099", "Z038", "A00", "B00")])
    _store(client, icd, vs(VS, [{"system": ICD10_NO}], "1", compose={"include": [{"system": ICD10_NO}], "exclude": [
        {"system": ICD10_NO, "concept": [{"code": "U071"}]},
        {"system": ICD10_NO, "extension": [{"url": REASON, "valueString": "first"}],
         "concept": [{"code": "U071"}, {"code": "U099"}]},
        {"system": ICD10_NO, "extension": [{"url": REASON, "valueString": "second"}],
         "concept": [{"code": "U099"}, {"code": "Z038"}]},
        {"system": "http://example.org/other", "extension": [{"url": REASON, "valueString": "elsewhere"}],
         "concept": [{"code": "A00"}]},
        {"system": ICD10_NO, "concept": [{"code": "B00"}]}]}))
    for _ in range(2):
        assert _reason(client, "U07.1").endswith(": first")
        assert _reason(client, "U071").endswith(": first")
        assert _reason(client, "U09.9").endswith(": first")
        assert _reason(client, "Z03.8").endswith(": second")
        assert _valid(client, "A00", system=ICD10_NO)[0] is True      # excluded from another system only
        assert _reason(client, "B00") == f"'{VS}|1'"


def test_past_the_revisions_budget_of_member_codes_a_plan_asks_each_code(client, monkeypatch):
    from terminology.operations import membership_plan
    monkeypatch.setattr(membership_plan, "MAX_MEMBER_CODES", len(CONCEPTS))     # one index's worth
    _store(client, _cs(), vs(VS + "-b", [{"system": CS, "filter": [{"property": "group", "op": "=", "value": "b"}]}],
                             "1"),
           _vs(include=[{"system": CS, "filter": [{"property": "group", "op": "=", "value": "a"}]}]))
    every = [c["code"] for c in CONCEPTS]
    assert _agree(client, every) == {"a1", "a2", "a3", "a4"}
    for _ in range(2):      # the second value set's plan gets no member codes: each code is asked
        got = {code for code in every if out(post(client, "ValueSet/$validate-code",
                                                  [("url", VS + "-b"), ("system", CS), ("code", code)])[1])["result"]}
        assert got == {"b1", "b2"}
    plans = [plan for entry in _plans(client) for _cs_, plan in entry.values() if plan is not None]
    assert sorted(plan.members is None for plan in plans) == [False, True], plans


def _plans(client):
    from fhir_api.store import get_catalog
    from terminology.operations.membership_plan import MEMBERSHIP_PLANS
    from terminology.operations.revision_cache import _Entries
    with client.application.test_request_context("/fhir/metadata"):
        catalog = get_catalog()
        return [value for _part, value, _reads in catalog.derived(MEMBERSHIP_PLANS.key, _Entries).data.values()]
