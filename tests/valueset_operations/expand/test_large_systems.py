"""Probe 8, large code systems: paging, count=0, too-costly, text filter totals on a 20,000-code system."""
from tests.support.tx_files import stored_client
from tests.support.tx_requests import codes, cs, eparams, expansion, out, post, vs

N = 20000
BIG = cs("http://ex.org/cs/big", "1", [{"code": f"C{i:05d}", "display": f"Concept number {i}"} for i in range(N)])
ALL = vs("http://ex.org/vs/big", [{"system": BIG["url"]}])
SETUP = [BIG, ALL]


def test_an_unpaged_expansion_that_is_too_large_is_too_costly(client):
    status, b = post(client, "ValueSet/$expand", [("url", ALL["url"])], SETUP)
    assert status == 422 and b["resourceType"] == "OperationOutcome"
    (issue,) = b["issue"]
    assert issue["code"] == "too-costly" and [c["code"] for c in issue["details"]["coding"]] == ["too-costly"]


def test_count_zero_gives_the_total_only(client):
    """R4 $expand count: 'If count = 0, the client is asking how large the expansion is'."""
    exp = expansion(client, [("url", ALL["url"]), ("count", 0)], SETUP)
    assert exp["total"] == N and "contains" not in exp
    assert eparams(exp, "count") == [0]


def _stored_page(tmp_path, count, offset):
    # stored: a code system sent with the request is not paged past 1,000 codes (test_large_supplied_systems.py)
    r = stored_client(tmp_path, SETUP).get("/fhir/ValueSet/$expand", query_string={
        "url": ALL["url"], "count": count, "offset": offset})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["expansion"]


def test_the_last_page(tmp_path):
    exp = _stored_page(tmp_path, 3, N - 2)
    # over the expansion limit a page carries no total (tx.fhir.org; research-s10-paging ADOPT-1)
    assert "total" not in exp and exp["offset"] == N - 2
    assert codes(exp) == ["C19998", "C19999"]


def test_pages_do_not_overlap_or_skip(client):
    got = []
    for off in (100, 150, 200):
        got += codes(expansion(client, [("url", ALL["url"]), ("count", 50), ("offset", off)], SETUP))
    assert got == [f"C{i:05d}" for i in range(100, 250)]


def test_text_filter_total_is_exact(client):
    exp = expansion(client, [("url", ALL["url"]), ("filter", "number 1999"), ("count", 20)], SETUP)
    assert exp["total"] == 11
    assert sorted(codes(exp)) == ["C01999"] + [f"C1999{i}" for i in range(10)]


def test_validate_a_code_of_a_large_system(client):
    status, b = post(client, "ValueSet/$validate-code", [("url", ALL["url"]), ("system", BIG["url"]),
                                                          ("code", "C12345"), ("display", "Concept number 12345")],
                     SETUP)
    assert out(b)["result"] is True


def test_offset_past_the_end_is_an_empty_page(tmp_path):
    exp = _stored_page(tmp_path, 10, N + 5)
    assert "total" not in exp and codes(exp) == []


def test_paging_respects_excludes_and_active_only(client):
    n = 3000
    big = cs("http://ex.org/cs/st", "1",
             [{"code": f"C{i:05d}", "display": f"C {i}",
               **({"property": [{"code": "status", "valueCode": "retired"}]} if i % 10 == 0 else {})}
              for i in range(n)],
             property=[{"code": "status", "type": "code", "uri": "http://hl7.org/fhir/concept-properties#status"}])
    minus_one = vs("http://ex.org/vs/st", [{"system": big["url"]}])
    minus_one["compose"]["exclude"] = [{"system": big["url"], "concept": [{"code": "C00001"}]}]
    setup = [big, minus_one]
    exp = expansion(client, [("url", minus_one["url"]), ("count", 3)], setup)
    assert exp["total"] == n - 1 and codes(exp) == ["C00000", "C00002", "C00003"]
    exp = expansion(client, [("url", minus_one["url"]), ("count", 0), ("activeOnly", True)], setup)
    assert exp["total"] == n - 1 - n // 10
    exp = expansion(client, [("url", minus_one["url"]), ("count", 2), ("offset", 1), ("activeOnly", True)], setup)
    assert codes(exp) == ["C00003", "C00004"]


def test_text_filter_count_zero_is_the_number_of_hits(client):
    exp = expansion(client, [("url", ALL["url"]), ("filter", "number 1999"), ("count", 0)], SETUP)
    assert exp["total"] == 11 and "contains" not in exp
