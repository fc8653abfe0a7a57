"""`ValueSet/<id>/$…` works on the catalog's own body, as `url=` does: the per-revision facts and the modifier
check kept for a stored body apply to it (a copy per request missed them all). A value set a request sends is not
kept as if it were stored."""
from fhir_api import valueset_request
from fhir_api.store import get_catalog
from tests.support.tx_requests import cs, post, store, vs

URL = "http://example.org/instance-body/cs"
CS = cs(URL, "1", [{"code": "a", "display": "A"}])
VS = vs("http://example.org/instance-body/vs", [{"system": URL}], "1")


def _kept(app, body) -> bool:
    return any(v is body for v in valueset_request._SOUND.values())


def test_an_instance_operation_uses_the_stored_body(app, client):
    store(client, CS, VS)
    status, b = post(client, "ValueSet/vs/$validate-code", [("system", URL), ("code", "a")])
    assert status == 200, b
    with app.app_context():
        stored = get_catalog().valueset(VS["url"], "1")
    assert _kept(app, stored)       # the object the request worked on is the catalog's own


def test_a_sent_value_set_found_by_url_is_not_kept(app, client):
    store(client, CS)
    sent = vs("http://example.org/instance-body/sent", [{"system": URL}], "1")
    before = set(valueset_request._SOUND)
    status, b = post(client, "ValueSet/$validate-code", [("url", sent["url"]), ("system", URL), ("code", "a")],
                     [sent])
    assert status == 200, b
    assert set(valueset_request._SOUND) <= before      # the request's own body was not kept as a stored one
