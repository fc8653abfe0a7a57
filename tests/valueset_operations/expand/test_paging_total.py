"""ADOPT-1 (research-s10-paging §2a): a page (`count` > 0) of a value set with more members than the expansion
limit carries no `expansion.total`, as tx.fhir.org (FHIRsmith) stops its walk at the page; the client pages
until a short page. Every other expansion keeps its total: with a compose.exclude (the reference walks it
all), at exactly the limit, without count, with count=0, with a text filter. Pages past code 1000 are still
answered (Kodebro does not refuse them as the reference does: hospital clients page whole codebooks)."""
from tests.support.tx_files import stored_client
from tests.support.tx_requests import codes, eparams, expansion, post
from tests.support.resources import vs

from .paging_resources import AT, AT_VS, BIG, BIG_VS, JUST_OVER, JUST_OVER_VS, LIMIT, SMALL, SMALL_VS

BIG_SETUP = [BIG, BIG_VS]


def test_a_page_of_a_value_set_over_the_limit_has_no_total(client):
    exp = expansion(client, [("url", BIG_VS["url"]), ("count", 10)], BIG_SETUP)
    assert "total" not in exp
    assert exp["offset"] == 0 and codes(exp) == [f"c{i:04d}" for i in range(10)]
    assert eparams(exp, "count") == [10] and eparams(exp, "used-codesystem") == [BIG["url"] + "|1"]


def test_a_page_near_the_limit_has_no_total(client):
    exp = expansion(client, [("url", BIG_VS["url"]), ("count", 10), ("offset", 990)], BIG_SETUP)
    assert "total" not in exp and exp["offset"] == 990
    assert codes(exp) == [f"c{i:04d}" for i in range(990, 1000)]


def _stored(tmp_path, resources):
    """A client of a store holding `resources`, and its $expand: a code system sent with the request is not paged
    past 1,000 codes (test_large_supplied_systems.py), a stored one is."""
    client = stored_client(tmp_path, resources)

    def expand(url, **q):
        r = client.get("/fhir/ValueSet/$expand", query_string={"url": url, **q})
        assert r.status_code == 200, r.get_json()
        return r.get_json()["expansion"]
    return expand


def test_pages_past_the_limit_are_still_answered_and_end_short(tmp_path):
    expand = _stored(tmp_path, BIG_SETUP)
    exp = expand(BIG_VS["url"], count=10, offset=1050)
    assert "total" not in exp and codes(exp) == [f"c{i:04d}" for i in range(1050, 1060)]
    last = expand(BIG_VS["url"], count=30, offset=1090)
    assert "total" not in last and codes(last) == [f"c{i:04d}" for i in range(1090, 1100)]


def test_one_code_over_the_limit_is_enough(client):
    exp = expansion(client, [("url", JUST_OVER_VS["url"]), ("count", 10)], [JUST_OVER, JUST_OVER_VS])
    assert "total" not in exp and len(codes(exp)) == 10


def test_exactly_at_the_limit_keeps_the_total(client):
    exp = expansion(client, [("url", AT_VS["url"]), ("count", 10)], [AT, AT_VS])
    assert exp["total"] == LIMIT and len(codes(exp)) == 10


def test_a_page_of_a_small_value_set_keeps_the_total(client):
    exp = expansion(client, [("url", SMALL_VS["url"]), ("count", 10), ("offset", 20)], [SMALL, SMALL_VS])
    assert exp["total"] == 500 and codes(exp) == [f"c{i:04d}" for i in range(20, 30)]
    exp = expansion(client, [("url", SMALL_VS["url"])], [SMALL, SMALL_VS])
    assert exp["total"] == 500


def test_an_exclude_keeps_the_total(client):
    minus_one = vs("http://ex.org/vs/big-minus", [{"system": BIG["url"]}], "1")
    minus_one["compose"]["exclude"] = [{"system": BIG["url"], "concept": [{"code": "c0001"}]}]
    exp = expansion(client, [("url", minus_one["url"]), ("count", 10)], [BIG, minus_one])
    assert exp["total"] == len(BIG["concept"]) - 1 and codes(exp)[:2] == ["c0000", "c0002"]


def test_count_zero_keeps_the_total(client):
    exp = expansion(client, [("url", BIG_VS["url"]), ("count", 0)], BIG_SETUP)
    assert exp["total"] == len(BIG["concept"]) and "contains" not in exp


def test_a_text_filter_keeps_the_total(client):
    exp = expansion(client, [("url", BIG_VS["url"]), ("filter", "Code"), ("count", 5)], BIG_SETUP)
    assert exp["total"] == len(BIG["concept"]) and len(codes(exp)) == 5


def test_without_count_over_the_limit_is_still_too_costly(client):
    status, b = post(client, "ValueSet/$expand", [("url", BIG_VS["url"])], BIG_SETUP)
    assert status == 422 and b["issue"][0]["code"] == "too-costly"


def test_a_streamed_value_set_over_the_limit_has_no_total(tmp_path):
    """Two includes: not the whole-system shortcut but the member walk; the rule is the same."""
    two = vs("http://ex.org/vs/two", [{"system": BIG["url"]}, {"system": SMALL["url"]}], "1")
    exp = _stored(tmp_path, [BIG, SMALL, two])(two["url"], count=5, offset=1098)
    assert "total" not in exp and codes(exp) == ["c1098", "c1099", "c0000", "c0001", "c0002"]


def test_a_filtered_page_over_the_limit_has_no_total(client):
    """One include with one filter: the page comes from the filter's answer; the rule is the same."""
    regex = vs("http://ex.org/vs/regex", [{"system": BIG["url"],
                                           "filter": [{"property": "code", "op": "regex", "value": "c.*"}]}], "1")
    exp = expansion(client, [("url", regex["url"]), ("count", 3), ("offset", 2)], [BIG, regex])
    assert "total" not in exp and codes(exp) == ["c0002", "c0003", "c0004"]


def test_the_limit_is_the_servers_max_expansion_setting(tmp_path):
    from fhir_api import create_app
    client = create_app({"DB": str(tmp_path / "k.db"), "DEMO": False, "MAX_EXPANSION": 3}).test_client()
    small = vs("http://ex.org/vs/h4", [{"system": "http://ex.org/cs/h4"}], "1")
    four = {"resourceType": "CodeSystem", "url": "http://ex.org/cs/h4", "version": "1", "status": "active",
            "content": "complete", "concept": [{"code": c} for c in "wxyz"]}
    exp = expansion(client, [("url", small["url"]), ("count", 2)], [four, small])
    assert "total" not in exp and codes(exp) == ["w", "x"]
    three = dict(four, concept=four["concept"][:3])
    exp = expansion(client, [("url", small["url"]), ("count", 2)], [three, small])
    assert exp["total"] == 3


def test_a_count_that_holds_every_code_is_no_page_and_keeps_the_total(tmp_path):
    # review: count=2000 on 1,100 codes returned them all without saying how many
    expand = _stored(tmp_path, BIG_SETUP)
    exp = expand(BIG_VS["url"], count=LIMIT * 2)
    assert exp["total"] == LIMIT + 100 and len(codes(exp)) == LIMIT + 100
    exp = expand(BIG_VS["url"], count=LIMIT + 100)
    assert exp["total"] == LIMIT + 100
