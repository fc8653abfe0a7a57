"""The synthetic release generator produces a release the importer reads, with the promised shape."""
from __future__ import annotations

from scripts.gen_rf2 import generate, verhoeff
from .conftest import SNOMED, _catalog


def test_verhoeff_check_digits_of_real_ids():
    for sctid in ("404684003", "138875005", "233604007", "447562003", "51000202101", "88161000202101"):
        assert verhoeff(sctid[:-1]) == sctid[-1]


def test_small_synthetic_release_imports(tmp_path, tmp_path_factory):
    stats = generate(str(tmp_path / "rf2"), scale=0.002, quiet=True)
    assert stats["INT emap"] + stats["NO emap"] > 0 and stats["NO simple"] > 0
    cat = _catalog(tmp_path_factory, "gen", str(tmp_path / "rf2"))
    cs = cat.codesystem(SNOMED)
    assert cs.version == "http://snomed.info/sct/51000202101/version/20250415"
    assert sum(cs.active) == 740                                        # 370,000 x 0.002 active concepts
    assert len(cs) - sum(cs.active) == 60                               # inactive, with associations
    assert all(cs.assoc.get(i) for i, a in enumerate(cs.active) if not a)
    # every active concept except the root descends from the root
    root = cs.pos["138875005"]
    assert all(root in cs.ancestor_numbers(i) for i, a in enumerate(cs.active) if a and i != root)
    # Norwegian terms and several rule kinds in the ICD-10 map
    assert any(d[1] == "nb-NO" for d in cs.descriptions(cs.pos["404684003"]))
    rules = {r[2].split(" |")[0] for rows in cs.maps["447562003"].values() for r in rows}
    assert {"TRUE", "OTHERWISE TRUE"} <= rules
    assert any(r.startswith("IFA 445518008") for r in rules)
    assert len(cs.refset_numbers("88161000202101")) > 0
    # later rows of the Norwegian sub-release win; retired rows add nothing
    assert stats["later rows"] > 0
    assert any(d.endswith(" revised") for d in cs.display if d)
    assert not any(t.endswith(" old") for i in range(len(cs)) for t, *_ in cs.descriptions(i))
