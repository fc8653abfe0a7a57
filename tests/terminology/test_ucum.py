"""http://unitsofmeasure.org: UCUM unit expressions checked against the UCUM essence (terminology/data/ucum)."""
import pytest

from terminology.ucum import UCUM, reading

FJ = "application/fhir+json"


@pytest.mark.parametrize("unit, text", [
    ("mg/dL", "(milligram) / (deciliter)"),
    ("10*9/L", "(10 ^ 9) / (liter)"),
    ("mmol/mol{Hb}", "(millimole) / (mole)"),
    ("mm[Hg]", "(millimeter of mercury column)"),
    ("/min", "1 / (minute)"),
    ("kg/m2", "(kilogram) / (meter ^ 2)"),
    ("ug/(kg.min)", "(microgram) / ((kilogram) * (minute))"),
    ("{rbc}/uL", "1 / (microliter)"),
    ("cd", "(candela)"),                    # an atom wins over a prefix reading (centi-day)
    ("[m/s2/Hz^(1/2)]", "(meter per square seconds per square root of hertz)"),
])
def test_reading(unit, text):
    assert reading(unit) == text


@pytest.mark.parametrize("unit, fault", [
    ("mgg", "'mgg' is not a UCUM unit"), ("m/", "missing"), ("(mg", "not closed"), ("mg{x", "not closed"),
    ("mg dL", "without spaces"), ("mgm", "not a UCUM unit"), ("[in_i]2)", "unexpected ')'"),
])
def test_not_units(unit, fault):
    with pytest.raises(ValueError, match=fault.replace("(", r"\(").replace(")", r"\)")):
        reading(unit)


def _validate(client, **q):
    r = client.get("/fhir/CodeSystem/$validate-code", query_string={"url": UCUM, **q})
    assert r.status_code == 200
    return {p["name"]: next((v for k, v in p.items() if k != "name"), None) for p in r.get_json()["parameter"]}


@pytest.mark.parametrize("code, result", [("mg/dL", True), ("10*9/L", True), ("MG", True), ("mgg", False),
                                          ("MMOL/L", False)])
def test_validate_code(client, code, result):
    out = _validate(client, code=code)
    assert out["result"] is result
    assert out["version"] == "2.2"


def test_the_unit_itself_and_its_reading_are_valid_displays(client):
    assert _validate(client, code="mg/dL", display="mg/dL")["result"] is True
    assert _validate(client, code="mg/dL", display="(milligram) / (deciliter)")["result"] is True
    out = _validate(client, code="mg/dL", display="mg per litre")
    assert out["result"] is False and "'mg/dL'" in out["message"]


def test_an_unknown_version_names_the_one_there_is(client):
    out = _validate(client, code="mg", version="2.1")
    assert out["result"] is False and "Valid versions: 2.2" in out["message"]


def test_a_value_set_of_units(client):
    vs = {"resourceType": "ValueSet", "url": "http://example.org/vs/glucose-units", "status": "active",
          "compose": {"include": [{"system": UCUM, "concept": [{"code": "mmol/L"}, {"code": "mg/dL"}]}]}}
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}]}, content_type=FJ)
    assert [(c["code"], c["display"]) for c in r.get_json()["expansion"]["contains"]] == \
        [("mmol/L", "mmol/L"), ("mg/dL", "mg/dL")]
    whole = {**vs, "compose": {"include": [{"system": UCUM}]}}
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": whole}]}, content_type=FJ)
    issue = r.get_json()["issue"][0]
    assert r.status_code == 422 and issue["code"] == "not-supported"
    assert issue["details"]["text"].startswith(f"The code system '{UCUM}' cannot be expanded")
    r = client.post("/fhir/ValueSet/$validate-code", json={"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": whole},
        {"name": "coding", "valueCoding": {"system": UCUM, "code": "umol/L"}}]}, content_type=FJ)
    assert r.get_json()["parameter"][0] == {"name": "result", "valueBoolean": True}


def test_strings_that_are_not_units_do_not_push_units_out_of_the_kept_ones():
    from terminology import grammar
    from terminology.ucum import UNITS
    assert UNITS.concepts.get("mg/dL") is not None
    for i in range(grammar._KEPT + 10):
        assert UNITS.concepts.get(f"not a unit {i}") is None
    assert "mg/dL" in UNITS.concepts._made
