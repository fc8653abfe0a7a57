"""An accepted retired Norwegian code (no date: NCRP SAA0AE in the 2017 edition that keeps it as retired, result=true
with the "should be reviewed" warning) names its successor, as a refused one does: "SAA0AE was merged into SAA0AP
in NCRP 2017". Only for an inactive concept (the succession graph is loaded on first use); an active accepted code
never asks the successor sources. The answer itself (result, warning, message) is unchanged."""
from terminology.identifiers import NCMP, NCRP
from tests.support.tx_requests import post
from tests.norway.advice.conftest import answer, infos, issues, params

SAA0AE = "SAA0AE was merged into SAA0AP in NCRP 2017"
REVIEW = "The concept 'SAA0AE' has a status of retired and inactive and its use should be reviewed"


def test_accepted_retired_code_names_its_successor(demo):
    b = answer(demo, "CodeSystem", url=NCRP, code="SAA0AE")
    p = params(b)
    assert p["result"] is True and p["version"] == "2017"
    assert infos(b) == [SAA0AE]
    assert [i for i in issues(b) if i[0] != "information"] == [("warning", "code-comment", REVIEW)]
    assert p["message"] == REVIEW


def test_accepted_retired_code_in_a_codeable_concept(demo):
    status, b = post(demo, "CodeSystem/$validate-code",
                     [("url", NCRP), ("codeableConcept", {"coding": [{"system": NCRP, "code": "SAA0AF"}]})])
    assert status == 200, b
    assert params(b)["result"] is True
    got = [i for i in params(b)["issues"]["issue"] if i["details"]["text"] == "SAA0AF was merged into SAA0AP in NCRP 2017"]
    assert len(got) == 1 and got[0]["location"] == ["CodeableConcept.coding[0].code"]
    assert got[0]["severity"] == "information"


def test_accepted_retired_code_in_a_value_set(demo):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/va15b-ncrp", "status": "active",
          "compose": {"include": [{"system": NCRP}]}}
    status, b = post(demo, "ValueSet/$validate-code", [("url", vs["url"]), ("system", NCRP), ("code", "SAA0AE")],
                     [vs])
    assert status == 200, b
    assert params(b)["result"] is True
    assert SAA0AE in infos(b)


def test_accepted_retired_without_successor_gets_nothing_new(demo):
    b = answer(demo, "CodeSystem", url=NCMP, code="ZWUU40")
    assert params(b)["result"] is True
    assert infos(b) == []


def test_accepted_code_before_its_change_gets_no_successor(demo):
    b = answer(demo, "CodeSystem", url=NCRP, code="SAA0AE", version="2016")
    assert params(b)["result"] is True and infos(b) == []


def test_only_an_inactive_accepted_code_asks_the_sources(demo):
    from terminology.norway import advice
    asked = []

    def record(catalog, system, code, version):
        asked.append((system, code, version))
        return None

    advice.register_successors(record)
    try:
        answer(demo, "CodeSystem", url=NCRP, code="SAA0AP")
        answer(demo, "CodeSystem", url=NCRP, code="SAA0AE", version="2016")
        assert asked == []
        answer(demo, "CodeSystem", url=NCMP, code="ZWUU40")
        assert asked == [(NCMP, "ZWUU40", "2021")]
    finally:
        advice.unregister_successors(record)
