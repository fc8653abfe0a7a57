"""Display checks when no display exists in the language asked for (/work/notes/research-s14-languages.md, 1 and
1b; FHIRsmith validate.js checkDisplays and worker.listDisplaysFromIncludeConcept): a display in the code system's
own language is still acceptable (information), one valid only in another language is a wrong display; the display
a value set gives its concept is valid in any language. Resources: the HL7 tx ecosystem test files."""
from tests.support.tx_files import tx_file
from tests.support.tx_requests import issues, out, post

EN = "http://hl7.org/fhir/test/CodeSystem/en-multi"
EN_VS = "http://hl7.org/fhir/test/ValueSet/en-multi"
OWN_VS = "http://example.org/fhir/ValueSet/en-multi-own-display"


def own_display_vs() -> dict:
    return {"resourceType": "ValueSet", "url": OWN_VS, "version": "1", "status": "active",
            "compose": {"include": [{"system": EN, "concept": [{"code": "code1", "display": "VS Display 1"},
                                                                 {"code": "code3"}]}]}}


def validate(client, url, display, *extra):
    setup = [tx_file("language/codesystem-en-multi.json"), tx_file("language/valueset-en-multi.json"),
             own_display_vs()]
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", url), ("coding", {"system": EN, "code": "code1", "display": display}), *extra], setup)
    assert status == 200, b
    return out(b), issues(b)


def test_a_display_only_in_another_language_is_wrong_when_none_exists_in_the_one_asked(client):
    got, iss = validate(client, EN_VS, "Anzeige 1", ("displayLanguage", "es"))
    assert got["result"] is False
    assert [(i["severity"], i["details"]["coding"][0]["code"]) for i in iss] == [("error", "invalid-display")]
    text = iss[0]["details"]["text"]
    assert text == (f"Wrong Display Name 'Anzeige 1' for {EN}#code1. There are no valid display names found for "
                    f"language(s) 'es'. Default display is 'Display 1'")
    assert got["message"] == text


def test_lenient_display_validation_makes_it_a_warning(client):
    got, iss = validate(client, EN_VS, "Anzeige 1", ("displayLanguage", "es"),
                        ("lenient-display-validation", True))
    assert got["result"] is True
    assert [i["severity"] for i in iss] == ["warning"]


def test_the_default_language_display_stays_acceptable_with_information(client):
    got, iss = validate(client, EN_VS, "Display 1", ("displayLanguage", "es"))
    assert got["result"] is True
    assert [i["severity"] for i in iss] == ["information"]
    assert "valid display for the default language" in iss[0]["details"]["text"]


def test_the_value_sets_own_display_is_valid_in_any_language(client):
    for lang in ("de", "fr"):
        got, iss = validate(client, OWN_VS, "VS Display 1", ("displayLanguage", lang))
        assert got["result"] is True, (lang, iss)
        assert iss == [] and "message" not in got, lang
    got, _ = validate(client, OWN_VS, "VS Display 1", ("displayLanguage", "de"))
    assert got["display"] == "Anzeige 1"
