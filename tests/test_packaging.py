"""Every data file the code reads ships in an installed (not editable) Kodebro: each file under the packages that
is not Python is matched by pyproject.toml's package-data."""
from __future__ import annotations

import fnmatch
import os
import tomllib

from tests.conftest import ROOT


def _package_data() -> dict[str, list[str]]:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]["package-data"]


def _matches(rel: str, pattern: str) -> bool:
    # setuptools globs: '**' spans folders, '*' stays within one
    if "**" in pattern:
        head, _, tail = pattern.partition("**/")
        return rel.startswith(head) and fnmatch.fnmatch(rel[len(head):].rsplit("/", 1)[-1], tail or "*")
    return fnmatch.fnmatch(rel, pattern) and rel.count("/") == pattern.count("/")


def test_every_data_file_is_package_data():
    data = _package_data()
    missing = []
    for package in ("terminology", "fhir_api", "mappings"):
        base = os.path.join(ROOT, package)
        for dirpath, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for f in files:
                if f.endswith((".py", ".pyc")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, f), base).replace(os.sep, "/")
                if not any(_matches(rel, p) for p in data.get(package, [])):
                    missing.append(f"{package}/{rel}")
    assert not missing, f"not in pyproject.toml's package-data: {missing[:20]}"
