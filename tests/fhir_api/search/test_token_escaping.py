"""One rule for reading search tokens (review s15 F8): CodeSystem?code= and ConceptMap?source-code= /
target-code= read R4's escapes (search.html#escaping: \\, \\$ \\| and \\\\) alike; before, ConceptMap kept `\\\\`
and `\\$` as written, and the system unescaped."""
import pytest

from mappings import search_values
from fhir_api import search_values as fhir_search_values

FJ = "application/fhir+json"
SYS = "http://example.org/cs/escapes"
CODES = ["a\\b", "a,b", "a|b", "a$b", "plain"]

CS = {"resourceType": "CodeSystem", "id": "escapes", "url": SYS, "version": "1", "status": "active",
      "content": "complete", "concept": [{"code": c, "display": f"code {i}"} for i, c in enumerate(CODES)]}


def _cm(rid, code):
    return {"resourceType": "ConceptMap", "id": rid, "url": f"http://example.org/cm/{rid}", "version": "1",
            "status": "active", "group": [{"source": SYS, "target": SYS, "element": [
                {"code": code, "target": [{"code": code, "equivalence": "equal"}]}]}]}


@pytest.fixture
def escapes(client):
    assert client.put("/fhir/CodeSystem/escapes", json=CS, content_type=FJ).status_code in (200, 201)
    for i, code in enumerate(CODES):
        r = client.put(f"/fhir/ConceptMap/esc{i}", json=_cm(f"esc{i}", code), content_type=FJ)
        assert r.status_code in (200, 201), r.get_json()
    return client


def _ids(client, rtype, name, value):
    r = client.get(f"/fhir/{rtype}", query_string={name: value})
    assert r.status_code == 200, r.get_json()
    return sorted(e["resource"]["id"] for e in r.get_json().get("entry", []))


# the value sent -> the code it names
ASKED = {
    "a\\\\b": "a\\b", "a\\,b": "a,b", "a\\|b": "a|b", "a\\$b": "a$b", "plain": "plain",
    f"{SYS}|a\\\\b": "a\\b", f"{SYS}|a\\|b": "a|b", f"{SYS}|a\\,b": "a,b",
}


@pytest.mark.parametrize("value", sorted(ASKED))
def test_codesystem_and_conceptmap_read_one_escaped_code_alike(escapes, value):
    want = f"esc{CODES.index(ASKED[value])}"
    assert _ids(escapes, "CodeSystem", "code", value) == ["escapes"]
    assert _ids(escapes, "ConceptMap", "source-code", value) == [want]
    assert _ids(escapes, "ConceptMap", "target-code", value) == [want]


def test_a_system_is_unescaped_like_the_code(escapes):
    assert _ids(escapes, "ConceptMap", "source-code", f"{SYS}|plain") == ["esc4"]
    assert search_values.parse_token("urn:x\\|y|a\\\\b") == ("urn:x|y", "a\\b")


def test_alternatives_still_split_on_unescaped_commas(escapes):
    assert _ids(escapes, "ConceptMap", "source-code", "a\\,b,plain") == ["esc1", "esc4"]
    assert _ids(escapes, "ConceptMap", "source-code", "a\\\\b,a\\$b") == ["esc0", "esc3"]


@pytest.mark.parametrize("raw,token", [
    ("code", (None, "code")), ("|code", ("", "code")), ("s|c", ("s", "c")), ("s|c|d", ("s", "c|d")),
    ("a\\|b", (None, "a|b")), ("a\\\\b", (None, "a\\b")), ("a\\$b", (None, "a$b")), ("a\\,b", (None, "a,b")),
    ("a\\xb", (None, "a\\xb")),          # not an escape: the backslash stays
])
def test_parse_token(raw, token):
    assert search_values.parse_token(raw) == token


def test_one_parser_for_both_search_modules():
    assert fhir_search_values.parse_token is search_values.parse_token
    assert fhir_search_values.unescape is search_values.unescape
    assert not hasattr(search_values, "short")      # the alias is gone: terminology.errors.shortened it is
