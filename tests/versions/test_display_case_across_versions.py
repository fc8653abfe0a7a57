"""A value set that takes two versions of a system picks the version whose display the request gave, with case
ignored as every display check ignores it ('foo' is a way of writing 'Foo')."""
import pytest

from tests.support.tx_requests import cs, out, post, vs

URL = "http://example.org/display-case/cs"
V1 = cs(URL, "1", [{"code": "a", "display": "Foo"}])
V2 = cs(URL, "2", [{"code": "a", "display": "Bar"}])
BOTH = vs("http://example.org/display-case/vs", [{"system": URL, "version": "1"}, {"system": URL, "version": "2"}])


@pytest.mark.parametrize("display", ["Foo", "foo", "FOO"])
def test_the_version_whose_display_was_given_answers(client, display):
    status, body = post(client, "ValueSet/$validate-code",
                        [("valueSet", BOTH), ("system", URL), ("code", "a"), ("display", display)], [V1, V2])
    assert status == 200 and out(body)["result"] is True, body
    assert out(body)["version"] == "1"
