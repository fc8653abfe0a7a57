"""The same fuzzed requests over real HTTP against `kodebro serve` (gunicorn), plus what only a socket can send:
a worker must answer each one, never with a 5xx, and keep answering after."""
from __future__ import annotations

import os
import socket

import pytest
import requests

from .oracle import query_string, verdict
from .test_fuzz import fuzzed

# a window of its own (replay one with tests/fuzz/test_fuzz.py); KODEBRO_FUZZ_HTTP_FIRST / _COUNT move and widen it
_FIRST = int(os.environ.get("KODEBRO_FUZZ_HTTP_FIRST", "900000"))
SEEDS = range(_FIRST, _FIRST + int(os.environ.get("KODEBRO_FUZZ_HTTP_COUNT", "200")))


def _healthy(base: str) -> bool:
    return requests.get(base.rsplit("/fhir", 1)[0] + "/healthz", timeout=20).status_code == 200


@pytest.fixture
def fuzz_server(request, tmp_path):
    """The session's live_server (demo content); with KODEBRO_FUZZ_HTTP_TEMPLATE=1 a server of its own on a copy
    of the in-process fuzzer's template store (SNOMED CT and the conformance content too), for longer runs."""
    if os.environ.get("KODEBRO_FUZZ_HTTP_TEMPLATE") != "1":
        yield request.getfixturevalue("live_server")
        return
    import shutil

    from tests.conftest import running_server
    db = str(tmp_path / "fuzz-http.db")
    shutil.copyfile(request.getfixturevalue("fuzz_template"), db)
    with running_server(db) as (base, _started):
        yield base


def test_fuzzed_requests_over_http(fuzz_server):
    live_server = fuzz_server
    failures = []
    for seed in SEEDS:
        req, labels = fuzzed(seed)
        data = req.data()
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        headers = dict(req.headers)
        if req.content_type is not None:
            headers["Content-Type"] = req.content_type
        try:
            url = live_server.rsplit("/fhir", 1)[0] + req.path
            qs = query_string(req)
            r = requests.request(req.method, url + ("?" + qs if qs else ""), data=data,
                                 headers={k: v.encode("latin-1", "replace").decode("latin-1")
                                          for k, v in headers.items()},
                                 timeout=20, allow_redirects=False)
        except requests.Timeout:
            failures.append(f"seed {seed} {labels}: no answer within 20 s")
            continue
        r.get_data = lambda r=r: r.content      # the oracle reads a werkzeug-like response
        problem = verdict(req, r)
        if problem:
            failures.append(f"seed {seed} {labels}: {problem}\n  {req.describe(800)}")
    assert not failures, "\n\n".join(failures[:5])
    assert _healthy(live_server)


def _raw(base: str, payload: bytes, *, half_close: bool = True) -> bytes:
    host, port = base.split("//", 1)[1].split("/", 1)[0].split(":")
    with socket.create_connection((host, int(port)), timeout=20) as s:
        s.sendall(payload)
        if half_close:
            s.shutdown(socket.SHUT_WR)      # a client that stops sending: the worker must not wait forever
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
        except socket.timeout:
            pytest.fail(f"no answer within 20 s to {payload[:80]!r}")
        return b"".join(chunks)


RAW = [
    b"POST /fhir/CodeSystem/$lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\n"
    b"Content-Length: 1000\r\n\r\n{\"resourceType\":",                              # body shorter than announced
    b"GET /fhir/CodeSystem/%ff%fe/$lookup?code=%ZZ&system=%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /fhir/ValueSet/$expand?url=" + b"A" * 6000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # a very long request line
    b"POST /fhir/ValueSet/$expand HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/fhir+json\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",                  # broken chunking
    b"POST /fhir/CodeSystem/$lookup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/fhir+json\r\n\r\n40\r\n{\"resourceType\"",             # chunked, cut short
    b"POST /fhir/CodeSystem/$lookup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/fhir+json\r\n\r\n2\r\n{}XX0\r\n\r\n",                 # no chunk terminator
    b"GET /fhir/metadata HTTP/1.1\r\nHost: x\r\nAccept: " + b"a" * 9000 + b"\r\n\r\n",      # a huge header
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,                      # TLS to a plain port
    b"BREW /fhir HTTP/1.1\r\nHost: x\r\n\r\n",
]


@pytest.mark.parametrize("payload", RAW, ids=["short-body", "bad-percent", "long-line", "bad-chunks", "short-chunks",
                                              "no-terminator", "huge-header", "tls-hello", "unknown-method"])
def test_malformed_http_gets_an_answer_and_no_5xx(live_server, payload):
    answer = _raw(live_server, payload)
    status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/") else b""
    assert not status.startswith(b"5"), answer[:300]
    assert _healthy(live_server)
