"""$validate-code of a codeableConcept: the `inactive` (and `status`) output parameters whenever the
inactive-concept warning is given for one of its codings, also when that coding is not the one answered with and
when the answer is false (research-s15-translate-status.md S1, ADOPT 2: FHIRsmith validate.js checkCodeableConcept
sets them for any coding that resolves in its code system; Kodebro already did so for a single coding).
Content: the HL7 tx-tests `inactive` code system (codeActive; codeInactive with inactive=true; codeRetired with
status retired), and a value set written here that lists codeActive only."""
from tests.support.tx_files import tx_file
from tests.support.tx_requests import out, post

from tests.norway.advice.conftest import issues, params

INACTIVE = "http://hl7.org/fhir/test/CodeSystem/inactive"
ONLY_ACTIVE = {"resourceType": "ValueSet", "url": "http://example.org/va15/only-active", "version": "1",
               "status": "active", "compose": {"include": [{"system": INACTIVE, "concept": [{"code": "codeActive"}]}]}}
SETUP = [tx_file("inactive/codesystem-inactive.json"), ONLY_ACTIVE]


def _cc(client, *codes) -> dict:
    cc = {"coding": [{"system": INACTIVE, "code": c} for c in codes]}
    status, b = post(client, "ValueSet/$validate-code", [("url", ONLY_ACTIVE["url"]), ("codeableConcept", cc)], SETUP)
    assert status == 200, b
    return b


def test_inactive_coding_not_in_the_value_set_gives_inactive_and_status(client):
    b = _cc(client, "codeRetired")
    p = params(b)
    assert p["result"] is False
    assert p["inactive"] is True and p["status"] == "retired"
    assert ("warning", "code-comment", "The concept 'codeRetired' has a status of retired and inactive and its use "
            "should be reviewed") in issues(b)
    # nothing else moves: the not-in-vs answer and its message are as before
    assert any(sev == "error" and code == "not-in-vs" for sev, code, _t in issues(b))
    assert "No valid coding was found" in p["message"]


def test_valid_coding_beside_an_inactive_one_gives_inactive_without_status(client):
    b = _cc(client, "codeActive", "codeInactive")
    p = params(b)
    assert p["result"] is True and p["code"] == "codeActive"
    assert p["inactive"] is True
    assert "status" not in p            # its status is plain 'inactive': FHIRsmith sends none
    assert [t for sev, _c, t in issues(b) if sev == "warning"] == [
        "The concept 'codeInactive' has a status of inactive and its use should be reviewed"]


def test_parameters_appear_once(client):
    b = _cc(client, "codeInactive", "codeRetired")
    names = [x["name"] for x in b["parameter"]]
    assert names.count("inactive") == 1 and names.count("status") <= 1
    assert out(b)["inactive"] is True


def test_active_codings_give_no_inactive(client):
    p = params(_cc(client, "codeActive"))
    assert p["result"] is True and "inactive" not in p and "status" not in p
