"""OPTIONS and 405 answers name the same methods: those the URL is served with (fhir_api/http_headers
served_methods), never one its route only refuses. HEAD (with GET) and OPTIONS are answered everywhere and
are not listed. A CORS preflight names the same methods."""
import pytest

from ._content import S

EHR = "https://ehr.example.no"

# every route class: (path, the methods it serves)
ROUTES = [
    ("/fhir", {"POST"}),                                         # base: batch/transaction
    ("/fhir/", {"POST"}),
    ("/fhir/metadata", {"GET"}),
    ("/fhir/CodeSystem", {"GET", "POST"}),                       # type: search, create
    ("/fhir/CodeSystem/_search", {"POST"}),
    ("/fhir/CodeSystem/requests-1-0-0", {"GET", "PUT", "DELETE"}),   # instance: read, update, delete
    ("/fhir/CodeSystem/$lookup", {"GET", "POST"}),               # operations, type level
    ("/fhir/CodeSystem/requests-1-0-0/$lookup", {"GET", "POST"}),    # and instance level
    ("/fhir/ValueSet/$expand", {"GET", "POST"}),
    ("/fhir/$versions", {"GET", "POST"}),                        # system level
    ("/fhir/OperationDefinition", {"GET"}),                      # read-only type
    ("/fhir/OperationDefinition/CodeSystem-lookup", {"GET"}),
    ("/healthz", {"GET"}),
    ("/readyz", {"GET"}),
    ("/", {"GET"}),
]
ALL = ("GET", "POST", "PUT", "DELETE", "PATCH")


def _allow(r) -> set[str]:
    return {m.strip() for m in r.headers["Allow"].split(",") if m.strip()}


@pytest.mark.parametrize("path,served", ROUTES)
def test_options_lists_exactly_the_methods_served(stored, path, served):
    r = stored.open(path, method="OPTIONS")
    assert r.status_code == 200 and r.data == b""
    assert _allow(r) == served


@pytest.mark.parametrize("path,served", ROUTES)
def test_every_405_lists_the_same_methods_as_options(stored, path, served):
    refused = 0
    for method in ALL:
        if method in served:
            continue
        r = stored.open(path, method=method)
        # PUT .../_search reaches the instance rule and is refused for its id ('_search' is none): not a 405
        assert 400 <= r.status_code < 500, (method, path, r.status_code)
        assert r.get_json()["resourceType"] == "OperationOutcome"
        if r.status_code == 405:
            refused += 1
            assert _allow(r) == served, (method, path)
    assert refused


@pytest.mark.parametrize("path,served", ROUTES)
def test_every_method_listed_is_not_refused(stored, path, served):
    # a listed method may fail for the request's content (a search parameter, a body), never with 405
    for method in served:
        assert stored.open(path, method=method).status_code != 405, (method, path)


def test_head_is_answered_where_get_is(stored):
    r = stored.head("/fhir/metadata")
    assert r.status_code == 200 and r.data == b""


def test_options_on_an_unknown_path_is_404(stored):
    r = stored.open("/fhir/CodeSystem/a/b/c", method="OPTIONS")
    assert r.status_code == 404 and r.get_json()["resourceType"] == "OperationOutcome"


def test_refusals_name_real_endpoints(tmp_path):
    from fhir_api import create_app
    from fhir_api.http_headers import REFUSALS
    app = create_app({"DB": str(tmp_path / "k.db"), "DEMO": False})
    assert REFUSALS <= set(app.view_functions)


# --- CORS preflight, consistent with Allow --------------------------------------------------------------
@pytest.fixture(scope="module")
def cors(tmp_path_factory):
    from fhir_api import create_app
    db = str(tmp_path_factory.mktemp("cors") / "k.db")
    return create_app({"DB": db, "DEMO": False, "CORS_ORIGINS": EHR}).test_client()


@pytest.mark.parametrize("path,served", [r for r in ROUTES if r[0].startswith("/fhir")])
def test_a_preflight_names_the_methods_served(cors, path, served):
    r = cors.options(path, headers={"Origin": EHR, "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and r.data == b""
    assert r.headers["Access-Control-Allow-Origin"] == EHR
    methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",") if m.strip()}
    assert methods == served == _allow(r)


def test_a_preflight_from_another_origin_gets_no_methods(cors):
    r = cors.options("/fhir/CodeSystem/$lookup", headers={"Origin": "https://evil.example.com",
                                                          "Access-Control-Request-Method": "PUT"})
    assert r.status_code == 204 and "Access-Control-Allow-Methods" not in r.headers


def test_options_without_preflight_headers_is_plain_options_under_cors(cors):
    r = cors.options("/fhir/metadata", headers={"Origin": EHR})
    assert r.status_code == 200 and _allow(r) == {"GET"}
    assert r.headers["Access-Control-Allow-Origin"] == EHR


def test_lookup_still_works_through_an_options_checked_route(stored):
    assert stored.get(f"/fhir/CodeSystem/$lookup?system={S}&code=a").status_code == 200
