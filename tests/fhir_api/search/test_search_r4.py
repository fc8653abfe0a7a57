"""FHIR R4 search on CodeSystem, ValueSet, ConceptMap and NamingSystem (fhir_api.search), to the letter of
R4 search.html and http.html#search: lenient and strict handling, POST _search, every standard parameter,
modifiers, prefixes, OR/AND, _sort, _total, paging."""
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

FJ = "application/fhir+json"
STRICT = {"Prefer": "handling=strict"}
JUR_NO = {"coding": [{"system": "urn:iso:std:iso:3166", "code": "NO", "display": "Norway"}], "text": "Norge"}
JUR_SE = {"coding": [{"system": "urn:iso:std:iso:3166", "code": "SE", "display": "Sweden"}]}
FOCUS = {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type", "code": "focus", "display": "Focus"}
UCUM = "http://unitsofmeasure.org"
AGE = {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type", "code": "age"}
VENUE = {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type", "code": "venue", "display": "Venue"}


def cs(rid, url, version, name, date, **extra):
    return {"resourceType": "CodeSystem", "id": rid, "url": url, "version": version, "name": name,
            "status": "active", "content": "complete", "date": date, "caseSensitive": True, **extra}


RESOURCES = [
    cs("alpha", "http://example.org/cs/alpha", "1.0.0", "Alpha", "2019-05-01",
       title="Første kodeverk", publisher="Helsedirektoratet",
       description="Codes for blood pressure readings",
       identifier=[{"system": "urn:ietf:rfc:3986", "value": "urn:oid:2.16.578.1.12.4.1.1.7010",
                    "type": {"text": "OID"}},
                   {"value": "7010", "type": {"coding": [{"system": "urn:kodebro:test", "code": "volven"}]}}],
       jurisdiction=[JUR_NO],
       useContext=[{"code": FOCUS, "valueCodeableConcept": {"coding": [
           {"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"}]}}],
       concept=[{"code": "BP", "display": "Blood pressure",
                 "designation": [{"language": "nb", "value": "Blodtrykk"}]}, {"code": "HR", "display": "Heart rate"}]),
    cs("alpha2", "http://example.org/cs/alpha", "2.0.0", "Alpha", "2020-03-15T10:00:00Z",
       description="Second edition", jurisdiction=[JUR_SE],
       useContext=[{"code": VENUE, "valueCodeableConcept": {"text": "clinic"}},
                   {"code": AGE, "valueRange": {"low": {"value": 18, "system": UCUM, "code": "a"},
                                                "high": {"value": 65, "system": UCUM, "code": "a"}}}],
       concept=[{"code": "BP", "display": "Blood pressure"}, {"code": "RR", "display": "Respiration rate"}]),
    cs("beta", "http://example.org/cs/beta", "10.0", "Beta", "2021", content="fragment",
       concept=[{"code": "X"}]),
    {"resourceType": "CodeSystem", "id": "beta-sup", "url": "http://example.org/cs/beta-sup", "version": "1",
     "name": "BetaSupplement", "status": "draft", "content": "supplement",
     "supplements": "http://example.org/cs/beta|10.0", "concept": [{"code": "X", "designation": [
         {"language": "de", "value": "Ix"}]}]},
    {"resourceType": "ValueSet", "id": "vs-enum", "url": "http://example.org/vs/enum", "version": "1",
     "name": "Enumerated", "status": "active", "date": "2020-06",
     "compose": {"include": [{"system": "http://example.org/cs/alpha", "concept": [{"code": "BP"}]}]}},
    {"resourceType": "ValueSet", "id": "vs-exp", "url": "http://example.org/vs/expanded", "name": "Expanded",
     "status": "retired", "description": "An expanded value set",
     "compose": {"include": [{"system": "http://example.org/cs/beta"}]},
     "expansion": {"identifier": "urn:uuid:5d7e4b9c-8f1e-4f0a-9a31-0c6a1b2d3e4f", "timestamp": "2020-01-01",
                   "contains": [{"system": "http://example.org/cs/beta", "code": "X", "display": "Ex",
                                 "contains": [{"system": "http://example.org/cs/beta", "code": "Y"}]}]}},
    {"resourceType": "NamingSystem", "id": "ns-alpha", "name": "AlphaNS", "status": "active", "kind": "codesystem",
     "date": "2020-01-01", "responsible": "Direktoratet for e-helse",
     "uniqueId": [{"type": "uri", "value": "http://example.org/cs/alpha"}, {"type": "oid", "value": "1.2.3.4"}]},
]


@pytest.fixture
def c(client):
    for r in RESOURCES:
        resp = client.put(f"/fhir/{r['resourceType']}/{r['id']}", json=r, content_type=FJ)
        assert resp.status_code in (200, 201), resp.get_json()
    return client


def ids(client, query, **kw):
    r = client.get("/fhir/" + query, **kw)
    assert r.status_code == 200, r.get_json()
    b = r.get_json()
    return sorted(e["resource"]["id"] for e in b.get("entry", []) if e["search"]["mode"] == "match")


def ordered(client, query):
    b = client.get("/fhir/" + query).get_json()
    return [e["resource"]["id"] for e in b.get("entry", []) if e["search"]["mode"] == "match"]


def error_text(r) -> str:
    assert r.status_code == 400, r.get_json()
    oo = r.get_json()
    assert oo["resourceType"] == "OperationOutcome"
    return " ".join(i["details"]["text"] for i in oo["issue"])


# --- unknown parameters and modifiers: ignored (and said so) unless handling=strict ----------------------

def test_unknown_parameter_is_ignored_and_reported_as_outcome_entry(c):
    b = c.get("/fhir/CodeSystem?bogus=1&name=Alpha").get_json()
    matches = [e for e in b["entry"] if e["search"]["mode"] == "match"]
    outcomes = [e for e in b["entry"] if e["search"]["mode"] == "outcome"]
    assert b["total"] == 2 and len(matches) == 2
    assert len(outcomes) == 1 and outcomes[0]["resource"]["resourceType"] == "OperationOutcome"
    issue = outcomes[0]["resource"]["issue"][0]
    assert issue["severity"] == "warning" and "bogus" in issue["details"]["text"]
    # the self link names the search that was done: without the ignored parameter
    self_link = next(l["url"] for l in b["link"] if l["relation"] == "self")
    assert "bogus" not in self_link and "name=Alpha" in self_link


def test_unknown_parameter_is_a_400_when_strict(c):
    text = error_text(c.get("/fhir/CodeSystem?bogus=1", headers=STRICT))
    assert "'bogus'" in text and "content-mode" in text          # names it, and lists what is known
    assert c.get("/fhir/CodeSystem?name=Alpha", headers={"Prefer": "return=minimal, handling=strict"}).status_code == 200
    assert c.get("/fhir/CodeSystem?bogus=1", headers={"Prefer": "handling=lenient"}).status_code == 200


def test_unsupported_modifier_is_ignored_or_refused(c):
    b = c.get("/fhir/CodeSystem?name:below=Al").get_json()
    assert b["total"] == 4
    assert any(e["search"]["mode"] == "outcome" for e in b["entry"])
    text = error_text(c.get("/fhir/CodeSystem?name:below=Al", headers=STRICT))
    assert ":below" in text and ":exact" in text
    assert ":text" in error_text(c.get("/fhir/CodeSystem?status:text=act", headers=STRICT))


# --- POST _search ------------------------------------------------------------------------------------------

def test_post_search_with_a_form_body_answers_as_get(c):
    got = c.post("/fhir/CodeSystem/_search", data={"name": "Alpha", "version": "2.0.0"})
    assert got.status_code == 200
    assert [e["resource"]["id"] for e in got.get_json()["entry"]] == ["alpha2"]
    # parameters in the URL and in the body are one search (AND)
    both = c.post("/fhir/CodeSystem/_search?version=1.0.0", data={"name": "Alpha"}).get_json()
    assert [e["resource"]["id"] for e in both["entry"]] == ["alpha"]
    assert c.post("/fhir/ValueSet/_search", data={"_summary": "count"}).get_json()["total"] == 2
    assert c.post("/fhir/ValueSet/_search").get_json()["total"] == 2          # no body: every ValueSet
    # the search was not a create
    assert c.get("/fhir/CodeSystem?_summary=count").get_json()["total"] == 4


def test_post_search_refuses_other_bodies_and_get_on_search(c):
    r = c.post("/fhir/CodeSystem/_search", data='{"name": "Alpha"}', content_type=FJ)
    assert r.status_code == 415 and "x-www-form-urlencoded" in r.get_json()["issue"][0]["details"]["text"]
    r = c.get("/fhir/CodeSystem/_search?name=Alpha")
    assert r.status_code == 405 and "POST" in r.get_json()["issue"][0]["details"]["text"]
    assert r.headers["Allow"] == "POST"
    assert c.post("/fhir/Patient/_search", data={"name": "x"}).status_code == 404


# --- dates -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("2020", ["alpha2"]),                        # eq: the resource's date lies within the year
    ("eq2020-03", ["alpha2"]),
    ("eq2020-03-15T10:00:00Z", ["alpha2"]),
    ("ne2020", ["alpha", "beta"]),
    ("gt2020", ["beta"]),
    ("lt2020", ["alpha"]),
    ("ge2020-03-15", ["alpha2", "beta"]),
    ("le2020-03-15", ["alpha", "alpha2"]),
    ("sa2019-05-01", ["alpha2", "beta"]),
    ("eb2021-01-01", ["alpha", "alpha2"]),
    ("gt2021-06", ["beta"]),                     # the year 2021 reaches past June
    ("eq2021-06", []),                           # ... but is not within June
    ("ap2020-03-14", ["alpha2"]),
    ("ge2019&date=lt2021", ["alpha", "alpha2"]),  # AND: a range
    ("2019,2021", ["alpha", "beta"]),            # OR
])
def test_date_prefixes_on_partial_dates(c, value, expected):
    assert ids(c, f"CodeSystem?date={value}") == expected


@pytest.mark.parametrize("value,words", [
    ("2020-13", ["date", "yyyy-mm"]),
    ("yesterday", ["'ye'", "prefix"]),
    ("xx2020", ["'xx'", "eq, ne"]),
    ("ge", ["yyyy-mm-dd"]),
    ("2020-02-30", ["date"]),
])
def test_bad_dates_are_400_with_a_readable_message(c, value, words):
    text = error_text(c.get(f"/fhir/CodeSystem?date={value}"))
    assert all(w in text for w in words), text


def test_last_updated(c):
    today = datetime.now(timezone.utc).date()
    assert len(ids(c, f"CodeSystem?_lastUpdated=ge{today - timedelta(days=1)}")) == 4
    assert ids(c, "CodeSystem?_lastUpdated=lt2000") == []
    assert len(ordered(c, "CodeSystem?_sort=-_lastUpdated")) == 4


# --- strings, tokens, uris, references --------------------------------------------------------------------

def test_string_modifiers_and_accents(c):
    assert ids(c, "CodeSystem?name=alp") == ["alpha", "alpha2"]
    assert ids(c, "CodeSystem?name:exact=alpha") == []
    assert ids(c, "CodeSystem?name:exact=Alpha") == ["alpha", "alpha2"]
    assert ids(c, "CodeSystem?name:contains=suppl") == ["beta-sup"]
    assert ids(c, "CodeSystem?title=FØRSTE") == ["alpha"]              # case-insensitive, Norwegian letters too
    assert ids(c, "CodeSystem?title=forste") == []                     # ø is a letter, not an accented o
    assert ids(c, "ValueSet?description=án éxpänded") == ["vs-exp"]   # accents do not count
    assert ids(c, "CodeSystem?description=codes for") == ["alpha"]
    assert ids(c, "CodeSystem?description:contains=PRESSURE") == ["alpha"]
    assert ids(c, "CodeSystem?publisher=helsedir") == ["alpha"]
    assert ids(c, "NamingSystem?responsible=direktoratet") == ["ns-alpha"]


def test_missing_modifier(c):
    assert ids(c, "CodeSystem?description:missing=true") == ["beta", "beta-sup"]
    assert ids(c, "CodeSystem?description:missing=false") == ["alpha", "alpha2"]
    assert ids(c, "CodeSystem?supplements:missing=false") == ["beta-sup"]
    assert ids(c, "ValueSet?expansion:missing=true") == ["vs-enum"]
    assert "true or false" in error_text(c.get("/fhir/CodeSystem?description:missing=maybe"))


def test_token_parameters(c):
    assert ids(c, "CodeSystem?status=draft") == ["beta-sup"]
    assert ids(c, "CodeSystem?status:not=active") == ["beta-sup"]
    assert ids(c, "CodeSystem?identifier=urn:oid:2.16.578.1.12.4.1.1.7010") == ["alpha"]
    assert ids(c, "CodeSystem?identifier=urn:ietf:rfc:3986|") == ["alpha"]
    assert ids(c, "CodeSystem?identifier=urn:ietf:rfc:3986|urn:oid:2.16.578.1.12.4.1.1.7010") == ["alpha"]
    assert ids(c, "CodeSystem?identifier=other|urn:oid:2.16.578.1.12.4.1.1.7010") == []
    assert ids(c, "CodeSystem?identifier:text=oid") == ["alpha"]
    assert ids(c, "CodeSystem?identifier:of-type=urn:kodebro:test|volven|7010") == ["alpha"]
    assert ids(c, "CodeSystem?identifier:of-type=urn:kodebro:test|volven|7011") == []
    assert ids(c, "CodeSystem?identifier:of-type=urn:kodebro:test|other|7010") == []
    assert "[type system]|[type code]|[value]" in error_text(c.get("/fhir/CodeSystem?identifier:of-type=7010"))
    assert ids(c, "CodeSystem?jurisdiction=NO") == ["alpha"]
    assert ids(c, "CodeSystem?jurisdiction=urn:iso:std:iso:3166|SE") == ["alpha2"]
    assert ids(c, "CodeSystem?jurisdiction=NO,SE") == ["alpha", "alpha2"]
    assert ids(c, "CodeSystem?jurisdiction:text=norge") == ["alpha"]          # CodeableConcept.text
    assert ids(c, "CodeSystem?jurisdiction:text=swe") == ["alpha2"]           # Coding.display
    assert ids(c, "CodeSystem?jurisdiction:not=NO") == ["alpha2", "beta", "beta-sup"]
    assert ids(c, "CodeSystem?context-type=focus") == ["alpha"]
    assert ids(c, "CodeSystem?context-type=http://terminology.hl7.org/CodeSystem/usage-context-type|venue") == ["alpha2"]
    assert ids(c, "CodeSystem?context=http://snomed.info/sct|38341003") == ["alpha"]
    assert ids(c, "CodeSystem?context:text=clin") == ["alpha2"]
    assert ids(c, "CodeSystem?version=1.0.0,10.0") == ["alpha", "beta"]
    assert ids(c, "CodeSystem?_id=alpha,beta") == ["alpha", "beta"]


def test_codesystem_parameters(c):
    assert ids(c, "CodeSystem?code=BP") == ["alpha", "alpha2"]
    assert ids(c, "CodeSystem?code=HR") == ["alpha"]
    assert ids(c, "CodeSystem?code=http://example.org/cs/alpha|RR") == ["alpha2"]
    assert ids(c, "CodeSystem?code=http://example.org/cs/beta|RR") == []
    assert ids(c, "CodeSystem?code=bp") == []                 # codes are exact in a case-sensitive system ...
    c.put("/fhir/CodeSystem/ci", json=cs("ci", "http://example.org/cs/ci", "1", "CaseFree", "2022",
                                         caseSensitive=False, concept=[{"code": "Abc"}]), content_type=FJ)
    assert ids(c, "CodeSystem?code=aBC") == ["ci"]                            # ... unless the system says not
    assert ids(c, "CodeSystem?content-mode=fragment,supplement") == ["beta", "beta-sup"]
    assert ids(c, "CodeSystem?supplements=http://example.org/cs/beta") == ["beta-sup"]
    assert ids(c, "CodeSystem?supplements=http://example.org/cs/beta|10.0") == ["beta-sup"]
    assert ids(c, "CodeSystem?supplements=http://example.org/cs/beta|9") == []
    assert ids(c, "CodeSystem?supplements=CodeSystem/beta") == ["beta-sup"]
    assert ids(c, "CodeSystem?language=nb") == ["alpha"]
    assert ids(c, "CodeSystem?language=de") == ["beta-sup"]
    assert ids(c, "CodeSystem?system=http://example.org/cs/beta") == ["beta"]


def test_valueset_parameters(c):
    assert ids(c, "ValueSet?code=BP") == ["vs-enum"]                           # compose.include.concept
    assert ids(c, "ValueSet?code=http://example.org/cs/beta|Y") == ["vs-exp"]  # nested expansion.contains
    assert ids(c, "ValueSet?code:text=ex") == ["vs-exp"]
    assert ids(c, "ValueSet?reference=http://example.org/cs/alpha") == ["vs-enum"]
    assert ids(c, "ValueSet?expansion=urn:uuid:5d7e4b9c-8f1e-4f0a-9a31-0c6a1b2d3e4f") == ["vs-exp"]
    assert ids(c, "ValueSet?url:below=http://example.org/vs") == ["vs-enum", "vs-exp"]
    assert ids(c, "ValueSet?url:above=http://example.org/vs/enum/sub") == ["vs-enum"]
    assert ids(c, "ValueSet?date=2020") == ["vs-enum"]
    assert ids(c, "NamingSystem?value=1.2.3") == ["ns-alpha"]
    assert ids(c, "NamingSystem?kind=codesystem&id-type=oid") == ["ns-alpha"]


def test_or_by_comma_and_by_repetition(c):
    a, b = "http://example.org/cs/alpha", "http://example.org/cs/beta"
    assert ids(c, f"CodeSystem?url={a},{b}") == ["alpha", "alpha2", "beta"]
    assert ids(c, f"CodeSystem?url={a}&url={b}") == []                        # AND: not the first value only
    assert ids(c, f"CodeSystem?url={a}&url={a}") == ["alpha", "alpha2"]
    assert ids(c, "CodeSystem?name=al&name=alpha") == ["alpha", "alpha2"]
    assert ids(c, "CodeSystem?code=BP&code=HR") == ["alpha"]
    assert ids(c, "CodeSystem?description=a\\,b") == []                        # an escaped comma is a comma


# --- results: _sort, _total, paging, _summary, _elements ---------------------------------------------------

def test_sort(c):
    assert ordered(c, "CodeSystem?_sort=name,-version") == ["alpha2", "alpha", "beta", "beta-sup"]
    assert ordered(c, "CodeSystem?_sort=-name,version") == ["beta-sup", "beta", "alpha", "alpha2"]
    assert ordered(c, "CodeSystem?_sort=version") == ["beta-sup", "alpha", "alpha2", "beta"]  # 10.0 after 2.0.0
    assert ordered(c, "CodeSystem?_sort=-date") == ["beta", "alpha2", "alpha", "beta-sup"]     # no date: last
    assert ordered(c, "CodeSystem?_sort=url,_id")[:2] == ["alpha", "alpha2"]
    text = error_text(c.get("/fhir/CodeSystem?_sort=colour"))
    assert "'colour'" in text and "version" in text


def test_total(c):
    assert "total" not in c.get("/fhir/CodeSystem?_total=none").get_json()
    assert c.get("/fhir/CodeSystem?_total=accurate").get_json()["total"] == 4
    assert c.get("/fhir/CodeSystem?_total=estimate").get_json()["total"] == 4
    assert "none, estimate or accurate" in error_text(c.get("/fhir/CodeSystem?_total=some"))


def _rel(bundle, relation):
    url = next((l["url"] for l in bundle["link"] if l["relation"] == relation), None)
    if url is None:
        return None
    parts = urlsplit(url)
    return parts.path + "?" + parts.query


def test_paging_links_walk_every_page(c):
    first = c.get("/fhir/CodeSystem?_count=3&_sort=_id").get_json()
    assert {l["relation"] for l in first["link"]} == {"self", "first", "next", "last"}
    second = c.get(_rel(first, "next")).get_json()
    assert [e["resource"]["id"] for e in second["entry"]] == ["beta-sup"]
    assert _rel(second, "next") is None and _rel(second, "previous") is not None
    assert _rel(first, "last") == _rel(second, "self")
    back = c.get(_rel(second, "previous")).get_json()
    assert [e["resource"]["id"] for e in back["entry"]] == ["alpha", "alpha2", "beta"]
    assert "_sort=_id" in _rel(second, "first") and "_count=3" in _rel(second, "first")


def test_count_zero_gives_the_total_and_no_page_to_follow(c):
    b = c.get("/fhir/CodeSystem?_count=0").get_json()
    assert b["total"] == 4 and "entry" not in b
    assert {l["relation"] for l in b["link"]} == {"self"}
    assert "at least 0" in error_text(c.get("/fhir/CodeSystem?_count=-1"))


def test_summary_and_elements_keep_working(c):
    b = c.get("/fhir/CodeSystem?name=Beta&_elements=url,name").get_json()
    res = b["entry"][0]["resource"]
    # search.html#elements: the mandatory elements (CodeSystem.status, .content) come whether asked or not
    assert set(res) <= {"resourceType", "id", "meta", "url", "name", "status", "content"}
    assert any(t["code"] == "SUBSETTED" for t in res["meta"]["tag"])
    b = c.post("/fhir/CodeSystem/_search", data={"code": "BP", "_summary": "false"}).get_json()
    assert all("concept" in e["resource"] for e in b["entry"])
    assert "_summary" in error_text(c.get("/fhir/CodeSystem?_summary=maybe"))


# --- the CapabilityStatement tells the truth ---------------------------------------------------------------

def test_every_advertised_parameter_is_served_in_strict_mode(c):
    cap = c.get("/fhir/metadata").get_json()
    sample = {"date": "ge2020", "token": "x", "string": "x", "uri": "http://x", "reference": "http://x",
              "quantity": "ge5", "composite": "focus$5"}
    for res in cap["rest"][0]["resource"]:
        params = res.get("searchParam", [])
        assert params, res["type"]
        for p in params:
            assert p["definition"].startswith("http://hl7.org/fhir/SearchParameter/")
            r = c.get(f"/fhir/{res['type']}", query_string={p["name"]: sample[p["type"]]}, headers=STRICT)
            assert r.status_code == 200, (res["type"], p["name"], r.get_json())


@pytest.mark.parametrize("value", ["9999", "ap9999", "0001", "ap0001", "0001-01-01T00:00%2B14:00",
                                   "0001-01-01T00:00+14:00", "gt9999-12-31T23:59Z",
                                   "2020-03-15T10:00:00.123456789Z"])
def test_dates_at_the_ends_of_time_are_answered(c, value):
    assert c.get(f"/fhir/CodeSystem?date={value}").status_code == 200


def test_header_parameters_read_no_body(client, db_path):
    """name, url, version, status, publisher, title, date and _id are answered from the catalog headers."""
    for r in RESOURCES[:4]:
        client.put(f"/fhir/CodeSystem/{r['id']}", json=r, content_type=FJ)
    from fhir_api import create_app
    fresh = create_app({"DB": db_path, "DEMO": False})     # a server that has read no body yet
    with fresh.app_context():
        from fhir_api.store import get_catalog
        catalog = get_catalog()
        c2 = fresh.test_client()
        q = "name=Alpha&version=1.0.0,2.0.0&status=active&date=ge2019&publisher:missing=false&_sort=-date"
        assert c2.get(f"/fhir/CodeSystem?{q}&_summary=count").get_json()["total"] == 1
        assert catalog._body_cache == {}
        assert c2.get("/fhir/CodeSystem?description=codes&_summary=count").get_json()["total"] == 1
        assert catalog._body_cache       # a body parameter reads bodies


def test_no_search_input_is_a_server_error(c):
    """Random mixes of parameters, modifiers and odd values: every answer is 200 or a 400 OperationOutcome."""
    import random
    from urllib.parse import urlencode
    from fhir_api.search import TABLES
    rnd = random.Random(6)
    values = ["", "x", "|", "a|b", "\\", "\\,", ",,", "2020", "ge2020", "ap", "ap0001", "xx", "true", "é", "ø",
              "%", "CodeSystem/", "CodeSystem/alpha", "http://x|", "|x", "-", "1e400", "2020-01-01T25:00",
              "9999-12-31T23:59:59.9999999999+14:00", "a" * 3000, "focus$5", "age$gt3||a", "1e99999", "\\$",
              "-name", "name,-date", "0", "-1", "count", "none"]
    for rtype, table in TABLES.items():
        names = list(table) + ["source-code", "target", "bogus", "_sort", "_count", "_offset", "_total",
                               "_summary", "_elements", "_include"]
        for _ in range(60):
            pairs = []
            for _ in range(rnd.randint(1, 4)):
                name = rnd.choice(names)
                if rnd.random() < 0.3:
                    name += ":" + rnd.choice(["exact", "contains", "missing", "not", "text", "below", "of-type", "zz", ""])
                pairs.append((name, rnd.choice(values)))
            for r in (c.get(f"/fhir/{rtype}?{urlencode(pairs)}"),
                      c.get(f"/fhir/{rtype}?{urlencode(pairs)}", headers=STRICT),
                      c.post(f"/fhir/{rtype}/_search", data=urlencode(pairs),
                             content_type="application/x-www-form-urlencoded")):
                assert r.status_code in (200, 400), (rtype, pairs, r.get_json())
                assert r.get_json()["resourceType"] == ("Bundle" if r.status_code == 200 else "OperationOutcome")


def test_post_search_body_without_content_type_and_in_utf8(c):
    r = c.post("/fhir/CodeSystem/_search", data="name=Alpha&version=1.0.0".encode())
    assert [e["resource"]["id"] for e in r.get_json()["entry"]] == ["alpha"]
    r = c.post("/fhir/CodeSystem/_search", data="title=F%C3%B8rste".encode(),
               content_type="application/x-www-form-urlencoded; charset=utf-8")
    assert [e["resource"]["id"] for e in r.get_json()["entry"]] == ["alpha"]
    r = c.post("/fhir/CodeSystem/_search", data=b"name=\xff\xfe", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400


def test_context_composites_and_quantities(c):
    assert ids(c, "CodeSystem?context-type-value=focus$http://snomed.info/sct|38341003") == ["alpha"]
    assert ids(c, "CodeSystem?context-type-value=venue$38341003") == []          # both halves on one useContext
    assert ids(c, "CodeSystem?context-type-value=focus$38341003,venue$38341003") == ["alpha"]
    assert ids(c, "CodeSystem?context-quantity=40") == []                        # a range is not within 40
    assert ids(c, "CodeSystem?context-quantity=ge60") == ["alpha2"]
    assert ids(c, "CodeSystem?context-quantity=lt18") == []
    assert ids(c, "CodeSystem?context-quantity=le18|http://unitsofmeasure.org|a") == ["alpha2"]
    assert ids(c, "CodeSystem?context-quantity=le18|http://unitsofmeasure.org|mo") == []
    assert ids(c, "CodeSystem?context-quantity=sa17") == ["alpha2"]
    assert ids(c, "CodeSystem?context-type-quantity=age$gt30") == ["alpha2"]
    assert ids(c, "CodeSystem?context-type-quantity=focus$gt30") == []
    assert "[prefix]number" in error_text(c.get("/fhir/CodeSystem?context-quantity=ge12abc"))
    assert "'$'" in error_text(c.get("/fhir/CodeSystem?context-type-value=focus"))
    assert "out of range" in error_text(c.get("/fhir/CodeSystem?context-quantity=1e99999999"))
