"""Display languages probed (session 7), through the HTTP API with tx-resource content (the HL7 en-multi code
system: English displays, designations in de, de-CH and es).

- the $expand `designation` parameter takes a bare language as an RFC 4647 language range (de -> de, de-CH);
  `urn:ietf:bcp:47|de` stays one code of that system (the reference test suite expects so);
- extensions on a display (`_display`: rendering-style, rendering-xhtml, translation) go with the display into
  the expansion, from the code system or from the value set, but not onto a designation that replaced it;
- a value set that states its language (and it is not the code system's) has its own displays in that language:
  they win for it and are not shown for another; the code system's display for a language is the same in $expand,
  ValueSet/$validate-code and $lookup.
"""
import pytest

from terminology.languages import in_language_range, language_matches

from tests.support.tx_files import stored_client, tx_file, param_value as _value

FJ = "application/fhir+json"
EN_MULTI = "http://hl7.org/fhir/test/CodeSystem/en-multi"
SD = "http://hl7.org/fhir/StructureDefinition/"
STYLE = {"url": SD + "rendering-style", "valueString": "font-weight: bold"}
XHTML = {"url": SD + "rendering-xhtml", "valueString": "<b>VS Display 1</b>"}
UNKNOWN = {"url": "http://example.org/fhir/StructureDefinition/whatever", "valueString": "x"}
TRANSLATION = {"url": SD + "translation", "extension": [{"url": "lang", "valueCode": "nb"},
                                                        {"url": "content", "valueString": "Visning 3"}]}

# the value set gives code1 a display of its own, with extensions on it; code2 and code3 are the code system's
VS_EXT = {"resourceType": "ValueSet", "url": "http://example.org/vs/display-ext", "status": "active",
          "compose": {"include": [{"system": EN_MULTI, "concept": [
              {"code": "code1", "display": "VS Display 1", "_display": {"extension": [XHTML, UNKNOWN]}},
              {"code": "code2"}, {"code": "code3"}]}]}}
# a German value set: its displays are German
VS_DE = {"resourceType": "ValueSet", "url": "http://example.org/vs/german", "language": "de", "status": "active",
         "compose": {"include": [{"system": EN_MULTI, "concept": [
             {"code": "code1", "display": "VS Anzeige 1"}, {"code": "code2", "display": "VS Anzeige 2"}]}]}}


def _en_multi() -> dict:
    """en-multi with extensions on code3's display (a style, a Norwegian translation) and code2's (unknown)."""
    cs = tx_file("language/codesystem-en-multi.json")
    for c in cs["concept"]:
        if c["code"] == "code3":
            c["_display"] = {"extension": [STYLE, TRANSLATION]}
        if c["code"] == "code2":
            c["_display"] = {"extension": [UNKNOWN]}
    return cs


def _post(client, path: str, *pairs, headers=None, stored: bool = False):
    res = [VS_EXT, VS_DE] + ([] if stored else [_en_multi()])
    body = {"resourceType": "Parameters", "parameter": [{"name": n, k: v} for n, k, v in pairs]
            + [{"name": "tx-resource", "resource": r} for r in res]}
    r = client.post(f"/fhir/{path}", json=body, content_type=FJ, headers=headers or {})
    return r.status_code, r.get_json()


def _contains(client, vs: str, *pairs, stored: bool = False) -> dict:
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", vs), *pairs, stored=stored)
    assert status == 200, body
    return {c["code"]: c for c in body["expansion"]["contains"]}


# --- 3. the designation parameter: a language range --------------------------------------------------------------
def test_language_range_helper_is_rfc4647_basic_filtering():
    assert in_language_range("de", "de") and in_language_range("de", "de-CH") and in_language_range("DE", "de-de")
    assert not in_language_range("de-CH", "de") and not in_language_range("de", "den")
    assert in_language_range("*", "fr") and not in_language_range("de", None)
    assert in_language_range("no", "nb") and in_language_range("nb", "no-NO")
    # choosing displays adds the lookup fallback: a Swiss reader takes plain German
    assert language_matches("de-CH", "de") and language_matches("de", "de-CH")


def test_designation_language_takes_regional_tags(client):
    got = _contains(client, VS_EXT["url"], ("designation", "valueString", "de"))
    assert [d["language"] for d in got["code2"].get("designation", [])] == ["de-CH"]
    assert [d["language"] for d in got["code1"].get("designation", [])] == ["de"]


def test_designation_regional_range_does_not_take_the_plain_language(client):
    got = _contains(client, VS_EXT["url"], ("designation", "valueString", "de-CH"))
    assert "designation" not in got["code1"]
    assert [d["value"] for d in got["code2"]["designation"]] == ["Anzeige 2"]


def test_designation_as_bcp47_code_stays_exact(client):
    got = _contains(client, VS_EXT["url"], ("designation", "valueString", "urn:ietf:bcp:47|de"))
    assert "designation" not in got["code2"]
    assert [d["value"] for d in got["code1"]["designation"]] == ["Anzeige 1"]


# --- 2. extensions on the display --------------------------------------------------------------------------------
@pytest.mark.parametrize("stored", [False, True])
def test_code_system_display_extensions_are_carried(client, tmp_path, stored):
    if stored:      # the code system from the store (its concepts kept as flat rows) rather than supplied
        client = stored_client(tmp_path, [_en_multi()])
    got = _contains(client, VS_EXT["url"], stored=stored)
    assert got["code3"]["display"] == "Display 3"
    assert got["code3"]["_display"] == {"extension": [STYLE, TRANSLATION]}
    assert "_display" not in got["code2"]      # an extension this server does not know stays with the code system


def test_value_set_display_extensions_are_carried(client):
    got = _contains(client, VS_EXT["url"])
    assert got["code1"]["display"] == "VS Display 1"
    assert got["code1"]["_display"] == {"extension": [XHTML]}


def test_display_extensions_do_not_follow_a_replaced_display(client):
    got = _contains(client, VS_EXT["url"], ("displayLanguage", "valueCode", "de"))
    assert got["code1"]["display"] == "Anzeige 1" and "_display" not in got["code1"]
    assert got["code3"]["display"] == "Anzeige 3" and "_display" not in got["code3"]
    # English asked: the displays are the sources' own, extensions and all
    got = _contains(client, VS_EXT["url"], ("displayLanguage", "valueCode", "en"))
    assert got["code1"]["_display"] == {"extension": [XHTML]}
    assert got["code3"]["_display"] == {"extension": [STYLE, TRANSLATION]}


# --- 4. whose display, in which language ----------------------------------------------------------------------
def _three(client, vs: str, code: str, lang: str) -> tuple:
    """The display of `code` for `lang` by $expand, ValueSet/$validate-code and $lookup."""
    pair = ("displayLanguage", "valueCode", lang)
    shown = _contains(client, vs, pair)[code]["display"]
    _s, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", vs), ("system", "valueUri", EN_MULTI),
                     ("code", "valueCode", code), pair)
    _s, looked = _post(client, "CodeSystem/$lookup", ("system", "valueUri", EN_MULTI), ("code", "valueCode", code),
                       pair)
    return shown, _value(body, "display"), _value(looked, "display")


def test_german_value_set_display_is_not_shown_to_an_english_reader(client):
    assert _three(client, VS_DE["url"], "code1", "en") == ("Display 1", "Display 1", "Display 1")


def test_german_value_set_display_wins_for_german(client):
    # $expand shows the value set's own display (display_choice.py); ValueSet/$validate-code returns the code
    # system's display for the language, as $lookup does (and the reference validator)
    assert _three(client, VS_DE["url"], "code1", "de") == ("VS Anzeige 1", "Anzeige 1", "Anzeige 1")
    got = _contains(client, VS_DE["url"])          # no language asked: the value set's language is the default
    assert got["code1"]["display"] == "VS Anzeige 1"


def test_exact_regional_designation_beats_the_value_set_language(client):
    # de-CH: the code system's de-CH designation is closer than the value set's plain German
    assert _three(client, VS_DE["url"], "code2", "de-CH") == ("Anzeige 2", "Anzeige 2", "Anzeige 2")


def test_code_system_display_for_a_language_is_chosen_alike(client):
    for code, lang, want in (("code2", "de", "Anzeige 2"), ("code1", "de-CH", "Anzeige 1"),
                             ("code2aI", "de", "Display 2aI"), ("code2a", "es", "Mostrar 2a")):
        vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/all-en-multi", "status": "active",
              "compose": {"include": [{"system": EN_MULTI}]}}
        pair = ("displayLanguage", "valueCode", lang)
        status, body = _post(client, "ValueSet/$expand", ("valueSet", "resource", vs),
                             ("excludeNested", "valueBoolean", True), pair)
        assert status == 200, body
        shown = {c["code"]: c["display"] for c in body["expansion"]["contains"]}[code]
        _s, v = _post(client, "ValueSet/$validate-code", ("valueSet", "resource", vs),
                      ("system", "valueUri", EN_MULTI), ("code", "valueCode", code), pair)
        _s, lk = _post(client, "CodeSystem/$lookup", ("system", "valueUri", EN_MULTI), ("code", "valueCode", code),
                       pair)
        assert (shown, _value(v, "display"), _value(lk, "display")) == (want, want, want), (code, lang)
