"""An import whose process dies half way (power cut, OOM killer, kill -9) leaves the store exactly as it
was: the process really is killed with SIGKILL in the middle of writing the HL7 terminology package."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.acceptance.conftest import kodebro
from tests.conftest import DATA, ROOT
from terminology.hl7 import THO

PACKAGE = THO     # the THO package shipped in terminology/hl7/

# Runs in its own process: the real reader and validator, then the real store write, which is cut
# off by SIGKILL after 1,500 of the package's resources have gone into the open transaction.
DIE_WHILE_WRITING = r"""
import os, signal, sys
from terminology import open_store
from terminology.loader import check, read_items
good, rejected, _notes = check(read_items([sys.argv[2]]))
def dying(items):
    for n, item in enumerate(items):
        if n == 1500:
            print("killing myself", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        yield item
open_store(sys.argv[1]).write(dying(good))
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_import_leaves_the_store_as_it_was(tmp_path):
    db = str(tmp_path / "k.db")
    assert kodebro("import", os.path.join(DATA, "successions", "ncmp-2020.json"), db=db).returncode == 0
    before = kodebro("list", db=db).stdout
    proc = subprocess.run([sys.executable, "-c", DIE_WHILE_WRITING, db, PACKAGE], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    assert "killing myself" in proc.stdout
    assert kodebro("list", db=db).stdout == before
    # and the store still takes a normal import afterwards
    r = kodebro("import", os.path.join(DATA, "successions", "ncmp-2021.json"), db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "urn:oid:2.16.578.1.12.4.1.1.7220  2020 (" in kodebro("list", db=db).stdout
