"""Value set versions matched by the one rule code system versions are matched by (terminology.versions
.matches_version), as the reference servers match them: exact; `x`/`X`/`*` segments as wildcards; a trailing
`?` accepting the rest; otherwise a segment the request lacks the version must lack too, so `1` and `1.0` do not
name 1.0.0. A value set version that names nothing held is answered as any unknown value set version."""
import pytest

from terminology.versions import matches_version
from tests.support.tx_requests import out, post

from tests.support.resources import cs, vs

P = "http://ex.org/ref/vv"
PCS = cs(P, "1.0.0", [{"code": "a", "display": "A"}])
PVS = vs("http://ex.org/ref/vs/vv", [{"system": P}], version="1.0.0")
SETUP = [PCS, PVS]
FOUND = ["1.0.0", "1.x", "1.X", "1.*", "1.0.x", "1.0.*", "1?", "1.0?", "*"]
NOT_FOUND = ["1", "1.0", "2", "1.1", "1.0.0.0", "10?", "1.1.x"]


@pytest.mark.parametrize("asked, named", [(v, True) for v in FOUND] + [(v, False) for v in NOT_FOUND])
def test_the_one_rule(asked, named):
    assert matches_version(asked, "1.0.0") is named


def test_the_rule_in_detail():
    assert matches_version("1.x", "1.2") and matches_version("1.x.0", "1.2.0") and not matches_version("1.x.0", "1.2.1")
    assert matches_version("1?", "1") and matches_version("1?", "1.0.0-beta") and not matches_version("1?", "10.0")
    assert not matches_version("2023", "2023-04-01") and matches_version("2023-04-01", "2023-04-01")
    assert not matches_version("1.0", None) and not matches_version("", "1.0")


def _vs_validate(client, *params):
    return post(client, "ValueSet/$validate-code", [*params, ("coding", {"system": P, "code": "a"})], SETUP)


def _cs_validate(client, version):
    status, b = post(client, "CodeSystem/$validate-code", [("url", P), ("version", version), ("code", "a")], [PCS])
    assert status == 200, b
    return out(b)["result"]


@pytest.mark.parametrize("asked", FOUND)
def test_a_version_that_names_it_finds_the_value_set(client, asked):
    for params in ([("url", PVS["url"]), ("valueSetVersion", asked)], [("url", f"{PVS['url']}|{asked}")]):
        status, b = _vs_validate(client, *params)
        assert status == 200 and out(b)["result"] is True, (asked, b)
    status, b = post(client, "ValueSet/$expand", [("url", f"{PVS['url']}|{asked}")], SETUP)
    assert status == 200 and b["version"] == "1.0.0", b


@pytest.mark.parametrize("asked", NOT_FOUND)
def test_a_version_that_does_not_name_it_is_an_unknown_value_set_version(client, asked):
    """Not found, with the shape of any unknown value set version (tests/versions/test_valueset_version_choice.py)."""
    for op, extra in (("ValueSet/$validate-code", [("coding", {"system": P, "code": "a"})]), ("ValueSet/$expand", [])):
        for params in ([("url", PVS["url"]), ("valueSetVersion", asked)], [("url", f"{PVS['url']}|{asked}")]):
            status, b = post(client, op, params + extra, SETUP)
            # $expand: 422 for a definition it lacks (the reference server's status); $validate-code: 404
            assert status == 422 and b["resourceType"] == "OperationOutcome", \
                (op, asked, b)
            issue = b["issue"][0]
            assert issue["code"] == "not-found" and [c["code"] for c in issue["details"]["coding"]] == ["not-found"]
            text = f"A definition for the value Set '{PVS['url']}|{asked}' could not be found"
            if op.endswith("$expand"):       # the reference server's $expand words it otherwise, as sent
                text = f"ValueSet not found: {params[0][1]}" + (f" version {asked}" if len(params) > 1 else "")
            assert issue["details"]["text"] == text
            assert issue["diagnostics"] == "Valid versions: 1.0.0"


@pytest.mark.parametrize("asked", FOUND + NOT_FOUND)
def test_code_system_and_value_set_versions_follow_one_rule(client, asked):
    status, _b = _vs_validate(client, ("url", PVS["url"]), ("valueSetVersion", asked))
    assert (status == 200) is _cs_validate(client, asked) is (asked in FOUND)


def test_an_exact_version_wins_and_a_pattern_takes_the_newest_release(client):
    more = [vs(PVS["url"], [{"system": P}], version=v) for v in ("1.0", "1.0.2", "1.0.3-beta", "1.1.0")]
    setup = SETUP + more

    def version(asked):
        status, b = post(client, "ValueSet/$expand", [("url", f"{PVS['url']}|{asked}")], setup)
        assert status == 200, b
        return b["version"]
    assert version("1.0") == "1.0"
    assert version("1.0.x") == "1.0.2" and version("1.0?") == "1.0.2" and version("1?") == "1.1.0"
    assert version("1.0.3-beta") == "1.0.3-beta"


def test_an_import_pinned_by_a_partial_version_is_not_found(client):
    importer = vs("http://ex.org/ref/vs/importer", [{"valueSet": [PVS["url"] + "|1"]}], version="1")
    status, b = post(client, "ValueSet/$expand", [("url", importer["url"])], SETUP + [importer])
    assert status == 422, b  # $expand: 422 for a definition it lacks (the reference server's status)
    assert b["issue"][0]["details"]["text"] == f"Unable to find included value set '{PVS['url']}' version '1'"
    importer["compose"]["include"][0]["valueSet"] = [PVS["url"] + "|1.x"]
    status, b = post(client, "ValueSet/$expand", [("url", importer["url"])], SETUP + [importer])
    assert status == 200 and {"name": "used-valueset", "valueUri": PVS["url"] + "|1.0.0"} in b["expansion"]["parameter"]


@pytest.mark.parametrize("check, allowed", [("1.0.0", True), ("1.x", True), ("1?", True),
                                            ("1.0", False), ("1", False)])
def test_check_valueset_version_follows_the_rule(client, check, allowed):
    status, b = post(client, "ValueSet/$expand", [("url", PVS["url"]), ("check-valueset-version",
                                                                         f"{PVS['url']}|{check}")], SETUP)
    assert (status == 200) is allowed, b
    if not allowed:
        assert status == 400 and b["issue"][0]["details"]["coding"][0]["code"] == "version-error"


def test_url_version_and_value_set_version_agree_only_by_the_rule(client):
    status, b = post(client, "ValueSet/$expand", [("url", PVS["url"] + "|1.x"), ("valueSetVersion", "1.0.0")], SETUP)
    assert status == 200 and b["version"] == "1.0.0"
    status, b = post(client, "ValueSet/$expand", [("url", PVS["url"] + "|1"), ("valueSetVersion", "1.0.0")], SETUP)
    assert status == 400 and b["issue"][0]["details"]["coding"][0]["code"] == "version-error"


def test_lookup_still_takes_a_partial_version_beside_the_codings_as_one(client):
    """$lookup given version=0.1 and coding.version 0.1.0 reads them as one version said twice (the more precise
    one is used): that compares two versions the client gave, it does not find a resource by version."""
    lcs = cs("http://ex.org/ref/lk", "0.1.0", [{"code": "a", "display": "A"}])
    coding = {"system": lcs["url"], "code": "a", "version": "0.1.0"}
    status, b = post(client, "CodeSystem/$lookup", [("version", "0.1"), ("coding", coding)], [lcs])
    assert status == 200 and out(b)["version"] == "0.1.0", b
