"""The machinery of $translate rather than its answers: the provider registry, the other-map walk (no state
kept between translations, per thread or after an exception), and what a request works out once for all
its codings (the scopes of stored maps asked with the request's own resources)."""
from __future__ import annotations

import threading

import pytest

import mappings.translate as translate_module
from mappings.conceptmap import stored_maps
from mappings.conceptmap_hops import MAX_HOPS
from mappings.conceptmap_index import request_memo
from mappings.scope import ValueSetScope
from mappings.translate import PROVIDERS, TranslateRequest, provider, translate
from terminology import Catalog
from terminology.errors import InvalidRequest, NotFound

S = "http://example.org/mech/CodeSystem/s"
T = "http://example.org/mech/CodeSystem/t"
URL = "http://example.org/mech/ConceptMap"
SCOPE = "http://example.org/mech/ValueSet/scope"


def _link(name: str, mapped: dict, unmapped: dict | None = None, **extra) -> dict:
    g = {"source": S, "target": T,
         "element": [{"code": c, "target": [{"code": t, "equivalence": "equivalent"}]} for c, t in mapped.items()]}
    if unmapped:
        g["unmapped"] = unmapped
    return {"resourceType": "ConceptMap", "url": f"{URL}/{name}", "version": "1", "status": "active",
            "group": [g], **extra}


def _chain() -> list[dict]:
    """A → B → C: `c` is two hops away."""
    return [_link("A", {"a": "x"}, {"mode": "other-map", "url": f"{URL}/B"}),
            _link("B", {"b": "y"}, {"mode": "other-map", "url": f"{URL}/C"}),
            _link("C", {"c": "z"})]


def _fan(n: int) -> list[dict]:
    """n maps of n groups each; every group sends its unmapped codes to one of the n maps: far more hops than
    the budget allows."""
    return [{"resourceType": "ConceptMap", "url": f"{URL}/fan{i}", "version": "1", "status": "active",
             "group": [{"source": S, "target": f"{T}{j}",
                        "element": [{"code": "zz", "target": [{"code": "q", "equivalence": "equal"}]}],
                        "unmapped": {"mode": "other-map", "url": f"{URL}/fan{j}"}} for j in range(n)]}
            for i in range(n)]


def _ask(catalog, code: str, url: str) -> object:
    return translate(catalog, TranslateRequest(code=code, system=S, conceptmap_url=url))


@pytest.fixture
def catalog(store):
    return Catalog(store)


# --- the other-map walk ------------------------------------------------------------------------------------

def test_the_hop_budget_belongs_to_one_translation(catalog):
    fan = catalog.overlay(_fan(12))
    first = _ask(fan, "q", f"{URL}/fan0")
    assert not first.result and f"{MAX_HOPS} times" in first.message
    # the next translation in this thread starts with the whole budget: the same answer, and a two-hop chain
    # after it is walked to its end
    again = _ask(fan, "q", f"{URL}/fan0")
    assert (again.result, again.message, again.matches) == (first.result, first.message, first.matches)
    got = _ask(catalog.overlay(_chain()), "c", f"{URL}/A")
    assert [m.code for m in got.matches] == ["z"] and got.result


def test_every_coding_of_a_request_has_its_own_hop_budget(catalog):
    """The codings share a catalog (and its per-request memo), not the hop count."""
    fan = catalog.overlay(_fan(12) + _chain())
    answers = [_ask(fan, code, url) for code, url in
               (("q", f"{URL}/fan0"), ("q", f"{URL}/fan0"), ("c", f"{URL}/A"))]
    assert answers[0].message == answers[1].message and f"{MAX_HOPS} times" in answers[0].message
    assert [m.code for m in answers[2].matches] == ["z"]


def test_a_hop_that_raises_leaves_nothing_behind(catalog):
    # B is sent with the request and is no valid ConceptMap (a target without equivalence): refused, 400,
    # from inside the walk
    broken = _link("B", {"b": "y"})
    broken["group"][0]["element"][0]["target"][0].pop("equivalence")
    a = _link("A", {"a": "x"}, {"mode": "other-map", "url": f"{URL}/B"})
    with pytest.raises(InvalidRequest):
        _ask(catalog.overlay([a, broken]), "q", f"{URL}/A")
    # afterwards: an outermost translation that finds nothing says so (it is not taken for a hop) ...
    got = _ask(catalog.overlay(_chain()), "q", f"{URL}/C")
    assert not got.result and got.message == "No translations found"
    # ... and a chain is walked from its start
    got = _ask(catalog.overlay(_chain()), "c", f"{URL}/A")
    assert [m.code for m in got.matches] == ["z"]


def test_walks_in_threads_do_not_meet(catalog):
    chain, fan = catalog.overlay(_chain()), catalog.overlay(_fan(8))
    expected = {("c", "A"): _ask(chain, "c", f"{URL}/A"), ("q", "fan0"): _ask(fan, "q", f"{URL}/fan0")}
    wrong: list = []

    def work(i: int):
        for k in range(6):
            code, name = ("c", "A") if (i + k) % 2 else ("q", "fan0")
            got = _ask(chain if code == "c" else fan, code, f"{URL}/{name}")
            want = expected[(code, name)]
            if (got.result, got.message, got.matches) != (want.result, want.message, want.matches):
                wrong.append((code, got.message))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong


def test_translate_keeps_no_walk_state_of_its_own():
    assert not any(isinstance(v, type(threading.local())) for v in vars(translate_module).values())
    assert not [n for n in vars(translate_module) if "hop" in n]


# --- the registry ------------------------------------------------------------------------------------------

def test_only_providers_registered_for_a_sent_map_answer_one(catalog):
    asked: list[str] = []

    def everyday(cat, req):
        asked.append("everyday")

    def sent_too(cat, req):
        asked.append("sent")

    provider(everyday)
    provider(serves_supplied_map=True)(sent_too)
    try:
        req = TranslateRequest(code="a", system=S, conceptmap=_link("A", {"a": "x"}))
        assert [m.code for m in translate(catalog, req).matches] == ["x"]
        assert asked == ["sent"]
        asked.clear()
        translate(catalog.overlay([_link("A", {"a": "x"})]), TranslateRequest(code="a", system=S))
        assert asked == ["everyday", "sent"]
    finally:
        PROVIDERS.remove(everyday)
        PROVIDERS.remove(sent_too)


# --- what one request works out once ------------------------------------------------------------------------

def _scoped(catalog_store, members: list[str]):
    """A stored map from S declared for SCOPE, with SCOPE stored holding `members`."""
    vs = {"resourceType": "ValueSet", "url": SCOPE, "version": "1", "status": "active",
          "compose": {"include": [{"system": S, "concept": [{"code": c} for c in members]}]}}
    cm = _link("scoped", {"a": "x", "b": "y", "c": "z"}, sourceUri=SCOPE)
    catalog_store.write([vs, cm])
    return vs


def test_a_request_asks_a_stored_maps_scope_once_for_all_its_codings(store):
    _scoped(store, ["a", "b"])
    catalog = Catalog(store)
    request = catalog.overlay([_link("mine", {"c": "w"})])
    codes = {code: sorted(m.code for m in translate(request, TranslateRequest(code=code, system=S)).matches)
             for code in ("a", "b", "c")}
    assert codes == {"a": ["x"], "b": ["y"], "c": ["w"]}        # c is outside the stored map's scope
    scopes = request_memo(request)["scopes"]
    assert list(scopes) == [(SCOPE, "source")] and isinstance(scopes[(SCOPE, "source")], ValueSetScope)
    assert scopes[(SCOPE, "source")].asked == 3
    # the next request starts afresh, and its own resources decide: a ValueSet it brings shadows the stored one
    shadow = {"resourceType": "ValueSet", "url": SCOPE, "version": "1", "status": "active",
              "compose": {"include": [{"system": S, "concept": [{"code": "c"}]}]}}
    other = catalog.overlay([shadow])
    got = {code: [m.code for m in translate(other, TranslateRequest(code=code, system=S)).matches]
           for code in ("a", "c")}
    assert got == {"a": [], "c": ["z"]}
    assert request_memo(other)["scopes"][(SCOPE, "source")] is not scopes[(SCOPE, "source")]
    # and nothing of either request stuck to the stored map
    idx = next(i for i in stored_maps(catalog).indexes.values() if i.canonical.startswith(f"{URL}/scoped"))
    assert not idx.scope_problems and (SCOPE, "source") not in idx._scopes


def test_a_codeable_concept_answers_as_its_codings_one_by_one(store):
    """The handler shares one catalog between the codings; the answer is the one of single-coding requests."""
    from fhir_api.ops_translate import op_translate
    from fhir_api.params import Params

    _scoped(store, ["a", "b"])
    catalog = Catalog(store)
    mine = _link("mine", {"c": "w", "a": "v"})

    def matches(body):
        return sorted(pp["valueCoding"]["code"] for p in body["parameter"] if p["name"] == "match"
                      for pp in p["part"] if pp["name"] == "concept")

    together = op_translate(catalog, Params([("codeableConcept", {"coding": [
        {"system": S, "code": c} for c in ("a", "b", "c", "d")]}), ("tx-resource", mine)], "body"), None)
    one_by_one = [op_translate(catalog, Params([("coding", {"system": S, "code": c}), ("tx-resource", mine)],
                                               "body"), None) for c in ("a", "b", "c", "d")]
    assert matches(together) == sorted(c for body in one_by_one for c in matches(body)) == ["v", "w", "x", "y"]


def test_a_scope_that_raised_answers_the_next_code_with_a_fresh_evaluator(store):
    catalog = Catalog(store)
    # a value set importing one the server does not hold cannot be evaluated: NotFound for every code
    vs = {"resourceType": "ValueSet", "url": SCOPE, "status": "active",
          "compose": {"include": [{"valueSet": ["http://example.org/mech/ValueSet/nowhere"]}]}}
    scope = ValueSetScope(catalog.overlay([vs]), SCOPE, "source")
    before = scope._ev
    with pytest.raises(NotFound):
        scope.holds(S, "a")
    assert scope._ev is not before
    with pytest.raises(NotFound):
        scope.holds(S, "b")
