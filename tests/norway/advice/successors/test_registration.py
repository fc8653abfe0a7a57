"""The succession graph's answer is registered whenever mappings is imported: in a fresh server (create_app) and in
the CLI process, once however often mappings is imported."""
import os
import subprocess
import sys

from tests.conftest import ROOT

_COUNT = ("from terminology.norway import advice; "
          "print(sorted(f'{f.__module__}.{f.__qualname__}' for f in advice.successor_sources()))")
_HOOK = "['mappings.advice_hooks.succession_successors']"


def _run(code: str, tmp_path) -> str:
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


def test_registered_in_a_fresh_server(tmp_path):
    code = (f"from fhir_api import create_app; create_app({{'DB': {str(tmp_path / 'k.db')!r}, 'DEMO': False}}); "
            + _COUNT)
    assert _run(code, tmp_path) == _HOOK


def test_registered_in_the_cli_process(tmp_path):
    assert _run("import scripts.cli; " + _COUNT, tmp_path) == _HOOK


def test_registration_is_idempotent(tmp_path):
    code = ("import importlib, mappings, mappings.advice_hooks as h; importlib.reload(h); importlib.reload(mappings); "
            "from mappings.translate import load_providers; load_providers(); " + _COUNT)
    assert _run(code, tmp_path) == _HOOK


def test_the_engine_still_does_not_import_mappings():
    from tests.test_layering import _imports
    assert [(p, m) for p, m in _imports("terminology") if m == "mappings"] == []
