"""The shape of $expand `contains` entries and `expansion.property` as tx.fhir.org (FHIRsmith expand.js
includeCode, cs-cs.js getStatus) writes them: which concept extensions are copied, when a property is declared,
and the status a concept's boolean properties give. Resources written for these tests (Kodebro's terms)."""
from tests.support.tx_files import tx_file
from tests.support.tx_requests import cs, expansion, vs

EXT = "http://hl7.org/fhir/StructureDefinition/"
R5 = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion."
STATUS_URI = "http://hl7.org/fhir/concept-properties#status"
URL = "http://ex.org/shape/cs"

ALTERNATE = {"url": EXT + "codesystem-alternate",
             "extension": [{"url": "code", "valueCode": "A-1"},
                           {"url": "use", "valueCoding": {"system": "http://ex.org/use", "code": "legacy"}}]}
SCTDESCID = {"url": EXT + "coding-sctdescid", "valueId": "123456011"}
UNKNOWN = {"url": "http://ex.org/StructureDefinition/unknown", "valueString": "dropped"}
STYLE = {"url": EXT + "rendering-style", "valueString": "font-weight: bold"}

CS = cs(URL, "1", [
    {"code": "a", "display": "Alpha", "extension": [ALTERNATE, SCTDESCID, UNKNOWN],
     "designation": [{"language": "de", "value": "Alfa", "extension": [STYLE, ALTERNATE, UNKNOWN]}]},
    {"code": "b", "display": "Beta", "property": [{"code": "inactive", "valueBoolean": True}]},
    {"code": "c", "display": "Gamma", "property": [{"code": "deprecated", "valueBoolean": True}]},
    {"code": "d", "display": "Delta", "property": [{"code": "retired", "valueBoolean": True}]},
    {"code": "e", "display": "Epsilon", "property": [{"code": "deprecationDate", "valueDateTime": "2001-01-01"}]},
    {"code": "f", "display": "Zeta", "property": [{"code": "deprecationDate", "valueDateTime": "2999-01-01"}]},
    {"code": "g", "display": "Eta", "definition": "The seventh.",
     "property": [{"code": "inactive", "valueBoolean": True}, {"code": "status", "valueCode": "active"}]},
], language="en", property=[
    {"code": "status", "uri": STATUS_URI, "type": "code"},
    {"code": "inactive", "uri": "http://hl7.org/fhir/concept-properties#inactive", "type": "boolean"},
    {"code": "deprecated", "type": "boolean"},
    {"code": "retired", "type": "boolean"},
    {"code": "deprecationDate", "type": "dateTime"},
    {"code": "colour", "uri": "http://ex.org/colour", "type": "string"},
])
ALL = vs("http://ex.org/shape/vs/all", [{"system": URL}])
SETUP = [CS, ALL]


def entry(exp: dict, code: str) -> dict:
    return next(c for c in exp["contains"] if c["code"] == code)


def declared(exp: dict) -> list:
    """(code, uri) of each expansion.property the R4 backport extension declares."""
    out = []
    for e in exp.get("extension") or ():
        if e["url"] == R5 + "property":
            parts = {p["url"]: next(v for k, v in p.items() if k.startswith("value")) for p in e["extension"]}
            out.append((parts["code"], parts.get("uri")))
    return out


def status_of(c: dict) -> list:
    return [next(v for k, v in p.items() if k.startswith("value") and p["url"] == "value")
            for e in c.get("extension") or () if e["url"] == R5 + "contains.property"
            for p in e["extension"] if any(q == {"url": "code", "valueCode": "status"} for q in e["extension"])
            and p["url"] == "value"]


# ADOPT-1: codesystem-alternate and coding-sctdescid on a code system concept are copied, the unknown one is not

def test_cs_concept_extensions_copied_verbatim(client):
    exp = expansion(client, [("url", ALL["url"])], SETUP)
    assert entry(exp, "a") == {"system": URL, "code": "a", "display": "Alpha", "extension": [ALTERNATE, SCTDESCID]}


def test_supplement_concept_alternate_is_copied(client):
    sup = {"resourceType": "CodeSystem", "url": "http://ex.org/shape/sup", "version": "1", "status": "active",
           "content": "supplement", "supplements": URL + "|1",
           "concept": [{"code": "b", "extension": [ALTERNATE]}]}
    v = vs("http://ex.org/shape/vs/sup", [{"system": URL, "concept": [{"code": "b"}]}],
           extension=[{"url": EXT + "valueset-supplement", "valueCanonical": sup["url"]}])
    exp = expansion(client, [("url", v["url"])], [CS, sup, v])
    assert [e for e in entry(exp, "b")["extension"] if e["url"] == ALTERNATE["url"]] == [ALTERNATE]


# ADOPT-2: a property is declared only when some entry carries a value for it

def test_definition_asked_over_codes_without_one_declares_nothing(client):
    v = vs("http://ex.org/shape/vs/ab", [{"system": URL, "concept": [{"code": "a"}, {"code": "f"}]}])
    exp = expansion(client, [("url", v["url"]), ("property", "definition")], [CS, v])
    assert declared(exp) == []
    assert "extension" not in exp
    assert entry(exp, "a") == {"system": URL, "code": "a", "display": "Alpha", "extension": [ALTERNATE, SCTDESCID]}


def test_declared_property_no_concept_carries_is_not_declared(client):
    v = vs("http://ex.org/shape/vs/ag", [{"system": URL, "concept": [{"code": "a"}, {"code": "g"}]}])
    exp = expansion(client, [("url", v["url"]), ("property", "colour"), ("property", "definition")], [CS, v])
    assert declared(exp) == [("definition", "http://hl7.org/fhir/concept-properties#definition")]
    g = entry(exp, "g")
    assert g["extension"] == [{"url": R5 + "contains.property",
                               "extension": [{"url": "code", "valueCode": "definition"},
                                             {"url": "value", "valueString": "The seventh."}]}]


def test_extensions_all_alternate_code_asked_is_not_declared(client):
    setup = [tx_file("extensions/codesystem-extensions.json"), tx_file("extensions/codesystem-supplement.json"),
             tx_file("extensions/valueset-extensions-all.json")]
    url = setup[2]["url"]
    plain = expansion(client, [("url", url)], setup)
    asked = expansion(client, [("url", url), ("property", "alternateCode")], setup)
    assert sorted(declared(asked)) == sorted(declared(plain))
    assert "alternateCode" not in [c for c, _u in declared(asked)]


# ADOPT-3: the status a concept's boolean properties say, as tx.fhir.org's getStatus

def test_status_from_boolean_properties(client):
    exp = expansion(client, [("url", ALL["url"])], SETUP)
    assert {c["code"]: status_of(c) for c in exp["contains"]} == {
        "a": [], "b": ["inactive"], "c": ["deprecated"], "d": ["retired"], "e": ["deprecated"], "f": [], "g": []}
    assert declared(exp) == [("status", STATUS_URI)]
    assert entry(exp, "b") == {"system": URL, "code": "b", "display": "Beta", "inactive": True, "extension": [
        {"url": R5 + "contains.property",
         "extension": [{"url": "code", "valueCode": "status"}, {"url": "value", "valueCode": "inactive"}]}]}


def test_inactive_suite_code_system_status(client):
    setup = [tx_file("inactive/codesystem-inactive.json"), tx_file("inactive/valueset-all.json")]
    exp = expansion(client, [("url", setup[1]["url"]), ("excludeNested", True)], setup)
    assert {c["code"]: status_of(c) for c in exp["contains"]} == {
        "codeActive": [], "codeInactive": ["inactive"], "codeRetired": ["retired"]}
    assert declared(exp) == [("status", STATUS_URI)]


# ADOPT-4: value set concept coding-sctdescid / valueset-supplement, designation rendering and alternate

def test_value_set_concept_extensions_copied(client):
    sup_ext = {"url": EXT + "valueset-supplement", "valueCanonical": "http://ex.org/shape/sup|1"}
    v = vs("http://ex.org/shape/vs/ext", [{"system": URL, "concept": [
        {"code": "f", "extension": [SCTDESCID, sup_ext, UNKNOWN, ALTERNATE]}]}])
    exp = expansion(client, [("url", v["url"])], [CS, v])
    assert exp["contains"] == [{"system": URL, "code": "f", "display": "Zeta", "extension": [SCTDESCID, sup_ext]}]


def test_designation_rendering_and_alternate_kept(client):
    v = vs("http://ex.org/shape/vs/a", [{"system": URL, "concept": [{"code": "a"}]}])
    exp = expansion(client, [("url", v["url"]), ("includeDesignations", True)], [CS, v])
    assert entry(exp, "a")["designation"] == [{"language": "de", "value": "Alfa", "extension": [STYLE, ALTERNATE]}]
