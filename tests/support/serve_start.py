"""`kodebro serve` as a child process, stopped as soon as it has answered (or exited): what it printed at
start-up and whether a URL answered."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import requests

from scripts.server_process import ROOT


def serve_start(args: list[str], env: dict, probe: str | None,
                timeout: float = 90) -> tuple[int | None, str, int | None]:
    """(exit code, or None when it was still serving and was stopped; its stderr; the status `probe` answered,
    or None). Without `probe`, it waits for the serving line."""
    cmd = [sys.executable, "-m", "scripts.cli", "serve", "--workers", "1", *args]
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ, **env), stdout=subprocess.DEVNULL, stderr=err,
                                text=True)
        status = None
        try:
            end = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < end:
                if probe is None:
                    err.seek(0)
                    if "kodebro serving" in err.read():
                        break
                else:
                    try:
                        status = requests.get(probe, timeout=2).status_code
                        break
                    except requests.ConnectionError:
                        pass
                time.sleep(0.05)
        finally:
            code = proc.poll()
            if code is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        err.seek(0)
        return code, err.read(), status
