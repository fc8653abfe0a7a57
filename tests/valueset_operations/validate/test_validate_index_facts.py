"""$validate-code keeps on a stored code system's index whether any of its concepts is inactive or deprecated (most
are neither), and with a stored value set how messages name it. What is kept must follow a replaced resource, a
deprecation date that depends on the request's date, and a supplement that deprecates a concept."""
from tests.support.resources import cs, vs
from tests.support.tx_requests import issues, out, post, store as _store

CS = "http://example.org/fhir/CodeSystem/index-facts"
VS = "http://example.org/fhir/ValueSet/index-facts"
SUP = "http://example.org/fhir/CodeSystem/index-facts-supplement"
DEPRECATED_URI = "http://hl7.org/fhir/concept-properties#deprecated"


def _validate(client, code, *extra):
    status, b = post(client, "ValueSet/$validate-code", [("url", VS), ("system", CS), ("code", code), *extra])
    assert status == 200, b
    return b


def _texts(b):
    return [i["details"]["text"] for i in issues(b)]


def _status_notes(b):
    return [t for t in _texts(b) if "should be reviewed" in t]


def test_a_concept_retired_in_a_replaced_system_is_reported_after_the_plain_one_was_asked(client):
    _store(client, cs(CS, "1", [{"code": "a"}, {"code": "b"}]), vs(VS, [{"system": CS}], "1"))
    assert _status_notes(_validate(client, "b")) == []
    _store(client, cs(CS, "1", [{"code": "a"}, {"code": "b", "property": [{"code": "status", "valueCode": "retired"}]},
                                {"code": "c", "property": [{"code": "status", "valueCode": "deprecated"}]}]))
    b = _validate(client, "a")
    assert out(b)["result"] is True and _status_notes(b) == [], b
    b = _validate(client, "b")
    assert out(b).get("inactive") is True, b
    assert _status_notes(b) == ["The concept 'b' has a status of retired and inactive and its use should be reviewed"]
    b = _validate(client, "c")
    assert out(b).get("status") == "deprecated", b
    assert _status_notes(b) == ["The concept 'c' is deprecated and its use should be reviewed"]


def test_a_deprecation_date_to_come_is_read_against_the_requests_date(client):
    # no concept is deprecated today; one is from 2100, so the answer depends on the date asked about
    _store(client, cs(CS, "1", [{"code": "a"},
                                {"code": "later", "property": [{"code": "deprecated", "valueDateTime": "2100-01-01"}]}],
                      property=[{"code": "deprecated", "type": "dateTime", "uri": DEPRECATED_URI}]),
           vs(VS, [{"system": CS}], "1"))
    assert _status_notes(_validate(client, "a")) == []
    assert _status_notes(_validate(client, "later")) == []
    b = _validate(client, "later", ("date", "2101-06-01"))
    assert _status_notes(b) == ["The concept 'later' is deprecated and its use should be reviewed"], b
    assert _status_notes(_validate(client, "later")) == []


def test_a_supplement_deprecating_a_concept_of_a_plain_system_is_read(client):
    _store(client, cs(CS, "1", [{"code": "a"}, {"code": "b"}]), vs(VS, [{"system": CS}], "1"),
           cs(SUP, "1", [{"code": "b", "property": [{"code": "status", "valueCode": "deprecated"}]}],
              content="supplement", supplements=f"{CS}|1"))
    assert _status_notes(_validate(client, "b")) == []
    b = _validate(client, "b", ("useSupplement", f"{SUP}|1"))
    assert _status_notes(b) == ["The concept 'b' is deprecated and its use should be reviewed"], b
    assert _status_notes(_validate(client, "b")) == []


def test_a_value_set_is_named_by_the_version_stored_now(client):
    _store(client, cs(CS, "1", [{"code": "a"}, {"code": "b"}]),
           vs(VS, [{"system": CS, "concept": [{"code": "a"}]}], "1"))
    for _ in range(2):
        assert any(f"in the value set '{VS}|1'" in t for t in _texts(_validate(client, "b")))
    _store(client, vs(VS, [{"system": CS, "concept": [{"code": "a"}]}], "2"))
    texts = _texts(_validate(client, "b"))
    assert any(f"in the value set '{VS}|2'" in t for t in texts), texts
