"""Mutations for what the nineteenth session changed: a `deprecated` filter (asked as a flag) with odd values in any
compose, concepts stripped of their display and given odd designations (the display then comes from the first
display designation), implicit SNOMED CT value set urls (`?fhir_vs`, reserved) on written and supplied ValueSets,
and DELETEs of the Norwegian code system editions (file NKPK editions a derived one replaces; ICD-10-NO only
under an If-Match that fails, so that the rest of a block still has it)."""
from __future__ import annotations

import copy

from . import junk
from .shapes import params_of

DEPRECATED_OPS = ["=", "in", "not-in", "exists", "exists", "=", "is-a", "regex", "generalizes"]
DEPRECATED_VALUES = ["true", "false", "", " ", "TRUE", "False", "true,false", "false,", ",,,", " true , x ",
                     "2020-01-01", "2999-12-31", "2026-13-45", "yes", "1", "0", "null", "*", "true\x00"]
DEPRECATED_PROPS = ["deprecated", "deprecated", "deprecated", "deprecationDate", "status", "Deprecated", "deprecated "]

# designations a display-less concept may carry: no value, a value of another type, a use that is a list or a
# string, a language that is no tag, the FSN before the display, only uses that are no display
DESIGNATIONS = [
    [{"value": ""}], [{"value": 5}], [{"value": None}], [{"value": ["a"]}], [{"value": {"a": 1}}],
    [{"use": [{"system": "http://snomed.info/sct", "code": "900000000000003001"}], "value": "list use"}],
    [{"use": "display", "value": "string use"}], [{"use": {}, "value": "empty use"}],
    [{"use": {"system": 5, "code": []}, "value": "junk use"}], [{"use": None, "value": "null use"}],
    [{"language": 5, "value": "number language"}], [{"language": "de_DE", "value": "underscore"}],
    [{"language": "", "value": "empty language"}], [{"language": "x" * 3000, "value": "long language"}],
    [{"language": "*", "value": "star"}], [{"language": "nb-NO-x-\u00e6", "value": "\u00e6\u00f8\u00e5"}],
    [{"use": {"system": "http://snomed.info/sct", "code": "900000000000003001"}, "value": "FSN"},
     {"use": {"system": "http://terminology.hl7.org/CodeSystem/designation-usage", "code": "display"},
      "value": "display use"}],
    [{"use": {"system": "http://example.org/uses", "code": "olde-english"}, "value": "olde"}],
    [{"value": "\x00"}], [{"value": junk.LONG}], [{"value": "\ud800"}], [], {}, {"value": "dict"}, "plain", 5,
    [None], ["plain"], [[{"value": "nested"}]],
]

_ICD_IF_MATCH = ['W/"0-20200101000000"', '"x"', 'W/"1"', "W/", ""]
EDITION_IDS = ["NKPK-2016", "NKPK-2017", "NKPK-2019", "NKPK-2020", "NKPK-2021", "NCMP-2016", "NCSP-2017",
               "NCRP-2016", "succession-ncmp-2019", "nkpk-2016", "NKPK-9999", "NKPK-2016.", "NKPK-2016%20"]
SCT = "http://snomed.info/sct"
FHIR_VS_URLS = [SCT + "?fhir_vs", SCT + "?fhir_vs=", SCT + "?fhir_vs=isa/233604007", SCT + "?fhir_vs=refset",
                SCT + "?fhir_vs=refset/" + "1" * 10_000, SCT + "?fhir_vs=ecl/" + "(" * 101,
                SCT + "/51000202101?fhir_vs", SCT + "/51000202101/version/20250415?fhir_vs=isa/138875005",
                SCT + "/45991000052106/version/20990101?fhir_vs", SCT + "/abc?fhir_vs", SCT + "/?fhir_vs",
                SCT + "//?fhir_vs=isa/", SCT + "/\u0663\u0663?fhir_vs", SCT + "?fhir_vs\n", SCT + "?fhir_vs=isa/1\n2",
                SCT + "?fhir_vsx", SCT + "?FHIR_VS", "HTTP://SNOMED.INFO/SCT?fhir_vs",
                "https://snomed.info/sct?fhir_vs",
                SCT + "%3Ffhir_vs", " " + SCT + "?fhir_vs", SCT + "?fhir_vs|2", SCT + "?fhir_vs=ecl/*|x", SCT]


def _valuesets(node) -> list[dict]:
    """Every ValueSet dict in a JSON value (body, parameters, batch entries), outermost first."""
    out, stack = [], [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            if cur.get("resourceType") == "ValueSet":
                out.append(cur)
            stack.extend(v for v in cur.values() if isinstance(v, (dict, list)))
        elif isinstance(cur, list):
            stack.extend(v for v in cur if isinstance(v, (dict, list)))
    return out


def _concepts(node) -> list[dict]:
    """Every concept dict (a dict with a code) under a CodeSystem's or an include's `concept` lists."""
    out, stack = [], [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            for k, v in cur.items():
                if k == "concept" and isinstance(v, list):
                    out += [c for c in v if isinstance(c, dict) and "code" in c]
                if isinstance(v, (dict, list)):
                    stack.append(v)
        elif isinstance(cur, list):
            stack.extend(v for v in cur if isinstance(v, (dict, list)))
    return out


def deprecated_filter(req, rng):
    """A `deprecated` filter with an odd value (or none) in an include of a ValueSet the request carries."""
    includes = [inc for vs in _valuesets(req.body) for inc in ((vs.get("compose") or {}).get("include") or [])
                if isinstance(vs.get("compose"), dict) and isinstance(inc, dict)]
    if not includes:
        return None
    inc = rng.choice(includes)
    f = {"property": rng.choice(DEPRECATED_PROPS), "op": rng.choice(DEPRECATED_OPS)}
    if rng.random() < 0.9:
        f["value"] = rng.choice(DEPRECATED_VALUES) if rng.random() < 0.8 else junk.value(rng)
    if not isinstance(inc.get("filter"), list) or rng.random() < 0.3:
        inc["filter"] = []
    inc["filter"].append(f)
    return f"deprecated-filter:{f['op']}"


def bare_concept(req, rng):
    """A concept of a supplied CodeSystem (or an include's concept list) loses its display and gets odd
    designations."""
    concepts = _concepts(req.body)
    if not concepts:
        return None
    for c in rng.sample(concepts, min(len(concepts), rng.choice([1, 1, 3]))):
        c.pop("display", None)
        c["designation"] = copy.deepcopy(rng.choice(DESIGNATIONS))
    return "bare-concept"


def reserved_url(req, rng):
    """An implicit SNOMED CT value set url on a ValueSet the request writes or supplies, or as its `url`."""
    url = rng.choice(FHIR_VS_URLS)
    found = _valuesets(req.body)
    if found:
        rng.choice(found)["url"] = url
        return "fhir-vs-url:resource"
    ps = params_of(req)
    if ps is not None:
        ps.append({"name": "url", "valueUri": url})
        return "fhir-vs-url:param"
    return None


def delete_edition(req, rng):
    """The request becomes a DELETE of a Norwegian edition (or a batch of them); ICD-10-NO only under an If-Match
    that fails. Rare (the driver tries another mutation otherwise): most of a block should meet the editions."""
    if rng.random() >= 0.3:
        return None
    kind = rng.randrange(3)
    if kind == 0:
        req.method, req.path, req.query, req.body, req.content_type, req.expect = \
            "DELETE", "/fhir/CodeSystem/" + rng.choice(EDITION_IDS), [], None, None, None
        return "delete-edition"
    if kind == 1:
        req.method, req.path, req.query, req.body, req.content_type, req.expect = \
            "DELETE", "/fhir/CodeSystem/ICD10NO-2026", [], None, None, None
        req.headers["If-Match"] = rng.choice(_ICD_IF_MATCH)
        return "delete-edition:icd-if-match"
    entries = [{"request": {"method": "DELETE", "url": "CodeSystem/" + rng.choice(EDITION_IDS)}}
               for _ in range(rng.choice([1, 2, 3]))]
    entries.append({"request": {"method": "DELETE", "url": "CodeSystem/ICD10NO-2026",
                                "ifMatch": rng.choice(_ICD_IF_MATCH + [5, None, []])}})
    entries.append({"request": {"method": "GET", "url": "CodeSystem/" + rng.choice(EDITION_IDS)}})
    rng.shuffle(entries)
    req.method, req.path, req.query, req.content_type, req.expect = "POST", "/fhir", [], "application/fhir+json", \
        ("Bundle",)
    req.body = {"resourceType": "Bundle", "type": "batch", "entry": entries}
    return "delete-edition:batch"
