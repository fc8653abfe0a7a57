"""What the README promises a fresh machine: the distribution, the two commands, a production server."""
from __future__ import annotations

import os
import re
import tomllib

import requests

from tests.conftest import ROOT


def _readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        return fh.read()


def test_distribution_is_kodebro_for_python_311_with_the_four_top_level_parts():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        project = tomllib.load(fh)
    assert project["project"]["name"] == "kodebro"
    assert project["project"]["requires-python"] == ">=3.11"
    assert project["project"]["scripts"]["kodebro"] == "scripts.cli:main"
    for top in ("terminology", "mappings", "fhir_api", "scripts", "tests"):
        assert os.path.isdir(os.path.join(ROOT, top))


def test_every_dependency_is_explained_in_the_readme():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        project = tomllib.load(fh)["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    table = _readme().split("## Dependencies", 1)[1]
    explained = {m.group(1).lower() for m in re.finditer(r"^\| ([\w.\-]+) \|", table, re.M)}
    for dep in deps:
        name = re.split(r"[<>=\[ ;]", dep, maxsplit=1)[0].lower()
        assert name in explained, f"{name} is a dependency but the README does not say why"


def test_readme_has_exactly_the_two_commands():
    blocks = re.findall(r"```sh\n(.*?)```", _readme().split("## Two commands", 1)[1].split("\n## ", 1)[0], re.S)
    assert [b.strip() for b in blocks] == ["pip install -e . && kodebro serve",
                                           "pip install -e '.[test]' && python -m pytest"]


def test_served_by_a_production_wsgi_server_with_the_fhir_base_at_fhir(site):
    base, _db = site
    r = requests.get(base + "/metadata", timeout=10)
    assert r.status_code == 200 and r.headers.get("Server", "").startswith("gunicorn")
    body = r.json()
    assert body["fhirVersion"] == "4.0.1"
    assert "http://hl7.org/fhir/CapabilityStatement/terminology-server" in body["instantiates"]
    root = requests.get(base.rsplit("/fhir", 1)[0] + "/", timeout=10)
    assert root.status_code == 200 and root.headers["Content-Type"].startswith("text/html")


def test_first_start_created_the_store_with_the_demo_content(site):
    base, db = site
    assert os.path.exists(db)
    for url in ("http://hl7.org/fhir/sid/icd-10-no", "http://hl7.org/fhir/sid/icpc-2", "urn:oid:2.16.578.1.12.4.1.1.7220",
                "urn:oid:2.16.578.1.12.4.1.1.7270", "http://snomed.info/sct",
                # and the HL7 terminology a new store gets beside the demo
                "http://hl7.org/fhir/administrative-gender", "http://terminology.hl7.org/CodeSystem/v3-ActCode"):
        found = requests.get(base + "/CodeSystem", params={"url": url, "_summary": "count"}, timeout=10).json()
        assert found["total"] >= 1, url
    caps = requests.get(base + "/metadata", params={"mode": "terminology"}, timeout=10).json()
    ncmp = next(c for c in caps["codeSystem"] if c["uri"] == "urn:oid:2.16.578.1.12.4.1.1.7220")
    assert {"2020", "2021"} <= {v["code"] for v in ncmp["version"]}
