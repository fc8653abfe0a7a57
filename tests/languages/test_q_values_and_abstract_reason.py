"""Review findings of the ninth session: a language list whose q is no finite number is read as q=1 (it was a
500 while writing the list); CodeSystem/$validate-code says why an abstract code is refused even when the client
asked for membership only (there is no value set membership to report instead)."""
import pytest

from tests.support.tx_requests import SIMPLE, SIMPLE_ALL, issues, out, post, simple_cs
from tests.support.tx_files import tx_file


@pytest.mark.parametrize("q", ["inf", "nan", "1e400", "-inf"])
def test_a_q_that_is_no_finite_number_counts_as_one(client, q):
    setup = [simple_cs(), tx_file("simple/valueset-all.json")]
    status, b = post(client, "ValueSet/$validate-code", [("url", SIMPLE_ALL), ("system", SIMPLE), ("code", "code1"),
                                                         ("display", "wrong")], setup,
                     headers={"Accept-Language": f"en;q={q}"})
    assert status == 200, b
    assert "for the language(s) 'en'" in out(b)["message"]
    status, b = post(client, "ValueSet/$expand", [("url", SIMPLE_ALL)], setup,
                     headers={"Accept-Language": f"en;q={q}, de;q=0.5"})
    assert status == 200, b
    echoed = [p["valueCode"] for p in b["expansion"]["parameter"] if p["name"] == "displayLanguage"]
    assert echoed == ["en, de; q=0.5"]


def test_codesystem_abstract_refusal_is_said_with_membership_only(client):
    status, b = post(client, "CodeSystem/$validate-code", [("url", SIMPLE), ("code", "code2"), ("abstract", False),
                                                           ("valueset-membership-only", True)], [simple_cs()])
    assert status == 200, b
    assert out(b)["result"] is False
    assert [i["code"] for i in issues(b)] == ["business-rule"]
