"""Every `curl` example in README.md and docs/*.md, run against a live `kodebro serve` holding what a
fresh install holds (demo content, HL7 terminology) plus the hand-made Norwegian SNOMED CT release the SNOMED page
tells the reader to import. An example that does not answer as documented is a documentation bug."""
from __future__ import annotations

import glob
import json
import os
import re
import shlex

import pytest
import requests

from terminology.fhir_xml.read import from_xml
from tests.conftest import ROOT
from tests.support.r4_answers import r4_problems

DOCS = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
DOC_BASE = "http://127.0.0.1:8080/fhir"
MY_VALUESET = {"resourceType": "ValueSet", "id": "my-vs", "url": "https://example.org/fhir/ValueSet/my-vs",
               "version": "1", "status": "active",
               "compose": {"include": [{"system": "urn:oid:2.16.578.1.12.4.1.1.7220",
                                        "concept": [{"code": "OAAJ00"}, {"code": "WBGM90"}]}]}}
# examples whose documented answer is result=false
EXPECTED_FALSE = ("code=ZWUU40", "icd-10-no-main-condition&system=http://hl7.org/fhir/sid/icd-10-no&code=U07.1",
                  "code=OAEA00&date=2020-06-01", "url=urn:ietf:bcp:13&code=pdf")


def _curl_commands(path):
    """(line number, command text) of each curl command in the file's fenced code blocks."""
    out, in_block, pending, start = [], False, None, 0
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    for no, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            in_block, pending = not in_block, None
            continue
        if not in_block:
            continue
        if pending is None:
            if not line.lstrip().startswith("curl "):
                continue
            pending, start = line.strip(), no
        else:
            pending += "\n" + line
        text = pending.replace("\\\n", " ")
        if text.endswith("\\"):
            continue
        try:
            shlex.split(text, comments=True)
        except ValueError:  # an open quote: the body goes on
            continue
        out.append((start, text))
        pending = None
    return out


EXAMPLES = [(os.path.relpath(p, ROOT), no, cmd) for p in DOCS for no, cmd in _curl_commands(p)]


def _request(cmd: str, base: str):
    cmd = cmd.replace("$B", base).replace(DOC_BASE, base).replace("\\$", "$")
    cmd = cmd.replace(DOC_BASE[: -len("/fhir")], base[: -len("/fhir")])   # the health probes at the root
    tokens = shlex.split(cmd, comments=True)
    assert tokens[0] == "curl"
    method, url, headers, data, params, get = None, None, {}, None, [], False
    it = iter(tokens[1:])
    for tok in it:
        if tok in ("-s", "--silent", "-i", "--include"):
            continue
        if tok == "-X":
            method = next(it)
        elif tok == "-H":
            name, _, value = next(it).partition(":")
            headers[name.strip()] = value.strip()
        elif tok in ("-d", "--data"):
            data = next(it)
            if data == "@my-valueset.json":
                data = json.dumps(MY_VALUESET)
        elif tok == "--data-urlencode":
            key, _, value = next(it).partition("=")
            params.append((key, value))
        elif tok in ("-G", "--get"):
            get = True
        elif tok.startswith("-"):
            raise AssertionError(f"curl option {tok} not understood by this test")
        else:
            url = tok
    method = method or ("POST" if data is not None and not get else "GET")
    return method, url, headers, data, params


def test_the_docs_have_examples():
    assert len(EXAMPLES) >= 35
    assert {f for f, _n, _c in EXAMPLES} >= {"README.md", "docs/snomed.md", "docs/successions.md",
                                              "docs/norwegian-codebooks.md"}


@pytest.mark.parametrize("doc,line,cmd", EXAMPLES, ids=[f"{f}:{n}" for f, n, _c in EXAMPLES])
def test_documented_example_answers(site, doc, line, cmd):
    base, _db = site
    method, url, headers, data, params = _request(cmd, base)
    if method in ("PUT", "DELETE") and "/my-vs" in url:
        # the README's update/delete act on the ValueSet its create example made
        requests.put(base + "/ValueSet/my-vs", json=MY_VALUESET, timeout=10,
                     headers={"Content-Type": "application/fhir+json"})
    r = requests.request(method, url, params=params or None, data=data.encode() if data else None,
                         headers=headers, timeout=30)
    if "/fhir" not in url:  # /healthz, /readyz: plain JSON outside the FHIR base
        assert r.status_code == 200 and r.json()["status"] in ("ok", "ready"), f"{doc}:{line}: {r.text[:400]}"
        return
    if "If-None-Match" in headers or "If-Modified-Since" in headers:  # a conditional read of unchanged content
        assert r.status_code == 304 and not r.content, f"{doc}:{line}: {method} {r.url} -> {r.status_code}"
        return
    assert r.status_code in {"GET": (200,), "POST": (200, 201), "PUT": (200, 201), "DELETE": (200, 204)}[method], \
        f"{doc}:{line}: {method} {r.url} -> {r.status_code} {r.text[:400]}"
    if r.status_code == 204 or not r.content:
        return
    asked_xml = "xml" in cmd.lower()       # an Accept, a _format or an XML body: the example shows FHIR XML
    assert r.headers["Content-Type"].startswith("application/fhir+xml" if asked_xml else "application/fhir+json")
    body = from_xml(r.content) if asked_xml else r.json()
    assert r4_problems(body) is None, f"{doc}:{line}: {r4_problems(body)}"
    if body["resourceType"] == "OperationOutcome":  # e.g. the answer to a delete
        assert all(i["severity"] == "information" for i in body["issue"]), f"{doc}:{line}: {r.text[:400]}"
        return
    full = r.url + " " + (data or "")
    if body["resourceType"] == "Parameters" and ("$translate" in full or "$validate-code" in full):
        result = next(p["valueBoolean"] for p in body["parameter"] if p["name"] == "result")
        assert result is not any(x in full for x in EXPECTED_FALSE), f"{doc}:{line}: {r.text[:600]}"
    if "$expand" in full:
        assert body["expansion"].get("contains"), f"{doc}:{line}: empty expansion {r.text[:400]}"
    if body["resourceType"] == "Bundle" and body.get("type") == "searchset":
        assert body["total"] >= 1, f"{doc}:{line}: search found nothing"
    if body["resourceType"] == "Bundle" and body.get("type") == "batch-response":
        assert all(e["response"]["status"].startswith("200") for e in body["entry"]), f"{doc}:{line}: {r.text[:600]}"
