"""The echo of system-version, check-system-version and force-system-version in expansion.parameter: only the
rules the expansion applied, as the reference servers echo them, each as written (valueUri); used-codesystem as
before. $validate-code has no expansion parameters and echoes none of them."""
import pytest

from tests.support.tx_requests import expansion, post

from tests.support.resources import cs, vs

V = "http://ex.org/ref/ver"
OTHER = "http://ex.org/ref/other"
V1 = cs(V, "1.0.0", [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}])
V2 = cs(V, "2.0.0", [{"code": "a", "display": "A"}, {"code": "c", "display": "C"}])
O1 = cs(OTHER, "1", [{"code": "z", "display": "Z"}])
OPEN = vs("http://ex.org/ref/vs/open", [{"system": V}])
PINNED = vs("http://ex.org/ref/vs/pinned", [{"system": V, "version": "2.0.0"}])
SETUP = [V1, V2, O1, OPEN, PINNED]
RULES = ("system-version", "check-system-version", "force-system-version")


def _echo(client, valueset, *rules):
    exp = expansion(client, [("url", valueset["url"]), *rules], SETUP)
    params = exp.get("parameter") or []
    echoed = [(p["name"], p["valueUri"]) for p in params if p["name"] in RULES]
    used = [p["valueUri"] for p in params if p["name"] == "used-codesystem"]
    return echoed, used


def test_no_rule_no_echo(client):
    assert _echo(client, OPEN) == ([], [V + "|2.0.0"])


@pytest.mark.parametrize("name", RULES)
def test_a_rule_that_chose_the_version_of_a_versionless_include_is_echoed(client, name):
    assert _echo(client, OPEN, (name, V + "|1.0.0")) == ([(name, V + "|1.0.0")], [V + "|1.0.0"])


def test_system_version_for_a_pinned_include_chose_nothing_and_is_not_echoed(client):
    assert _echo(client, PINNED, ("system-version", V + "|1.0.0")) == ([], [V + "|2.0.0"])


def test_force_system_version_over_a_pin_is_echoed(client):
    assert _echo(client, PINNED, ("force-system-version", V + "|1.0.0")) == \
        ([("force-system-version", V + "|1.0.0")], [V + "|1.0.0"])


def test_check_system_version_that_a_pinned_version_passes_is_not_echoed(client):
    """The check only verified the version the include names; it chose nothing (FHIRsmith determineVersionBase
    notes check-system-version only where it gives the version)."""
    assert _echo(client, PINNED, ("check-system-version", V + "|2.x")) == ([], [V + "|2.0.0"])


@pytest.mark.parametrize("name", RULES)
def test_a_rule_for_a_system_the_expansion_does_not_use_is_not_echoed(client, name):
    assert _echo(client, OPEN, (name, OTHER + "|1")) == ([], [V + "|2.0.0"])


def test_of_a_forced_and_a_default_version_only_the_forced_one_applied(client):
    echoed, used = _echo(client, OPEN, ("system-version", V + "|2.0.0"), ("force-system-version", V + "|1.0.0"))
    assert echoed == [("force-system-version", V + "|1.0.0")] and used == [V + "|1.0.0"]


def test_a_rule_is_echoed_as_written(client):
    """A wildcard stays a wildcard in the echo; the version it chose is in used-codesystem."""
    assert _echo(client, OPEN, ("system-version", V + "|1.x")) == ([("system-version", V + "|1.x")], [V + "|1.0.0"])


def test_rules_for_used_and_unused_systems_together(client):
    both = vs("http://ex.org/ref/vs/both", [{"system": V}, {"system": OTHER}])
    exp = expansion(client, [("url", both["url"]), ("system-version", V + "|1.0.0"),
                             ("force-system-version", OTHER + "|1"), ("check-system-version", "http://ex.org/no|1")],
                    SETUP + [both])
    echoed = sorted((p["name"], p["valueUri"]) for p in exp["parameter"] if p["name"] in RULES)
    assert echoed == [("force-system-version", OTHER + "|1"), ("system-version", V + "|1.0.0")]


def test_validate_code_echoes_no_rule(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", OPEN["url"]), ("coding", {"system": V, "code": "b"}),
                                                          ("system-version", V + "|1.0.0")], SETUP)
    assert status == 200, b
    assert not [p for p in b["parameter"] if p["name"] in RULES]
    assert next(p["valueString"] for p in b["parameter"] if p["name"] == "version") == "1.0.0"
