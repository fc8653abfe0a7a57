"""A Norwegian code refused as retired, unknown or not valid on the date names its successors when the succession
graph (mappings) knows them (review s15 F7): "SAA0AE was merged into SAA0AP in NCRP 2017". The engine asks a
registry in terminology/norway/advice.py that mappings fills at import time, so terminology never imports mappings.
The answer itself (result, the other issues, message) is unchanged; other code systems never get the note."""
from terminology.identifiers import NCMP, NCRP, SAERKODER, SNOMED
from tests.support.tx_files import tx_file
from tests.support.tx_requests import post
from tests.norway.advice.conftest import answer, infos, issues, params

SAA0AE = "SAA0AE was merged into SAA0AP in NCRP 2017"


def _not_advice(body) -> list:
    return [i for i in issues(body) if i[0] != "information"]


def test_retired_code_on_a_later_date_names_its_successor(demo):
    b = answer(demo, "CodeSystem", url=NCRP, code="SAA0AE", date="2017-06-01")
    p = params(b)
    assert p["result"] is False and p["version"] == "2017"
    assert SAA0AE in infos(b)
    assert _not_advice(b) == [
        ("error", "code-rule", "The concept 'SAA0AE' is not valid on 2017-06-01 (valid to 2016-12-31)"),
        ("warning", "code-comment", "The concept 'SAA0AE' has a status of retired and inactive and its use should "
                                    "be reviewed")]
    assert "SAA0AP" not in p["message"]


def test_the_successor_issue_points_at_the_code(demo):
    status, b = post(demo, "CodeSystem/$validate-code",
                     [("url", NCRP), ("date", "2017-06-01"),
                      ("codeableConcept", {"coding": [{"system": NCRP, "code": "SAA0AF"}]})])
    assert status == 200, b
    oo = params(b)["issues"]["issue"]
    got = [i for i in oo if i["details"]["text"] == "SAA0AF was merged into SAA0AP in NCRP 2017"]
    assert len(got) == 1 and got[0]["location"] == ["CodeableConcept.coding[0].code"]
    assert got[0]["severity"] == "information"


def test_unknown_code_of_a_complete_edition_names_its_successor(complete):
    # NCRP 2017 (complete here) no longer lists SAA0AE: unknown, last in 2016, merged into SAA0AP in 2017
    b = answer(complete, "CodeSystem", url=NCRP, code="SAA0AE")
    p = params(b)
    assert p["result"] is False and p["version"] == "2017"
    assert infos(b) == ["SAA0AE was last in NCRP 2016", SAA0AE]
    assert _not_advice(b) == [("error", "invalid-code", "Unknown code 'SAA0AE' in the CodeSystem "
                                                        "'urn:oid:2.16.578.1.12.4.1.1.7270' version '2017'")]


def test_unknown_code_before_its_change_gets_no_successor(complete):
    b = answer(complete, "CodeSystem", url=NCRP, code="SAA0AE", version="2016")
    assert params(b)["result"] is True and infos(b) == []


def test_retired_without_successor_gets_no_successor_issue(demo):
    # ZWUU40 went out of NCMP in 2021 with no successor: the retirement is already said, nothing is added
    b = answer(demo, "CodeSystem", url=NCMP, code="ZWUU40", date="2021-06-01")
    assert params(b)["result"] is False
    assert infos(b) == []


def test_accepted_code_gets_no_successor_issue(demo):
    b = answer(demo, "CodeSystem", url=NCRP, code="SAA0AE", version="2016", date="2016-06-01")
    assert params(b)["result"] is True
    assert infos(b) == []


def test_hook_answers_a_split_into_another_codebook(demo_catalog):
    from terminology.norway.advice import successor_note
    note = successor_note(demo_catalog, SAERKODER, "B0014", "2020")
    assert note == "B0014 was split into NCMP IBBA15, IBBB15, IBBD15, IBBH15 in Særkoder 2020"
    # before the split, or for a code the graph does not know: nothing
    assert successor_note(demo_catalog, SAERKODER, "B0014", "2019") is None
    assert successor_note(demo_catalog, NCRP, "NOSUCH", "2017") is None


def test_successors_are_never_asked_for_other_systems(demo, client):
    from terminology.norway import advice
    asked = []

    def record(catalog, system, code, version):
        asked.append((system, code))
        return None

    advice.register_successors(record)
    try:
        # SNOMED CT: an unknown code, refused
        answer(demo, "CodeSystem", url=SNOMED, code="99999999999")
        # HL7 test content: a code the code system does not hold
        cs = tx_file("simple/codesystem-simple.json")
        status, b = post(client, "CodeSystem/$validate-code",
                         [("url", cs["url"]), ("code", "code-nope")], setup=[cs])
        assert status == 200 and params(b)["result"] is False
        assert infos(b) == []
        # an accepted Norwegian code: off the hot path
        answer(demo, "CodeSystem", url=NCRP, code="SAA0AP")
        assert asked == []
        # a refused one is asked about (the graph knows no successor of ZWUU40, so every source is asked)
        answer(demo, "CodeSystem", url=NCMP, code="ZWUU40", date="2021-06-01")
        assert asked == [(NCMP, "ZWUU40")]
    finally:
        advice.unregister_successors(record)


def test_a_failing_source_does_not_fail_the_answer(demo):
    from terminology.norway import advice

    def broken(catalog, system, code, version):
        raise RuntimeError("broken source")

    advice.register_successors(broken)
    try:
        b = answer(demo, "CodeSystem", url=NCRP, code="SAA0AE", date="2017-06-01")
        assert params(b)["result"] is False and SAA0AE in infos(b)
    finally:
        advice.unregister_successors(broken)
