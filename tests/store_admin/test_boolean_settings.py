"""A yes/no setting (KODEBRO_DEMO) takes true/false, 1/0, yes/no, on/off in any case; anything else stops the
start naming the setting, as a malformed number or date does, instead of silently meaning false (an empty store
without the demo and without a word)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from fhir_api.settings import load_settings
from scripts.server_process import ROOT, free_port


@pytest.mark.parametrize("raw,value", [("true", True), ("TRUE", True), (" yes ", True), ("1", True), ("on", True),
                                       ("false", False), ("No", False), ("0", False), ("off", False)])
def test_the_words_for_yes_and_no_are_read(monkeypatch, raw, value):
    monkeypatch.setenv("KODEBRO_DEMO", raw)
    assert load_settings()["DEMO"] is value


@pytest.mark.parametrize("raw", ["maybe", "", "2", "ja", "truee"])
def test_any_other_value_stops_the_start_naming_the_setting(monkeypatch, raw):
    monkeypatch.setenv("KODEBRO_DEMO", raw)
    with pytest.raises(ValueError) as caught:
        load_settings()
    assert str(caught.value) == f"KODEBRO_DEMO must be true or false, not {raw!r}"


def test_a_text_given_as_an_override_is_read_the_same_way():
    assert load_settings({"DEMO": "off"})["DEMO"] is False
    with pytest.raises(ValueError, match="setting DEMO must be true or false, not 'maybe'"):
        load_settings({"DEMO": "maybe"})


def test_serve_refuses_it_before_touching_the_store(tmp_path):
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "scripts.cli", "serve", "--port", str(free_port()), "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ, KODEBRO_DEMO="maybe", KODEBRO_DB=str(db)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:     # (it started serving: stop it, the asserts below then fail)
            proc.kill()
            out, err = proc.communicate()
    assert proc.returncode == 1
    assert err == "Error: KODEBRO_DEMO must be true or false, not 'maybe'\n"
    assert not db.exists()


@pytest.mark.parametrize("value,demo", [(1, True), (0, False), (None, False)])
def test_a_python_callers_truthy_value_is_read_as_before(tmp_path, value, demo):
    # create_app({"DEMO": 0}) is a program's own value, read by its truth as before, not an operator's typo
    from fhir_api import create_app
    client = create_app({"DB": str(tmp_path / "k.db"), "DEMO": value}).test_client()
    total = client.get("/fhir/CodeSystem?_summary=count").get_json()["total"]
    assert (total > 0) is demo
