"""The translation extension on a display (`_display`) is that display in another language, for every operation.

http://hl7.org/fhir/StructureDefinition/translation ("language translation from base language of resource to
another language", sub-extensions `lang` and `content`) on CodeSystem.concept._display, on a value set's include
concept `_display` and on a supplement concept's `_display`:

- $lookup lists it as a designation in its language and answers it as the display for that language;
- $validate-code accepts it as a display (in that language); CodeSystem/$validate-code and ValueSet/$validate-code
  return the code system's translation when displayLanguage asks for it (a value set's translation of its own
  display is accepted, not returned: the code system's display is returned);
- $expand shows it for displayLanguage and lists it as a designation with includeDesignations.

Each code system is tried as stored content (written through the REST API, so FHIR validation and the store
must keep `_display`) and as a tx-resource.
"""
import pytest

FJ = "application/fhir+json"
CS_URL = "http://example.org/fhir/CodeSystem/translated"
SUP_URL = "http://example.org/fhir/CodeSystem/translated-sup"
VS_URL = "http://example.org/fhir/ValueSet/translated"
VS_OWN_URL = "http://example.org/fhir/ValueSet/translated-own"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"


def _tr(lang: str, text: str) -> dict:
    return {"url": TRANSLATION, "extension": [{"url": "lang", "valueCode": lang},
                                              {"url": "content", "valueString": text}]}


CS = {"resourceType": "CodeSystem", "id": "translated", "url": CS_URL, "version": "1", "language": "en",
      "status": "active", "content": "complete",
      "concept": [{"code": "heart", "display": "Heart", "_display": {"extension": [_tr("nb", "Hjerte"),
                                                                                   _tr("de", "Herz")]}},
                  {"code": "lung", "display": "Lung",
                   # a designation that says the same as the translation: listed once
                   "_display": {"extension": [_tr("nb", "Lunge")]},
                   "designation": [{"language": "nb", "value": "Lunge"}]},
                  {"code": "liver", "display": "Liver"}]}
SUP = {"resourceType": "CodeSystem", "id": "translated-sup", "url": SUP_URL, "version": "1", "status": "active",
       "content": "supplement", "supplements": CS_URL,
       "concept": [{"code": "liver", "_display": {"extension": [_tr("sv", "Lever (sv)")]}}]}
VS = {"resourceType": "ValueSet", "id": "translated", "url": VS_URL, "status": "active",
      "compose": {"include": [{"system": CS_URL}]}}
# the value set's own display of heart, translated into Norwegian by the value set
VS_OWN = {"resourceType": "ValueSet", "id": "translated-own", "url": VS_OWN_URL, "status": "active",
          "compose": {"include": [{"system": CS_URL, "concept": [
              {"code": "heart", "display": "Cardiac organ", "_display": {"extension": [_tr("nb", "Hjarteorgan")]}},
              {"code": "lung"}]}]}}


@pytest.fixture(params=["stored", "supplied"])
def call(request, client):
    """POST an operation with Parameters `pairs` ((name, value key, value)); the resources either stored first
    through the REST API or sent as tx-resources."""
    stored = request.param == "stored"
    if stored:
        for res in (CS, SUP, VS, VS_OWN):
            r = client.put(f"/fhir/{res['resourceType']}/{res['id']}", json=res, content_type=FJ)
            assert r.status_code in (200, 201), r.get_json()

    def run(op: str, *pairs, status: int = 200) -> dict:
        params = [{"name": n, k: v} for n, k, v in pairs]
        if not stored:
            params += [{"name": "tx-resource", "resource": res} for res in (CS, SUP, VS, VS_OWN)]
        r = client.post(f"/fhir/{op}", json={"resourceType": "Parameters", "parameter": params}, content_type=FJ)
        assert r.status_code == status, r.get_json()
        return r.get_json()
    return run


def _value(body: dict, name: str):
    for p in body.get("parameter", []):
        if p["name"] == name:
            return next(v for k, v in p.items() if k.startswith("value"))
    return None


def _designations(body: dict) -> list[dict]:
    out = []
    for p in body.get("parameter", []):
        if p["name"] == "designation":
            parts = {q["name"]: q for q in p["part"]}
            out.append({"language": (parts.get("language") or {}).get("valueCode"),
                        "value": parts["value"]["valueString"]})
    return out


def _contains(body: dict) -> dict:
    return {c["code"]: c for c in body["expansion"]["contains"]}


# --- $lookup -----------------------------------------------------------------------------------------------------
def test_lookup_lists_translations_as_designations(call):
    body = call("CodeSystem/$lookup", ("system", "valueUri", CS_URL), ("code", "valueCode", "heart"),
                ("property", "valueCode", "designation"))
    des = _designations(body)
    assert {"language": "nb", "value": "Hjerte"} in des and {"language": "de", "value": "Herz"} in des
    body = call("CodeSystem/$lookup", ("system", "valueUri", CS_URL), ("code", "valueCode", "lung"),
                ("property", "valueCode", "designation"))
    assert [d for d in _designations(body) if d["language"] == "nb"] == [{"language": "nb", "value": "Lunge"}]


def test_lookup_answers_the_translation_for_its_language(call):
    for lang, want in (("nb", "Hjerte"), ("de-CH", "Herz"), ("en", "Heart"), ("fr", "Heart")):
        body = call("CodeSystem/$lookup", ("system", "valueUri", CS_URL), ("code", "valueCode", "heart"),
                    ("displayLanguage", "valueCode", lang))
        assert _value(body, "display") == want, lang


def test_lookup_with_a_supplement_translation(call):
    body = call("CodeSystem/$lookup", ("system", "valueUri", CS_URL), ("code", "valueCode", "liver"),
                ("useSupplement", "valueCanonical", SUP_URL), ("displayLanguage", "valueCode", "sv"))
    assert _value(body, "display") == "Lever (sv)"
    assert {"language": "sv", "value": "Lever (sv)"} in _designations(body)


# --- $validate-code ----------------------------------------------------------------------------------------------
def test_codesystem_validate_code_accepts_and_returns_the_translation(call):
    body = call("CodeSystem/$validate-code", ("url", "valueUri", CS_URL), ("code", "valueCode", "heart"),
                ("display", "valueString", "Hjerte"), ("displayLanguage", "valueCode", "nb"))
    assert _value(body, "result") is True, body
    assert _value(body, "display") == "Hjerte"
    # with no language asked any display of the concept is valid; the one returned is the code system's own
    body = call("CodeSystem/$validate-code", ("url", "valueUri", CS_URL), ("code", "valueCode", "heart"),
                ("display", "valueString", "Herz"))
    assert _value(body, "result") is True and _value(body, "display") == "Heart", body


def test_validate_code_names_the_translation_among_the_valid_displays(call):
    body = call("CodeSystem/$validate-code", ("url", "valueUri", CS_URL), ("code", "valueCode", "heart"),
                ("display", "valueString", "Hjertet"), ("displayLanguage", "valueCode", "nb"))
    assert _value(body, "result") is False
    assert "Hjerte" in _value(body, "message")


def test_valueset_validate_code_returns_the_translation(call):
    body = call("ValueSet/$validate-code", ("url", "valueUri", VS_URL), ("system", "valueUri", CS_URL),
                ("code", "valueCode", "heart"), ("displayLanguage", "valueCode", "de"))
    assert _value(body, "result") is True and _value(body, "display") == "Herz", body


def test_valueset_validate_code_with_a_supplement_translation(call):
    body = call("ValueSet/$validate-code", ("url", "valueUri", VS_URL), ("system", "valueUri", CS_URL),
                ("code", "valueCode", "liver"), ("display", "valueString", "Lever (sv)"),
                ("displayLanguage", "valueCode", "sv"), ("useSupplement", "valueCanonical", SUP_URL))
    assert _value(body, "result") is True and _value(body, "display") == "Lever (sv)", body


# --- $expand -----------------------------------------------------------------------------------------------------
def test_expand_shows_the_translation_for_the_display_language(call):
    got = _contains(call("ValueSet/$expand", ("url", "valueUri", VS_URL), ("displayLanguage", "valueCode", "nb")))
    assert (got["heart"]["display"], got["lung"]["display"], got["liver"]["display"]) == ("Hjerte", "Lunge", "Liver")
    # a display that is not the code system's own carries none of its extensions
    assert "_display" not in got["heart"]


def test_expand_lists_translations_as_designations(call):
    got = _contains(call("ValueSet/$expand", ("url", "valueUri", VS_URL), ("includeDesignations", "valueBoolean", True)))
    assert got["heart"]["display"] == "Heart"
    assert {"language": "nb", "value": "Hjerte"} in got["heart"]["designation"]
    assert {"language": "de", "value": "Herz"} in got["heart"]["designation"]
    assert [d for d in got["lung"]["designation"] if d.get("language") == "nb"] == [{"language": "nb", "value": "Lunge"}]


def test_expand_with_a_supplement_translation(call):
    got = _contains(call("ValueSet/$expand", ("url", "valueUri", VS_URL), ("displayLanguage", "valueCode", "sv"),
                         ("useSupplement", "valueCanonical", SUP_URL)))
    assert got["liver"]["display"] == "Lever (sv)"


# --- a value set's own display, translated -----------------------------------------------------------------------
def test_value_set_display_translation_is_its_display_in_that_language(call):
    nb = ("displayLanguage", "valueCode", "nb")
    got = _contains(call("ValueSet/$expand", ("url", "valueUri", VS_OWN_URL), nb))
    # the value set's translation of its own display comes before the code system's translation
    assert got["heart"]["display"] == "Hjarteorgan"
    # $validate-code accepts it as a display of the code in that value set, and returns the code system's display
    # for the language (as $lookup does)
    body = call("ValueSet/$validate-code", ("url", "valueUri", VS_OWN_URL), ("system", "valueUri", CS_URL),
                ("code", "valueCode", "heart"), ("display", "valueString", "Hjarteorgan"), nb)
    assert _value(body, "result") is True and _value(body, "display") == "Hjerte", body
    # no language asked: the value set's display, its translation among the designations
    got = _contains(call("ValueSet/$expand", ("url", "valueUri", VS_OWN_URL),
                         ("includeDesignations", "valueBoolean", True)))
    assert got["heart"]["display"] == "Cardiac organ"
    assert {"language": "nb", "value": "Hjarteorgan"} in got["heart"]["designation"]


def test_stored_code_system_keeps_display_extensions(client):
    r = client.put("/fhir/CodeSystem/translated", json=CS, content_type=FJ)
    assert r.status_code in (200, 201), r.get_json()
    read = client.get("/fhir/CodeSystem/translated").get_json()
    heart = next(c for c in read["concept"] if c["code"] == "heart")
    assert heart["_display"] == CS["concept"][0]["_display"]
    # the read gives the resource as written: translations are not turned into designations there
    assert "designation" not in heart


# --- the content of a translation may be markdown (R4: valueString or valueMarkdown) ------------------------------
def test_markdown_translation_content_is_read_too(client):
    md = {"url": TRANSLATION, "extension": [{"url": "lang", "valueCode": "nb"},
                                            {"url": "content", "valueMarkdown": "Hjerte (md)"}]}
    cs = {**CS, "url": CS_URL + "-md", "id": "translated-md",
          "concept": [{"code": "heart", "display": "Heart", "_display": {"extension": [md]}}]}
    params = [{"name": "tx-resource", "resource": cs}, {"name": "system", "valueUri": cs["url"]},
              {"name": "code", "valueCode": "heart"}, {"name": "displayLanguage", "valueCode": "nb"}]
    r = client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Parameters", "parameter": params},
                    content_type=FJ)
    assert r.status_code == 200 and _value(r.get_json(), "display") == "Hjerte (md)", r.get_json()
    r = client.post("/fhir/CodeSystem/$validate-code", content_type=FJ, json={
        "resourceType": "Parameters", "parameter": params + [{"name": "display", "valueString": "Hjerte (md)"}]})
    assert _value(r.get_json(), "result") is True and _value(r.get_json(), "display") == "Hjerte (md)", r.get_json()


def test_translation_helpers_agree_on_repeats():
    # one rule for "the same translation": the same text in the same language, whatever its case
    from terminology.languages import translations, with_translations
    exts = [_tr("NB", "Lunge"), _tr("nb", "Lunge"), _tr("nb", "Lunga")]
    assert translations(exts) == [{"language": "NB", "value": "Lunge"}, {"language": "nb", "value": "Lunga"}]
    assert with_translations([{"language": "nb", "value": "Lunge"}], exts) == [
        {"language": "nb", "value": "Lunga"}, {"language": "nb", "value": "Lunge"}]
