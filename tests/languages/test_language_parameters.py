"""Probe 8, display languages: displayLanguage and Accept-Language in $expand, $lookup and $validate-code,
on the shipped en-multi code system (code1 has a 'de' designation, code2 'de-CH' and 'es')."""
import pytest

from tests.support.tx_requests import codes, eparams, expansion, issues, out, post, vs
from tests.support.tx_files import tx_file

EN_MULTI = "http://hl7.org/fhir/test/CodeSystem/en-multi"
VS = vs("http://ex.org/vs/en", [{"system": EN_MULTI, "concept": [{"code": "code1"}, {"code": "code2"}]}])


def setup():
    return [tx_file("language/codesystem-en-multi.json"), VS]


def _displays(exp):
    return {c["code"]: c.get("display") for c in exp["contains"]}


@pytest.mark.parametrize("lang,want", [
    ("de", {"code1": "Anzeige 1", "code2": "Anzeige 2"}),
    ("es", {"code1": "Display 1", "code2": "Mostrar 2"}),
    ("fr", {"code1": "Display 1", "code2": "Display 2"}),
    ("es,de", {"code1": "Anzeige 1", "code2": "Mostrar 2"}),
])
def test_display_language_parameter_chooses_the_display(client, lang, want):
    exp = expansion(client, [("url", VS["url"]), ("displayLanguage", lang)], setup())
    assert _displays(exp) == want
    assert eparams(exp, "displayLanguage") == [lang]


def test_accept_language_weights_are_honoured(client):
    status, b = post(client, "ValueSet/$expand", [("url", VS["url"])], setup(),
                     headers={"Accept-Language": "de;q=0.5, es;q=0.9"})
    assert _displays(b["expansion"]) == {"code1": "Anzeige 1", "code2": "Mostrar 2"}


def test_a_language_weighted_zero_is_not_used(client):
    status, b = post(client, "ValueSet/$expand", [("url", VS["url"])], setup(), headers={"Accept-Language": "es;q=0, de"})
    assert _displays(b["expansion"]) == {"code1": "Anzeige 1", "code2": "Anzeige 2"}


def test_designations_keep_the_default_display_when_another_language_is_chosen(client):
    exp = expansion(client, [("url", VS["url"]), ("displayLanguage", "de"), ("includeDesignations", True)], setup())
    c1 = next(c for c in exp["contains"] if c["code"] == "code1")
    assert c1["display"] == "Anzeige 1"
    assert any(d.get("language") == "en" and d["value"] == "Display 1" for d in c1["designation"])


def test_designation_parameter_selects_by_language(client):
    exp = expansion(client, [("url", VS["url"]), ("includeDesignations", True), ("designation", "es")], setup())
    c2 = next(c for c in exp["contains"] if c["code"] == "code2")
    assert [d["language"] for d in c2["designation"]] == ["es"]


def test_lookup_display_language(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", EN_MULTI), ("code", "code2"), ("displayLanguage", "es")],
                     setup())
    assert status == 200 and out(b)["display"] == "Mostrar 2"


def test_lookup_accept_language(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", EN_MULTI), ("code", "code1")], setup(),
                     headers={"Accept-Language": "de"})
    assert out(b)["display"] == "Anzeige 1"


def test_validate_display_in_the_requested_language(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", EN_MULTI), ("code", "code1"),
                                                           ("display", "Anzeige 1"), ("displayLanguage", "de")], setup())
    o = out(b)
    assert o["result"] is True and o["display"] == "Anzeige 1"


def test_validate_default_display_when_the_language_has_none_is_valid_with_a_note(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", EN_MULTI), ("code", "code1"),
                                                           ("display", "Display 1"), ("displayLanguage", "fr")], setup())
    o = out(b)
    assert o["result"] is True
    assert "fr" in o.get("message", "")


def test_validate_display_of_another_language_against_the_requested_one_is_wrong(client):
    """As the shipped validation-simple-code-bad-language output: the valid display is named with its
    language and the languages asked for."""
    status, b = post(client, "CodeSystem/$validate-code", [("url", EN_MULTI), ("code", "code1"),
                                                           ("display", "Display 1"), ("displayLanguage", "de")], setup())
    o = out(b)
    assert o["result"] is False
    (issue,) = issues(b)
    assert issue["details"]["coding"][0]["code"] == "invalid-display"
    assert "'Anzeige 1' (de)" in issue["details"]["text"] and "'de'" in issue["details"]["text"]


def test_codes_order_is_not_changed_by_language(client):
    exp = expansion(client, [("url", VS["url"]), ("displayLanguage", "de")], setup())
    assert codes(exp) == ["code1", "code2"]


@pytest.mark.parametrize("prop,want", [
    ("lang.es", [("es", "Mostrar 2")]),
    ("lang.de-CH", [("de-CH", "Anzeige 2")]),
])
def test_lookup_lang_property_returns_the_designations_of_that_language(client, prop, want):
    """R4 $lookup property: '... and for designations, lang.X where X is a designation language code'."""
    status, b = post(client, "CodeSystem/$lookup", [("system", EN_MULTI), ("code", "code2"), ("property", prop)],
                     setup())
    got = []
    for p in b["parameter"]:
        if p["name"] == "designation":
            parts = {q["name"]: next(v for k, v in q.items() if k.startswith("value")) for q in p["part"]}
            got.append((parts.get("language"), parts["value"]))
    assert got == want
