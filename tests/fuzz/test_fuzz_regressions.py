"""Inputs the fuzzer (test_fuzz.py) once broke the server with, each replayed as a plain test. The seed numbers
are those of the fuzzer when it found them: the corpus and mutations have grown since, so today the same seed
gives another request; the test, not the seed, is the record."""
from __future__ import annotations

import json

import pytest

FJ = "application/fhir+json"
ICD = "http://hl7.org/fhir/sid/icd-10-no"


def _expand_regex(client, pattern: str):
    vs = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{
        "system": ICD, "filter": [{"property": "code", "op": "regex", "value": pattern}]}]}}
    return client.post("/fhir/ValueSet/$expand", content_type=FJ, data=json.dumps(
        {"resourceType": "Parameters", "parameter": [{"name": "valueSet", "resource": vs}]}))


def _assert_outcome(r, status: int, *fragments: str) -> None:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    body = r.get_json()
    assert body["resourceType"] == "OperationOutcome"
    text = " ".join(f"{(i.get('details') or {}).get('text', '')} {i.get('diagnostics', '')}" for i in body["issue"])
    for f in fragments:
        assert f in text, text


# seed 186: mutations ['regex-filter:http://hl7.org/fhir/sid/icd-10-no:a{99999999}'] took ~23 GB of memory (the
# `regex` package unrolls counted repeats while compiling, before its match timeout can act) and the kernel
# killed the worker; the nested form multiplies
@pytest.mark.parametrize("pattern", ["a{99999999}", "(a{1000}){1000}", "((A\\d{100}){100}){100}"])
def test_regex_filter_with_huge_counted_repeat_is_refused(demo_client, pattern):
    _assert_outcome(_expand_regex(demo_client, pattern), 400, "repeats too many times")


def test_regex_filter_with_ordinary_counted_repeats_still_works(demo_client):
    r = _expand_regex(demo_client, "A0\\d{1}(\\.\\d{1,4})?")
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    codes = {c["code"] for c in r.get_json()["expansion"]["contains"]}
    assert "A00" in codes


def test_unrolled_size_counts_nesting_and_ignores_escaped_or_class_braces():
    from terminology.operations.filters import _unrolled_size
    assert _unrolled_size("a{99999999}") == 99999999
    assert _unrolled_size("(a{1000}){1000}") == 1_000_000
    assert _unrolled_size("a{5,1000000}") == 5          # an open upper bound is a loop, not a copy
    assert _unrolled_size("\\{9999999}") < 20           # an escaped brace is a literal
    assert _unrolled_size("[{]{3}") == 3


# seeds 101, 1190, 2274 and others: mutations ['deep-parts:480'] (a Parameters parameter with 480 nested `part`
# levels: JSON nesting ~960, inside orjson's 1024 limit) -> HTTP 500, RecursionError in
# fhir_api/params.py parameters_to_params/_value_of, which recursed once per level without a bound; parts nested
# deeper than 32 levels are now a 400
def test_deeply_nested_parameter_parts_are_a_400(demo_client):
    part = '{"name": "dependency", "part": [' * 480 + '{"name": "code", "valueCode": "A00"}' + "]}" * 480
    body = ('{"resourceType": "Parameters", "parameter": [{"name": "system", "valueUri": "%s"}, '
            '{"name": "code", "valueCode": "A00"}, %s]}' % (ICD, part))
    _assert_outcome(demo_client.post("/fhir/CodeSystem/$lookup", content_type=FJ, data=body), 400,
                    "nested deeper than 32 levels")


def _deep_json(raw: bytes):
    import sys
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))
    try:
        return json.loads(raw)
    finally:
        sys.setrecursionlimit(old)


# seeds 25894, 36563, 40876: mutations ['deep-raw:1000'] on a bare ValueSet POSTed to $expand (an element nested
# 1000 levels, inside the JSON parser's limit of 1024) -> HTTP 500: the expansion echoes the input and orjson
# refuses to write more than 255 levels ("Recursion limit reached"); fhir_api/render.py now falls back to an
# encoder without a depth limit
def test_expand_echoing_an_element_nested_1000_levels_is_answered(demo_client):
    deep = "[" * 1000 + "]" * 1000
    body = ('{"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": "%s", '
            '"concept": [{"code": "A00"}]}]}, "deep": %s}' % (ICD, deep))
    r = demo_client.post("/fhir/ValueSet/$expand", data=body, content_type=FJ)
    assert r.status_code < 500, r.get_data(as_text=True)[:500]
    assert _deep_json(r.get_data())["resourceType"] in ("ValueSet", "OperationOutcome")


def test_deep_encoder_writes_what_orjson_writes():
    from fhir_api.render import _deep_dumps
    import orjson
    value = {"a": [1, 2.5, None, True, "\u00e6\"\\x", {}], "b": {"c": []}, "d": -0.0}
    assert json.loads(_deep_dumps(value)) == orjson.loads(orjson.dumps(value))


def test_deep_encoder_writes_dates_uuids_and_nested_dataclasses_byte_for_byte_as_orjson():
    import dataclasses
    import datetime
    import uuid
    from fhir_api.render import _deep_dumps
    import orjson

    @dataclasses.dataclass
    class Node:
        name: str
        child: object = None

    value = {"when": datetime.date(2024, 1, 2), "id": uuid.UUID(int=5), "text": "\u00f8\u2028",
             "tree": Node("a", Node("b", {"k": [1, 2.5]}))}
    assert _deep_dumps(value) == orjson.dumps(value)


# test_fuzz_http.py [bad-chunks]: a chunked body with a chunk size that is not hex ('ZZ') -> HTTP 500 under
# gunicorn, which parses chunks lazily and raised InvalidChunkSize inside the app's body read; also a chunk
# without its terminator (ChunkMissingTerminator); a chunked body cut short was a 400 already
@pytest.mark.parametrize("chunks", [b"ZZ\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n", b"40\r\n{\"resourceType\""])
def test_malformed_chunked_body_is_a_400_outcome(live_server, chunks):
    from .test_fuzz_http import _raw
    answer = _raw(live_server, b"POST /fhir/CodeSystem/$lookup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Type: application/fhir+json\r\n\r\n" + chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer[:300]
    outcome = json.loads(body)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["details"]["text"]


# a path with '//' was werkzeug's 308 redirect with an HTML page: it is served as if the slashes were one
@pytest.mark.parametrize("path", ["/fhir//metadata", "/fhir///metadata"])
def test_a_path_with_doubled_slashes_is_served_without_a_redirect(demo_client, path):
    r = demo_client.get(path)
    assert r.status_code == 200 and r.get_json()["resourceType"] == "CapabilityStatement"


def test_an_empty_id_segment_is_not_an_instance(demo_client):
    r = demo_client.get("/fhir/CodeSystem//$lookup?system=%s&code=A00" % ICD)
    assert r.status_code == 200 and r.get_json()["resourceType"] == "Parameters"


# a CodeSystem whose concepts nest 300 levels was refused with Python's own "maximum recursion depth exceeded"
def _nested_codesystem(levels: int) -> str:
    inner = '{"code": "c%d"}' % (levels - 1)
    for i in range(levels - 2, -1, -1):
        inner = '{"code": "c%d", "concept": [%s]}' % (i, inner)
    return ('{"resourceType": "CodeSystem", "url": "http://example.org/deep", "status": "active", '
            '"content": "complete", "concept": [%s]}' % inner)


def test_a_codesystem_nested_too_deeply_is_refused_in_words(demo_client):
    cs = _nested_codesystem(300)
    r = demo_client.post("/fhir/CodeSystem", data=cs, content_type=FJ)
    _assert_outcome(r, r.status_code, "nested too deeply")
    assert r.status_code in (400, 422)
    body = ('{"resourceType": "Parameters", "parameter": [{"name": "system", "valueUri": "http://example.org/deep"}, '
            '{"name": "code", "valueCode": "c1"}, {"name": "tx-resource", "resource": %s}]}' % cs)
    _assert_outcome(demo_client.post("/fhir/CodeSystem/$lookup", data=body, content_type=FJ), 400,
                    "nested too deeply")


# fuzz18, HTTP seeds 900116 and 900146: a GET whose request line is over 8,190 bytes (a long displayLanguage, an
# isa/ with 10,000 digits) was answered by gunicorn itself (limit_request_line in scripts/wsgi_server.py) with an
# HTML 414 page, not an OperationOutcome; HTTP seed 900208 (on the fuzz template): a header value with a NUL, an
# HTML 400 "Invalid HTTP Header". scripts/wsgi_server.py now writes gunicorn's refusals as OperationOutcomes.
@pytest.mark.parametrize("request_head,status", [
    (b"GET /fhir/ValueSet/$expand?url=" + b"A" * 9000 + b" HTTP/1.1\r\nHost: x\r\n", b"414"),
    (b"GET /fhir/metadata HTTP/1.1\r\nHost: x\r\nIf-None-Match: W/\"\x00\"\r\n", b"400"),
], ids=["long-request-line", "nul-in-header"])
def test_what_gunicorn_refuses_is_an_operationoutcome(live_server, request_head, status):
    from .test_fuzz_http import _raw
    answer = _raw(live_server, request_head + b"\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 " + status), answer[:300]
    assert b"content-type: application/fhir+json" in head.lower()
    outcome = json.loads(body)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["details"]["text"]
    if status == b"414":
        assert outcome["issue"][0]["code"] == "too-long" and "POST" in outcome["issue"][0]["details"]["text"]


def _batch(client, *entries):
    return client.post("/fhir", content_type=FJ, data=json.dumps({"resourceType": "Bundle", "type": "batch",
                                                                   "entry": list(entries)}))


# fuzz18 (found by reading batch.py for the new batch-entry condition mutation, confirmed by a directed run): a
# batch entry's request.ifModifiedSince whose instant leaves the datetime range when moved to UTC
# ('0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59-14:00') raised OverflowError in fhir_api/batch.py
# _http_date; the batch answered 200 with that entry a 500 "entry 0 failed unexpectedly". _http_date now passes
# such an instant on as sent.
@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_batch_if_modified_since_at_the_end_of_time_is_no_500(demo_client, instant):
    r = _batch(demo_client, {"request": {"method": "GET", "url": "ValueSet/ICD10NOReportable-2026",
                                          "ifModifiedSince": instant}})
    assert r.status_code == 200
    entry = r.get_json()["entry"][0]
    assert entry["response"]["status"][0] in "234", entry


# fuzz18 seed 525177 (mutations ["wrong-resourceType:['ValueSet']"], seen once the oracle judged batch entries): a
# batch entry whose Parameters carry a tx-resource with a list as its resourceType -> that entry a 500 ("entry 1
# failed unexpectedly"): fhir_api/batch.py _share_tx_resources builds a set of (resourceType, url) before the
# resource is checked, and a list is unhashable (the same Parameters outside a batch were a 400 already). Now only
# resources whose resourceType is a string are keyed.
@pytest.mark.parametrize("rtype", [["ValueSet"], {"a": 1}])
def test_a_batch_entry_with_an_unhashable_resource_type_is_no_500(demo_client, rtype):
    params = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": "http://example.org/fuzz/vs"},
        {"name": "tx-resource", "resource": {"resourceType": rtype, "url": "http://example.org/fuzz/cs",
                                             "status": "active", "content": "complete"}}]}
    r = _batch(demo_client, {"request": {"method": "POST", "url": "ValueSet/$expand"}, "resource": params})
    assert r.status_code == 200
    entry = r.get_json()["entry"][0]
    assert entry["response"]["status"].startswith("4"), entry
    assert entry["resource"]["resourceType"] == "OperationOutcome"
