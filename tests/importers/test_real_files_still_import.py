"""The shape checks and the later-year status refuse no file that is shipped: every real codebook imports."""
import os

import pytest

from tests.conftest import ROOT
from tests.importers.import_cli import NORWAY, kodebro

DEMO = os.path.join(ROOT, "terminology", "demo")
FILES = [(os.path.join(NORWAY, n), e) for n, e in (
    ("navikt-ICD10-2026.json", "2026"), ("navikt-ICPC2-2026.json", "2026"), ("fat-icd10-2026.json", None),
    ("fat-icpc2-2024.json", None), ("procedures-2017.csv", None))] + \
    [(os.path.join(DEMO, n), None) for n in sorted(os.listdir(DEMO))
     if n.startswith(("navikt-", "ncmp-", "prosedyrekoder-"))]


@pytest.mark.parametrize("path,edition", FILES, ids=[os.path.basename(p) for p, _ in FILES])
def test_shipped_codebook_file_imports(tmp_path, path, edition):
    rc, out = kodebro("import", "--db", tmp_path / "k.db", path, *(("--edition", edition) if edition else ()))
    assert rc == 0, out
    assert "is not an" not in out and "valid only from after" not in out
