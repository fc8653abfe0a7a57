"""The HL7 tx ecosystem test resources (tests/conformance/tx-tests, see its SOURCE.md), for tests that build
their own requests from them."""
import json
import os

from tests.conftest import ROOT

TX = os.path.join(ROOT, "tests", "conformance", "tx-tests")


def tx_file(rel: str) -> dict:
    """One resource of the tx-tests folder, e.g. tx_file("language/codesystem-en-multi.json")."""
    with open(os.path.join(TX, rel), encoding="utf-8-sig") as fh:
        return json.load(fh)
