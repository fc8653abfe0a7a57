"""Probe 8, code system versions: which version an operation uses, and how an unknown one is reported."""
from tests.support.tx_requests import cs, eparams, expansion, codes, issues, out, post, tx_codes, vs

V = "http://ex.org/cs/v"
A1 = cs(V, "1.0.0", [{"code": "a", "display": "A one"}, {"code": "b", "display": "B one"}])
A2 = cs(V, "2.0.0", [{"code": "a", "display": "A two"}, {"code": "c", "display": "C two"}])
NOV = cs("http://ex.org/cs/nov", None, [{"code": "a", "display": "A"}])
W = cs("http://ex.org/cs/w", "7", [{"code": "x", "display": "X"}])
VS_U = vs("http://ex.org/vs/u", [{"system": V}], version="1")
VS_PIN_MISSING = vs("http://ex.org/vs/p", [{"system": V, "version": "3.0.0"}], version="1")
INNER = vs("http://ex.org/vs/inner", [{"system": V, "version": "1.0.0"}], version="1")
OUTER = vs("http://ex.org/vs/outer", [{"valueSet": ["http://ex.org/vs/inner"]}, {"system": "http://ex.org/cs/w"}],
           version="1")
SETUP = [A1, A2, NOV, W, VS_U, VS_PIN_MISSING, INNER, OUTER]


def test_versionless_include_uses_the_latest_and_says_so(client):
    exp = expansion(client, [("url", VS_U["url"])], SETUP)
    assert sorted(codes(exp)) == ["a", "c"]
    assert eparams(exp, "used-codesystem") == [V + "|2.0.0"]


def test_system_version_is_used_and_echoed(client):
    """R4 $expand system-version: 'Specifies a version to use for a system, if the value set does not
    specify which one to use'."""
    exp = expansion(client, [("url", VS_U["url"]), ("system-version", V + "|1.0.0")], SETUP)
    assert sorted(codes(exp)) == ["a", "b"]
    assert eparams(exp, "used-codesystem") == [V + "|1.0.0"]
    assert eparams(exp, "system-version") == [V + "|1.0.0"]


def test_every_code_system_version_reached_through_an_import_is_listed(client):
    exp = expansion(client, [("url", OUTER["url"])], SETUP)
    assert sorted(eparams(exp, "used-codesystem")) == [V + "|1.0.0", "http://ex.org/cs/w|7"]
    assert sorted(codes(exp)) == ["a", "b", "x"]


def test_force_system_version_reaches_into_imports(client):
    """R4 $expand force-system-version 'overrides any specified version in the value set (and any it
    depends on)'; 'the version used SHALL explicitly be represented in the expansion parameters'."""
    exp = expansion(client, [("url", OUTER["url"]), ("force-system-version", V + "|2.0.0")], SETUP)
    assert sorted(codes(exp)) == ["a", "c", "x"]
    assert V + "|2.0.0" in eparams(exp, "used-codesystem")
    assert eparams(exp, "force-system-version") == [V + "|2.0.0"]


def test_check_system_version_against_a_pin_inside_an_import_is_an_error(client):
    """R4 check-system-version: 'If a value set specifies a different version, an error is returned'."""
    status, b = post(client, "ValueSet/$expand", [("url", OUTER["url"]), ("check-system-version", V + "|2.0.0")],
                     SETUP)
    assert 400 <= status < 500 and b["resourceType"] == "OperationOutcome"
    assert "1.0.0" in b["issue"][0]["details"]["text"]


def test_expand_with_a_pinned_version_not_held_lists_the_held_ones(client):
    status, b = post(client, "ValueSet/$expand", [("url", VS_PIN_MISSING["url"])], SETUP)
    assert status == 422 and b["resourceType"] == "OperationOutcome"  # $expand: 422 for a definition it lacks (the reference server's status)
    (issue,) = b["issue"]
    assert issue["code"] == "not-found"
    text = issue["details"]["text"]
    assert "3.0.0" in text and "1.0.0" in text and "2.0.0" in text


def test_validate_against_a_pinned_version_not_held_is_result_false_with_unknown_system(client):
    """Same wording as the shipped unknown-system outputs: not-found at `system`, x-caused-by-unknown-system."""
    status, b = post(client, "ValueSet/$validate-code", [("url", VS_PIN_MISSING["url"]), ("system", V),
                                                          ("code", "a")], SETUP)
    o = out(b)
    assert status == 200 and o["result"] is False
    assert o["x-caused-by-unknown-system"] == V + "|3.0.0"
    assert any(i["code"] == "not-found" and i.get("expression") == ["system"] for i in issues(b))


def test_codesystem_validate_of_an_unknown_version_echoes_the_version_asked(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", V), ("version", "9"), ("code", "a")], SETUP)
    o = out(b)
    assert status == 200 and o["result"] is False and o["version"] == "9"
    (issue,) = issues(b)
    assert issue["code"] == "not-found" and tx_codes(issue) == ["not-found"]
    assert "Valid versions: 1.0.0 or 2.0.0" in issue["details"]["text"]


def test_code_system_without_version_answers_without_version(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("valueSet", vs("http://ex.org/vs/n", [{"system": NOV["url"]}])), ("system", NOV["url"]),
                      ("code", "a")], SETUP)
    o = out(b)
    assert o["result"] is True and "version" not in o


def test_coding_version_chooses_the_version_of_a_versionless_include(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", VS_U["url"]), ("coding", {"system": V, "version": "1.0.0", "code": "b"})], SETUP)
    o = out(b)
    assert o["result"] is True and o["version"] == "1.0.0" and o["display"] == "B one"


def test_code_only_in_an_older_version_is_unknown_in_the_latest(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", VS_U["url"]), ("coding", {"system": V, "code": "b"})], SETUP)
    o = out(b)
    assert o["result"] is False and o["version"] == "2.0.0"
    assert "Unknown code 'b'" in o["message"]


def test_lookup_of_an_unknown_version_is_not_found_and_lists_the_held_ones(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", V), ("version", "0.9"), ("code", "a")], SETUP)
    assert status == 422 and b["resourceType"] == "OperationOutcome"   # a code system (version) not held: 422
    assert "1.0.0" in b["issue"][0]["details"]["text"]


def test_lookup_names_the_version_it_used(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", V), ("code", "a")], SETUP)
    o = out(b)
    assert status == 200 and o["version"] == "2.0.0" and o["display"] == "A two"


BOTH = vs("http://ex.org/vs/both", [{"system": V, "version": "1.0.0"}, {"system": V, "version": "2.0.0"}])


def test_two_versions_of_one_system_give_one_entry_per_version_with_its_version(client):
    """R4 ValueSet.expansion.contains.version: 'when the meaning is not guaranteed to be consistent, the
    version SHOULD be exchanged' — with two versions in one expansion, each entry names its own."""
    exp = expansion(client, [("url", BOTH["url"])], SETUP + [BOTH])
    got = sorted((c["code"], c.get("version"), c["display"]) for c in exp["contains"])
    assert got == [("a", "1.0.0", "A one"), ("a", "2.0.0", "A two"), ("b", "1.0.0", "B one"),
                   ("c", "2.0.0", "C two")]
    assert exp["total"] == 4
    assert sorted(eparams(exp, "used-codesystem")) == [V + "|1.0.0", V + "|2.0.0"]


def test_version_ordering_is_by_parts_not_text(client):
    for older, newer in [("1.9.0", "1.10.0"), ("1.0.0-beta", "1.0.0"), ("0.9", "0.10")]:
        setup = [cs("http://ex.org/cs/o", v, [{"code": "a", "display": "A " + v}]) for v in (older, newer)]
        setup.append(vs("http://ex.org/vs/o", [{"system": "http://ex.org/cs/o"}]))
        exp = expansion(client, [("url", "http://ex.org/vs/o")], setup)
        assert eparams(exp, "used-codesystem") == ["http://ex.org/cs/o|" + newer]


def test_expansion_parameters_use_r4_value_types(client):
    """R4 ValueSet.expansion.parameter.value[x] is string|boolean|integer|decimal|uri|code|dateTime:
    canonical inputs are echoed as uri."""
    exp = expansion(client, [("url", VS_U["url"]), ("system-version", V + "|1.0.0"),
                             ("exclude-system", "http://ex.org/none|1"), ("count", 10), ("displayLanguage", "en")],
                    SETUP)
    allowed = {"valueString", "valueBoolean", "valueInteger", "valueDecimal", "valueUri", "valueCode",
               "valueDateTime"}
    for p in exp["parameter"]:
        assert set(p) - {"name"} <= allowed, p
