"""The REST surface held to the R4 spec: one demo-content app per module, so the ~100 requests stay cheap.
Tests that write use their own url/version so they do not disturb each other."""
from __future__ import annotations

import pytest

FJ = "application/fhir+json"


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """A Flask test client over a fresh store with the shipped demo content."""
    from fhir_api import create_app
    app = create_app({"DB": str(tmp_path_factory.mktemp("probe10") / "demo.db"), "DEMO": True})
    return app.test_client()


def assert_oo(r, status: int, *fragments: str, code: str | None = None) -> dict:
    """An error a client can act on: the status, FHIR JSON, an OperationOutcome whose first issue is an error
    with an issue.code and a text (details.text or diagnostics) holding each fragment (case-insensitive)."""
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    assert r.mimetype == FJ, r.headers.get("Content-Type")
    b = r.get_json()
    assert b["resourceType"] == "OperationOutcome", b
    issue = b["issue"][0]
    assert issue["severity"] in ("error", "fatal"), issue
    assert issue.get("code"), issue
    if code:
        assert issue["code"] == code, issue
    text = ((issue.get("details") or {}).get("text") or "") + " " + (issue.get("diagnostics") or "")
    assert text.strip(), issue
    for f in fragments:
        assert f.lower() in text.lower(), (f, text)
    return b
