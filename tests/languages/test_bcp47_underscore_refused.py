"""An underscore is no BCP 47 separator (RFC 5646 takes hyphens only): the urn:ietf:bcp:47 code system refuses
de_DE as displayLanguage does, while the hyphenated tag in any case is a code."""
import pytest

from tests.support.tx_files import param_value as _value

BCP47 = "urn:ietf:bcp:47"


@pytest.mark.parametrize("code", ["de_DE", "de_de"])
def test_an_underscored_tag_is_no_code(client, code):
    r = client.get(f"/fhir/CodeSystem/$validate-code?system={BCP47}&code={code}")
    assert r.status_code == 200 and _value(r.get_json(), "result") is False, r.get_json()
    r = client.get(f"/fhir/CodeSystem/$lookup?system={BCP47}&code={code}")
    assert r.status_code == 404, r.get_json()


@pytest.mark.parametrize("code", ["de-DE", "de-de"])
def test_the_hyphenated_tag_stays_a_code(client, code):
    r = client.get(f"/fhir/CodeSystem/$validate-code?system={BCP47}&code={code}")
    assert r.status_code == 200 and _value(r.get_json(), "result") is True, r.get_json()
    assert client.get(f"/fhir/CodeSystem/$lookup?system={BCP47}&code=de-DE").status_code == 200
