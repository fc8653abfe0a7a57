"""`kodebro serve` on a port another process listens on (a `kodebro serve` started earlier) says so and exits 1
before it claims to be serving, and before it touches the store."""
from __future__ import annotations

import socket
import subprocess
import sys

from scripts.server_process import ROOT, free_port
from tests.support.serve_start import serve_start


def _serve(port: int, db: str):
    code, err, _status = serve_start(["--port", str(port)], {"KODEBRO_DB": db}, probe=None, timeout=60)
    return code, err


def test_a_port_in_use_is_named_and_nothing_claims_to_serve(tmp_path):
    db = tmp_path / "k.db"
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        code, text = _serve(port, str(db))
    assert code == 1, text
    assert text == f"Error: port {port} is in use (another kodebro serve?): stop it or give --port\n"
    assert not db.exists()


def test_a_port_that_cannot_be_listened_on_names_the_address(tmp_path):
    # 192.0.2.1 (TEST-NET-1) is no address of this machine
    cmd = [sys.executable, "-m", "scripts.cli", "serve", "--host", "192.0.2.1", "--port", str(free_port()),
           "--db", str(tmp_path / "k.db")]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: cannot listen on 192.0.2.1:") and "kodebro serving" not in r.stderr


def test_a_port_out_of_range_is_refused_before_anything_starts(tmp_path):
    db = tmp_path / "k.db"
    code, text = _serve(99999, str(db))
    assert code == 2 and "Invalid value for '--port': 99999 is not in the range 1<=x<=65535" in text
    assert "kodebro serving" not in text and not db.exists()
