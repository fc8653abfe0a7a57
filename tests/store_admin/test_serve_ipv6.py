"""`kodebro serve` on the IPv6 loopback: `--host [::1]` (as in a URL) and `--host ::1` both serve, and the serving
line gives a URL that can be pasted ([::1] in brackets)."""
from __future__ import annotations

import pytest

from scripts.server_process import free_port
from tests.support.serve_start import serve_start


@pytest.mark.parametrize("host", ["[::1]", "::1"])
def test_serve_on_the_ipv6_loopback(tmp_path, host):
    port = free_port()
    code, err, status = serve_start(["--host", host, "--port", str(port)],
                                    {"KODEBRO_DB": str(tmp_path / "k.db"), "KODEBRO_DEMO": "false"},
                                    probe=f"http://[::1]:{port}/healthz")
    assert code is None and status == 200, err
    assert f"kodebro serving http://[::1]:{port}/fhir " in err
