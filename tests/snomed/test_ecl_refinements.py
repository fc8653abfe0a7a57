"""ECL refinements (`focus : attribute = value`): parsing, evaluation, errors, and over HTTP.

Most assertions run on a small edition built here from concept rows: real SNOMED CT concept ids and
attribute ids, with definitions simplified from the International edition (and, for 363358000, given
a second group that is invented, so that "in the same group" has something to tell apart). The RF2
samples in tests/data/snomed/ hold only a handful of attribute relationships; they are used too.
"""
from __future__ import annotations

import pytest

from terminology.errors import InvalidRequest, NotSupported
from terminology.snomed.ecl import evaluate, parse
from terminology.snomed.concept_view import pack_descriptions
from terminology.snomed.index import SnomedIndex
from tests.snomed.conftest import DUMMY, HANDMADE, SNOMED, catalog_at, client_at

SITE, MORPHOLOGY, AGENT, ASSOCIATED_WITH, DUE_TO = 363698007, 116676008, 246075003, 47429007, 42752001

# code, term, parents, relationships [group, type, destination]
_ROWS = [
    ("138875005", "SNOMED CT Concept", [], []),
    ("410662002", "Concept model attribute", ["138875005"], []),
    ("363698007", "Finding site", ["410662002"], []),
    ("116676008", "Associated morphology", ["410662002"], []),
    ("47429007", "Associated with", ["410662002"], []),
    ("246075003", "Causative agent", ["47429007"], []),
    ("42752001", "Due to", ["47429007"], []),
    ("123037004", "Body structure", ["138875005"], []),
    ("39607008", "Lung structure", ["123037004"], []),
    ("3341006", "Right lung structure", ["39607008"], []),
    ("80891009", "Heart structure", ["123037004"], []),
    ("64033007", "Kidney structure", ["123037004"], []),
    ("49755003", "Morphologically abnormal structure", ["123037004"], []),
    ("409774005", "Inflammatory morphology", ["49755003"], []),
    ("23583003", "Inflammation", ["409774005"], []),
    ("108369006", "Neoplasm", ["49755003"], []),
    ("55641003", "Infarct", ["49755003"], []),
    ("410607006", "Organism", ["138875005"], []),
    ("409822003", "Domain Bacteria", ["410607006"], []),
    ("9861002", "Streptococcus pneumoniae", ["409822003"], []),
    ("49872002", "Virus", ["410607006"], []),
    ("404684003", "Clinical finding", ["138875005"], []),
    ("64572001", "Disease", ["404684003"], []),
    ("233604007", "Pneumonia", ["64572001"],
     [[1, SITE, 39607008], [1, MORPHOLOGY, 409774005]]),
    ("53084003", "Bacterial pneumonia", ["233604007"],
     [[1, SITE, 39607008], [1, MORPHOLOGY, 409774005], [1, AGENT, 409822003]]),
    ("233607000", "Pneumococcal pneumonia", ["53084003"],
     [[1, SITE, 39607008], [1, MORPHOLOGY, 409774005], [1, AGENT, 9861002]]),
    ("75570004", "Viral pneumonia", ["233604007"],
     [[1, SITE, 39607008], [1, MORPHOLOGY, 409774005], [1, AGENT, 49872002]]),
    ("363358000", "Malignant tumor of lung", ["64572001"],
     [[1, SITE, 3341006], [1, MORPHOLOGY, 108369006], [2, SITE, 80891009], [2, MORPHOLOGY, 23583003]]),
    ("56265001", "Heart disease", ["64572001"], [[1, SITE, 80891009]]),
    ("22298006", "Myocardial infarction", ["56265001"], [[1, SITE, 80891009], [1, MORPHOLOGY, 55641003]]),
    # group 0: each relationship is a group of its own
    ("90708001", "Kidney disease", ["64572001"], [[0, SITE, 64033007], [0, MORPHOLOGY, 23583003]]),
]
DISORDERS = {"64572001", "233604007", "53084003", "233607000", "75570004", "363358000", "56265001",
             "22298006", "90708001"}
PNEUMONIAS = {"233604007", "53084003", "233607000", "75570004"}


@pytest.fixture(scope="module")
def ix():
    rows = []
    for code, term, parents, rels in _ROWS:
        row = {"code": code, "display": term, "parents": parents,
               "_s": [1, "900000000000207008", 20250101, 0], "_d": pack_descriptions([[term, "en", "S", "P"]])}
        if rels:
            row["_r"] = rels
        rows.append(row)
    return SnomedIndex({"url": SNOMED, "version": "test"}, rows)


def codes(ix, text):
    return {ix.codes[i] for i in evaluate(ix, text)}


def test_parse_refinement_tree():
    assert parse("<< 404684003 |Clinical finding| : 363698007 |Finding site| = << 39607008 |Lung|") == (
        "refine", ("<<", ("id", "404684003")),
        ("attr", None, ("id", "363698007"), "=", ("<<", ("id", "39607008"))))
    tree = parse("< 404684003 : [0..1] { 363698007 = *, 116676008 != << 49755003 } OR * = 3341006")
    assert tree[2][0] == "OR"
    assert tree[2][1] == ("group", (0, 1), ("AND", ("attr", None, ("id", "363698007"), "=", ("any",)),
                                           ("attr", None, ("id", "116676008"), "!=", ("<<", ("id", "49755003")))))
    assert tree[2][2] == ("attr", None, ("any",), "=", ("id", "3341006"))
    assert parse("< 404684003 : [1..*] 363698007 = *")[2][1] == (1, None)


def test_simple_attribute(ix):
    assert codes(ix, "< 404684003 : 363698007 = << 39607008") == PNEUMONIAS | {"363358000"}
    assert codes(ix, "< 404684003 : 363698007 |Finding site| = 39607008 |Lung structure|") == PNEUMONIAS
    assert codes(ix, "< 233604007 : 363698007 = 39607008") == PNEUMONIAS - {"233604007"}


def test_attribute_subtypes(ix):
    # causative agent is a subtype of associated with
    assert codes(ix, "< 404684003 : << 47429007 = << 410607006") == {"53084003", "233607000", "75570004"}
    assert codes(ix, "< 404684003 : < 47429007 = 409822003") == {"53084003"}
    assert codes(ix, "< 404684003 : 47429007 = *") == set()


def test_attribute_group_needs_one_group(ix):
    ungrouped = "< 404684003 : 363698007 = << 39607008, 116676008 = << 409774005"
    grouped = "< 404684003 : { 363698007 = << 39607008, 116676008 = << 409774005 }"
    assert codes(ix, ungrouped) == PNEUMONIAS | {"363358000"}
    assert codes(ix, grouped) == PNEUMONIAS
    # ungrouped (group 0) relationships are each a group of their own
    assert codes(ix, "< 404684003 : 363698007 = 64033007, 116676008 = 23583003") == {"90708001"}
    assert codes(ix, "< 404684003 : { 363698007 = 64033007, 116676008 = 23583003 }") == set()
    assert codes(ix, "< 404684003 : { 363698007 = 64033007 }") == {"90708001"}


def test_not_equal(ix):
    # some finding site outside the lung
    assert codes(ix, "< 404684003 : 363698007 != << 39607008") == {"363358000", "56265001", "22298006", "90708001"}
    assert codes(ix, "< 404684003 : 363698007 != *") == set()


def test_or_and_parentheses(ix):
    assert codes(ix, "< 404684003 : 246075003 = << 49872002 OR 363698007 = 64033007") == {"75570004", "90708001"}
    assert codes(ix, "< 404684003 : (246075003 = << 49872002 OR 363698007 = 64033007), 116676008 = 23583003") \
        == {"90708001"}
    assert codes(ix, "< 404684003 : 363698007 = 39607008 AND 246075003 = *") == {"53084003", "233607000", "75570004"}
    # a nested expression as the attribute name
    assert codes(ix, "< 404684003 : (363698007 OR 246075003) = << 49872002") == {"75570004"}


def test_wildcards(ix):
    with_site = DISORDERS - {"64572001"}
    assert codes(ix, "< 404684003 : 363698007 = *") == with_site
    assert codes(ix, "< 404684003 : * = *") == with_site
    assert codes(ix, "< 404684003 : * = << 410607006") == {"53084003", "233607000", "75570004"}
    assert codes(ix, "* : 246075003 = *") == {"53084003", "233607000", "75570004"}


def test_nested_value_constraints(ix):
    assert codes(ix, "< 404684003 : 363698007 = (<< 123037004 MINUS << 39607008)") == {
        "363358000", "56265001", "22298006", "90708001"}
    # a refined expression as the value, through is-a: concepts whose parent has a causative agent
    assert codes(ix, "< 404684003 : 116680003 = (< 404684003 : 246075003 = *)") == {"233607000"}
    # refined expressions combine with others inside parentheses
    assert codes(ix, "(< 404684003 : 246075003 = *) MINUS << 53084003") == {"75570004"}
    assert codes(ix, "<< (64572001 : 363698007 = 80891009)") == set()


def test_cardinality(ix):
    assert codes(ix, "< 404684003 : [0..0] 246075003 = *") == DISORDERS - {"53084003", "233607000", "75570004"}
    assert codes(ix, "< 404684003 : [2..*] 363698007 = *") == {"363358000"}
    assert codes(ix, "< 404684003 : [1..1] 363698007 = *") == DISORDERS - {"64572001", "363358000"}
    assert codes(ix, "< 404684003 : [2..2] { 363698007 = * }") == {"363358000"}
    assert codes(ix, "< 404684003 : [0..0] { 363698007 = << 39607008 }") == {
        "64572001", "56265001", "22298006", "90708001"}
    # [0..0] inside a group: some group with a finding site and no morphology
    assert codes(ix, "< 404684003 : { 363698007 = *, [0..0] 116676008 = * }") == {"56265001", "90708001"}


def test_attribute_table_is_built_once(ix):
    assert ix.attribute_table() is ix.attribute_table()
    src, _groups, _dst = ix.attribute_table()[SITE]
    assert list(src) == sorted(src)


@pytest.mark.parametrize("text", [
    "<< 404684003 : { R 363698007 = << 39607008 }",      # reverse attribute inside a group
    "<< 404684003 : 363698007 = << 39607008 {{ +HISTORY }}",
    "<< 404684003 : 363698007 >= #3",                     # concrete value
    "<< 404684003 {{ M referencedComponentId = 404684003 }}",   # member filter
])
def test_constructs_still_refused(text):
    with pytest.raises(NotSupported) as e:
        parse(text)
    assert "not supported" in e.value.message


@pytest.mark.parametrize("text", [
    "<< 404684003 : 363698007",                           # no comparison
    "<< 404684003 : 363698007 = 39607008 OR << 12345678",  # a refinement joined to a concept without ( )
    "<< 404684003 : 363698007 = * AND 116676008 = * OR 246075003 = *",   # mixed without parentheses
    "<< 404684003 : 363698007 = * MINUS 116676008 = *",
    "<< 404684003 : { 363698007 = *, { 116676008 = * } }",
    "<< 404684003 : { 363698007 = *",
    "<< 404684003 : [2..1] 363698007 = *",
    "<< 404684003 OR << 64572001 : 363698007 = *",        # compound focus without parentheses
    "<< 404684003 : ",
])
def test_malformed_refinements_are_invalid(text):
    with pytest.raises(InvalidRequest):
        parse(text)


def test_deep_nesting_is_refused():
    text = "< 404684003 : " + "(" * 150 + "363698007 = *" + ")" * 150
    with pytest.raises(InvalidRequest) as e:
        parse(text)
    assert "levels deep" in e.value.message


# --- the RF2 samples ------------------------------------------------------------------------------
def test_refinements_on_the_rf2_samples(tmp_path):
    no_cs = catalog_at(tmp_path / "no", HANDMADE).codesystem(SNOMED)
    assert codes(no_cs, "<< 404684003 : 363698007 |Finding site| = *") == {"233604007"}
    assert codes(no_cs, "<< 404684003 : { 363698007 = * }") == {"233604007"}
    dummy = catalog_at(tmp_path / "dummy", DUMMY).codesystem(SNOMED)
    assert codes(dummy, "* : 116676008 |Associated morphology| = *") == {"131148009", "300577008"}
    assert codes(dummy, "* : 116676008 = 49755003") == {"300577008"}
    assert codes(dummy, "<< 404684003 : 116676008 = << 107658001 |Mechanical abnormality|") == {"131148009"}
    assert codes(dummy, "* : 116676008 = (<< 118956008 MINUS << 107658001)") == {"300577008"}
    assert codes(dummy, "* : * = 410510008") == {"413350009"}
    # context attributes in group 0 are self-grouped: together only outside braces
    assert codes(dummy, "* : 408731000 = *, 408729009 = *") == {"413350009"}
    assert codes(dummy, "* : { 408731000 = *, 408729009 = * }") == set()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return client_at(tmp_path_factory.mktemp("refine"), DUMMY)


def test_refinement_over_http(client):
    url = SNOMED + "?fhir_vs=ecl/<< 404684003 : 116676008 |Associated morphology| = << 107658001"
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": url})
    assert r.status_code == 200, r.get_json()
    assert [c["code"] for c in r.get_json()["expansion"]["contains"]] == ["131148009"]
    for code, result in (("131148009", True), ("300577008", False)):
        r = client.get("/fhir/ValueSet/$validate-code", query_string={"url": url, "system": SNOMED, "code": code})
        assert r.status_code == 200, r.get_json()
        params = {p["name"]: p for p in r.get_json()["parameter"]}
        assert params["result"]["valueBoolean"] is result


def test_unsupported_refinement_is_a_400_over_http(client):
    r = client.get("/fhir/ValueSet/$expand", query_string={
        "url": SNOMED + "?fhir_vs=ecl/<< 404684003 : { R 363698007 = * }"})
    assert r.status_code == 400, r.get_json()
    body = r.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "not-supported"
