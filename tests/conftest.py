"""Shared fixtures: a fresh store and app per test, a live server process for HTTP tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data")
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "kodebro.db")


@pytest.fixture
def store(db_path):
    from terminology import open_store
    s = open_store(db_path)
    yield s
    s.close()


@pytest.fixture
def app(db_path):
    from fhir_api import create_app
    return create_app({"DB": db_path, "DEMO": False})


@pytest.fixture
def demo_app(tmp_path):
    from fhir_api import create_app
    return create_app({"DB": str(tmp_path / "demo.db"), "DEMO": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`kodebro serve` as a real process on 127.0.0.1, with a fresh store (demo content)."""
    db = str(tmp_path_factory.mktemp("live") / "kodebro.db")
    port = free_port()
    env = dict(os.environ, KODEBRO_DB=db)
    proc = subprocess.Popen([sys.executable, "-m", "scripts.cli", "serve", "--port", str(port), "--workers", "2"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/fhir"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(base + "/metadata", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + proc.stdout.read().decode(errors="replace"))
    else:
        proc.kill()
        raise RuntimeError("server did not start within 30 s")
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
