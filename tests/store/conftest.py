"""A real PostgreSQL server (Debian's packages) started for the store tests, on a private socket."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile

import pytest

from tests.conftest import free_port


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or ([shutil.which(name)] if shutil.which(name) else [])
    return found[-1] if found else None


def _as_postgres(cmd: list[str], **kw):
    # PostgreSQL refuses to run as root; Debian's package brings the postgres user
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


@pytest.fixture(scope="session")
def postgres_server():
    """(url, restart): the server's URL, and a function restarting it (every connection is then closed)."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries not installed (.ci/run installs Debian's postgresql)")
    root = tempfile.mkdtemp(prefix="kodebro-pg-")
    data, sock = os.path.join(root, "data"), os.path.join(root, "sock")
    os.makedirs(sock)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    _as_postgres([initdb, "-D", data, "-U", "kodebro", "--auth=trust", "-E", "UTF8"])
    _as_postgres([pg_ctl, "-D", data, "-w", "-t", "30", "-l", os.path.join(root, "log"), "-o",
                  f"-p {port} -k {sock} -c listen_addresses=''", "start"])
    def restart():
        # -l: the restarted server writes to its log, not to this call's captured output (which it would hold open)
        _as_postgres([pg_ctl, "-D", data, "-w", "-t", "30", "-m", "fast", "-l", os.path.join(root, "log"),
                      "restart"])

    try:
        yield f"postgresql://kodebro@/postgres?host={sock}&port={port}", restart
    finally:
        _as_postgres([pg_ctl, "-D", data, "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server):
    return postgres_server[0]


def new_database(postgres_url: str) -> tuple[str, str]:
    """(name, URL) of a new, empty PostgreSQL database on the session's server: a test's own, so the shared one
    stays as other tests expect it."""
    import psycopg
    name = "t" + os.urandom(6).hex()
    with psycopg.connect(postgres_url, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    return name, postgres_url.replace("/postgres?", f"/{name}?")


@pytest.fixture
def pg_store(postgres_url):
    from terminology import open_store
    store = open_store(new_database(postgres_url)[1])
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, tmp_path):
    """The same test on an SQLite file and on a PostgreSQL database of its own."""
    if request.param == "sqlite":
        from terminology import open_store
        store = open_store(str(tmp_path / "k.db"))
        yield store
        store.close()
    else:
        yield request.getfixturevalue("pg_store")
