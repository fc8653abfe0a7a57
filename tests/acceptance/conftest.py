"""A hospital's first hour with Kodebro, as real processes: `kodebro serve` on a fresh store (the demo
content loads), then `kodebro import` of an RF2 release into the same store while the server runs."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import DATA, ROOT, running_server

HANDMADE_RF2 = os.path.join(DATA, "snomed", "handmade-no", "SnomedCT_NO_Handmade_20250415")


def kodebro(*args, db: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the CLI as a separate process, the way a person would (`kodebro …` is `scripts.cli:main`)."""
    env = dict(os.environ, KODEBRO_DB=db)
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def wait_for(check, seconds: float = 30.0, what: str = "condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {seconds} s")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """(base URL, store path) of a running `kodebro serve` with the demo content, the HL7 terminology and the
    hand-made Norwegian SNOMED CT release imported into its store after start."""
    db = str(tmp_path_factory.mktemp("acceptance") / "kodebro.db")
    # what a new store gets, as the README starts it: the demo content and the HL7 terminology
    with running_server(db, env={"KODEBRO_API_KEY": "", "KODEBRO_HL7": "true"}, timeout=180) as (base, _started):
        r = kodebro("import", "--format", "rf2", HANDMADE_RF2, db=db)
        assert r.returncode == 0, r.stdout + r.stderr
        # the running workers must notice the import made by another process
        wait_for(lambda: requests.get(base + "/CodeSystem/$lookup?system=http://snomed.info/sct&code=75570004",
                                      timeout=5).status_code == 200, 30, "SNOMED CT visible to the server")
        yield base, db
