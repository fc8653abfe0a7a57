"""SNOMED CT -> ICD-10 / ICPC-2 map rows: rule evaluation and the implicit ConceptMaps."""
from __future__ import annotations

import os

import pytest

from mappings.snomed_rules import context_from, evaluate_rows, parse_rule
from mappings.translate import TranslateRequest, translate
from terminology.errors import InvalidRequest
from .conftest import SAMPLES, SNOMED

HEADER = ("id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tmapGroup\tmapPriority\tmapRule"
          "\tmapAdvice\tmapTarget\tcorrelationId\tmapCategoryId")
AGE = "IFA 445518008 | Age at onset of clinical finding (observable entity) |"
FEMALE, MALE = "IFA 248152002 | Female (finding) |", "IFA 248153007 | Male (finding) |"
SEX = "http://snomed.info/id/263495000"
AGE_ATTR = "http://snomed.info/id/445518008"
FINDING = "http://snomed.info/id/404684003"
ICD10 = SNOMED + "?fhir_cm=447562003"


def rows_from_rf2(text: str) -> list[tuple]:
    """Rows of an extended map file (RF2 layout) as (group, priority, rule, advice, target, corr, cat)."""
    lines = [l for l in text.strip("\n").split("\n")]
    assert lines[0] == HEADER
    out = []
    for line in lines[1:]:
        f = line.split("\t")
        out.append((int(f[6]), int(f[7]), f[8], f[9], f[10], f[11], f[12]))
    return sorted(out, key=lambda r: (r[0], r[1]))


def row(g, p, rule, target, cat="447639009", advice=""):
    return "\t".join(["x", "20250101", "1", "449080006", "447562003", "1234567", str(g), str(p), rule, advice,
                      target, "447561005", cat])


def targets(outcomes):
    return [(o.row[0], o.row[4], o.status) for o in outcomes]


def sex(code):
    return (SEX, {"system": SNOMED, "code": code})


def age(value, unit):
    return (AGE_ATTR, {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit})


SEX_ROWS = rows_from_rf2("\n".join([HEADER, row(1, 1, FEMALE, "N97.9"), row(1, 2, MALE, "N46"),
                                    row(1, 3, "OTHERWISE TRUE", "", "447638001")]))


def test_true_row_applies_without_context():
    rows = rows_from_rf2("\n".join([HEADER, row(1, 1, "TRUE", "J12.9", "447637006")]))
    assert targets(evaluate_rows(rows, None)) == [(1, "J12.9", "matched")]


def test_sex_rules():
    assert targets(evaluate_rows(SEX_ROWS, context_from([sex("248152002")]))) == [(1, "N97.9", "matched")]
    assert targets(evaluate_rows(SEX_ROWS, context_from([sex("248153007")]))) == [(1, "N46", "matched")]
    # without context: every candidate, marked
    assert targets(evaluate_rows(SEX_ROWS, None)) == [(1, "N97.9", "needs-context"), (1, "N46", "needs-context"),
                                                      (1, "", "needs-context")]


def test_otherwise_true_gives_the_empty_target_when_no_rule_holds():
    ctx = context_from([(SEX, {"code": "248153007"}), age(30, "a")])
    rows = rows_from_rf2("\n".join([HEADER, row(1, 1, FEMALE, "N97.9"), row(1, 2, "OTHERWISE TRUE", "")]))
    assert targets(evaluate_rows(rows, ctx)) == [(1, "", "matched")]


def test_age_rules_in_years_and_and():
    path = os.path.join(SAMPLES, "snomed-to-icd-10-mapper", "der2_iisssccRefset_ExtendedMapSnapshot_INT_20210731.txt")
    with open(path, encoding="utf-8") as fh:
        rows = rows_from_rf2(fh.read())        # real rows: >=12 AND <19 -> Z00.3, <19 -> Z00.2, otherwise none
    assert targets(evaluate_rows(rows, context_from([age(15, "a")]))) == [(1, "Z00.3", "matched")]
    assert targets(evaluate_rows(rows, context_from([age(10, "a")]))) == [(1, "Z00.2", "matched")]
    assert targets(evaluate_rows(rows, context_from([age(19, "a")]))) == [(1, "", "matched")]
    assert targets(evaluate_rows(rows, context_from([age(12, "a")]))) == [(1, "Z00.3", "matched")]
    # age in days against a rule in years
    assert targets(evaluate_rows(rows, context_from([age(400, "d")]))) == [(1, "Z00.2", "matched")]


def test_age_rules_in_days():
    rows = rows_from_rf2("\n".join([HEADER, row(1, 1, f"{AGE} < 28.0 days", "P59.9"),
                                    row(1, 2, "OTHERWISE TRUE", "R17")]))
    assert targets(evaluate_rows(rows, context_from([age(10, "d")]))) == [(1, "P59.9", "matched")]
    assert targets(evaluate_rows(rows, context_from([age(28, "d")]))) == [(1, "R17", "matched")]
    assert targets(evaluate_rows(rows, context_from([age(2, "a")]))) == [(1, "R17", "matched")]
    assert targets(evaluate_rows(rows, context_from([age(0, "a")]))) == [(1, "P59.9", "matched")]


def test_and_of_sex_and_age_with_partial_context():
    rows = rows_from_rf2("\n".join([HEADER, row(1, 1, "TRUE", "J15.9"),
                                    row(2, 1, f"{FEMALE} AND {AGE} < 1.0 years", "P23.6"),
                                    row(2, 2, "OTHERWISE TRUE", "", "447638001")]))
    both = context_from([sex("248152002"), age(3, "d")])
    assert targets(evaluate_rows(rows, both)) == [(1, "J15.9", "matched"), (2, "P23.6", "matched")]
    male = context_from([sex("248153007")])    # the AND is false whatever the age
    assert targets(evaluate_rows(rows, male)) == [(1, "J15.9", "matched"), (2, "", "matched")]
    female = context_from([sex("248152002")])  # the age is missing: group 2 needs context
    assert targets(evaluate_rows(rows, female)) == [(1, "J15.9", "matched"), (2, "P23.6", "needs-context"),
                                                    (2, "", "needs-context")]


def test_multiple_groups_in_order_one_target_each():
    rows = rows_from_rf2("\n".join([HEADER, row(2, 1, "TRUE", "G01"), row(1, 2, "OTHERWISE TRUE", "A17.9"),
                                    row(1, 1, "TRUE", "A17.0")]))
    assert targets(evaluate_rows(rows, None)) == [(1, "A17.0", "matched"), (2, "G01", "matched")]


def test_other_finding_rule():
    rows = rows_from_rf2("\n".join([HEADER, row(1, 1, "IFA 77386006 | Pregnancy (finding) |", "O10.0"),
                                    row(1, 2, "OTHERWISE TRUE", "I10")]))
    preg = context_from([(FINDING, {"system": SNOMED, "code": "77386006"})])
    assert targets(evaluate_rows(rows, preg)) == [(1, "O10.0", "matched")]
    assert targets(evaluate_rows(rows, context_from([sex("248152002")]))) == [(1, "I10", "matched")]
    assert [t[2] for t in targets(evaluate_rows(rows, None))] == ["needs-context", "needs-context"]


def test_rule_parsing():
    r = parse_rule(f"{AGE} >= 12.0 years AND {AGE} < 19.0 years")
    assert [(c.kind, c.op, c.value, c.unit) for c in r.clauses] == [("age", ">=", 12.0, "years"),
                                                                     ("age", "<", 19.0, "years")]
    assert parse_rule("OTHERWISE TRUE").otherwise
    assert parse_rule(FEMALE).clauses[0].concept == "248152002"


@pytest.mark.parametrize("deps", [
    [(SEX, {"code": "unknown"})],
    [(AGE_ATTR, {"value": 3, "code": "parsec"})],
    [(AGE_ATTR, "many years")],
    [("http://snomed.info/id/12345", {"code": "1"})],
])
def test_bad_dependencies_are_client_errors(deps):
    with pytest.raises(InvalidRequest):
        context_from(deps)


def test_dependency_forms():
    # R4: element + CodeableConcept; R5: attribute + valueCoding / valueQuantity / valueCode
    ctx = context_from([(SEX, {"coding": [{"system": SNOMED, "code": "248152002"}]}),
                        (AGE_ATTR, {"value": 15, "code": "a"}),
                        (FINDING, {"system": SNOMED, "code": "77386006"})])
    assert ctx.sex == "248152002" and round(ctx.age_days) == round(15 * 365.25) and ctx.findings == {"77386006"}
    assert context_from([("263495000", "female")]).sex == "248152002"
    assert context_from([(AGE_ATTR, "20 d")]).age_days == 20


# --- through the translate providers, on the hand-made Norwegian edition -------------------------
def tr(catalog, code, deps=(), **kw):
    return translate(catalog, TranslateRequest(code=code, system=SNOMED, conceptmap_url=kw.pop("url", ICD10),
                                               dependencies=list(deps), **kw))


def evaluation(m):
    return next(e["valueCode"] for e in m.extensions[0]["extension"] if e["url"] == "evaluation")


def test_translate_norwegian_rows_replace_international(no_catalog):
    res = tr(no_catalog, "29857009")
    assert [(m.system, m.code) for m in res.matches] == [("http://hl7.org/fhir/sid/icd-10-no", "R074")]
    ext = {e["url"]: e for e in res.matches[0].extensions[0]["extension"]}
    assert ext["mapAdvice"]["valueString"] == "ALWAYS R07.4 | NORSK RAD"
    assert ext["mapGroup"]["valueInteger"] == 1 and ext["mapPriority"]["valueInteger"] == 1
    assert ext["mapCategory"]["valueCoding"]["code"] == "447637006"


def test_translate_without_context_lists_candidates(no_catalog):
    res = tr(no_catalog, "8619003")
    assert [(m.code, evaluation(m)) for m in res.matches] == [("N979", "needs-context"), ("N46", "needs-context"),
                                                               (None, "needs-context")]
    assert res.matches[2].equivalence == "unmatched"
    assert "need patient context" in res.message
    assert res.matches[0].depends_on == [{"property": SEX, "system": SNOMED, "value": "248152002",
                                          "display": "Female"}]


def test_translate_with_context_names_the_rule(no_catalog):
    res = tr(no_catalog, "8619003", [sex("248153007")])
    assert [(m.code, evaluation(m)) for m in res.matches] == [("N46", "matched")]
    assert res.matches[0].comment.startswith("rule matched: IFA 248153007")
    res = tr(no_catalog, "195967001", [age(8, "a")])
    assert [m.code for m in res.matches] == ["J451"]
    res = tr(no_catalog, "18165001", [age(3, "d")])
    assert [m.code for m in res.matches] == ["P599"]
    res = tr(no_catalog, "38341003", [(FINDING, {"system": SNOMED, "code": "77386006"})])
    assert [m.code for m in res.matches] == ["O100"]


def test_translate_two_groups_dagger_asterisk(no_catalog):
    res = tr(no_catalog, "58437007")
    assert [m.code for m in res.matches] == ["A170", "G01"]
    groups = [next(e["valueInteger"] for e in m.extensions[0]["extension"] if e["url"] == "mapGroup")
              for m in res.matches]
    assert groups == [1, 2]


def test_translate_icpc2_simple_map_and_target_system(no_catalog):
    res = tr(no_catalog, "233604007", url=SNOMED + "?fhir_cm=68101000202102")
    assert [(m.system, m.code, m.equivalence) for m in res.matches] == [("http://hl7.org/fhir/sid/icpc-2", "R81",
                                                                         "wider")]
    res = translate(no_catalog, TranslateRequest(code="233604007", system=SNOMED,
                                                 target_system="http://hl7.org/fhir/sid/icpc-2"))
    assert [m.code for m in res.matches] == ["R81"]


def test_reverse_is_flagged_not_medically_safe(no_catalog):
    res = translate(no_catalog, TranslateRequest(code="J12.9", system="http://hl7.org/fhir/sid/icd-10-no",
                                                 conceptmap_url=ICD10, reverse=True))
    assert [m.code for m in res.matches] == ["75570004"]
    assert "NOT medically safe" in res.message
    assert "NOT MEDICALLY SAFE" in res.matches[0].comment


def test_unmapped_and_unknown_concepts(no_catalog):
    res = tr(no_catalog, "404684003")
    assert not res.result and res.matches == []
    res = tr(no_catalog, "999999999")
    assert not res.result and "not a concept" in res.message


def test_history_feeds_the_succession_graph(no_catalog):
    from mappings.snomed_history import changes_of, snomed_edges
    from mappings.succession import SuccessionGraph
    from mappings.succession_build import EDGE_SOURCES
    cs = no_catalog.codesystem(SNOMED)
    changes = changes_of(cs)
    assert [(c.kind, c.code, c.successor, c.edition) for c in changes] == [
        ("replaced", "155574008", ["75570004"], "http://snomed.info/sct/51000202101/version/20250101")]
    assert "REPLACED BY" in changes[0].note
    assert snomed_edges in EDGE_SOURCES
    g = SuccessionGraph()
    snomed_edges(no_catalog, g)
    assert g.knows((SNOMED, "155574008"))
