"""The display of a value set's concept: $expand's one rule, and what ValueSet/$validate-code returns.

A value set may list a concept with a display and designations of its own. Which text $expand shows for a
displayLanguage / Accept-Language is decided once (terminology/operations/display_choice.py): the value set's
display is in the value set's language (ValueSet.language, else the code system's), its designations without a
language too; the closest language wins, then value set display, its translations, code system display, value
set designations, code system designations. A value set display that loses is listed as a designation (in the
value set's language) by $expand with includeDesignations.

ValueSet/$validate-code returns the code system's display, chosen for the language as $lookup chooses it (as the
reference validator does; the value set's designations join that ranking, before the code system's), and
accepts the display $expand shows (the value set's display, its translations and designations are valid
displays of the code in that value set).

The table below plays every combination of value set language (none, the code system's, another), value set
display (absent, present), value set designations (none, one in a language, one without), concepts with and
without code system designations, and many requested languages, through the HTTP API. Named cases then pin
what each operation answers.
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


# --- the table: $validate-code accepts what $expand shows and returns the code system's choice ---------------
def _codesystem_choice(vs: dict, code: str, lang) -> str | None:
    """What ValueSet/$validate-code returns: the code system's display for the languages (the value set's
    designations joining the ranking), never the value set's display."""
    from terminology.codesystem import CodeSystemIndex
    from terminology.languages import parse_languages, preferred_display
    from terminology.operations.display_choice import EntryText, codesystem_choice
    cs = CodeSystemIndex.from_resource(CS)
    entry = next(c for c in vs["compose"]["include"][0]["concept"] if c["code"] == code)
    languages = parse_languages(lang or vs.get("language"))
    got = codesystem_choice(EntryText.of_entry(entry, vs.get("language")), cs.get(code), cs, languages)
    if not entry.get("designation"):
        # nothing of the value set's joins: exactly $lookup's answer
        assert got == preferred_display(cs.get(code), cs, languages)
    return got


@pytest.mark.parametrize("vs", VALUESETS, ids=lambda vs: vs["url"].rsplit("/", 1)[1])
def test_validate_code_accepts_the_expanded_display_and_returns_the_code_systems(client, vs):
    for lang in REQUESTED:
        shown = _expanded(client, vs, lang)
        for code in CODES:
            body = _validated(client, vs, code, lang)
            assert _value(body, "result") is True, body
            returned = _value(body, "display")
            assert returned == _codesystem_choice(vs, code, lang), (lang, code)
            assert returned != f"VS {code}", (lang, code)       # the value set's display is never returned
            expected = shown[code].get("display")
            if expected is not None:
                # the display the expansion shows is a valid display of the code in that value set
                checked = _validated(client, vs, code, lang, display=expected)
                assert _value(checked, "result") is True, (lang, code, checked)


@pytest.mark.parametrize("header", ["de", "fr, en;q=0.5", "de-CH"])
def test_accept_language_header_is_read_alike(client, header):
    for vs in VALUESETS[::3]:
        shown = _expanded(client, vs, None, header=header)
        for code in CODES:
            body = _validated(client, vs, code, None, header=header)
            assert _value(body, "display") == _codesystem_choice(vs, code, header)
            if shown[code].get("display") is not None:
                body = _validated(client, vs, code, None, display=shown[code]["display"], header=header)
                assert _value(body, "result") is True, body


# --- what the rule answers ----------------------------------------------------------------------------------------
def _vs(lang, with_display=True, designations="none"):
    return _valueset(lang, with_display, designations)


CASES = [
    # (why, value set (language, display, designations), requested, code, $expand's display, $validate-code's)
    ("no language asked: the value set's display", (None, True, "none"), None, "c1", "VS c1", "One"),
    ("no language anywhere, no value set display: the code system's", (None, False, "none"), None, "c1", "One",
     "One"),
    ("the value set's language is the display language when none is asked", ("de", False, "none"), None, "c1",
     "Eins", "Eins"),
    ("a German value set's display for German", ("de", True, "none"), "de", "c1", "VS c1", "Eins"),
    ("a German value set's display is not English", ("de", True, "none"), "en", "c1", "One", "One"),
    ("a value set of no language speaks the code system's", (None, True, "none"), "en", "c1", "VS c1", "One"),
    ("... so a designation in the language asked beats it", (None, True, "none"), "de", "c1", "Eins", "Eins"),
    ("a value set in the code system's language, likewise", ("en", True, "none"), "de", "c1", "Eins", "Eins"),
    ("an exact regional designation beats the plain language", ("de", True, "none"), "de-CH", "c3", "Drü", "Drü"),
    ("the plain language serves a regional request", ("de", True, "none"), "de-CH", "c2", "VS c2", "Two"),
    ("a value set designation in the language asked", ("de", True, "fr"), "fr", "c1", "VS fr c1", "VS fr c1"),
    ("... before the code system's designations, translations among them", ("de", False, "fr"), "fr", "c3",
     "VS fr c3", "VS fr c3"),
    ("a code system translation for its language", (None, False, "none"), "fr", "c3", "Trois", "Trois"),
    ("an unlabelled designation is in the value set's language", ("de", False, "unlabelled"), "de", "c2",
     "VS alt c2", "VS alt c2"),
    ("... and comes before a code system designation in it", ("de", False, "unlabelled"), "de", "c1",
     "VS alt c1", "VS alt c1"),
    ("nothing in the language asked: the value set's display", ("de", True, "none"), "it", "c2", "VS c2", "Two"),
    ("'*' takes whatever is shown by default", ("de", True, "none"), "*", "c1", "VS c1", "One"),
    ("the first language that has a display wins", ("de", True, "fr"), "it,fr", "c2", "VS fr c2", "VS fr c2"),
    ("quality values order the languages", ("de", True, "none"), "en;q=0.5, de", "c1", "VS c1", "Eins"),
]


@pytest.mark.parametrize("why,vs,lang,code,shown,returned", CASES, ids=[c[0] for c in CASES])
def test_rule(client, why, vs, lang, code, shown, returned):
    vs = _vs(*vs)
    assert _expanded(client, vs, lang)[code].get("display") == shown
    body = _validated(client, vs, code, lang)
    assert _value(body, "display") == returned
    # what $expand shows is accepted all the same
    assert _value(_validated(client, vs, code, lang, display=shown), "result") is True


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
    # $validate-code names the display to use all the same: the code system's
    assert _value(_validated(client, vs, "c1", "it, *;q=0"), "display") == "One"


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


# --- an imported value set's display is in its own language ------------------------------------------------------
def _imported(client, inner_language: str, outer_language: str, lang, display=None, op="ValueSet/$expand"):
    inner = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/display-rule-inner",
             "language": inner_language, "status": "active",
             "compose": {"include": [{"system": CS_URL, "concept": [{"code": "c1", "display": "Inner one"}]}]}}
    outer = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/display-rule-outer",
             "language": outer_language, "status": "active", "compose": {"include": [{"valueSet": [inner["url"]]}]}}
    pairs = [("includeDesignations", "valueBoolean", True)] if op == "ValueSet/$expand" else \
        [("system", "valueUri", CS_URL), ("code", "valueCode", "c1")]
    if display is not None:
        pairs.append(("display", "valueString", display))
    params = [{"name": "valueSet", "resource": outer}, {"name": "tx-resource", "resource": CS},
              {"name": "tx-resource", "resource": inner}, {"name": "displayLanguage", "valueCode": lang}] + \
        [{"name": n, k: v} for n, k, v in pairs]
    r = client.post(f"/fhir/{op}", json={"resourceType": "Parameters", "parameter": params}, content_type=FJ)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_imported_value_set_display_is_in_the_imported_value_sets_language(client):
    # an English value set imported by a German one: its display is English, for $expand ...
    got = _imported(client, "en", "de", "en")["expansion"]["contains"][0]
    assert got["display"] == "Inner one"
    got = _imported(client, "en", "de", "de")["expansion"]["contains"][0]
    assert got["display"] == "Eins"
    assert {"language": "en", "value": "Inner one"} in got["designation"]
    # ... and for $validate-code: the value set's own display is valid whatever language is asked for (as in
    # FHIRsmith and the Pascal server, research-s14-languages 1b); the display returned is the German one
    body = _imported(client, "en", "de", "en", display="Inner one", op="ValueSet/$validate-code")
    assert _value(body, "result") is True, body
    body = _imported(client, "en", "de", "de", display="Inner one", op="ValueSet/$validate-code")
    assert _value(body, "result") is True, body
    assert _value(body, "display") == "Eins"
    # the value sets' languages the other way round: German text of a German value set, for German
    body = _imported(client, "de", "en", "de", display="Inner one", op="ValueSet/$validate-code")
    assert _value(body, "result") is True, body
    got = _imported(client, "de", "en", "de")["expansion"]["contains"][0]
    assert got["display"] == "Inner one"


# --- a display in exactly the first language wanted is answered without ranking the designations ----------------
class _Watched(list):
    """Designations that note being read."""
    read = False

    def __iter__(self):
        self.read = True
        return super().__iter__()


def test_a_display_in_exactly_the_first_language_is_answered_without_ranking_designations():
    from types import SimpleNamespace

    from terminology.languages import choose_display
    from terminology.operations.display_choice import EntryText, choose

    def concept():
        return SimpleNamespace(code="c1", display="One", designations=_Watched([{"language": "de", "value": "Eins"}]))
    cs = SimpleNamespace(language="en")
    c = concept()
    assert choose_display(c, cs, ["en", "de"]) == ("One", None) and not c.designations.read
    assert choose_display(c, cs, ["EN"]) == ("One", None) and not c.designations.read
    assert choose_display(c, cs, ["de"]) == ("Eins", c.designations[0]) and c.designations.read
    # the value set's display in exactly that language; the code system's when the value set's is in another
    for vs_language, lang, want in (("de", "de", "VS one"), ("de", "en", "One"), (None, "en", "VS one")):
        c = concept()
        vs_designations = _Watched([{"language": "en", "value": "VS alt"}])
        entry = EntryText.make("VS one", vs_language, vs_designations, None)
        assert choose(entry, c, cs, [lang]).display == want, (vs_language, lang)
        assert not c.designations.read and not vs_designations.read, (vs_language, lang)
    # a translation of the value set's display in that language competes: the ranking decides
    c = concept()
    tr = [{"url": TRANSLATION, "extension": [{"url": "lang", "valueCode": "en"},
                                             {"url": "content", "valueString": "VS en"}]}]
    assert choose(EntryText.make("VS eins", "de", [], tr), c, cs, ["en"]).display == "VS en"
