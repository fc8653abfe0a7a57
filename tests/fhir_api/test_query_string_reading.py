"""An operation's query string is read once a request, without werkzeug's MultiDict: the parameters, `_format`
and `_pretty` must come out exactly as werkzeug's request.args reads them (names in order of first appearance,
each name's values in order; '+' is a space, %XX decoded as UTF-8, an invalid escape kept as written), and
the answers over HTTP must be the ones they were."""
from __future__ import annotations

import json

import pytest
from flask import request

from fhir_api import create_app
from fhir_api.params import request_params
from fhir_api.render import FORMAT_KEY, negotiate

ICD = "http://hl7.org/fhir/sid/icd-10-no"

# as a WSGI server hands QUERY_STRING over: the raw bytes, each one a latin-1 character
QUERIES = [
    "",
    "code=A&system=S&code=B",                       # a name given twice, another between
    "property=a&code=x&property=b&property=c",
    "display=Covid+19+med",                         # '+' is a space
    "display=a%2Bb",                                # an escaped '+' is a plus
    "system=&code=X",                               # an empty value
    "code",                                         # a name without '='
    "a=1&&b=2&",                                    # empty parts
    "a=1;b=2",                                      # ';' is no separator
    "a=b=c",                                        # only the first '=' splits
    "=v",                                           # an empty name
    f"url={ICD.replace(':', '%3A').replace('/', '%2F')}",
    "url=http%3a%2f%2fexample.org",                 # lower-case escapes
    "d=%C3%A5",                                     # UTF-8 escapes
    "d=%E5rsak",                                    # an escape that is no UTF-8: kept as written
    "d=%zz&e=100%&f=%4",                            # escapes that are not escapes
    "d=\xc3\xa5",                                   # raw UTF-8 bytes
    "d=%C3%A5\xc3\xa5",                            # raw and escaped together
    "%5Fformat=json&code=1",                        # an escaped name
    "_format=json&_pretty=true&code=1&_summary=x",  # underscore names are no operation parameters
    "n%C3%A5vn=v&n\xc3\xa5vn=w",                    # one name written two ways
    "code=+A+&code=%20A%20",
    "d=" + "%C3%A5" * 60 + "&e=" + "%E5x" * 80,      # long escaped values (decoded, not kept)
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app({"DB": str(tmp_path_factory.mktemp("qs") / "k.db"), "DEMO": True})


@pytest.mark.parametrize("raw", QUERIES)
def test_the_parameters_are_werkzeugs_args_in_its_order(app, raw):
    for _ in range(2):      # the second time the escaped values decoded before are taken as kept
        with app.test_request_context("/fhir/CodeSystem/$lookup", environ_overrides={"QUERY_STRING": raw}):
            expected = [(k, v) for k, vs in request.args.lists() for v in vs if not k.startswith("_")]
            assert request_params().items == expected
            assert request_params().source == "query"


@pytest.mark.parametrize("raw, chosen, refused", [
    ("_format=json", "json", None), ("_format=xml", "xml", None), ("%5Fformat=xml", "xml", None),
    ("_format=application/fhir+xml", "xml", None), ("_format=application%2Ffhir%2Bjson", "json", None),
    ("_format=&code=1", "json", None), ("_format=xml&_format=json", "xml", None),
    ("_format=json&_format=xml", "json", None), ("_format", "json", None), ("_format=turtle", "json", "turtle"),
    ("_format=html&_format=json", "json", "html")])
def test_the_format_asked_is_the_first_one_given(app, raw, chosen, refused):
    with app.test_request_context("/fhir/metadata", environ_overrides={"QUERY_STRING": raw}):
        assert negotiate() == refused
        from flask import request
        assert request.environ[FORMAT_KEY] == chosen


@pytest.fixture(scope="module")
def kb(app):
    return app.test_client()


def _get(kb, path, raw):
    return kb.get(path, environ_overrides={"QUERY_STRING": raw})


def test_an_escaped_code_and_urls_answer_as_written_out(kb):
    plain = _get(kb, "/fhir/CodeSystem/$lookup", f"system={ICD}&code=A00.0")
    escaped = _get(kb, "/fhir/CodeSystem/$lookup",
                   "system=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Ficd-10-no&code=A00%2E0")
    assert plain.status_code == escaped.status_code == 200
    assert plain.get_data() == escaped.get_data()
    assert json.loads(plain.get_data())["parameter"][0] == {"name": "code", "valueCode": "A000"}


def test_plus_is_a_space_in_a_display(kb):
    r = _get(kb, "/fhir/CodeSystem/$validate-code", f"url={ICD}&code=A00.0&display=Kolera+ikke+slik")
    shown = json.dumps(r.get_json(), ensure_ascii=False)
    assert r.status_code == 200 and "'Kolera ikke slik'" in shown


def test_a_code_given_twice_names_both_in_the_order_sent(kb):
    r = _get(kb, "/fhir/CodeSystem/$lookup", f"code=A00.0&system={ICD}&code=A00.1")
    assert r.status_code == 400
    assert "'A00.0' and 'A00.1'" in r.get_json()["issue"][0]["details"]["text"]


def test_an_empty_system_is_given_empty(kb):
    r = _get(kb, "/fhir/CodeSystem/$lookup", "system=&code=A00.0")
    assert r.status_code in (400, 404) and r.get_json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("raw, indented", [("_pretty=true", True), ("_pretty=TRUE", True), ("%5Fpretty=true", True),
                                           ("_pretty=false", False), ("_pretty=true&_pretty=false", True),
                                           ("_pretty=false&_pretty=true", False), ("_pretty", False)])
def test_pretty_is_the_first_value_given(kb, raw, indented):
    r = _get(kb, "/fhir/CodeSystem/$lookup", f"system={ICD}&code=A00.0&{raw}")
    assert r.status_code == 200
    assert r.get_data().startswith(b'{\n  "resourceType"') is indented


def test_pretty_applies_to_an_error_answer_too(kb):
    r = _get(kb, "/fhir/CodeSystem/$lookup", "code=A00.0&_pretty=true")
    assert r.status_code == 400 and r.get_data().startswith(b'{\n  "resourceType": "OperationOutcome"')


def test_a_refused_format_is_406_before_the_operation_runs(kb):
    r = _get(kb, "/fhir/CodeSystem/$lookup", "code=A00.0&_format=ttl")       # (the lookup alone would be 400)
    assert r.status_code == 406 and r.get_json()["issue"][0]["code"] == "not-supported"


def test_an_error_is_answered_in_the_format_asked(kb):
    r = _get(kb, "/fhir/CodeSystem/$lookup", "code=A00.0&_format=xml")
    assert r.status_code == 400 and r.mimetype == "application/fhir+xml"
    assert r.get_data().startswith(b'<?xml version="1.0" encoding="UTF-8"?><OperationOutcome xmlns="http://hl7.org/fhir">'
                                   b'<issue><severity value="error"/><code value="invalid"/>')


@pytest.mark.parametrize("path", ["/fhir/CodeSystem/$lookup", "/fhir/metadata", "/fhir/CodeSystem"])
def test_a_query_string_that_is_no_utf8_is_a_400_naming_it(kb, path):
    # a raw byte 0xE5 (latin-1 å) where UTF-8 was due: the client's error, with what to do instead
    r = _get(kb, path, f"system={ICD}&code=\xe5")
    assert r.status_code == 400, r.get_data()[:300]
    text = r.get_json()["issue"][0]["details"]["text"]
    assert "UTF-8" in text and "percent-encode" in text
