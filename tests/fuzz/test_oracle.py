"""The fuzzer's own parts: the oracle must catch what it is there to catch, and a seed must always give the
same request."""
from __future__ import annotations

import json
import time

import pytest
from werkzeug.wrappers import Response

from .corpus import Req
from .oracle import Hang, verdict, watchdog
from .test_fuzz import fuzzed

OP = Req("POST", "/fhir/CodeSystem/$lookup", expect=("Parameters",))


def _resp(status: int, body) -> Response:
    return Response(body if isinstance(body, (str, bytes)) else json.dumps(body), status=status)


def test_oracle_flags_a_500_even_as_an_operation_outcome():
    oo = {"resourceType": "OperationOutcome", "issue": [{"severity": "fatal", "code": "exception",
                                                        "details": {"text": "internal error"}}]}
    assert "HTTP 500" in verdict(OP, _resp(500, oo))


@pytest.mark.parametrize("status,body,fragment", [
    (400, "<html>bad</html>", "without a FHIR JSON body"),
    (400, {"resourceType": "Parameters"}, "not an OperationOutcome"),
    (404, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found"}]},
     "without an issue text"),
    (422, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "invalid",
                                                          "details": {"text": ""}, "diagnostics": ""}]},
     "without an issue text"),
    (200, {"resourceType": "ValueSet"}, "expected one of"),
    (200, {"no": "resourceType"}, "without a FHIR JSON body"),
])
def test_oracle_flags_broken_answers(status, body, fragment):
    assert fragment in verdict(OP, _resp(status, body))


def test_oracle_accepts_good_answers():
    assert verdict(OP, _resp(200, {"resourceType": "Parameters", "parameter": []})) is None
    assert verdict(OP, _resp(400, {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "invalid", "diagnostics": "parameter 'code' is missing"}]})) is None


def test_watchdog_reports_a_hang():
    with pytest.raises(Hang):
        with watchdog(1):
            time.sleep(5)


def test_a_seed_always_gives_the_same_request():
    for seed in (0, 186, 25894, 123456):
        (a, la), (b, lb) = fuzzed(seed), fuzzed(seed)
        assert la == lb and a.describe(10 ** 6) == b.describe(10 ** 6)
