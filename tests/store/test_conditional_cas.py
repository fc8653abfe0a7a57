"""Conditional writes are a compare-and-set in the store: two OS processes racing with the same If-Match tag
(or both creating with If-None-Match: *) cannot both go ahead, on SQLite and on PostgreSQL.

Two worker processes (spawned, sharing nothing with this one but the database) run the commands sent to them
and are let go together by a barrier, as two gunicorn workers or two servers on one database would be.
"""
from __future__ import annotations

import multiprocessing
import time

import pytest

from terminology import open_store
from terminology.store import Precondition

RACE_ROUNDS = 5
JSON = {"Content-Type": "application/fhir+json"}
WARD = "/fhir/ValueSet/ward-list"


class _Refused(Exception):
    """A store-level precondition that did not hold."""


# --- the worker processes ------------------------------------------------------------------------------------
def _worker(name: str, barrier, commands, results) -> None:
    clients, stores = {}, {}
    for command in iter(commands.get, None):
        try:
            act = _prepare(name, command, clients, stores)
        except Exception as err:       # reported, so the test fails with the reason instead of a timeout
            barrier.abort()             # (the other worker is not left waiting for this one)
            results.put((name, f"error {type(err).__name__}: {err}"))
            continue
        try:
            barrier.wait(timeout=60)
            results.put((name, *act()))
        except Exception as err:
            results.put((name, f"error {type(err).__name__}: {err}"))


def _prepare(name: str, command: tuple, clients: dict, stores: dict):
    """What the worker does once let go: an HTTP request to its own app, or a conditional write to its store."""
    kind, db, *args = command
    if kind == "http":
        if db not in clients:
            from fhir_api import create_app
            clients[db] = create_app({"DB": db, "DEMO": False}).test_client()
        method, path, headers, body = args

        def request():
            r = clients[db].open(path, method=method, json=body, headers=headers)
            return r.status_code, r.get_json(), r.headers.get("ETag")
        return request
    if db not in stores:
        stores[db] = open_store(db)
    rid, expected_rev, pause = args

    def write():
        try:
            stores[db].write([_ward(rid, title=name)], delete=[("ValueSet", rid)],
                             precondition=Precondition("ValueSet", rid, _expect(expected_rev, pause)))
            return ("written",)
        except _Refused:
            return ("refused",)
    return write


def _expect(rev: int | None, pause: float):
    def check(current) -> None:
        if (current.rev if current is not None else None) != rev:
            raise _Refused()
        # hold the window between check and write open: were checks not serialised with writes, the other
        # process would pass the same check meanwhile
        time.sleep(pause)
    return check


class _Pool:
    def __init__(self):
        ctx = multiprocessing.get_context("spawn")
        self.barrier = ctx.Barrier(2)
        self.results = ctx.Queue()
        self.queues = {n: ctx.Queue() for n in ("a", "b")}
        self.procs = [ctx.Process(target=_worker, args=(n, self.barrier, q, self.results), daemon=True)
                      for n, q in self.queues.items()]
        for p in self.procs:
            p.start()

    def race(self, a: tuple, b: tuple) -> dict:
        """Send one command to each worker; they start together. {worker name: its result}."""
        self.queues["a"].put(a)
        self.queues["b"].put(b)
        got = dict((r[0], r[1:]) for r in (self.results.get(timeout=120), self.results.get(timeout=120)))
        failed = {name: r[0] for name, r in got.items() if isinstance(r[0], str) and r[0].startswith("error")}
        if failed:
            self.barrier.reset()        # the next race starts afresh
        assert not failed, failed
        return got

    def close(self) -> None:
        for q in self.queues.values():
            q.put(None)
        for p in self.procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()


@pytest.fixture(scope="module")
def pool():
    p = _Pool()
    yield p
    p.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    """A fresh, migrated store both workers open: its location."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_store").url
    store = open_store(str(tmp_path / "kodebro.db"))
    store.close()
    return store.path


# --- helpers ---------------------------------------------------------------------------------------------
def _ward(rid: str = "ward-list", title: str = "seed", status: str = "draft") -> dict:
    return {"resourceType": "ValueSet", "id": rid, "url": f"https://example.org/fhir/ValueSet/{rid}",
            "title": title, "status": status, "compose": {"include": [{"system": "urn:oid:2.16.578.1.12.4.1.1.7220"}]}}


def _put(location: str, title: str, **headers) -> tuple:
    return ("http", location, "PUT", WARD, {**JSON, **headers}, _ward(title=title))


def _current(store, rid: str = "ward-list"):
    """(header, body) as stored now, or None."""
    h = next((h for h in store.headers("ValueSet") if h.id == rid), None)
    return (h, store.body(h.pk)) if h is not None else None


def _tag(store, rid: str = "ward-list") -> str:
    from fhir_api.http_headers import resource_tag
    h, body = _current(store, rid)
    return resource_tag(h.rev, body)


# --- races over HTTP -----------------------------------------------------------------------------------------
def test_two_processes_putting_with_the_same_if_match_one_wins(pool, location):
    store = open_store(location)
    for n in range(RACE_ROUNDS):
        store.write([_ward(title=f"round {n}")], delete=[("ValueSet", "ward-list")])
        tag = _tag(store)
        got = pool.race(_put(location, f"a{n}", **{"If-Match": tag}), _put(location, f"b{n}", **{"If-Match": tag}))
        statuses = sorted(r[0] for r in got.values())
        assert statuses == [200, 412], got
        winner = next(name for name, r in got.items() if r[0] == 200)
        loser = got["b" if winner == "a" else "a"]
        assert loser[1]["issue"][0]["code"] == "conflict"
        _h, body = _current(store)
        assert body["title"] == f"{winner}{n}"          # the winner's write, not overwritten by the loser
        assert got[winner][2] == _tag(store)           # the winner was told the tag of what it wrote
    store.close()


def test_two_processes_creating_with_if_none_match_star_one_gets_in(pool, location):
    store = open_store(location)
    for n in range(RACE_ROUNDS):
        rid = f"new-{n}"
        put = lambda who: ("http", location, "PUT", f"/fhir/ValueSet/{rid}", {**JSON, "If-None-Match": "*"},
                           _ward(rid, title=who))
        got = pool.race(put("a"), put("b"))
        assert sorted(r[0] for r in got.values()) == [201, 412], got
        winner = next(name for name, r in got.items() if r[0] == 201)
        _h, body = _current(store, rid)
        assert body["title"] == winner
        assert sum(h.id == rid for h in store.headers("ValueSet")) == 1
    store.close()


def test_a_conditional_put_and_delete_racing_one_goes_ahead(pool, location):
    store = open_store(location)
    for n in range(RACE_ROUNDS):
        store.write([_ward(title=f"round {n}")], delete=[("ValueSet", "ward-list")])
        tag = _tag(store)
        got = pool.race(_put(location, f"a{n}", **{"If-Match": tag}),
                        ("http", location, "DELETE", WARD, {"If-Match": tag}, None))
        put, delete = got["a"][0], got["b"][0]
        # the delete won: the put's If-Match names a resource that is gone; the put won: the tag is stale
        assert (put, delete) in ((412, 200), (200, 412)), got
        now = _current(store)
        if delete == 200:
            assert now is None
        else:
            assert now[1]["title"] == f"a{n}"
    store.close()


# --- races in the store itself, with the window between check and write held open ----------------------------
@pytest.mark.parametrize("existing", [True, False], ids=["if-match", "if-none-match"])
def test_the_store_serialises_a_slow_check_with_the_write(pool, location, existing):
    store = open_store(location)
    for n in range(2):
        rid = f"slow-{existing}-{n}"
        expected = None
        if existing:
            store.write([_ward(rid, title="seed")])
            expected = _current(store, rid)[0].rev
        got = pool.race(("store", location, rid, expected, 0.3), ("store", location, rid, expected, 0.3))
        assert sorted(r[0] for r in got.values()) == ["refused", "written"], got
        winner = next(name for name, r in got.items() if r[0] == "written")
        assert _current(store, rid)[1]["title"] == winner
    store.close()


# --- a refused write changes nothing -----------------------------------------------------------------------
def _codesystem(display: str) -> dict:
    return {"resourceType": "CodeSystem", "id": "wards", "url": "https://example.org/fhir/CodeSystem/wards",
            "version": "1", "status": "active", "content": "complete",
            "concept": [{"code": "A", "display": display, "concept": [{"code": "A1", "display": "sub"}]}]}


def test_a_failed_precondition_leaves_the_row_and_its_concepts_unchanged(location):
    store = open_store(location)
    store.write([_codesystem("Ward A")])
    before_gen = store.generation()
    h_before, body_before = _current_cs(store)
    seen = []

    def refuse(current):
        seen.append(current)
        raise _Refused()
    for attempt in (lambda: store.write([_codesystem("Changed")], delete=[("CodeSystem", "wards")],
                                        precondition=Precondition("CodeSystem", "wards", refuse)),
                    lambda: store.delete("CodeSystem", "wards", precondition=Precondition("CodeSystem", "wards",
                                                                                          refuse))):
        with pytest.raises(_Refused):
            attempt()
    h_after, body_after = _current_cs(store)
    assert (h_after.pk, h_after.rev, body_after) == (h_before.pk, h_before.rev, body_before)
    assert [c["display"] for c in store.concepts(h_after.pk)] == ["Ward A", "sub"]
    assert store.generation() == before_gen
    # the hook was shown the stored state: what an ETag is made of
    assert all(s.rev == h_before.rev and s.body == body_before for s in seen)
    store.close()


def test_the_hook_sees_none_for_a_missing_resource_and_may_let_the_write_in(location):
    store = open_store(location)
    seen = []
    store.write([_ward("fresh")], precondition=Precondition("ValueSet", "fresh", seen.append))
    assert seen == [None] and _current(store, "fresh") is not None
    assert store.delete("ValueSet", "gone", precondition=Precondition("ValueSet", "gone", seen.append)) is False
    assert seen == [None, None]
    store.close()


def _current_cs(store):
    h = next(h for h in store.headers("CodeSystem") if h.id == "wards")
    return h, store.body(h.pk)
