"""Mutations of the HTTP request around the FHIR input: conditional-request headers on read, PUT, DELETE and
create, and search parameters (url=<canonical>|<version>, system, _tag, _id ...) with odd values."""
from __future__ import annotations

from urllib.parse import quote

from . import junk

ETAGS = ["*", "", "W/", 'W/"', '"', 'W/"1-20260101000000"', '"1-20260101000000"', '"x"' * 1_000, 'W/"a", W/"b"',
         "\u00e6", "x" * 5_000, '*, W/"1"', 'w/"1-2"', "Thu, 01 Jan 2026 00:00:00 GMT", ",,,", 'W/"\x00"', "W/*"]
DATES = ["", "yesterday", "Thu, 31 Feb 2026 25:00:00 GMT", "0", "-1", "Sat, 01 Jan 0001 00:00:00 GMT",
         "Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 2026 00:00:00 +0100", "2026-01-01T00:00:00Z", "1" * 300,
         "Mon, 01 Jan 1900 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT, x"]
CRITERIA = ["", "url", "=", "&&&", "url=%", "_id=x&_id=y", "fuzz=1", "url=" + "x" * 5_000, "?url=http://x",
            "url=http://example.org/fuzz/vs", "url=http://example.org/fuzz/vs|1", "_tag=|", "url=%ZZ", "\u00e6=1"]
CONDITIONS = {"If-Match": ETAGS, "If-None-Match": ETAGS, "If-Modified-Since": DATES, "If-None-Exist": CRITERIA,
              "If-Unmodified-Since": DATES}

SEARCH_NAMES = ["url", "url", "system", "_tag", "_id", "version", "name", "status", "_lastUpdated", "title",
                "_count", "_summary", "_elements", "_sort", "_include", "identifier", "url:missing", "_tag:not"]
SEARCH_VALUES = ["x|", "|", "|2026", "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable|2026|x",
                 "https://kodebro.no/fhir/ValueSet/icd-10-no-reportable|*", "http://hl7.org/fhir/sid/icd-10-no|",
                 "http://snomed.info/sct?fhir_cm=900000000000526001|bogus", "http://snomed.info/sct?fhir_cm=",
                 "https://kodebro.no/fhir/CodeSystem/kodebro-tags|", "|demo", "demo", ",", "a,b,,", "\\|", "\\,",
                 "ge2026", "eq2026-13-45", "sct-cm-", "ICD10NO-2026,ICD10NO-2025", "x" * 3_000]


def conditional(req, rng):
    """One or two conditional-request headers with odd values; a read may become a DELETE."""
    for _ in range(rng.choice([1, 1, 2])):
        name = rng.choice(list(CONDITIONS))
        req.headers[name] = rng.choice(CONDITIONS[name])
    parts = req.path.split("/")
    if req.method == "GET" and len(parts) == 4 and "$" not in req.path and rng.random() < 0.3:
        req.method, req.expect = "DELETE", None
    return "conditional:" + ",".join(sorted(n for n in req.headers if n in CONDITIONS))


def search_param(req, rng):
    """A search parameter with an odd value, on a type-level search (GET, or a _search form POST)."""
    parts = req.path.split("/")
    name = rng.choice(SEARCH_NAMES)
    value = rng.choice(SEARCH_VALUES) if rng.random() < 0.8 else junk.text(rng)
    if req.method == "GET" and len(parts) == 3 and not parts[2].startswith("$"):
        req.query.append((name, value))
        return f"search:{name}"
    if parts[-1] == "_search" and isinstance(req.body, str):
        req.body += "&" + quote(name, safe="") + "=" + quote(value.encode("utf-8", "surrogatepass"), safe="")
        return f"search-form:{name}"
    return None
