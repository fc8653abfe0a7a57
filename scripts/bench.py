"""Kodebro benchmarks: `python -m scripts.bench [AREA ...] [--quick] [--json PATH]`.

Budgets (from DESIGN.md) live next to each measurement; the output is a table
plus a JSON file with p50/p99/throughput, import times and peak memory. Timing
never fails a test: this script is the only place speed is judged.

Each area is a module `scripts/bench_<area>.py` with `run(bench: Bench)`.
Inside it:
    db = bench.db("name")                          # fresh SQLite path
    with bench.timed("import X", budget_s=2): ...  # wall time and peak RSS of a block
    bench.measure("op in process", fn, budget_us=20)   # p50/p99 of fn() over many calls
    with bench.server(db) as base:                 # `kodebro serve` on 127.0.0.1
        bench.load("HTTP op", base + "/path?..", budget_rps=2700, budget_p99_ms=10)
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import pkgutil
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Bench:
    def __init__(self, workdir: str, quick: bool = False):
        self.workdir = workdir
        self.quick = quick
        self.results: list[dict] = []

    def db(self, name: str) -> str:
        path = os.path.join(self.workdir, f"{name}.db")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path + suffix)
        return path

    def _add(self, row: dict) -> None:
        self.results.append(row)
        print(_format_row(row), flush=True)

    @contextlib.contextmanager
    def timed(self, name: str, budget_s: float | None = None, budget_rss_mb: float | None = None):
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
        rss = _rss_mb()
        ok = (budget_s is None or elapsed <= budget_s) and (budget_rss_mb is None or rss <= budget_rss_mb)
        self._add({"name": name, "kind": "once", "seconds": round(elapsed, 3), "peak_rss_mb": round(rss, 1),
                   "budget": _budget(s=budget_s, rss_mb=budget_rss_mb), "within_budget": ok})

    def measure(self, name: str, fn, budget_us: float | None = None, n: int | None = None,
                seconds: float = 2.0):
        """Call fn() repeatedly; report p50/p99 in microseconds."""
        for _ in range(min(50, n or 50)):
            fn()
        samples = []
        deadline = time.perf_counter() + (seconds / 4 if self.quick else seconds)
        limit = n or 1_000_000
        while len(samples) < limit and time.perf_counter() < deadline:
            t0 = time.perf_counter_ns()
            fn()
            samples.append((time.perf_counter_ns() - t0) / 1000)
        samples.sort()
        p50 = samples[len(samples) // 2]
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
        self._add({"name": name, "kind": "in-process", "calls": len(samples), "p50_us": round(p50, 1),
                   "p99_us": round(p99, 1), "budget": _budget(p50_us=budget_us),
                   "within_budget": budget_us is None or p50 <= budget_us})

    @contextlib.contextmanager
    def server(self, db: str, workers: int | None = None, env: dict | None = None):
        from scripts.server_process import running_server
        with running_server(db, workers=workers, env=env) as (base, started):
            self.last_start_seconds = started
            yield base

    def load(self, name: str, url: str, connections: int = 16, duration: float = 5.0,
             budget_rps: float | None = None, budget_p99_ms: float | None = None,
             method: str = "GET", body: dict | None = None):
        """Many concurrent requests against a running server: wrk when installed, else Python threads."""
        duration = min(duration, 2.0) if self.quick else duration
        # a short run first, so that measurement starts with warm workers and caches
        if shutil.which("wrk") and method == "GET":
            _wrk(url, connections, 1)
        else:
            _pyload(url, connections, 1, method, body)
        if shutil.which("wrk") and method == "GET":
            rps, p50, p99, errors = _wrk(url, connections, duration)
            tool = "wrk"
        else:
            rps, p50, p99, errors = _pyload(url, connections, duration, method, body)
            tool = "python"
        ok = (budget_rps is None or rps >= budget_rps) and (budget_p99_ms is None or p99 <= budget_p99_ms) \
            and errors == 0
        self._add({"name": name, "kind": "http", "tool": tool, "connections": connections,
                   "requests_per_s": round(rps, 1), "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
                   "errors": errors, "budget": _budget(rps=budget_rps, p99_ms=budget_p99_ms),
                   "within_budget": ok})


def _budget(**kw) -> dict:
    return {k: v for k, v in kw.items() if v is not None}


def _wrk(url, connections, duration):
    script = os.path.join(tempfile.gettempdir(), "kodebro-wrk-report.lua")
    with open(script, "w") as fh:
        fh.write("done = function(summary, latency, requests)\n"
                 "  io.write(string.format('KB %d %d %d %d %d\\n', summary.requests, summary.duration,"
                 " latency:percentile(50), latency:percentile(99),"
                 " summary.errors.status + summary.errors.connect + summary.errors.read"
                 " + summary.errors.write + summary.errors.timeout))\nend\n")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(max(1, duration))}s", "--latency",
                          "-s", script, url], capture_output=True, text=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("KB "))
    reqs, dur_us, p50_us, p99_us, errors = (int(x) for x in line.split()[1:])
    return reqs / (dur_us / 1e6), p50_us / 1000, p99_us / 1000, errors


def _pyload(url, connections, duration, method, body):
    import requests
    lat: list[float] = []
    errors = [0]
    stop = time.perf_counter() + duration
    lock = threading.Lock()

    def worker():
        s = requests.Session()
        mine = []
        err = 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                r = s.request(method, url, json=body, timeout=30)
                if r.status_code >= 500:
                    err += 1
            except requests.RequestException:
                err += 1
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            lat.extend(mine)
            errors[0] += err

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat.sort()
    return (len(lat) / elapsed, statistics.median(lat) if lat else 0,
            lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0, errors[0])


def _format_row(r: dict) -> str:
    mark = "ok  " if r["within_budget"] else "OVER"
    if r["kind"] == "once":
        fig = f"{r['seconds']:.3f} s, peak RSS {r['peak_rss_mb']:.0f} MB"
    elif r["kind"] == "in-process":
        fig = f"p50 {r['p50_us']:.1f} µs, p99 {r['p99_us']:.1f} µs ({r['calls']} calls)"
    else:
        fig = (f"{r['requests_per_s']:.0f} req/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
               f"{r['errors']} errors ({r['tool']}, {r['connections']} conn)")
    budget = ", ".join(f"{k}={v}" for k, v in r["budget"].items()) or "-"
    return f"{mark} {r['name']:<55} {fig}   [budget {budget}]"


def areas() -> list[str]:
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([os.path.dirname(__file__)])
                  if m.name.startswith("bench_"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("areas", nargs="*", help=f"areas to run (default all): {', '.join(areas())}")
    ap.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    ap.add_argument("--json", default="bench-results.json", help="where to write the JSON results")
    ap.add_argument("--workdir", default=None, help="folder for the bench stores (default: a temp folder)")
    args = ap.parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="kodebro-bench-")
    os.makedirs(workdir, exist_ok=True)
    bench = Bench(workdir, quick=args.quick)
    chosen = args.areas or areas()
    for area in chosen:
        if area not in areas():
            ap.error(f"unknown area '{area}'; known: {', '.join(areas())}")
        print(f"== {area}", flush=True)
        importlib.import_module(f"scripts.bench_{area}").run(bench)
    with open(args.json, "w") as fh:
        json.dump({"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                   "results": bench.results}, fh, indent=2)
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
