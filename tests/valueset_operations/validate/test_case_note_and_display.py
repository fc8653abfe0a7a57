"""$validate-code as the reference servers answer it: the note for a code in another case (the same sentence
whether the code system says caseSensitive=false or says nothing), and a `display` parameter beside a coding or
codeableConcept (ignored: the reference reads `display` only with `code` and `system`)."""
import pytest

from tests.support.tx_requests import issues, out, post

from tests.support.resources import cs, vs

U = "http://ex.org/ref/case"
CONCEPTS = [{"code": "code1", "display": "Display 1"}]
UNSTATED = cs(U, "1.0.0", CONCEPTS)
INSENSITIVE = cs(U, "1.0.0", CONCEPTS, caseSensitive=False)
SENSITIVE = cs(U, "1.0.0", CONCEPTS, caseSensitive=True)
VS_ALL = vs("http://ex.org/ref/vs/case", [{"system": U}])
VS_ENUM = vs("http://ex.org/ref/vs/case-enum", [{"system": U, "concept": [{"code": "code1"}]}])
CASE_NOTE = ("The code 'CODE1' differs from the correct code 'code1' by case. Although the code system "
             "'http://ex.org/ref/case|1.0.0' is case insensitive, implementers are strongly encouraged to use the "
             "correct case anyway")


def _case_calls(client, system_cs):
    yield post(client, "CodeSystem/$validate-code", [("url", U), ("code", "CODE1")], [system_cs])
    for v in (VS_ALL, VS_ENUM):
        yield post(client, "ValueSet/$validate-code", [("url", v["url"]), ("coding", {"system": U, "code": "CODE1"})],
                   [system_cs, v])


@pytest.mark.parametrize("system_cs", [UNSTATED, INSENSITIVE], ids=["caseSensitive-missing", "caseSensitive-false"])
def test_a_code_in_another_case_has_one_note_whatever_the_system_says(client, system_cs):
    for status, b in _case_calls(client, system_cs):
        assert status == 200, b
        got = out(b)
        assert got["result"] is True and got["normalized-code"] == "code1" and got["code"] == "CODE1"
        notes = [i for i in issues(b) if i["severity"] == "information"]
        assert [i["details"]["text"] for i in notes] == [CASE_NOTE], b
        assert notes[0]["code"] == "business-rule"
        assert "message" not in got     # an information note is not the answer's message


def test_a_case_sensitive_system_still_refuses_another_case(client):
    for status, b in _case_calls(client, SENSITIVE):
        assert status == 200 and out(b)["result"] is False, b
        assert not any("differs from the correct code" in i["details"]["text"] for i in issues(b))


# --- display with a coding or codeableConcept ---------------------------------------------------------------------

P = "http://ex.org/ref/p"
PCS = cs(P, "1.0.0", [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}])
PVS = vs("http://ex.org/ref/vs/p", [{"system": P}], version="1.0.0")


def _vs_validate(client, *params):
    return post(client, "ValueSet/$validate-code", [("url", PVS["url"]), *params], [PCS, PVS])


def _cs_validate(client, *params):
    return post(client, "CodeSystem/$validate-code", [("url", P), *params], [PCS])


@pytest.mark.parametrize("call", [_vs_validate, _cs_validate], ids=["ValueSet", "CodeSystem"])
@pytest.mark.parametrize("given", [("coding", {"system": P, "code": "a"}),
                                   ("codeableConcept", {"coding": [{"system": P, "code": "a"}]})],
                         ids=["coding", "codeableConcept"])
def test_a_display_beside_a_coding_is_ignored(client, call, given):
    """Was a 400; the reference ignores it. The coding carries no display: nothing to check, no issue."""
    status, b = call(client, given, ("display", "Wrong"))
    assert status == 200, b
    got = out(b)
    assert got["result"] is True and got["display"] == "A"
    assert issues(b) == [] and "Wrong" not in str(b)


@pytest.mark.parametrize("call", [_vs_validate, _cs_validate], ids=["ValueSet", "CodeSystem"])
def test_the_codings_own_display_is_what_is_validated(client, call):
    status, b = call(client, ("coding", {"system": P, "code": "a", "display": "A"}), ("display", "Wrong"))
    assert status == 200 and out(b)["result"] is True and issues(b) == [], b
    status, b = call(client, ("coding", {"system": P, "code": "a", "display": "Wrong"}), ("display", "A"))
    assert status == 200, b
    assert out(b)["result"] is False
    assert any("Wrong" in i["details"]["text"] for i in issues(b)), b


def test_a_display_with_code_and_system_is_still_validated(client):
    status, b = _vs_validate(client, ("system", P), ("code", "a"), ("display", "Wrong"))
    assert status == 200 and out(b)["result"] is False, b
    assert any("Wrong" in i["details"]["text"] for i in issues(b))


def test_a_code_contradicting_the_coding_is_still_a_400(client):
    """The reference silently prefers the coding; a code naming another concept is kept a client error here."""
    status, b = _vs_validate(client, ("system", P), ("code", "b"), ("coding", {"system": P, "code": "a"}),
                             ("display", "Wrong"))
    assert status == 400 and "different codes" in b["issue"][0]["details"]["text"], b


def test_a_display_without_any_code_is_still_a_400(client):
    status, b = _vs_validate(client, ("display", "A"))
    assert status == 400 and b["issue"][0]["diagnostics"].startswith("parameter: code"), b
    assert "location" not in b["issue"][0]
