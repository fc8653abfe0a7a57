"""`kodebro serve` as a child process on 127.0.0.1, for tests and benchmarks that speak real HTTP."""
from __future__ import annotations

import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(db: str, *, workers: int | None = 2, timeout: float = 60, env: dict | None = None,
                   args: tuple = (), log: str | None = None):
    """Yield (FHIR base URL, seconds it took to answer /metadata); the server is stopped after. `args`: more
    `kodebro serve` options; `log`: a file that gets the server's output (its start-up and reload lines)."""
    import requests
    port = free_port()
    cmd = [sys.executable, "-m", "scripts.cli", "serve", "--port", str(port), *args]
    if workers:
        cmd += ["--workers", str(workers)]
    full_env = dict(os.environ, **(env or {}), KODEBRO_DB=db)
    t0 = time.perf_counter()
    out = open(log, "wb") if log else subprocess.PIPE
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/fhir"
    try:
        while True:
            try:
                if requests.get(base + "/metadata", timeout=2).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not up yet, or busy starting
            if proc.poll() is not None:
                said = proc.stdout.read() if proc.stdout else pathlib.Path(log).read_bytes()
                raise RuntimeError("server exited: " + said.decode(errors="replace"))
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"server did not answer within {timeout:.0f} s")
            time.sleep(0.02)
        yield base, time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()
