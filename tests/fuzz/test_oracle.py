"""The fuzzer's own parts: the oracle must catch what it is there to catch, and a seed must always give the
same request."""
from __future__ import annotations

import json
import time

import pytest
from werkzeug.wrappers import Response

from .corpus import Req
from .oracle import Hang, caught_verdict, logged_errors, verdict, watchdog
from .test_fuzz import fuzzed

OP = Req("POST", "/fhir/CodeSystem/$lookup", expect=("Parameters",))


def _resp(status: int, body) -> Response:
    return Response(body if isinstance(body, (str, bytes)) else json.dumps(body), status=status)


def test_oracle_flags_a_500_even_as_an_operation_outcome():
    oo = {"resourceType": "OperationOutcome", "issue": [{"severity": "fatal", "code": "exception",
                                                        "details": {"text": "internal error"}}]}
    assert "HTTP 500" in verdict(OP, _resp(500, oo))


@pytest.mark.parametrize("status,body,fragment", [
    (400, "<html>bad</html>", "without a FHIR JSON or XML body"),
    (400, {"resourceType": "Parameters"}, "not an OperationOutcome"),
    (404, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found"}]},
     "without an issue text"),
    (422, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "invalid",
                                                          "details": {"text": ""}, "diagnostics": ""}]},
     "without an issue text"),
    (200, {"resourceType": "ValueSet"}, "expected one of"),
    (200, {"no": "resourceType"}, "without a FHIR JSON or XML body"),
])
def test_oracle_flags_broken_answers(status, body, fragment):
    assert fragment in verdict(OP, _resp(status, body))


def test_oracle_accepts_good_answers():
    assert verdict(OP, _resp(200, {"resourceType": "Parameters", "parameter": []})) is None
    assert verdict(OP, _resp(400, {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "invalid", "diagnostics": "parameter 'code' is missing"}]})) is None


BATCH = Req("POST", "/fhir", expect=("Bundle",))
CRASHED = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "exception",
                                                          "details": {"text": "entry 0 failed unexpectedly"}}]}


@pytest.mark.parametrize("entry,fragment", [
    ({"resource": CRASHED, "response": {"status": "500"}}, "batch entry 0 answered 500"),
    ({"resource": {"resourceType": "Parameters"}, "response": {"status": "404"}}, "without an OperationOutcome"),
    ({"resource": {"resourceType": "Parameters"}}, "without a response status"),
])
def test_oracle_looks_inside_a_batch_answer(entry, fragment):
    bundle = {"resourceType": "Bundle", "type": "batch-response", "entry": [entry]}
    assert fragment in verdict(BATCH, _resp(200, bundle))


def test_oracle_flags_an_error_caught_inside_a_2xx():
    answer = {"resourceType": "Parameters", "parameter": [{"name": "validation", "resource": CRASHED}]}
    assert "caught server error" in verdict(Req("POST", "/fhir/ValueSet/$batch-validate-code"), _resp(200, answer))


def test_oracle_takes_304_only_for_a_conditional_read():
    read = Req("GET", "/fhir/ValueSet/x", headers={"If-None-Match": "*"})
    assert verdict(read, _resp(304, b"")) is None
    assert "304" in verdict(Req("GET", "/fhir/ValueSet/x"), _resp(304, b""))
    assert "304" in verdict(Req("PUT", "/fhir/ValueSet/x", headers={"If-None-Match": "*"}), _resp(304, b""))


def test_watchdog_reports_a_hang():
    with pytest.raises(Hang):
        with watchdog(1):
            time.sleep(5)


def test_a_seed_always_gives_the_same_request():
    for seed in (0, 186, 25894, 123456):
        (a, la), (b, lb) = fuzzed(seed), fuzzed(seed)
        assert la == lb and a.describe(10 ** 6) == b.describe(10 ** 6)


def test_oracle_reports_an_exception_the_app_logged_and_survived():
    import logging
    with logged_errors() as caught:
        try:
            raise KeyError("x")
        except KeyError:
            logging.getLogger("kodebro").exception("batch entry 0 failed")
        logging.getLogger("kodebro").error("no traceback: not an exception")
    assert "the app logged KeyError (batch entry 0 failed)" in caught_verdict(caught)
    assert caught_verdict([]) is None
