"""$expand of a value set that only imports value sets (no include names a system), larger than the
external expansion limit (1,000). tx.fhir.org (FHIRsmith expand.js) expands the imports with its internal
limit (10,000), adds the imported codes without the external limit and keeps `total`; Kodebro does the same
(research-s13-fragments-large Part 2, ADOPT-2). Value sets that include a system keep their own rules."""
from tests.support.tx_files import stored_client
from tests.support.tx_requests import codes, cs, eparams, expansion, post, vs

N = 1200
BIG_URL = "http://ex.org/cs/big"
BIG = cs(BIG_URL, "5.0.0", [{"code": f"C{i:05d}", "display": f"Code {i}"} for i in range(1, N + 1)])
BIG_ALL = vs("http://ex.org/vs/big", [{"system": BIG_URL}], version="5.0.0")
BIG_IMP = vs("http://ex.org/vs/big-imp", [{"valueSet": ["http://ex.org/vs/big|5.0.0"]}], version="5.0.0")
SETUP = [BIG, BIG_ALL, BIG_IMP]

HUGE_N = 10_050
HUGE = cs("http://ex.org/cs/huge", "1", [{"code": f"H{i:05d}"} for i in range(HUGE_N)])
HUGE_ALL = vs("http://ex.org/vs/huge", [{"system": HUGE["url"]}], version="1")
HUGE_IMP = vs("http://ex.org/vs/huge-imp", [{"valueSet": ["http://ex.org/vs/huge|1"]}], version="1")


def _expand(client, *params, setup=SETUP):
    return expansion(client, [("url", BIG_IMP["url"]), *params], setup)


def test_import_only_value_set_over_1000_expands_whole_with_total(client):
    exp = _expand(client)
    assert exp["total"] == N
    assert codes(exp) == [f"C{i:05d}" for i in range(1, N + 1)]
    assert eparams(exp, "used-valueset") == ["http://ex.org/vs/big|5.0.0"]
    assert eparams(exp, "used-codesystem") == [BIG_URL + "|5.0.0"]


def test_import_only_page_keeps_total(client):
    exp = _expand(client, ("count", 10))
    assert exp["total"] == N
    assert codes(exp) == [f"C{i:05d}" for i in range(1, 11)]


def test_import_only_page_past_1000_keeps_total(client):
    exp = _expand(client, ("count", 10), ("offset", 1050))
    assert exp["total"] == N and exp["offset"] == 1050
    assert codes(exp) == [f"C{i:05d}" for i in range(1051, 1061)]


def test_import_only_count_zero_gives_total(client):
    exp = _expand(client, ("count", 0))
    assert exp["total"] == N and "contains" not in exp


def test_import_over_the_import_limit_is_too_costly(client):
    status, b = post(client, "ValueSet/$expand", [("url", HUGE_IMP["url"])], [HUGE, HUGE_ALL, HUGE_IMP])
    assert status == 422 and b["resourceType"] == "OperationOutcome", b
    (issue,) = b["issue"]
    assert issue["code"] == "too-costly"
    text = issue["details"]["text"]
    # the imported value set is the one too large, as the reference names it
    assert "http://ex.org/vs/huge|1" in text and "expansion has too many codes to produce (>10000)" in text


def test_system_include_keeps_the_1000_limit(client):
    status, b = post(client, "ValueSet/$expand", [("url", BIG_ALL["url"])], SETUP)
    assert status == 422 and b["issue"][0]["code"] == "too-costly"
    assert "(>1000)" in b["issue"][0]["details"]["text"]


def test_system_include_page_past_1000_stays_answered_without_total(tmp_path):
    # stored: a code system sent with the request is not paged past 1,000 codes (test_large_supplied_systems.py)
    r = stored_client(tmp_path, SETUP).get("/fhir/ValueSet/$expand", query_string={
        "url": BIG_ALL["url"], "count": 10, "offset": 1050})
    assert r.status_code == 200, r.get_json()
    exp = r.get_json()["expansion"]
    assert "total" not in exp
    assert codes(exp) == [f"C{i:05d}" for i in range(1051, 1061)]


def test_import_mixed_with_a_system_include_keeps_the_1000_limit(client):
    other = cs("http://ex.org/cs/other", "1", [{"code": "x"}])
    mixed = vs("http://ex.org/vs/mixed", [{"valueSet": ["http://ex.org/vs/big|5.0.0"]},
                                           {"system": other["url"]}], version="1")
    setup = SETUP + [other, mixed]
    status, b = post(client, "ValueSet/$expand", [("url", mixed["url"])], setup)
    assert status == 422 and b["issue"][0]["code"] == "too-costly"
    exp = expansion(client, [("url", mixed["url"]), ("count", 10)], setup)
    assert "total" not in exp and len(codes(exp)) == 10


def test_import_only_with_an_exclude_is_treated_alike(client):
    cut = vs("http://ex.org/vs/big-imp-cut", [{"valueSet": ["http://ex.org/vs/big|5.0.0"]}], version="1")
    cut["compose"]["exclude"] = [{"system": BIG_URL, "concept": [{"code": "C00002"}]}]
    exp = expansion(client, [("url", cut["url"])], SETUP + [cut])
    assert exp["total"] == N - 1 and "C00002" not in codes(exp) and len(codes(exp)) == N - 1
    exp = expansion(client, [("url", cut["url"]), ("count", 10), ("offset", 1050)], SETUP + [cut])
    assert exp["total"] == N - 1 and codes(exp)[0] == "C01052"


def test_import_over_the_import_limit_pages_as_before(client):
    """A page of an import beyond the import limit stays answered (Kodebro's paging choice), without a total."""
    exp = expansion(client, [("url", HUGE_IMP["url"]), ("count", 5), ("offset", 10_040)], [HUGE, HUGE_ALL, HUGE_IMP])
    assert "total" not in exp and codes(exp) == [f"H{i:05d}" for i in range(10_040, 10_045)]


def test_a_higher_max_expansion_setting_raises_the_import_limit_too(tmp_path):
    from fhir_api import create_app
    client = create_app({"DB": str(tmp_path / "k.db"), "DEMO": False, "MAX_EXPANSION": 20_000}).test_client()
    exp = expansion(client, [("url", HUGE_IMP["url"])], [HUGE, HUGE_ALL, HUGE_IMP])
    assert exp["total"] == HUGE_N and len(codes(exp)) == HUGE_N
