"""One rule for the display of a value set's concept: $expand and ValueSet/$validate-code agree.

A value set may list a concept with a display and designations of its own. Which text is shown for a
displayLanguage / Accept-Language is decided once (terminology/operations/display_choice.py): the value set's
display is in the value set's language (ValueSet.language, else the code system's), its designations without a
language too; the closest language wins, then value set display, its translations, code system display, value
set designations, code system designations. A value set display that loses is listed as a designation (in the
value set's language) by $expand with includeDesignations.

The table below plays every combination of value set language (none, the code system's, another), value set
display (absent, present), value set designations (none, one in a language, one without), concepts with and
without code system designations, and many requested languages, through the HTTP API, and checks that the two
operations answer the same display (and that $validate-code accepts the display $expand shows). Named cases
then pin what the rule answers.
"""
import itertools

import pytest

FJ = "application/fhir+json"
CS_URL = "http://example.org/fhir/CodeSystem/display-rule"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
PREFERRED = {"system": "http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra", "code": "preferredForLanguage",
             "display": "Preferred For Language"}

CS = {"resourceType": "CodeSystem", "url": CS_URL, "version": "1", "language": "en", "status": "active",
      "content": "complete",
      "concept": [
          {"code": "c1", "display": "One", "designation": [{"language": "de", "value": "Eins"},
                                                           {"language": "es", "value": "Uno"}]},
          {"code": "c2", "display": "Two"},
          {"code": "c3", "display": "Three", "designation": [{"language": "de-CH", "value": "Drü"}],
           "_display": {"extension": [{"url": TRANSLATION, "extension": [
               {"url": "lang", "valueCode": "fr"}, {"url": "content", "valueString": "Trois"}]}]}}]}
CODES = ["c1", "c2", "c3"]

VS_LANGUAGES = [None, "en", "de"]
VS_DISPLAYS = [False, True]
VS_DESIGNATIONS = ["none", "fr", "unlabelled"]
# ('*;q=0', no other language at all, is $expand's alone: an expansion may leave a display out, $validate-code
# always names the display to use; see test_strict_language_is_for_expand)
REQUESTED = [None, "en", "en-US", "de", "de-CH", "fr", "es", "it", "*", "de,*", "it,fr", "en;q=0.5, de"]


def _valueset(lang, with_display: bool, designations: str) -> dict:
    name = f"{lang or 'nolang'}-{'display' if with_display else 'nodisplay'}-{designations}"
    concepts = []
    for code in CODES:
        c = {"code": code}
        if with_display:
            c["display"] = f"VS {code}"
        if designations == "fr":
            c["designation"] = [{"language": "fr", "value": f"VS fr {code}"}]
        elif designations == "unlabelled":
            c["designation"] = [{"value": f"VS alt {code}"}]
        concepts.append(c)
    vs = {"resourceType": "ValueSet", "url": f"http://example.org/fhir/ValueSet/display-rule-{name}",
          "status": "active", "compose": {"include": [{"system": CS_URL, "concept": concepts}]}}
    if lang:
        vs["language"] = lang
    return vs


VALUESETS = [_valueset(*combo) for combo in itertools.product(VS_LANGUAGES, VS_DISPLAYS, VS_DESIGNATIONS)]


def _post(client, op: str, vs: dict, *pairs, header: str | None = None):
    params = [{"name": "valueSet", "resource": vs}] + [{"name": n, k: v} for n, k, v in pairs] + \
             [{"name": "tx-resource", "resource": CS}]
    r = client.post(f"/fhir/{op}", json={"resourceType": "Parameters", "parameter": params}, content_type=FJ,
                    headers={"Accept-Language": header} if header else {})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _value(body: dict, name: str):
    for p in body.get("parameter", []):
        if p["name"] == name:
            return next(v for k, v in p.items() if k.startswith("value"))
    return None


def _lang_pairs(lang):
    return [("displayLanguage", "valueCode", lang)] if lang else []


def _expanded(client, vs: dict, lang, designations: bool = False, header=None) -> dict:
    pairs = _lang_pairs(lang) + ([("includeDesignations", "valueBoolean", True)] if designations else [])
    body = _post(client, "ValueSet/$expand", vs, *pairs, header=header)
    return {c["code"]: c for c in body["expansion"]["contains"]}


def _validated(client, vs: dict, code: str, lang, display: str | None = None, header=None) -> dict:
    pairs = [("system", "valueUri", CS_URL), ("code", "valueCode", code)] + _lang_pairs(lang)
    if display is not None:
        pairs.append(("display", "valueString", display))
    return _post(client, "ValueSet/$validate-code", vs, *pairs, header=header)


# --- the table: both operations answer the same display -----------------------------------------------------------
@pytest.mark.parametrize("vs", VALUESETS, ids=lambda vs: vs["url"].rsplit("/", 1)[1])
def test_expand_and_validate_code_agree(client, vs):
    for lang in REQUESTED:
        shown = _expanded(client, vs, lang)
        for code in CODES:
            expected = shown[code].get("display")
            body = _validated(client, vs, code, lang)
            assert _value(body, "result") is True, body
            assert _value(body, "display") == expected, (lang, code)
            if expected is not None:
                # the display the expansion shows is a valid display of the code in that value set
                checked = _validated(client, vs, code, lang, display=expected)
                assert _value(checked, "result") is True, (lang, code, checked)


@pytest.mark.parametrize("header", ["de", "fr, en;q=0.5", "de-CH"])
def test_accept_language_header_agrees_too(client, header):
    for vs in VALUESETS[::3]:
        shown = _expanded(client, vs, None, header=header)
        for code in CODES:
            assert _value(_validated(client, vs, code, None, header=header), "display") == shown[code].get("display")


# --- what the rule answers ----------------------------------------------------------------------------------------
def _vs(lang, with_display=True, designations="none"):
    return _valueset(lang, with_display, designations)


CASES = [
    # (why, value set (language, display, designations), requested, code, display shown)
    ("no language asked: the value set's display", (None, True, "none"), None, "c1", "VS c1"),
    ("no language anywhere, no value set display: the code system's", (None, False, "none"), None, "c1", "One"),
    ("the value set's language is the display language when none is asked", ("de", False, "none"), None, "c1",
     "Eins"),
    ("a German value set's display for German", ("de", True, "none"), "de", "c1", "VS c1"),
    ("a German value set's display is not English", ("de", True, "none"), "en", "c1", "One"),
    ("a value set of no language speaks the code system's", (None, True, "none"), "en", "c1", "VS c1"),
    ("... so a designation in the language asked beats it", (None, True, "none"), "de", "c1", "Eins"),
    ("a value set in the code system's language, likewise", ("en", True, "none"), "de", "c1", "Eins"),
    ("an exact regional designation beats the plain language", ("de", True, "none"), "de-CH", "c3", "Drü"),
    ("the plain language serves a regional request", ("de", True, "none"), "de-CH", "c2", "VS c2"),
    ("a value set designation in the language asked", ("de", True, "fr"), "fr", "c1", "VS fr c1"),
    ("... before the code system's designations, translations among them", ("de", False, "fr"), "fr", "c3",
     "VS fr c3"),
    ("a code system translation for its language", (None, False, "none"), "fr", "c3", "Trois"),
    ("an unlabelled designation is in the value set's language", ("de", False, "unlabelled"), "de", "c2",
     "VS alt c2"),
    ("... and comes before a code system designation in it", ("de", False, "unlabelled"), "de", "c1",
     "VS alt c1"),
    ("nothing in the language asked: the value set's display", ("de", True, "none"), "it", "c2", "VS c2"),
    ("'*' takes whatever is shown by default", ("de", True, "none"), "*", "c1", "VS c1"),
    ("the first language that has a display wins", ("de", True, "fr"), "it,fr", "c2", "VS fr c2"),
    ("quality values order the languages", ("de", True, "none"), "en;q=0.5, de", "c1", "VS c1"),
]


@pytest.mark.parametrize("why,vs,lang,code,want", CASES, ids=[c[0] for c in CASES])
def test_rule(client, why, vs, lang, code, want):
    vs = _vs(*vs)
    assert _expanded(client, vs, lang)[code].get("display") == want
    assert _value(_validated(client, vs, code, lang), "display") == want


def test_unlabelled_value_set_designation_in_a_german_value_set():
    # the value set's unlabelled designation is German (the value set's language): for c1 it ranks before the code
    # system's German designation (value set designations come before code system designations)
    from terminology.codesystem import CodeSystemIndex
    from terminology.operations.display_choice import EntryText, choose
    cs = CodeSystemIndex.from_resource(CS)
    entry = EntryText.make(None, "de", [{"value": "VS alt"}], None)
    assert choose(entry, cs.get("c1"), cs, ["de"]).display == "VS alt"
    assert choose(entry, cs.get("c1"), cs, ["en"]).display == "One"
    assert choose(entry, cs.get("c1"), cs, []).display == "One"


def test_strict_language_is_for_expand(client):
    vs = _vs("de", designations="fr")
    shown = _expanded(client, vs, "it, fr, *;q=0")
    assert shown["c1"]["display"] == "VS fr c1"
    shown = _expanded(client, vs, "it, *;q=0")
    assert all("display" not in shown[code] for code in CODES)
    # $validate-code names the display to use all the same: the value set's
    assert _value(_validated(client, vs, "c1", "it, *;q=0"), "display") == "VS c1"


# --- the displays that lost are listed as designations --------------------------------------------------------------
def test_value_set_display_that_loses_is_a_designation_in_its_language(client):
    got = _expanded(client, _vs("de"), "en", designations=True)["c1"]
    assert got["display"] == "One"
    assert {"language": "de", "value": "VS c1"} in got["designation"]
    # the code system's display is the one shown: not repeated as a designation
    assert all(d["value"] != "One" for d in got["designation"])


def test_value_set_display_of_no_language_is_listed_in_the_code_systems(client):
    got = _expanded(client, _vs(None), "de", designations=True)["c1"]
    assert got["display"] == "Eins"
    assert {"language": "en", "value": "VS c1"} in got["designation"]
    # the value set's display replaced the code system's in English: that one is not offered besides
    assert all(d["value"] != "One" for d in got["designation"])
    assert all(d["value"] != "Eins" for d in got["designation"])


def test_code_system_display_is_listed_when_the_value_set_display_in_another_language_is_shown(client):
    got = _expanded(client, _vs("de"), None, designations=True)["c1"]
    assert got["display"] == "VS c1"
    assert {"language": "en", "use": PREFERRED, "value": "One"} in got["designation"]
    assert all(d["value"] != "VS c1" for d in got["designation"])


def test_designation_filter_applies_to_the_listed_displays(client):
    params = [("designation", "valueString", "de")]
    body = _post(client, "ValueSet/$expand", _vs("de"), ("displayLanguage", "valueCode", "en"), *params)
    got = {c["code"]: c for c in body["expansion"]["contains"]}["c1"]
    assert [d["value"] for d in got["designation"]] == ["VS c1", "Eins"]
