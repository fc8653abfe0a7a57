"""Found by the eighth session's review of writes that change nothing (store) and the catalog around them."""
import copy, json, os
from terminology import Catalog, open_store
from tests.conftest import DATA

EX = os.path.join(DATA, "fhir", "CodeSystem-example.json")
JSON = {"Content-Type": "application/fhir+json"}


def _res():
    with open(EX, encoding="utf-8") as f:
        return json.load(f)


def test_an_unchanged_put_keeps_the_workers_revision_caches(tmp_path):
    from fhir_api import create_app
    from fhir_api.store import get_catalog
    app = create_app({"DB": str(tmp_path / "k.db"), "DEMO": False})
    client = app.test_client()
    res = _res()
    path = f"/fhir/CodeSystem/{res['id']}"
    assert client.put(path, json=res, headers=JSON).status_code == 201
    with app.app_context():
        cat = get_catalog()
        token = cat.derived("review.probe", lambda c: object())
    again = client.put(path, json=res, headers=JSON)
    assert again.status_code == 200
    with app.app_context():
        cat = get_catalog()
        # the write changed nothing and started no generation: the derived tables stay
        assert cat.derived("review.probe", lambda c: object()) is token


class _SlowStore:
    """wraps a store: a hook runs between reading a body and the catalog caching it (another thread's write +
    refresh landing there)."""


def test_a_late_body_read_does_not_pin_a_stale_body_after_an_in_place_rewrite(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    res = _res()
    store.write([copy.deepcopy(res)])
    cat = Catalog(store)
    (h,) = [x for x in cat.headers("CodeSystem")]
    real_body = store.body
    fired = []

    def body(pk):
        b = real_body(pk)                      # thread A reads the old body ...
        if not fired:
            fired.append(1)
            import time; time.sleep(1.1)       # next second, so lastUpdated differs
            changed = copy.deepcopy(res)
            changed["concept"][-1]["display"] = "changed"      # same body, one concept differs: in place
            rep = store.write([changed])
            assert rep["replaced"] and store.headers()[0].pk == h.pk
            cat.refresh(force=True)            # ... thread B's refresh lands before A caches it
        return b
    store.body = body
    cat.body(h.pk)
    store.body = real_body
    h2 = cat.header_by_id("CodeSystem", h.id)
    assert h2.rev != h.rev and h2.pk == h.pk
    assert cat.body(h2.pk)["meta"]["lastUpdated"] == store.body(h2.pk)["meta"]["lastUpdated"]


def test_other_process_sees_in_place_rewrite(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    res = _res()
    store.write([copy.deepcopy(res)])
    other_store = open_store(str(tmp_path / "k.db"))
    other = Catalog(other_store)
    cs = other.codesystem(res["url"])
    code = res["concept"][-1]["code"]
    changed = copy.deepcopy(res)
    changed["concept"][-1]["display"] = "changed"
    store.write([changed])
    other.refresh(force=True)
    assert other.codesystem(res["url"]).get(code).display == "changed"
    # and back
    store.write([copy.deepcopy(res)])
    other.refresh(force=True)
    assert other.codesystem(res["url"]).get(code).display == res["concept"][-1].get("display")


def test_reorder_lengthen_property(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    res = _res()
    base = copy.deepcopy(res)
    flat = [{"code": f"c{i}", "display": f"d{i}", "property": [{"code": "p", "valueString": "x"}]} for i in range(12000)]
    base["concept"] = []
    base.pop("property", None)
    def w(fl):
        r = copy.deepcopy(base); r["_flat_concepts"] = iter(copy.deepcopy(fl)); return store.write([r])
    w(flat)
    cat = Catalog(store)
    assert len(cat.codesystem(res["url"]).concepts) == 12000
    for variant in (flat[::-1], flat + [{"code": "new"}], flat[:5000], flat[:5000] + flat[5001:],
                    [dict(f, property=[{"code": "p", "valueString": "y"}]) if f["code"] == "c11999" else f for f in flat],
                    flat):
        rep = w(variant)
        cat.refresh()
        cat.refresh(force=True)
        got = [json.loads(json.dumps(c)) for c in store.concepts(store.headers()[0].pk)]
        assert got == variant, (len(got), len(variant))
        assert store.headers()[0].concept_count == len(variant)
        idx = cat.codesystem(res["url"])
        assert list(idx.concepts) == [f["code"] for f in variant]
    rep = w(flat)
    assert rep["unchanged"] and rep["rev"] == store.headers()[0].rev


def test_reimport_of_a_resource_stored_under_a_suffixed_id_is_unchanged(tmp_path):
    store = open_store(str(tmp_path / "k.db"))
    res = _res()
    store.write([copy.deepcopy(res)])
    y = {**copy.deepcopy(res), "url": "http://example.org/y", "version": "2"}   # same id, another url
    first = store.write([copy.deepcopy(y)])
    gen = store.generation()
    again = store.write([copy.deepcopy(y)])
    assert again["unchanged"] and store.generation() == gen
