"""$validate-code keeps facts across requests on its hot path: the status a stored code system's resource states (on
its index) and, with a value set's includes of a system, whether any of them lists concepts. What is kept must not
carry one request's value set into the next, nor outlive a replaced resource."""
from tests.support.resources import cs, vs
from tests.support.tx_requests import issues, out, post, tx_codes, store as _store

CS = "http://example.org/fhir/CodeSystem/kept-facts"
ACTIVE_VS = "http://example.org/fhir/ValueSet/kept-facts-active"
DRAFT_VS = "http://example.org/fhir/ValueSet/kept-facts-draft"
LISTING_VS = "http://example.org/fhir/ValueSet/kept-facts-listing"


def _validate(client, url, code="a", display=None):
    params = [("url", url), ("system", CS), ("code", code)] + ([("display", display)] if display else [])
    status, b = post(client, "ValueSet/$validate-code", params)
    assert status == 200, b
    return b


def _status_texts(b):
    return [i["details"]["text"] for i in issues(b) if "status-check" in tx_codes(i)]


def test_a_draft_system_is_reported_per_value_set_whichever_asked_first(client):
    _store(client, cs(CS, "1", [{"code": "a", "display": "A"}], status="draft"),
           vs(DRAFT_VS, [{"system": CS}], "1", status="draft"), vs(ACTIVE_VS, [{"system": CS}], "1"))
    said = [f"Reference to draft CodeSystem {CS}|1"]
    # a draft value set says nothing of draft content; an active one says it, after and before the draft one asks
    assert _status_texts(_validate(client, DRAFT_VS)) == []
    assert _status_texts(_validate(client, ACTIVE_VS)) == said
    assert _status_texts(_validate(client, DRAFT_VS)) == []
    assert _status_texts(_validate(client, ACTIVE_VS)) == said


def test_a_replaced_system_is_reported_with_its_new_status(client):
    _store(client, cs(CS, "1", [{"code": "a", "display": "A"}]), vs(ACTIVE_VS, [{"system": CS}], "1"))
    assert _status_texts(_validate(client, ACTIVE_VS)) == []
    _store(client, cs(CS, "1", [{"code": "a", "display": "A"}], status="retired"))
    assert _status_texts(_validate(client, ACTIVE_VS)) == [f"Reference to retired CodeSystem {CS}|1"]


def test_a_value_set_listing_its_own_display_is_read_beside_one_that_lists_none(client):
    _store(client, cs(CS, "1", [{"code": "a", "display": "A"}, {"code": "b", "display": "B"}]),
           vs(ACTIVE_VS, [{"system": CS}], "1"),
           vs(LISTING_VS, [{"system": CS, "concept": [{"code": "a", "display": "Alfa"}]}], "1"))
    # the whole-system value set has no entry of its own: its display is not the code's
    b = _validate(client, ACTIVE_VS, display="Alfa")
    assert out(b)["result"] is False, b
    # the listing one gives the code a display of its own, valid there (and the code system's is returned)
    b = _validate(client, LISTING_VS, display="Alfa")
    assert out(b)["result"] is True and out(b)["display"] == "A", b
    b = _validate(client, LISTING_VS, code="b")
    assert out(b)["result"] is False, b


def test_a_stored_value_set_reports_its_own_status_as_it_is_now(client):
    _store(client, cs(CS, "1", [{"code": "a", "display": "A"}]), vs(ACTIVE_VS, [{"system": CS}], "1", status="retired"))
    said = [f"Reference to retired ValueSet {ACTIVE_VS}|1"]
    assert _status_texts(_validate(client, ACTIVE_VS)) == said
    assert _status_texts(_validate(client, ACTIVE_VS)) == said
    _store(client, vs(ACTIVE_VS, [{"system": CS}], "1"))
    assert _status_texts(_validate(client, ACTIVE_VS)) == []


def test_a_stored_value_set_importing_a_missing_one_is_refused_until_it_no_longer_imports_it(client):
    missing = "http://example.org/fhir/ValueSet/kept-facts-missing"
    _store(client, cs(CS, "1", [{"code": "a", "display": "A"}]),
           vs(ACTIVE_VS, [{"system": CS}, {"valueSet": [missing]}], "1"))
    for _ in range(2):
        b = _validate(client, ACTIVE_VS)
        assert out(b)["result"] is False and any(missing in i["details"]["text"] for i in issues(b)), b
    _store(client, vs(ACTIVE_VS, [{"system": CS}], "1"))
    b = _validate(client, ACTIVE_VS)
    assert out(b)["result"] is True and "issues" not in out(b), b
