"""The first start on an empty store, as the README shows it: the demo line counts the demo resources apart from
the Norwegian NamingSystems (reference data, not demo), and agrees with the serving line; `/readyz` counts
CodeSystem resources, i.e. editions. The README quotes these numbers (with the HL7 terminology a new store gets
by default, and without)."""
from __future__ import annotations

import requests

from scripts.server_process import running_server


def test_first_start_counts_the_demo_and_the_namingsystems_apart(tmp_path):
    db = str(tmp_path / "k.db")
    log = tmp_path / "stderr.log"
    with running_server(db, workers=1, log=str(log), env={"KODEBRO_HL7": "false"}) as (base, _took):
        ready = requests.get(base.rsplit("/fhir", 1)[0] + "/readyz", timeout=10).json()
    text = log.read_text()
    assert ready is not None, text
    assert {k: ready[k] for k in ("generation", "codeSystems", "valueSets", "namingSystems")} == \
        {"generation": 1, "codeSystems": 18, "valueSets": 7, "namingSystems": 6}
    lines = text.splitlines()
    assert f"new store at {db}: loaded demo content (34 resources) and the 6 NamingSystems of the Norwegian " \
           "codebooks" in lines
    serving = next(x for x in lines if x.startswith("kodebro serving"))
    assert "content: 7 code system(s), 18 edition(s), 22 other resource(s) (demo content: 34 resource(s)" in serving


def test_first_start_with_the_defaults_as_the_readme_quotes_it(tmp_path):
    """KODEBRO_DEMO and KODEBRO_HL7 as they ship (true): the demo and the HL7 terminology, one transaction."""
    db = str(tmp_path / "k.db")
    log = tmp_path / "stderr.log"
    with running_server(db, workers=1, log=str(log), env={"KODEBRO_HL7": "true"}, timeout=180) as (base, _took):
        ready = requests.get(base.rsplit("/fhir", 1)[0] + "/readyz", timeout=10).json()
    lines = log.read_text().splitlines()
    assert {k: ready[k] for k in ("generation", "codeSystems", "valueSets")} == \
        {"generation": 1, "codeSystems": 1222, "valueSets": 3214}
    assert "loaded the HL7 terminology: 1204 CodeSystem, 77 ConceptMap, 658 NamingSystem, 3207 ValueSet (8 invalid " \
           "R4 resources of the packages skipped)" in lines
    serving = next(x for x in lines if x.startswith("kodebro serving"))
    assert "content: 1211 code system(s), 1222 edition(s)" in serving
