"""`kodebro remove --hl7` takes the shipped HL7 terminology out in one transaction (e.g. before another THO release
is imported in its place), as `--demo` takes the demo content; `import --hl7` brings it back."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from scripts.server_process import ROOT


def _kodebro(*args, db):
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, KODEBRO_DB=db), timeout=300)


def test_remove_hl7_dry_run_then_for_real(tmp_path, hl7_db):
    from terminology import open_store
    from terminology.demo import load_demo
    db = str(tmp_path / "k.db")
    shutil.copy(hl7_db, db)
    store = open_store(db)
    hl7 = len(store.headers())          # the template holds the HL7 terminology alone
    load_demo(store)
    store.close()

    dry = _kodebro("remove", "--hl7", db=db)
    assert dry.returncode == 0, dry.stderr
    assert f"would remove {hl7} resource(s):" in dry.stdout
    assert re.search(rf"^  … and {hl7 - 200} more$", dry.stdout, re.M)
    assert "dry run: nothing was changed" in dry.stdout
    assert "HL7 terminology (reference data" in _kodebro("list", db=db).stdout

    done = _kodebro("remove", "--hl7", "--yes", db=db)
    assert done.returncode == 0 and f"deleted {hl7} resource(s)" in done.stdout
    left = _kodebro("list", db=db).stdout
    assert "HL7 terminology" not in left and left.startswith("CodeSystems: 7 code systems, 18 editions")
    assert "nothing to remove: the store holds no HL7 terminology" in _kodebro("remove", "--hl7", db=db).stdout

    assert _kodebro("import", "--hl7", db=db).returncode == 0
    assert "HL7 terminology (reference data" in _kodebro("list", db=db).stdout


def test_one_kind_of_removal_at_a_time(tmp_path):
    r = _kodebro("remove", "--hl7", "--demo", db=str(tmp_path / "k.db"))
    assert r.returncode == 2 and "give exactly one of --demo, --hl7," in r.stderr
