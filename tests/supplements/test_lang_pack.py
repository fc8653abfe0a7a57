"""A language pack (a supplement typed lang-pack by codesystem-supplement-type) that the request brings is applied
to its base without useSupplement, as FHIRsmith's worker.js loadSupplements applies it (cs.isLangPack()):
$lookup names it as used-supplement (listSupplements(true)), $expand does not (listSupplements(false))."""
from tests.support.tx_requests import eparams, expansion, out, post
from tests.support.resources import cs

BASE = cs("http://ex.org/lp/base", "1", [{"code": "a", "display": "Alfa"}, {"code": "b", "display": "Beta"}])
PACK = {"resourceType": "CodeSystem", "url": "http://ex.org/lp/de", "version": "1", "status": "active",
        "language": "de", "content": "supplement", "supplements": BASE["url"],
        "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/codesystem-supplement-type",
                       "valueCode": "lang-pack"}],
        "concept": [{"code": "a", "display": "Alfa-de"}]}
PLAIN = {**PACK, "url": "http://ex.org/lp/plain", "extension": []}
VS = {"resourceType": "ValueSet", "url": "http://ex.org/lp/vs", "status": "active",
      "compose": {"include": [{"system": BASE["url"]}]}}


def _lookup(client, setup):
    status, b = post(client, "CodeSystem/$lookup", [("system", BASE["url"]), ("code", "a"),
                                                    ("displayLanguage", "de")], setup)
    assert status == 200, b
    return b


def test_lookup_applies_a_language_pack_unasked(client):
    b = _lookup(client, [BASE, PACK])
    assert out(b)["display"] == "Alfa-de"
    assert [p.get("valueCanonical") for p in b["parameter"] if p["name"] == "used-supplement"] == \
        ["http://ex.org/lp/de|1"]


def test_expand_applies_a_language_pack_without_naming_it(client):
    exp = expansion(client, [("url", VS["url"]), ("displayLanguage", "de")], [BASE, PACK, VS])
    assert {c["code"]: c.get("display") for c in exp["contains"]}["a"] == "Alfa-de"
    assert eparams(exp, "used-supplement") == []


def test_a_supplement_that_is_no_language_pack_still_needs_asking_for(client):
    b = _lookup(client, [BASE, PLAIN])
    assert out(b)["display"] == "Alfa"
    assert not [p for p in b["parameter"] if p["name"] == "used-supplement"]
    exp = expansion(client, [("url", VS["url"]), ("displayLanguage", "de")], [BASE, PLAIN, VS])
    assert {c["code"]: c.get("display") for c in exp["contains"]}["a"] == "Alfa"
