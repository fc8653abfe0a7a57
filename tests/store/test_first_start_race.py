"""Several API processes starting together on one new store (PostgreSQL behind several stateless processes):
each finds it empty and reads the first content, and only the first to take the write lock writes it; the
others leave what that one wrote as it is, with no error and no second generation."""
from __future__ import annotations

from terminology import open_store
from terminology.hl7 import fill_empty_store
from terminology.identifiers import DEMO_TAG
from terminology.loader import StoreNotEmpty, load


def _location(store) -> str:
    return getattr(store, "path", None) or store.url


def test_a_store_another_process_fills_meanwhile_is_filled_once(any_store):
    other = open_store(_location(any_store))
    filled = []

    def the_other_process_fills_it():       # called after this one found the store empty, before it writes
        filled.append(fill_empty_store(other, demo=True, hl7=False))

    assert fill_empty_store(any_store, demo=True, hl7=False, starting=the_other_process_fills_it) is None
    assert filled[0] is not None and filled[0].demo == 34
    assert any_store.generation() == 1      # one write: the other's
    assert len(any_store.tagged(DEMO_TAG)) == 34
    other.close()


def test_a_load_into_an_empty_store_refuses_one_that_holds_anything(any_store):
    from terminology.importers import Item
    cs = {"resourceType": "CodeSystem", "id": "a", "url": "http://example.org/a", "status": "active",
          "content": "complete", "concept": [{"code": "x"}]}
    load(any_store, [Item("a.json", resource=cs)])
    try:
        load(any_store, [Item("b.json", resource=dict(cs, id="b", url="http://example.org/b"))], into_empty=True)
    except StoreNotEmpty as e:
        assert "nothing was written" in e.message
    else:
        raise AssertionError("a load into an empty store wrote into one holding a CodeSystem")
    assert [h.id for h in any_store.headers()] == ["a"] and any_store.generation() == 1

def test_two_servers_started_together_on_one_new_store_fill_it_once(tmp_path):
    """Two `kodebro serve` started at the same moment on one new store: the demo content is loaded once (by the
    first to take the write lock), and both serve it, at generation 1."""
    import os
    import subprocess
    import sys
    import time

    import requests

    from scripts.server_process import ROOT, free_port
    env = dict(os.environ, KODEBRO_DB=str(tmp_path / "k.db"), KODEBRO_HL7="false")
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "scripts.cli", "serve", "--port", str(port), "--workers", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for port in ports]
    try:
        ready = []
        for port, proc in zip(ports, procs):
            deadline = time.monotonic() + 60
            while True:
                try:
                    r = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                    if r.ok:
                        ready.append(r.json())
                        break
                except requests.ConnectionError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, "a server did not start"
                time.sleep(0.05)
    finally:
        for proc in procs:
            proc.terminate()
        said = [proc.communicate(timeout=20)[0].decode() for proc in procs]
    assert sum(s.count("loaded demo content") for s in said) == 1, said
    assert [r["generation"] for r in ready] == [1, 1]
