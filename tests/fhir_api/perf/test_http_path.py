"""The HTTP path of the operations integrations call most ($lookup, $validate-code): what the server does per
request beyond the engine is trimmed (scripts/wsgi_server.OneRequestWorker, corked responses, header reads
that do not raise), and every answer must stay byte for byte what it was."""
import json
import os
import socket
import time

from fhir_api.params import Params
from scripts.wsgi_server import OneRequestWorker

ICD = "http://hl7.org/fhir/sid/icd-10-no"


def _exchange(base: str, head: str, body: bytes = b"") -> tuple[str, dict, bytes]:
    """One request on its own connection, read until the server closes it: (status line, headers, body)."""
    host, port = base.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head.encode() + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    raw, _, payload = data.partition(b"\r\n\r\n")
    status, *lines = raw.decode("latin-1").split("\r\n")
    headers: dict = {}
    for line in lines:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return status, headers, payload


def test_an_answer_arrives_whole_and_the_connection_closes_after_it(live_server):
    # the status line, headers and body are sent corked and flushed when the worker closes the connection
    path = f"/fhir/CodeSystem/$lookup?system={ICD}&code=A00.0"
    status, headers, body = _exchange(live_server, f"GET {path} HTTP/1.1\r\nHost: kodebro\r\n\r\n")
    assert status == "HTTP/1.1 200 OK"
    assert headers["content-type"] == ["application/fhir+json; charset=utf-8"]
    assert headers["connection"] == ["close"] and len(headers["x-request-id"]) == 1
    assert int(headers["content-length"][0]) == len(body)
    assert json.loads(body)["resourceType"] == "Parameters"


def test_an_answer_larger_than_a_segment_arrives_whole(live_server):
    concepts = [{"code": f"c{i}", "display": f"concept {i} " + "x" * 40} for i in range(900)]
    cs = {"resourceType": "CodeSystem", "url": "http://example.org/big", "version": "1", "status": "active",
          "content": "complete", "concept": concepts}
    vs = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": cs["url"]}]}}
    sent = json.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": vs}, {"name": "tx-resource", "resource": cs}]}).encode()
    head = ("POST /fhir/ValueSet/$expand?_pretty=true HTTP/1.1\r\nHost: kodebro\r\n"
            f"Content-Type: application/fhir+json\r\nContent-Length: {len(sent)}\r\n\r\n")
    status, headers, body = _exchange(live_server, head, sent)
    assert status == "HTTP/1.1 200 OK" and len(body) > 65536          # more than one loopback segment
    assert int(headers["content-length"][0]) == len(body)
    assert body.startswith(b'{\n  "resourceType": "ValueSet"')       # _pretty: indented
    assert [c["code"] for c in json.loads(body)["expansion"]["contains"]] == [f"c{i}" for i in range(900)]


def test_a_client_expecting_100_continue_gets_it_before_it_sends_the_body(live_server):
    """The response is corked only once the app answers: the interim 100 gunicorn sends while the client
    holds back its body must not wait for the final answer (or for the kernel's cork timer)."""
    host, port = live_server.split("//")[1].split("/")[0].split(":")
    body = json.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": ICD}, {"name": "code", "valueCode": "A00.0"}]}).encode()
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"POST /fhir/CodeSystem/$lookup HTTP/1.1\r\nHost: kodebro\r\nExpect: 100-continue\r\n"
                  f"Content-Type: application/fhir+json\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        interim = s.recv(25)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert json.loads(data.partition(b"\r\n\r\n")[2])["parameter"][0] == {"name": "code", "valueCode": "A000"}


def test_the_worker_heartbeat_is_touched_once_a_second_not_once_a_request():
    from gunicorn.config import Config
    from gunicorn.workers.workertmp import WorkerTmp
    worker = OneRequestWorker.__new__(OneRequestWorker)     # the heartbeat alone, without a listening worker
    worker.tmp = WorkerTmp(Config())
    try:
        os.utime(worker.tmp.fileno(), (0, 0))
        worker.notify()
        assert worker.tmp.last_update() > 0         # the first sign of life is given at once
        os.utime(worker.tmp.fileno(), (0, 0))
        worker._notified = time.monotonic()         # touched just now (set, so a slow machine cannot pass a second)
        worker.notify()
        assert worker.tmp.last_update() == 0        # the next request, in the same second, does not touch it
        worker._notified -= 1.0                     # a second later it is touched again
        worker.notify()
        assert worker.tmp.last_update() > 0
    finally:
        worker.tmp.close()


def test_accept_headers_are_each_answered_as_they_ask(demo_client):
    """The reading of an Accept header is kept per header text: one client's refusal must not answer
    another's request, nor the other way round."""
    fj, fx = "application/fhir+json; charset=utf-8", "application/fhir+xml; charset=utf-8"
    for accept, status, ctype in (("text/turtle", 406, fj), ("application/fhir+json", 200, fj),
                                  ("application/fhir+xml", 200, fx), ("text/turtle", 406, fj), ("*/*", 200, fj),
                                  ("application/json;q=0", 406, fj), ("application/fhir+xml", 200, fx),
                                  ("application/fhir+json; fhirVersion=5.0", 406, fj), ("application/json", 200, fj)):
        r = demo_client.get("/fhir/metadata", headers={"Accept": accept})
        assert r.status_code == status, accept
        assert r.headers.getlist("Content-Type") == [ctype], accept


def test_pretty_and_format_are_read_whatever_else_the_query_holds(demo_client):
    path = f"/fhir/CodeSystem/$lookup?system={ICD}&code=A00.0"
    compact = demo_client.get(path).data
    assert compact.startswith(b'{"resourceType":"Parameters"')
    for flag in ("true", "TRUE"):
        assert demo_client.get(path + f"&_pretty={flag}").data.startswith(b'{\n  "resourceType"')
    assert demo_client.get(path + "&_pretty=false").data == compact
    assert demo_client.get(path + "&_format=ttl").status_code == 406
    assert demo_client.get(path + "&_format=xml").data.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Parameters')
    assert demo_client.get(path + "&_format=xml&_pretty=true").data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Parameters xmlns="http://hl7.org/fhir">\n  <parameter>')
    assert demo_client.get(path + "&_format=application/fhir%2Bjson").data == compact


def test_all_values_of_a_name_follow_appends():
    p = Params([("system-version", "a|1")])
    assert p.all("force-system-version") == [] and p.all("system-version") == ["a|1"]
    p.items.append(("force-system-version", "b|2"))
    p.items.append(("system-version", "c|3"))
    assert p.all("force-system-version") == ["b|2"] and p.all("system-version") == ["a|1", "c|3"]
