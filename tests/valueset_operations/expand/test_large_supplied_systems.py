"""A whole-system include of a code system SENT WITH THE REQUEST that holds more than MAX_EXPANSION (1,000) codes
is answered only for count=0, or for a page that ends within the first 1,000 codes (count > 0 and
offset + count <= 1,000); anything else is 422 too-costly, as the reference server guards it (FHIRsmith
expand.js checkSource). A stored code system keeps paging past 1,000: hospitals page whole codebooks, while a
client that sends the code system holds it already, so paging it on the server only costs the server."""
from tests.support.resources import cs, vs
from tests.support.tx_files import stored_client
from tests.support.tx_requests import codes, expansion, post

N = 1500
BIG = cs("http://ex.org/cs/big-supplied", "1", [{"code": f"c{i:04d}", "display": f"Code {i}"} for i in range(N)])
ALL = vs("http://ex.org/vs/big-supplied", [{"system": BIG["url"]}], "1")
SETUP = [BIG, ALL]


def _too_costly(status, b):
    assert status == 422, b
    (issue,) = b["issue"]
    assert issue["code"] == "too-costly"
    assert "too many codes to produce (>1000)" in issue["details"]["text"]


def test_a_count_beyond_the_limit_is_too_costly(client):
    _too_costly(*post(client, "ValueSet/$expand", [("url", ALL["url"]), ("count", 2000)], SETUP))


def test_a_page_past_the_limit_is_too_costly(client):
    _too_costly(*post(client, "ValueSet/$expand", [("url", ALL["url"]), ("offset", 1200), ("count", 10)], SETUP))


def test_a_page_ending_at_the_limit_is_answered(client):
    exp = expansion(client, [("url", ALL["url"]), ("offset", 990), ("count", 10)], SETUP)
    assert codes(exp) == [f"c{i:04d}" for i in range(990, 1000)]


def test_count_zero_is_answered_with_the_total(client):
    exp = expansion(client, [("url", ALL["url"]), ("count", 0)], SETUP)
    assert exp["total"] == N and "contains" not in exp


def test_a_small_supplied_system_pages_as_before(client):
    small = cs("http://ex.org/cs/small-supplied", "1", [{"code": f"s{i}", "display": f"S {i}"} for i in range(20)])
    v = vs("http://ex.org/vs/small-supplied", [{"system": small["url"]}])
    exp = expansion(client, [("url", v["url"]), ("offset", 15), ("count", 2000)], [small, v])
    assert codes(exp) == [f"s{i}" for i in range(15, 20)]


def test_a_stored_system_pages_past_the_limit(tmp_path):
    client = stored_client(tmp_path, [BIG, ALL])
    r = client.get("/fhir/ValueSet/$expand", query_string={"url": ALL["url"], "offset": 1200, "count": 10})
    assert r.status_code == 200, r.get_json()
    assert codes(r.get_json()["expansion"]) == [f"c{i:04d}" for i in range(1200, 1210)]
