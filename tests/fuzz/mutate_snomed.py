"""Mutations that reach SNOMED CT's own inputs: implicit ConceptMap urls (`?fhir_cm=`, their edition paths and
versions, the `sct-cm-` ids), edition versions where a request names one, and ECL / implicit value set urls
(`?fhir_vs=ecl/…`, `isa/…`, `refset/…`) in a url or in a supplied value set's filter."""
from __future__ import annotations

import random

from . import junk
from .shapes import params_of, set_input

SCT = "http://snomed.info/sct"
NO_2025 = f"{SCT}/51000202101/version/20250415"
INT_2018 = f"{SCT}/900000000000207008/version/20180731"
SE_2024 = f"{SCT}/45991000052106/version/20240301"

# edition bases: loaded, a module alone, not loaded, and ones that do not parse
CM_BASES = [SCT, f"{SCT}/51000202101", NO_2025, INT_2018, SE_2024, f"{SCT}/51000202101/version/20241015",
            f"{SCT}/abc", f"{SCT}/51000202101/version/2018", f"{SCT}/version/20250415",
            f"{SCT}/\u0665\u0661\u0660\u0660\u0660\u0662\u0660\u0662\u0661\u0660\u0661", f"{NO_2025}/extra", f"{SCT}/",
            f"{SCT}//", "https://snomed.info/sct", f"{SCT}/" + "1" * 10_000, f"{SCT}/51000202101/version/99999999",
            f"{SCT}/51000202101/version/20250230", f"{SCT}/12345"]
# refsets: association, map (ICD-10, ICPC-2), a simple refset, a concept that is no refset, unknown, junk
CM_REFSETS = ["900000000000526001", "900000000000527005", "447562003", "68101000202102", "88161000202101",
              "404684003", "123456789", "", "abc", "9" * 10_000, "\u0669" * 18, "900000000000526001&fhir_cm=1",
              "-1", "1e3", " 900000000000526001", "900000000000526001\n", "900000000000526001/x", "%39%30"]
EDITIONS = [NO_2025, INT_2018, SE_2024, f"{SCT}/51000202101", f"{SCT}/51000202101/version/20241015", "20250415",
            "bogus", "", f"{SCT}/abc/version/x", f"{SCT}/" + "7" * 5000, SCT, f"{SCT}/900000000000207008/version/",
            "http://snomed.info/xsct/51000202101/version/20250415", "*"]
VERSION_PARAMS = ["conceptMapVersion", "target-version", "version", "system-version", "force-system-version",
                  "check-system-version", "valueSetVersion"]

_DEEP = 5_000
ECL = [
    "", " ", "<<", "<< ", "*", "* : * = *", "< (< (< (< *)))", "^ *", "^", "^ 88161000202101", "^ 447562003",
    "<< 404684003 {{", '<< 404684003 {{ term = "', "(" * 100 + "*" + ")" * 100, "(" * 101 + "*" + ")" * 101,
    "(" * _DEEP + "*" + ")" * _DEEP, "(" * _DEEP, ")" * 50, " OR ".join(["<< 404684003"] * 2_000),
    " MINUS ".join(["<< 404684003"] * 500), "*" + " AND *" * 3_000, "404684003" + " . 363698007" * 99,
    "404684003" + " . 363698007" * 150, "< 404684003 : R 42752001 = (" * 60 + "*" + ")" * 60,
    "< 404684003 : 363698007 = (" * 40 + "*" + ")" * 40, "<!" * 500 + " 404684003",
    "descendantOf " * 300 + "*", "9" * 10_000, "<< \u0664\u0660\u0664\u0666\u0668\u0664\u0660\u0660\u0663",
    "<< 404684003 |" + "x" * 5_000 + "|", "<< 404684003 |unterminated", "<< 404684003 || 233604007",
    '<< 404684003 {{ term = wild:"' + "*a" * 2_000 + 'b" }}', '<< 404684003 {{ term = match:"(a+)+$" }}',
    '<< 404684003 {{ term = "' + "a " * 3_000 + '" }}', '<< 404684003 {{ D term = "\\" }}',
    '<< 404684003 {{ C effectiveTime >= "2026-13-45" }}', "<< 404684003 {{ C effectiveTime >= 99999999999999 }}",
    "<< 404684003 : [5..2] 363698007 = *", "<< 404684003 : [0..99999999999999999999] 363698007 = *",
    "< 404684003 : 363698007 = #5", "< 404684003 : 363698007 >= #5.5", "^ [referencedComponentId] 88161000202101",
    "/* unterminated", "<< 404684003 /* */ /*", "\x00", "<< 404684003\n", "<< 404684003 AND OR 233604007",
    '<< 404684003 {{ M mapTarget = "J12" }}', "<< 404684003 {{ +HISTORY }}",
    "< 404684003 {{ C moduleId = << 900000000000443000 }}", "< 404684003 {{ dialect = nb-no (prefer accept x) }}",
    "<< 404684003 {{ language = " + "x" * 1_000 + " }}", "<< 404684003 {{ D typeId = << 900000000000446008 }}",
    "{{ C active = false }}", "<< 404684003 {{ D active = false }}", "<< 404684003 : { 363698007 = * , R 1 = * }",
    ">> 75570004 AND << 404684003", "!!> (<< 404684003)", "!!< *", "(<< 404684003 : 246075003 = *) MINUS << 53084003",
    "%3C%3C%20404684003", "<< 404684003 | Clinical finding |\u202e", "<< 404684003 OR", "OR << 404684003",
]
VS_ARGS = ["isa/", "isa/abc", "isa/" + "9" * 10_000, "isa/155574008", "isa/233604007|", "isa/%ZZ", "isa/ 233604007",
           "refset/", "refset/404684003", "refset/447562003", "refset/900000000000526001", "refset/123",
           "refset/88161000202101/extra", "refset", "", "ecl", "ecl/", "isa", "other/1", "ISA/233604007"]


def _fhir_vs(rng: random.Random) -> str:
    base = rng.choice(CM_BASES) if rng.random() < 0.3 else SCT
    arg = "ecl/" + rng.choice(ECL) if rng.random() < 0.6 else rng.choice(VS_ARGS)
    url = f"{base}?fhir_vs={arg}" if arg else f"{base}?fhir_vs"
    # a |version ends a canonical, but ECL's |term| pairs hold bars too: an odd count decides which is which
    return url + "|" + rng.choice(EDITIONS) if rng.random() < 0.2 else url


def fhir_cm(req, rng):
    """An implicit ConceptMap url with an odd edition path, refset or |version; or a sct-cm- id that reads none."""
    kind = rng.randrange(5)
    if kind == 0:
        parts = req.path.split("/")
        if len(parts) < 3:
            return None
        rid = "sct-cm-" + rng.choice(["", "900000000000526001", "900000000000526001.51000202101-20250415x",
                                      "447562003", "900000000000526001-51000202101.99999999",
                                      "9" * 500, "900000000000526001.abc-def", "..", "%00"])
        tail = "/$translate" if "$translate" in req.path or rng.random() < 0.5 else ""
        req.path = f"/fhir/ConceptMap/{rid}{tail}"
        req.expect = None
        return f"sct-cm-id:{rid[:40]}"
    if kind == 1:
        name = rng.choice(VERSION_PARAMS)
        if not set_input(req, name, rng.choice(EDITIONS), "valueString"):
            return None
        return f"sct-version:{name}"
    refset = rng.choice(CM_REFSETS)
    url = rng.choice(CM_BASES) + ("?fhir_cm" if rng.random() < 0.1 else "?fhir_cm=" + refset)
    if rng.random() < 0.3:
        url += "|" + rng.choice(EDITIONS)
    if not set_input(req, rng.choice(["url", "url", "url", "source", "target", "targetsystem"]), url):
        return None
    return f"fhir-cm:{url[:80]}"


def ecl(req, rng):
    """Junk, very deep or very long ECL (or an odd isa/refset argument) as an implicit value set url, as the
    constraint of a supplied value set, or as a value set an include imports."""
    ps = params_of(req)
    kind = rng.randrange(3)
    if kind == 0 or ps is None:
        url = _fhir_vs(rng)
        if not set_input(req, rng.choice(["url", "url", "valueSet", "thisUrl", "target"]), url):
            return None
        return f"ecl-url:{url[:80]}"
    vs = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [
        {"system": SCT, "filter": [{"property": rng.choice(["constraint", "expression", "concept"]),
                                    "op": rng.choice(["=", "=", "is-a", "in", "regex"]), "value": rng.choice(ECL)}]}
        if kind == 1 else {"valueSet": [_fhir_vs(rng)]}]}}
    if rng.random() < 0.3:
        vs["compose"]["include"][0]["version"] = rng.choice(EDITIONS)
    ps[:] = [p for p in ps if not (isinstance(p, dict) and p.get("name") in ("url", "valueSet"))]
    ps.append({"name": "valueSet", "resource": vs})
    return f"ecl-compose:{kind}"


def snomed_coding(req, rng):
    """A SNOMED CT coding with an odd code or version where the request has a code."""
    code = rng.choice(["155574008", "75570004", "404684003", "9" * 10_000, "0", "abc", "", "246188002",
                       "\u0667\u0665\u0665\u0667\u0660\u0660\u0660\u0664", junk.text(rng)])
    version = rng.choice(EDITIONS + [None])
    ps = params_of(req)
    if ps is not None:
        coding = {"system": SCT, "code": code} | ({"version": version} if version is not None else {})
        ps[:] = [p for p in ps if not (isinstance(p, dict) and p.get("name") in ("code", "coding", "system",
                                                                                "sourceCode", "sourceSystem"))]
        ps.append({"name": "coding", "valueCoding": coding})
        return "sct-coding"
    if req.method != "GET":
        return None
    req.query = [(n, v) for n, v in req.query if n not in ("code", "system", "version")]
    req.query += [("system", SCT), ("code", code)] + ([("version", version)] if version is not None else [])
    return "sct-coding-query"
