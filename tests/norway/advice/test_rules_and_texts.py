"""What a successful $validate-code of a Norwegian code tells the coder (review s15 F10): each coding rule the
importer wrote on the concept (the `rule` property $lookup shows: star code, additional code, sex, non-specific,
not valid as main condition, NCRP's ZXM requirement of seed 001) is one `information` issue. And a display that was
the code's text in an older loaded edition (F11): the wrong-display answer stands, an `information` issue says
whose text it was and what it is now."""
from terminology.norway.rules import ADDITIONAL_RULE, NONSPECIFIC_RULE, SEX_RULE, STAR_RULE, ZXM_RULE

from .conftest import ICD10NO, answer, infos, issues, params

NCRP = "urn:oid:2.16.578.1.12.4.1.1.7270"
NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"
MAIN = "https://kodebro.no/fhir/ValueSet/icd-10-no-main-condition"
REPORTABLE = "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable"


def test_zxm_rule_of_an_ncrp_code(demo):
    b = answer(demo, "CodeSystem", url=NCRP, code="AXW96X", date="2017-06-01")
    p = params(b)
    assert p["result"] is True and "message" not in p
    assert infos(b) == [ZXM_RULE]
    assert [c for sev, c, _t in issues(b) if sev == "information"] == ["code-rule"]


def test_star_sex_and_nonspecific_rules(fat):
    assert STAR_RULE in infos(answer(fat, "CodeSystem", url=ICD10NO, code="G01"))
    assert SEX_RULE.format(value="K") in infos(answer(fat, "CodeSystem", url=ICD10NO, code="N70.0"))
    b = answer(fat, "ValueSet", url=REPORTABLE, system=ICD10NO, code="A00.9")
    assert params(b)["result"] is True and NONSPECIFIC_RULE in infos(b)


def test_one_issue_per_rule(fat):
    for code in ("G01", "N70.0", "A00.9"):
        got = infos(answer(fat, "CodeSystem", url=ICD10NO, code=code))
        rules = [t for t in got if t in (STAR_RULE, ADDITIONAL_RULE, NONSPECIFIC_RULE) or t.startswith("Koden brukes")]
        assert len(rules) == len(set(rules)) >= 1


def test_main_condition_rule_on_the_code_system(demo):
    b = answer(demo, "CodeSystem", url=ICD10NO, code="U07.1")
    assert params(b)["result"] is True
    assert any("ikke gyldig hovedtilstand" in t for t in infos(b))


def test_refused_code_gets_no_rule_issue(demo):
    # the main-condition refusal says the reason in its own text already
    b = answer(demo, "ValueSet", url=MAIN, system=ICD10NO, code="U07.1")
    assert params(b)["result"] is False
    assert not any("ikke gyldig hovedtilstand" in t for t in infos(b))


def test_code_without_rules_gets_none(demo):
    b = answer(demo, "CodeSystem", url=NCRP, code="SAA0AP", date="2017-06-01")
    assert params(b)["result"] is True and infos(b) == []


WRONG = ("Wrong Display Name 'Tverrfaglig utredning' for urn:oid:2.16.578.1.12.4.1.1.7220#WMAA10. Valid display is "
         "'Tverrfaglig utredning av ukjent tilstand' (nb) (for the language(s) '--')")
OLD_TEXT = ("'Tverrfaglig utredning' was the text of WMAA10 in NCMP 2020; from 2021 it is "
            "'Tverrfaglig utredning av ukjent tilstand'")


def test_last_years_text_is_said_to_be_last_years(demo):
    b = answer(demo, "CodeSystem", url=NCMP, code="WMAA10", display="Tverrfaglig utredning", date="2021-06-01")
    p = params(b)
    assert p["result"] is False and p["message"] == WRONG
    assert [i for i in issues(b) if i[0] != "information"] == [("error", "invalid-display", WRONG)]
    assert infos(b) == [OLD_TEXT]


def test_last_years_text_with_lenient_display(demo):
    b = answer(demo, "CodeSystem", url=NCMP, code="WMAA10", display="Tverrfaglig utredning", date="2021-06-01",
               **{"lenient-display-validation": "true"})
    assert params(b)["result"] is True
    assert ("warning", "invalid-display", WRONG) in issues(b) and OLD_TEXT in infos(b)


def test_a_text_no_edition_had_gets_no_history(demo):
    b = answer(demo, "CodeSystem", url=NCMP, code="WMAA10", display="Fysioterapi", date="2021-06-01")
    assert params(b)["result"] is False and infos(b) == []


def test_old_icd10_text_names_the_dotted_code(editions):
    b = answer(editions, "CodeSystem", url=ICD10NO, code="J128", display="Annen viruspneumoni")
    assert params(b)["result"] is False
    assert infos(b) == ["'Annen viruspneumoni' was the text of J12.8 in ICD-10-NO 2025; from 2026 it is "
                        "'Annen spesifisert viruspneumoni'"]
