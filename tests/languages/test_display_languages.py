"""Display languages as the reference servers (tx.fhir.org: FHIRsmith, fhirserver; the Java validator) handle them
(/work/notes/research-s9-languages.md, ranked differences 1-6): the list of valid displays in a wrong-display
message, which designations it lists, refusing a displayLanguage that is no language tag, the fallback to a
sibling region (de-AT takes de-CH), the language list in messages and in the expansion echo, and a concept with
no display at all. Resources: the HL7 tx ecosystem test files (tests/conformance/tx-tests)."""
import pytest

from tests.support.tx_files import tx_file
from tests.support.tx_requests import eparams, issues, out, post, tx_codes

EN = "http://hl7.org/fhir/test/CodeSystem/en-multi"
EN_VS = "http://hl7.org/fhir/test/ValueSet/en-multi"
SIMPLE = "http://hl7.org/fhir/test/CodeSystem/simple"
SIMPLE_ALL = "http://hl7.org/fhir/test/ValueSet/simple-all"
DE_SINGLE = "http://hl7.org/fhir/test/CodeSystem/de-single"
DE_SINGLE_VS = "http://hl7.org/fhir/test/ValueSet/de-single"


def en_setup():
    return [tx_file("language/codesystem-en-multi.json"), tx_file("language/valueset-en-multi.json")]


def simple_setup():
    return [tx_file("simple/codesystem-simple.json"), tx_file("simple/valueset-all.json")]


def validate_en(client, code, display, *extra, headers=None):
    return post(client, "ValueSet/$validate-code",
                [("url", EN_VS), ("coding", {"system": EN, "code": code, "display": display}), *extra],
                en_setup(), headers)


def messages(b):
    return [i["details"]["text"] for i in issues(b)]


# --- 1. "one of N choices": commas, the last one " or " ----------------------------------------------------------
def test_three_choices_are_joined_with_commas_and_a_last_or(client):
    status, b = validate_en(client, "code2a", "XXX")
    assert status == 200, b
    want = (f"Wrong Display Name 'XXX' for {EN}#code2a. Valid display is one of 3 choices: 'Display 2a' (en), "
            "'Anzeige 2a' (de) or 'Mostrar 2a' (es) (for the language(s) '--')")
    assert out(b)["result"] is False
    assert out(b)["message"] == want and messages(b) == [want]


def test_two_choices_stay_joined_by_or(client):
    status, b = validate_en(client, "code2", "XXX")
    assert status == 200, b
    assert "Valid display is one of 3 choices: 'Display 2' (en), 'Anzeige 2' (de-CH) or 'Mostrar 2' (es)" in \
        out(b)["message"]
    status, b = validate_en(client, "code1", "XXX")
    assert "Valid display is one of 2 choices: 'Display 1' (en) or 'Anzeige 1' (de) (" in out(b)["message"]


# --- 2. only display designations are listed; the others stay valid ----------------------------------------------
def test_a_designation_of_another_use_is_not_listed_as_a_choice(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", SIMPLE_ALL), ("coding", {"system": SIMPLE, "code": "code1", "display": "XX"})],
                     simple_setup())
    assert status == 200, b
    assert messages(b) == [f"Wrong Display Name 'XX' for {SIMPLE}#code1. Valid display is 'Display 1' (en) "
                           "(for the language(s) '--')"]


def test_a_designation_of_another_use_is_still_a_valid_display(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", SIMPLE_ALL), ("coding", {"system": SIMPLE, "code": "code1",
                                                       "display": "mine own first code"})], simple_setup())
    assert status == 200 and out(b)["result"] is True and not issues(b), b


def test_preferred_for_language_and_no_use_designations_are_listed(client):
    cs = {"resourceType": "CodeSystem", "url": "http://ex.org/lang/uses", "status": "active", "content": "complete",
          "language": "en", "concept": [{"code": "a", "display": "Apple", "designation": [
              {"language": "fr", "value": "Pomme",
               "use": {"system": "http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra",
                       "code": "preferredForLanguage"}},
              {"language": "de", "value": "Apfel"},
              {"language": "nl", "value": "Appel", "use": {"system": "http://snomed.info/sct",
                                                           "code": "900000000000548007"}},
              {"language": "en", "value": "apple definition", "use": {"system": "http://snomed.info/sct",
                                                                      "code": "900000000000550004"}}]}]}
    status, b = post(client, "CodeSystem/$validate-code",
                     [("url", cs["url"]), ("code", "a"), ("display", "Peer")], [cs])
    assert status == 200, b
    assert "Valid display is one of 4 choices: 'Apple' (en), 'Pomme' (fr), 'Apfel' (de) or 'Appel' (nl) (" in \
        out(b)["message"]


# --- 3. a displayLanguage that is no language tag ----------------------------------------------------------------
BAD_TAGS = ["xx-!!", "xx", "de-CH-!", "en,zz;q=0.5", "12", "de_DE", "en,de_DE;q=0.5"]


def _assert_invalid_language(status, b, value):
    assert status == 400, b
    assert b["resourceType"] == "OperationOutcome"
    [i] = b["issue"]
    assert i["severity"] == "error" and i["code"] == "processing"
    assert tx_codes(i) == ["invalid-display"]
    assert i["details"]["text"] == f"Invalid displayLanguage: '{value}'"


@pytest.mark.parametrize("value", BAD_TAGS)
def test_expand_refuses_an_invalid_display_language(client, value):
    status, b = post(client, "ValueSet/$expand", [("url", EN_VS), ("displayLanguage", value)], en_setup())
    _assert_invalid_language(status, b, value)


def test_validate_code_refuses_an_invalid_display_language(client):
    status, b = validate_en(client, "code1", "Display 1", ("displayLanguage", "xx-!!"))
    _assert_invalid_language(status, b, "xx-!!")
    status, b = post(client, "CodeSystem/$validate-code",
                     [("url", EN), ("code", "code1"), ("displayLanguage", "xx-!!")], en_setup())
    _assert_invalid_language(status, b, "xx-!!")


def test_lookup_refuses_an_invalid_display_language(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", EN), ("code", "code1"), ("displayLanguage", "xx-!!")],
                     en_setup())
    _assert_invalid_language(status, b, "xx-!!")
    r = client.get("/fhir/CodeSystem/$lookup", query_string={"system": "urn:ietf:bcp:47", "code": "de",
                                                             "displayLanguage": "qq-!!"})
    _assert_invalid_language(r.status_code, r.get_json(), "qq-!!")


@pytest.mark.parametrize("value", ["de", "de-CH", "DE-ch", "en-AU", "zh-Hans", "*", "de;q=0.5,es;q=0.9",
                                   "de,*; q=0", "en, en-AU; q=0.4", "de-AT"])
def test_valid_display_languages_pass(client, value):
    status, b = post(client, "ValueSet/$expand", [("url", EN_VS), ("displayLanguage", value)], en_setup())
    assert status == 200, b
    status, b = validate_en(client, "code1", "Display 1", ("displayLanguage", value))
    assert status == 200, b
    status, b = post(client, "CodeSystem/$lookup", [("system", EN), ("code", "code1"), ("displayLanguage", value)],
                     en_setup())
    assert status == 200, b


def test_a_bad_accept_language_header_is_not_refused(client):
    status, b = post(client, "ValueSet/$expand", [("url", EN_VS)], en_setup(), {"Accept-Language": "xx-!!"})
    assert status == 200, b
    status, b = validate_en(client, "code1", "Display 1", headers={"Accept-Language": "xx-!!"})
    assert status == 200, b
    status, b = post(client, "CodeSystem/$lookup", [("system", EN), ("code", "code1")], en_setup(),
                     {"Accept-Language": "xx-!!"})
    assert status == 200, b


# --- 4. a sibling region: de-AT takes de-CH ----------------------------------------------------------------------
def _displays(client, *params):
    status, b = post(client, "ValueSet/$expand", [("url", EN_VS), *params], en_setup())
    assert status == 200, b
    found = {}

    def walk(items):
        for it in items or ():
            found[it["code"]] = it.get("display")
            walk(it.get("contains"))
    walk(b["expansion"].get("contains"))
    return found


def test_expand_takes_a_sibling_region_designation(client):
    got = _displays(client, ("displayLanguage", "de-AT"))
    assert got["code2"] == "Anzeige 2"          # the only German text is de-CH
    assert got["code1"] == "Anzeige 1"          # plain de
    assert got["code2aI"] == "Display 2aI"      # no German at all: the own display


def test_a_closer_language_beats_a_sibling_region(client):
    cs = {"resourceType": "CodeSystem", "url": "http://ex.org/lang/sib", "status": "active", "content": "complete",
          "language": "en", "concept": [{"code": "a", "display": "Apple", "designation": [
              {"language": "de-CH", "value": "Öpfel"}, {"language": "de", "value": "Apfel"}]},
              {"code": "b", "display": "Banana", "designation": [
                  {"language": "de-CH", "value": "Banane CH"}, {"language": "de-AT", "value": "Banane AT"}]}]}
    vs = {"resourceType": "ValueSet", "url": "http://ex.org/lang/sib-vs", "status": "active",
          "compose": {"include": [{"system": cs["url"]}]}}
    status, b = post(client, "ValueSet/$expand", [("url", vs["url"]), ("displayLanguage", "de-AT")], [cs, vs])
    assert status == 200, b
    got = {c["code"]: c["display"] for c in b["expansion"]["contains"]}
    assert got == {"a": "Apfel", "b": "Banane AT"}


def test_lookup_takes_a_sibling_region_designation(client):
    status, b = post(client, "CodeSystem/$lookup", [("system", EN), ("code", "code2"), ("displayLanguage", "de-AT")],
                     en_setup())
    assert status == 200 and out(b)["display"] == "Anzeige 2", b


def test_validate_code_accepts_and_returns_a_sibling_region_display(client):
    status, b = validate_en(client, "code2", "Anzeige 2", ("displayLanguage", "de-AT"))
    assert status == 200, b
    got = out(b)
    assert got["result"] is True and got["display"] == "Anzeige 2", b
    assert "message" not in got and not issues(b)


# --- 5. the language list in messages and in the expansion echo --------------------------------------------------
def test_echo_sorts_by_q_and_writes_q_after_a_semicolon(client):
    status, b = post(client, "ValueSet/$expand", [("url", EN_VS), ("displayLanguage", "de;q=0.5,es;q=0.9")],
                     en_setup())
    assert status == 200, b
    assert eparams(b["expansion"], "displayLanguage") == ["es; q=0.9, de; q=0.5"]


@pytest.mark.parametrize("value,echo", [("de,*; q=0", "de, *; q=0"), ("en, *; q=0", "en, *; q=0"),
                                        ("de,*", "de,*"), ("en,it,*", "en,it,*"), ("de;q=0.50,*", "*, de; q=0.5"),
                                        ("*;q=0.1, fr;q=1", "fr, *; q=0.1")])
def test_echo_keeps_wildcards_and_unweighted_lists_as_given(client, value, echo):
    status, b = post(client, "ValueSet/$expand", [("url", EN_VS), ("displayLanguage", value)], en_setup())
    assert status == 200, b
    assert eparams(b["expansion"], "displayLanguage") == [echo]


@pytest.mark.parametrize("value,summary", [("de,*", "de"), ("de;q=0.5,en", "en, de; q=0.5"),
                                           ("de,*; q=0", "de"), ("en, en-AU", "en, en-AU"),
                                           ("en, en-AU; q=0.4", "en, en-AU; q=0.4")])
def test_messages_name_the_languages_sorted_without_wildcards(client, value, summary):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", SIMPLE_ALL), ("coding", {"system": SIMPLE, "code": "code1", "display": "XX"}),
                      ("displayLanguage", value)], simple_setup())
    assert status == 200, b
    assert f"language(s) '{summary}'" in out(b)["message"], out(b)["message"]


def test_messages_name_header_languages_the_same_way(client):
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", SIMPLE_ALL), ("coding", {"system": SIMPLE, "code": "code1", "display": "XX"})],
                     simple_setup(), {"Accept-Language": "de;q=0.5,en"})
    assert status == 200, b
    assert out(b)["message"].endswith("(for the language(s) 'en, de; q=0.5')"), out(b)["message"]


# --- 6. a concept with no display and no designations ------------------------------------------------------------
def test_a_display_for_a_concept_without_any_is_not_checked(client):
    setup = [tx_file("language/codesystem-de-single.json"), tx_file("language/valueset-de-single.json")]
    status, b = post(client, "ValueSet/$validate-code",
                     [("url", DE_SINGLE_VS), ("coding", {"system": DE_SINGLE, "code": "code2aI", "display": "Foo"})],
                     setup)
    assert status == 200, b
    got = out(b)
    assert got["result"] is True and "message" not in got and not issues(b), b
    status, b = post(client, "CodeSystem/$validate-code",
                     [("url", DE_SINGLE), ("code", "code2aI"), ("display", "Foo")], setup)
    assert status == 200 and out(b)["result"] is True and not issues(b), b
