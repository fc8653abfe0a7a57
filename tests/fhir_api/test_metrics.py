"""Prometheus metrics at /metrics (KODEBRO_METRICS): off by default, bounded labels, and under `kodebro serve` the
sums over every worker whichever worker answers the scrape."""
from __future__ import annotations

import glob
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests

from tests.conftest import running_server

ICD = "http://hl7.org/fhir/sid/icd-10-no"
LOOKUP = f"/fhir/CodeSystem/$lookup?system={quote(ICD, safe='')}&code=A00"


def _app(db, **settings):
    from fhir_api import create_app
    return create_app({"DB": db, "DEMO": True, **settings})


def _samples(text: str) -> list:
    """Every sample of a scrape as (name, labels, value)."""
    from prometheus_client.parser import text_string_to_metric_families
    return [(s.name, s.labels, s.value) for fam in text_string_to_metric_families(text) for s in fam.samples]


def _value(samples, name: str, **labels) -> float:
    found = [v for n, lab, v in samples if n == name and all(lab.get(k) == w for k, w in labels.items())]
    return sum(found)


@pytest.fixture(scope="module")
def store_db(tmp_path_factory) -> str:
    """One store with the demo content, filled once for the module (the servers here only read it)."""
    db = str(tmp_path_factory.mktemp("metrics") / "kodebro.db")
    _app(db).extensions["kodebro.store"].close()
    return db


# --- off by default ---------------------------------------------------------------------------------------
def test_off_by_default_metrics_is_404_and_no_hook_runs(store_db):
    from fhir_api import metrics
    app = _app(store_db)
    assert app.test_client().get("/metrics").status_code == 404
    assert "kodebro.metrics" not in app.extensions
    hooks = [f for fs in list(app.before_request_funcs.values()) + list(app.after_request_funcs.values())
             for f in fs]
    assert metrics._started not in hooks and metrics._answered not in hooks
    assert not any(getattr(f, "__module__", "") == "fhir_api.metrics" for f in hooks)
    catalog = app.extensions["kodebro.catalog"]
    assert not any(getattr(f, "__self__", None).__class__.__name__ == "Metrics" for f in catalog.on_reload)


def test_off_by_default_on_a_live_server(live_server):
    root = live_server.rsplit("/fhir", 1)[0]
    assert requests.get(root + "/metrics", timeout=10).status_code == 404


def test_a_word_that_is_not_yes_or_no_stops_the_start(store_db, monkeypatch):
    monkeypatch.setenv("KODEBRO_METRICS", "maybe")
    with pytest.raises(ValueError, match="KODEBRO_METRICS"):
        _app(store_db)


# --- in one process (the Flask test client) ----------------------------------------------------------------
def test_in_process_counts_each_interaction_and_status(store_db):
    app = _app(store_db, METRICS=True)
    client = app.test_client()
    for _ in range(3):
        assert client.get(LOOKUP).status_code == 200
    made_up = uuid.uuid4().hex
    for _ in range(2):
        assert client.get(f"/fhir/CodeSystem/{made_up}").status_code == 404
    assert client.get(f"/fhir/CodeSystem/$op-{made_up}").status_code == 404
    assert client.get(f"/nowhere/{made_up}").status_code == 404
    assert client.get("/healthz").status_code == 200
    assert client.get("/fhir/metadata", headers={"Accept": "text/x-nothing"}).status_code == 406

    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = r.get_data(as_text=True)
    s = _samples(text)
    total = "kodebro_http_requests_total"
    assert _value(s, total, interaction="lookup", status="200") == 3
    assert _value(s, total, interaction="read", status="404") == 2
    # an operation the server does not have, and a path no route matches: "other", not their names
    assert _value(s, total, interaction="other", status="404") == 2
    assert _value(s, total, interaction="health", status="200") == 1
    # answered by a hook before the view (content negotiation): counted under its route's interaction
    assert _value(s, total, interaction="metadata", status="406") == 1
    assert _value(s, "kodebro_http_request_duration_seconds_count", interaction="lookup") == 3
    assert _value(s, "kodebro_http_request_duration_seconds_bucket", interaction="lookup", le="10.0") == 3
    assert made_up not in text
    # the scrape itself is counted once it is answered
    s = _samples(client.get("/metrics").get_data(as_text=True))
    assert _value(s, total, interaction="metrics", status="200") == 1
    assert _value(s, "kodebro_store_generation") == app.extensions["kodebro.store"].generation()


def test_labels_come_from_fixed_sets(store_db):
    from fhir_api.metrics import DURATION_BUCKETS
    from fhir_api.operations import OPERATIONS
    app = _app(store_db, METRICS=True)
    client = app.test_client()
    for path in (LOOKUP, "/fhir/CodeSystem", "/fhir/CodeSystem/ICD10NO-2026", "/fhir/metadata", "/readyz", "/",
                 f"/fhir/ValueSet/$expand?url={uuid.uuid4().hex}", f"/fhir/{uuid.uuid4().hex}/x",
                 "/fhir/CodeSystem/x/_history", "/fhir/$versions"):
        client.get(path)
    client.post("/fhir", json={"resourceType": "Bundle", "type": "batch", "entry": []},
                headers={"Content-Type": "application/fhir+json"})
    s = _samples(client.get("/metrics").get_data(as_text=True))
    fixed = {"read", "search", "create", "update", "delete", "batch", "metadata", "site", "health", "metrics",
             "history", "versions", "closure", "other"} | {name for _t, name in OPERATIONS}
    seen = {lab["interaction"] for n, lab, _v in s if n == "kodebro_http_requests_total"}
    assert {"lookup", "search", "read", "metadata", "health", "site", "expand", "history", "versions",
            "batch"} <= seen <= fixed
    assert all(lab["status"].isdigit() and len(lab["status"]) == 3
               for n, lab, _v in s if n == "kodebro_http_requests_total")
    buckets = {float(lab["le"]) for n, lab, _v in s if n == "kodebro_http_request_duration_seconds_bucket"}
    assert buckets == set(DURATION_BUCKETS) | {float("inf")}
    assert DURATION_BUCKETS[0] == 0.001 and DURATION_BUCKETS[-1] == 10.0


def test_a_catalog_reload_is_counted_and_the_generation_follows(tmp_path):
    db = str(tmp_path / "k.db")
    app = _app(db, METRICS=True, HL7=False)
    client = app.test_client()
    before = app.extensions["kodebro.store"].generation()
    cs = {"resourceType": "CodeSystem", "url": "urn:example:metrics", "version": "1", "status": "active",
          "content": "complete", "concept": [{"code": "a"}]}
    r = client.post("/fhir/CodeSystem", json=cs, headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 201
    after = app.extensions["kodebro.store"].generation()
    assert after > before
    s = _samples(client.get("/metrics").get_data(as_text=True))
    assert _value(s, "kodebro_catalog_reloads_total") == 1
    assert _value(s, "kodebro_store_generation") == after
    assert _value(s, "kodebro_http_requests_total", interaction="create", status="201") == 1


# --- `kodebro serve` with two workers ------------------------------------------------------------------------
def _stale_counter(folder: str) -> None:
    """A counter file an earlier run left: 1000 reads, which must not be added to this run's."""
    from prometheus_client.mmap_dict import MmapedDict, mmap_key
    d = MmapedDict(os.path.join(folder, "counter_1.db"))
    d.write_value(mmap_key("kodebro_http_requests", "kodebro_http_requests_total", ["interaction", "status"],
                           ["read", "404"], "old"), 1000.0, 0.0)
    d.close()


def test_two_workers_every_scrape_sums_both(store_db, tmp_path):
    folder = str(tmp_path / "prom")
    os.makedirs(folder)
    _stale_counter(folder)
    made_up = uuid.uuid4().hex
    env = {"KODEBRO_METRICS": "true", "PROMETHEUS_MULTIPROC_DIR": folder}
    with running_server(store_db, workers=2, env=env) as (base, _t):
        root = base.rsplit("/fhir", 1)[0]
        codes: list = []
        with ThreadPoolExecutor(8) as pool:
            misses = list(pool.map(lambda _i: requests.get(f"{base}/CodeSystem/{made_up}", timeout=30).status_code,
                                   range(6)))
            # concurrent, until both workers have answered some (each keeps its numbers in its own file): which
            # worker takes a connection is the kernel's choice, and one may take them all for a while
            while len(codes) < 2000 and len(glob.glob(os.path.join(folder, "histogram_*.db"))) < 2:
                codes += pool.map(lambda _i: requests.get(root + LOOKUP, timeout=30).status_code, range(40))
        assert codes == [200] * len(codes) and misses == [404] * 6
        assert len(glob.glob(os.path.join(folder, "histogram_*.db"))) == 2
        scraped = []
        for _ in range(6):
            r = requests.get(root + "/metrics", timeout=10)
            assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            assert made_up not in r.text
            scraped.append(_samples(r.text))
    for s in scraped:
        assert _value(s, "kodebro_http_requests_total", interaction="lookup", status="200") == len(codes)
        assert _value(s, "kodebro_http_request_duration_seconds_count", interaction="lookup") == len(codes)
        assert _value(s, "kodebro_http_requests_total", interaction="read", status="404") == 6
        assert _value(s, "kodebro_http_requests_total", interaction="metadata", status="200") >= 1
        assert _value(s, "kodebro_store_generation") >= 1
    # each scrape sees the ones before it
    assert [_value(s, "kodebro_http_requests_total", interaction="metrics") for s in scraped] == list(range(6))


def _made_dirs() -> set:
    import tempfile
    return {d for where in ("/dev/shm", tempfile.gettempdir())
            for d in glob.glob(os.path.join(where, "kodebro-metrics-*"))}


def test_serve_flag_turns_metrics_on_in_a_fresh_directory_removed_at_exit(store_db):
    before = _made_dirs()
    with running_server(store_db, workers=2, args=("--metrics",),
                        env={"KODEBRO_METRICS": "false", "PROMETHEUS_MULTIPROC_DIR": ""}) as (base, _t):
        root = base.rsplit("/fhir", 1)[0]
        assert requests.get(root + LOOKUP, timeout=30).status_code == 200
        s = _samples(requests.get(root + "/metrics", timeout=10).text)
        assert _value(s, "kodebro_http_requests_total", interaction="lookup", status="200") == 1
        made = _made_dirs() - before
        assert len(made) == 1 and glob.glob(os.path.join(made.pop(), "counter_*.db"))
    assert _made_dirs() - before == set()


def test_a_metrics_directory_that_cannot_be_made_stops_the_start_in_one_line(store_db, tmp_path):
    import subprocess
    import sys

    from tests.conftest import free_port
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = dict(os.environ, KODEBRO_DB=store_db, PROMETHEUS_MULTIPROC_DIR=str(blocker / "metrics"))
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "serve", "--port", str(free_port()), "--metrics"],
                          env=env, capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert done.returncode != 0
    assert f"PROMETHEUS_MULTIPROC_DIR={blocker / 'metrics'}: cannot keep the metrics there" in done.stderr
    assert "Traceback" not in done.stderr
    assert "kodebro serving" not in done.stderr      # refused before it says it serves


def test_a_metrics_directory_holding_the_store_is_refused_and_the_store_kept(store_db, tmp_path):
    """prometheus_client reads every .db file of PROMETHEUS_MULTIPROC_DIR as its own: a directory that holds the
    store (kodebro.db) or any other .db file stops the start, and nothing there is touched."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import free_port
    folder = tmp_path / "data"
    folder.mkdir()
    db = str(folder / "kodebro.db")
    shutil.copy(store_db, db)
    _stale_counter(str(folder))
    before = open(db, "rb").read()
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "serve", "--port", str(free_port()), "--metrics"],
                          env=dict(os.environ, KODEBRO_DB=db, PROMETHEUS_MULTIPROC_DIR=str(folder)),
                          capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"PROMETHEUS_MULTIPROC_DIR={folder} holds other .db files (kodebro.db)" in done.stderr
    assert open(db, "rb").read() == before and (folder / "counter_1.db").exists()


def test_a_second_server_on_the_same_metrics_directory_is_refused(store_db, tmp_path):
    import subprocess
    import sys

    from tests.conftest import free_port
    folder = tmp_path / "prom"
    folder.mkdir()
    env = {"KODEBRO_METRICS": "true", "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    with running_server(store_db, workers=1, env=env) as (base, _t):
        requests.get(base.rsplit("/fhir", 1)[0] + LOOKUP, timeout=30)
        done = subprocess.run([sys.executable, "-m", "scripts.cli", "serve", "--port", str(free_port())],
                              env=dict(os.environ, KODEBRO_DB=store_db, **env), capture_output=True, text=True,
                              timeout=120,
                              cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        assert done.returncode != 0 and "Traceback" not in done.stderr
        assert "is in use by another running server" in done.stderr and "a directory of its own" in done.stderr
        assert "kodebro serving" not in done.stderr
        # the first server's numbers are untouched
        s = _samples(requests.get(base.rsplit("/fhir", 1)[0] + "/metrics", timeout=10).text)
        assert _value(s, "kodebro_http_requests_total", interaction="lookup", status="200") == 1


def test_a_cors_preflight_is_counted_as_other(store_db):
    app = _app(store_db, METRICS=True, CORS_ORIGINS="https://ehr.example.no")
    client = app.test_client()
    r = client.options(LOOKUP, headers={"Origin": "https://ehr.example.no", "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204
    s = _samples(client.get("/metrics").get_data(as_text=True))
    assert _value(s, "kodebro_http_requests_total", interaction="other", status="204") == 1
    assert _value(s, "kodebro_http_requests_total", interaction="lookup") == 0


def test_a_missing_metrics_directory_outside_kodebro_serve_is_named(store_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(RuntimeError, match="PROMETHEUS_MULTIPROC_DIR=.*nowhere is not a directory"):
        _app(store_db, METRICS=True)
