"""Probe findings on display languages (H10): each test failed before its fix, through the HTTP API with
tx-resource content."""
from tests.support.tx_files import tx_file, param_value as _value

FJ = "application/fhir+json"
EN_MULTI = "http://hl7.org/fhir/test/CodeSystem/en-multi"
# a value set whose concept list gives code1 designations of its own (French, and a German synonym)
VS_OWN = {"resourceType": "ValueSet", "url": "http://example.org/vs/own-designations", "status": "active",
          "compose": {"include": [{"system": EN_MULTI, "concept": [
              {"code": "code1", "designation": [
                  {"language": "fr", "value": "Affichage VS 1"},
                  {"language": "de", "use": {"system": "http://snomed.info/sct", "code": "900000000000013009"},
                   "value": "Eins aus dem VS"}]}]}]}}


def _post(client, path: str, *pairs, headers=None):
    body = {"resourceType": "Parameters",
            "parameter": [{"name": n, k: v} for n, k, v in pairs]
            + [{"name": "tx-resource", "resource": r} for r in (tx_file("language/codesystem-en-multi.json"), VS_OWN)]}
    r = client.post(f"/fhir/{path}", json=body, content_type=FJ, headers=headers or {})
    return r.status_code, r.get_json()


def _expanded_display(client, *pairs) -> str:
    status, body = _post(client, "ValueSet/$expand", ("url", "valueUri", VS_OWN["url"]), *pairs)
    assert status == 200, body
    return body["expansion"]["contains"][0]["display"]


# --- the display $validate-code returns is the one $expand shows: a value set designation in the language ------
def test_validate_code_returns_value_set_designation_in_the_language(client):
    lang = ("displayLanguage", "valueCode", "fr")
    assert _expanded_display(client, lang) == "Affichage VS 1"
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", VS_OWN["url"]),
                         ("system", "valueUri", EN_MULTI), ("code", "valueCode", "code1"),
                         ("display", "valueString", "Affichage VS 1"), lang)
    assert status == 200 and _value(body, "result") is True, body
    assert _value(body, "display") == "Affichage VS 1", body


def test_validate_code_value_set_designation_by_accept_language(client):
    hdr = {"Accept-Language": "es;q=0.2, de-CH"}
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", VS_OWN["url"]),
                         ("system", "valueUri", EN_MULTI), ("code", "valueCode", "code1"), headers=hdr)
    assert status == 200 and _value(body, "result") is True, body
    assert _value(body, "display") == "Eins aus dem VS", body


def test_validate_code_without_language_keeps_the_code_system_display(client):
    status, body = _post(client, "ValueSet/$validate-code", ("url", "valueUri", VS_OWN["url"]),
                         ("system", "valueUri", EN_MULTI), ("code", "valueCode", "code1"))
    assert status == 200 and _value(body, "result") is True, body
    assert _value(body, "display") == "Display 1", body
