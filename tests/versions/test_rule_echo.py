"""$expand echoes a code system version rule in expansion.parameter only when it chose the version (FHIRsmith
worker.js determineVersionBase notes foundParameters only there; Pascal TTerminologyWorker.determineVersion
alike): force-system-version whenever it applies to a used system; system-version only for an include naming
no version; check-system-version only when nothing else gave a version and its value was used as the version."""
import pytest

from tests.support.tx_requests import expansion

from .three_versions import V, VERSIONS, vs

RULES = ("system-version", "check-system-version", "force-system-version")


def _echo(client, include: dict, *rules):
    x = vs("http://ex.org/vs/echo", [include])
    exp = expansion(client, [("url", x["url"]), *rules], VERSIONS + [x])
    return sorted((p["name"], p["valueUri"]) for p in exp.get("parameter") or []
                  if p["name"] in RULES + ("used-codesystem",))


@pytest.mark.parametrize("pin, check", [("1.0.0", "1.0.0"), ("1.x", "1.x")])
def test_a_check_that_verified_a_pinned_include_is_not_echoed(client, pin, check):
    used = "1.0.0" if pin == "1.0.0" else "1.2.0"
    assert _echo(client, {"system": V, "version": pin}, ("check-system-version", f"{V}|{check}")) == \
        [("used-codesystem", f"{V}|{used}")]


def test_a_default_for_a_pinned_include_is_not_echoed(client):
    assert _echo(client, {"system": V, "version": "1.0.0"}, ("system-version", f"{V}|1.0.0")) == \
        [("used-codesystem", f"{V}|1.0.0")]


@pytest.mark.parametrize("name", RULES)
def test_a_rule_that_chose_the_version_of_an_unversioned_include_is_echoed(client, name):
    assert _echo(client, {"system": V}, (name, f"{V}|1.0.0")) == [(name, f"{V}|1.0.0"), ("used-codesystem", f"{V}|1.0.0")]


def test_a_check_after_a_default_chose_nothing(client):
    assert _echo(client, {"system": V}, ("system-version", f"{V}|1.2.0"), ("check-system-version", f"{V}|1.x")) == \
        [("system-version", f"{V}|1.2.0"), ("used-codesystem", f"{V}|1.2.0")]


def test_force_over_a_pinned_include_is_echoed(client):
    assert _echo(client, {"system": V, "version": "1.0.0"}, ("force-system-version", f"{V}|2.0.0")) == \
        [("force-system-version", f"{V}|2.0.0"), ("used-codesystem", f"{V}|2.0.0")]
