"""Documentation keeps up with the code: every setting and CLI command is described in the README."""
import os

from fhir_api.settings import SETTINGS
from scripts.cli import main
from tests.conftest import ROOT

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_every_setting_is_documented():
    missing = [n for n in SETTINGS if f"`KODEBRO_{n}`" not in README]
    assert missing == []


def test_every_cli_command_is_documented():
    missing = [name for name in main.commands if f"`kodebro {name}" not in README
               and not any(f"kodebro {name}" in open(os.path.join(ROOT, "docs", f), encoding="utf-8").read()
                           for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))]
    assert missing == []


def test_readme_test_command_is_what_ci_runs():
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read()
    assert "pip install -q -e '.[test]' && python -m pytest" in ci
    assert "pip install -e '.[test]' && python -m pytest" in README
