"""Mutations of a seed request. Each takes (req, rng), changes the copy in place and returns a short label, or
None when it does not apply to that request (the driver then tries another)."""
from __future__ import annotations

import copy
import json
import random

from . import junk
from .corpus import FJ, FUZZ_CODESYSTEM, FUZZ_CS, ICD, Req
from .mutate_requests import CRITERIA, ETAGS, conditional, search_param
from .mutate_session19 import bare_concept, delete_edition, deprecated_filter, reserved_url
from .mutate_snomed import ecl, fhir_cm, snomed_coding
from .shapes import params_of as _params

VALUE_TYPES = ["valueString", "valueCode", "valueUri", "valueCoding", "valueInteger", "valueBoolean",
               "valueResource", "resource", "valueCodeableConcept", "valueDecimal", "valueDateTime", "part"]
RESOURCE_PARAMS = ("tx-resource", "valueSet", "codeSystem", "conceptMap", "validation")
# the elements of supplied resources the engine walks: wrong types here are the interesting cases
TARGET_KEYS = ["compose", "include", "exclude", "concept", "filter", "property", "designation", "contains",
               "group", "element", "target", "valueSet", "system", "version", "code", "display", "url", "op",
               "value", "expansion", "parameter", "dependsOn", "product", "unmapped", "hierarchyMeaning", "content",
               "supplements", "caseSensitive", "status", "language", "extension", "inactive", "abstract", "total",
               "offset", "equivalence", "source", "sourceUri", "targetUri", "use", "part", "lockedDate"]
# 480 nested parts (JSON nesting ~960, inside the parser's limit) overflowed the recursion of
# fhir_api/params.py parameters_to_params (test_fuzz_regressions.py); now a 400 past 32 levels
PART_DEPTHS = [50, 240, 480]
PAGING = ["count", "offset", "_count", "_offset", "activeOnly", "includeDesignations", "limitedExpansion"]
BAD_ACCEPT = ["application/xml", "text/html", "*/*", "application/fhir+json;q=nan", "", ",,,", "application/*;q=2",
              "application/fhir+json; fhirVersion=9.9", "application/fhir+json; fhirVersion=4.0", "x" * 5000,
              "text/*;q=0, */*;q=0", "application/json;charset=latin-1"]
BAD_CONTENT_TYPE = ["text/plain", "application/xml", "application/fhir+xml", "application/x-www-form-urlencoded",
                    "multipart/form-data; boundary=x", "application/json; charset=latin1",
                    "application/fhir+json; charset=utf-16", "", "garbage/", "application/json", None]
MANY_TAGS = ", ".join(f"x{i:03d};q=0.{i % 10}" for i in range(500))
BAD_LANGUAGE = ["*;q=x", "nb-NO,,en;q=0.5", "x" * 3000, "zz", "en;q=2", ";;;", "nb-NO-x-\u00e6", "*",
                "nb;q=inf", "en;q=nan, de;q=1e400",      # q values float() reads but no list can be written with
                "de_DE", "*;q=abc", MANY_TAGS, "en-US;q=0.5;q=0.7", "nb-NO;q=", "i-klingon", "x-private",
                "zh-Hant-TW-u-ca-chinese", "nb-NO;q=-1", "en;level=1;q=0.5", "q=1", "-", "nb--NO"]


def _walk(node):
    """(container, key, value) of every element below node, outermost first; iterative, as deep-nesting
    mutations build values deeper than the recursion limit."""
    stack = [node]
    while stack:
        cur = stack.pop()
        items = cur.items() if isinstance(cur, dict) else enumerate(cur) if isinstance(cur, list) else ()
        for k, v in items:
            yield cur, k, v
            if isinstance(v, (dict, list)):
                stack.append(v)


def _resources(node) -> list:
    """Every resource (dict with a resourceType) inside a JSON value."""
    out = [node] if isinstance(node, dict) and isinstance(node.get("resourceType"), str) else []
    return out + [v for _, _, v in _walk(node) if isinstance(v, dict) and isinstance(v.get("resourceType"), str)]


def _slots(node) -> list:
    """(container, key) of every element below node."""
    return [(c, k) for c, k, _ in _walk(node)]


def _dicts(node) -> list:
    return ([node] if isinstance(node, dict) else []) + [v for _, _, v in _walk(node) if isinstance(v, dict)]


def drop_param(req, rng):
    ps = _params(req)
    if ps:
        ps.pop(rng.randrange(len(ps)))
        return "drop-param"
    if req.query:
        req.query.pop(rng.randrange(len(req.query)))
        return "drop-query"
    return None


def dup_param(req, rng):
    ps = _params(req)
    if ps:
        p = rng.choice(ps)
        ps.insert(rng.randrange(len(ps) + 1), copy.deepcopy(p))
        return f"dup-param:{p.get('name') if isinstance(p, dict) else type(p).__name__}"
    if req.query:
        n, v = rng.choice(req.query)
        req.query.append((n, junk.text(rng) if rng.random() < 0.5 else v))
        return f"dup-query:{n}"
    return None


def swap_value_type(req, rng):
    ps = _params(req)
    if not ps:
        return None
    p = rng.choice(ps)
    if not isinstance(p, dict):
        return None
    old = [k for k in p if k.startswith("value") or k in ("resource", "part")]
    val = p.pop(old[0]) if old else None
    new = rng.choice(VALUE_TYPES)
    if new == "valueCoding":
        val = {"system": val if isinstance(val, str) else ICD, "code": "A00"} if rng.random() < 0.5 else val
    elif new == "valueInteger":
        val = junk.number(rng)
    elif new == "valueBoolean":
        val = rng.choice([True, False, "true", "yes", 1, None])
    elif new == "part":
        val = [{"name": "code", "valueCode": "A00"}] if rng.random() < 0.5 else val
    p[new] = val
    return f"swap-type:{p.get('name')}:{new}"


def junk_value(req, rng):
    ps = _params(req)
    if ps:
        p = rng.choice(ps)
        if not isinstance(p, dict):
            return None
        keys = [k for k in p if k != "name"] or ["valueString"]
        p[rng.choice(keys)] = junk.value(rng)
        return f"junk-value:{p.get('name')}"
    if req.query:
        i = rng.randrange(len(req.query))
        req.query[i] = (req.query[i][0], junk.text(rng))
        return f"junk-query:{req.query[i][0]}"
    return None


def odd_param(req, rng):
    """An unknown parameter, a parameter without a name, a junk name, or a Parameters element of the wrong kind."""
    ps = _params(req)
    kind = rng.randrange(5)
    if ps is None:
        if req.method != "GET":
            return None
        req.query.append((rng.choice(["fuzz-unknown", "", "_format", "_elements", "_summary", "x" * 500,
                                      "\u00e6", "valueSet", "coding", "tx-resource"]), junk.text(rng)))
        return "odd-query"
    if kind == 0:
        ps.append({"name": "fuzz-unknown", "valueString": junk.text(rng)})
    elif kind == 1:
        ps.append({"valueCode": "A00"})
    elif kind == 2:
        ps.append({"name": junk.value(rng), "valueString": "x"})
    elif kind == 3:
        ps.insert(rng.randrange(len(ps) + 1), junk.value(rng))
    else:
        req.body["parameter"] = junk.value(rng)
    return f"odd-param:{kind}"


def mutate_resource(req, rng):
    """A random element of a supplied resource (or of the body resource) gets a junk value, goes, or a key the
    engine walks is planted with the wrong type."""
    found = _resources(req.body) if isinstance(req.body, (dict, list)) else []
    found = [r for r in found if r is not req.body or r.get("resourceType") != "Parameters"]
    if not found:
        return None
    res = rng.choice(found)
    choice = rng.random()
    if choice < 0.45:
        slots = _slots(res)
        if not slots:
            return None
        parent, key = rng.choice(slots)
        if rng.random() < 0.2 and isinstance(parent, dict):
            del parent[key]
            return f"resource-drop:{key}"
        parent[key] = junk.value(rng)
        return f"resource-junk:{key}"
    if choice < 0.8:
        slots = [(p, k) for p, k in _slots(res) if k in TARGET_KEYS]
        if slots:
            parent, key = rng.choice(slots)
            parent[key] = rng.choice([junk.value(rng), {"x": 1}, [1, "a", None], "text", 42, [[{}]], {}, []])
            return f"resource-wrongtype:{key}"
    d = rng.choice(_dicts(res))
    key = rng.choice(TARGET_KEYS)
    d[key] = rng.choice([junk.value(rng), [{"code": junk.value(rng)}], [{}], {"code": "A00"}, [junk.value(rng)]])
    return f"resource-plant:{key}"


def wrong_resource_type(req, rng):
    found = _resources(req.body) if isinstance(req.body, (dict, list)) else []
    if not found:
        return None
    res = rng.choice(found)
    res["resourceType"] = rng.choice(["Patient", "", 42, None, "Parameters", "Bundle", "ValueSet", "CodeSystem",
                                      "ConceptMap", "OperationOutcome", "valueset", "\u00e6", ["ValueSet"]])
    return f"wrong-resourceType:{res['resourceType']!r}"


def deep_nesting(req, rng):
    """Nesting far beyond any real resource: raw brackets (past the JSON parser's limit) or structurally valid
    nested concepts / parts / imports (past a recursive walker's limit)."""
    kind = rng.randrange(3)
    if kind == 0 and req.method != "GET":
        depth = rng.choice([200, 300, 1000, 5000, 100_000])
        base = req.body if isinstance(req.body, dict) else {"resourceType": "Parameters", "parameter": []}
        text = json.dumps(base | {"deep": "__DEEP__"})
        req.body = text.replace('"__DEEP__"', "[" * depth + "]" * depth if rng.random() < 0.5
                                else '{"a":' * depth + "1" + "}" * depth)
        return f"deep-raw:{depth}"
    ps = _params(req)
    if ps is None:
        return None
    if kind == 2:
        depth = rng.choice(PART_DEPTHS)
        part = {"name": "code", "valueCode": "A00"}
        for _ in range(depth):
            part = {"name": rng.choice(["dependency", "coding", "x"]), "part": [part]}
        ps.append(part)
        return f"deep-parts:{depth}"
    depth = rng.choice([50, 240, 480])
    if kind == 1:
        cs = copy.deepcopy(FUZZ_CODESYSTEM)
        cs["url"] = FUZZ_CS + "/deep"
        top = node = {"code": "d0", "display": "deep 0"}
        for i in range(1, depth):
            child = {"code": f"d{i}", "display": f"deep {i}"}
            node["concept"] = [child]
            node = child
        cs["concept"] = [top]
        ps.append({"name": "tx-resource", "resource": cs})
        ps.append({"name": "valueSet", "resource": {
            "resourceType": "ValueSet", "status": "active", "compose": {"include": [{
                "system": cs["url"], "filter": [{"property": "concept", "op": rng.choice(["is-a", "descendent-of",
                                                                                        "generalizes"]),
                                                "value": rng.choice(["d0", f"d{depth - 1}"])}]}]}}})
        return f"deep-concepts:{depth}"
    return None


def import_cycle(req, rng):
    """Value sets that import each other (or themselves), then asked for by url."""
    ps = _params(req)
    if ps is None:
        return None
    n = rng.choice([1, 2, 3, 40])
    urls = [f"http://example.org/fuzz/cycle/{i}" for i in range(n)]
    for i, u in enumerate(urls):
        inc = {"valueSet": [urls[(i + 1) % n]]}
        if rng.random() < 0.5:
            inc["system"] = FUZZ_CS
        compose = {"include": [inc]} if rng.random() < 0.7 else {"include": [{"system": FUZZ_CS}],
                                                                "exclude": [inc]}
        ps.append({"name": "tx-resource", "resource": {"resourceType": "ValueSet", "url": u, "status": "active",
                                                       "compose": compose}})
    ps.append({"name": "tx-resource", "resource": copy.deepcopy(FUZZ_CODESYSTEM)})
    ps[:] = [p for p in ps if not (isinstance(p, dict) and p.get("name") in ("url", "valueSet"))]
    ps.append({"name": "url", "valueUri": urls[0]})
    return f"import-cycle:{n}"


def regex_filter(req, rng):
    """A catastrophic or broken regex in a filter (on a small supplied system or the large ICD-10) or as text."""
    pattern = rng.choice(junk.CATASTROPHIC)
    ps = _params(req)
    if ps is None:
        if req.method == "GET":
            req.query.append(("filter", pattern))
            return "regex-text-query"
        return None
    if rng.random() < 0.2:
        ps.append({"name": "filter", "valueString": pattern})
        return "regex-text"
    system = rng.choice([FUZZ_CS, ICD])
    ps[:] = [p for p in ps if not (isinstance(p, dict) and p.get("name") in ("url", "valueSet"))]
    ps.append({"name": "tx-resource", "resource": copy.deepcopy(FUZZ_CODESYSTEM)})
    ps.append({"name": "valueSet", "resource": {"resourceType": "ValueSet", "status": "active", "compose": {
        "include": [{"system": system, "filter": [{"property": rng.choice(["code", "display", "colour", "concept"]),
                                                   "op": "regex", "value": pattern}]}]}}})
    return f"regex-filter:{system}:{pattern[:20]}"


def absurd_paging(req, rng):
    name, val = rng.choice(PAGING), junk.number(rng)
    ps = _params(req)
    if ps is not None:
        key = rng.choice(["valueInteger", "valueString", "valueDecimal"])
        ps.append({"name": name, key: val})
    else:
        req.query.append((name, "" if val is None else str(val)))
    return f"paging:{name}={val!r}"


def bad_headers(req, rng):
    kind = rng.randrange(3)
    if kind == 0:
        req.headers["Accept"] = rng.choice(BAD_ACCEPT)
        return f"accept:{req.headers['Accept'][:40]!r}"
    if kind == 1:
        req.headers["Accept-Language"] = rng.choice(BAD_LANGUAGE)
        return "accept-language"
    req.content_type = rng.choice(BAD_CONTENT_TYPE)
    if req.method == "GET":
        req.method = "POST"
    return f"content-type:{req.content_type!r}"


def truncate_body(req, rng):
    data = req.data()
    if req.method == "GET" or data is None:
        return None
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    kind = rng.randrange(3)
    if kind == 0:
        req.body = data[: rng.randrange(len(data) + 1)]
    elif kind == 1:
        req.body = b"\xff\xfe" + data if rng.random() < 0.5 else data.replace(b"{", b"\xc3(", 1)
    else:
        req.body = rng.choice([b"", b"null", b"[]", b"42", b'"Parameters"', b"{}", b'{"resourceType":null}',
                               b"NaN", b'{"a":1,"a":2}', b"\x00" * 10, b'{"resourceType":"Parameters","parameter":{}}'])
    return f"body-bytes:{kind}"


def reroute(req, rng):
    """The same input on another route: other method, instance level with a junk id, unknown operation."""
    kind = rng.randrange(4)
    req.expect = None
    if kind == 0:
        if req.method == "GET":
            req.method, req.body, req.content_type = "POST", {"resourceType": "Parameters", "parameter": [
                {"name": n, "valueString": v} for n, v in req.query]}, FJ
            req.query = []
        else:
            req.method = rng.choice(["GET", "PUT", "DELETE", "PATCH"])
        return f"method:{req.method}"
    parts = req.path.split("/")
    if kind == 1 and len(parts) >= 3:
        rid = rng.choice(["nope", "x" * 300, "%00", "..", "\u00e6", "a b", "ICD10NO-2026"])
        req.path = "/".join(parts[:3] + [rid] + parts[3:4])
        return "instance-id"
    if kind == 2:
        req.path = rng.choice(["/fhir/CodeSystem/$expand", "/fhir/ValueSet/$lookup", "/fhir/Patient/$validate-code",
                               "/fhir/ConceptMap/$closure", "/fhir/$translate", "/fhir/ValueSet/$", "/fhir//$expand"])
        return f"path:{req.path}"
    req.path = req.path.replace("/fhir/", rng.choice(["/fhir/Parameters/", "/fhir/_history/", "/fhir/metadata/"]), 1)
    return "path-prefix"


BATCH_URLS = ["", "/", "?", "http://other.example/fhir/CodeSystem", "CodeSystem/$lookup?system=%&code=%00", "metadata",
              "Bundle", "../../x", "ValueSet/$expand?count=-1&url=", "CodeSystem/$validate-code?coding=x",
              "ValueSet/$expand?valueSet=%7B%7D", "ConceptMap/$translate?code=A00&system=" + ICD, "$versions",
              "CodeSystem/ICD10NO-2026/_history/999", "ValueSet?_count=999999999", "x" * 3000,
              "$closure", "$closure?name=fuzz-closure&version=0", "ConceptMap/$closure?name=", "ValueSet/_history",
              "ConceptMap/sct-cm-900000000000526001.51000202101-20250415", "ConceptMap/sct-cm-x/$translate",
              "ConceptMap/$translate?url=http://snomed.info/sct?fhir_cm=abc&code=1",
              "ConceptMap/$translate?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_cm%3D447562003&system=http%3A%2F%2F"
              "snomed.info%2Fsct&code=75570004", "ValueSet/$expand?url=http://snomed.info/sct?fhir_vs=ecl/((((",
              "ValueSet/$related?thisUrl=x&otherUrl=", "CodeSystem?system=x|", "ValueSet?url=|&_tag=|",
              "CodeSystem/$code-history?system=http://snomed.info/sct&code=155574008"]
BATCH_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "", None, 7, "get"]
INSTANTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-01-01T00:00:00Z", "2026-01-01", "x", "",
            "2026-13-01T00:00:00Z", "2026-01-01T00:00:00+99:00", "2026-01-01T00:00:00", 20260101, None, ["2026"]]
BATCH_CONDITIONS = {"ifMatch": ETAGS + [7, None], "ifNoneMatch": ETAGS + [{}], "ifModifiedSince": INSTANTS,
                    "ifNoneExist": CRITERIA + [0, "url=http://example.org/fuzz/vs\r\nX-Evil: 1"]}


def batch_entries(req, rng):
    """A batch Bundle's entries: junk request urls and methods, nested batches, entries without a request."""
    b = req.body
    if not (isinstance(b, dict) and b.get("resourceType") == "Bundle" and isinstance(b.get("entry"), list)):
        return None
    kind = rng.randrange(5)
    if kind == 4:
        # the batch spelling of the conditional-request headers, on an entry that reads or writes
        field, values = rng.choice(list(BATCH_CONDITIONS.items()))
        entries = [e for e in b["entry"] if isinstance(e, dict) and isinstance(e.get("request"), dict)]
        if not entries:
            return None
        rng.choice(entries)["request"][field] = rng.choice(values)
        return f"batch-entry:{field}"
    if kind == 0:
        b["entry"].append({"request": {"method": rng.choice(BATCH_METHODS), "url": rng.choice(BATCH_URLS)}})
    elif kind == 1:
        b["entry"].append({"request": {"method": "POST", "url": ""}, "resource": copy.deepcopy(b)})
    elif kind == 2:
        b["entry"].append(rng.choice([{}, {"resource": {"resourceType": "Parameters"}}, [], "entry", None]))
    else:
        b["type"] = rng.choice(["transaction", "collection", "", None, 3, "batch-response", "searchset"])
    return f"batch-entry:{kind}"


ODD_VALUES = {
    "date": ["2026-13-45", "", "0000", "2026-02-30T25:61:00Z", "yesterday", "9999-12-31T23:59:59.9999999999+14:00",
             "2026", "2026-06", "2026-06-01T12:00:00", "-2026-01-01", "2026-06-01T24:00:00Z", "20260601", "0001-01-01",
             "10000-01-01", "2026-06-01T12:00:00+25:00", "2025-12-31T23:59:59.999-14:00"],
    "displayLanguage": ["*", "en-x-y", "", "\u00e6\u00f8", "nb,en", "x" * 200, "de_DE", "*;q=abc", MANY_TAGS,
                        "nb;q=0.5", "en-US, nb;q=0.9", "zz-ZZ", "nb-NO-x-kodebro"],
    "name": ["", " ", "a b", "x" * 64, "x" * 65, "\u00e6", "../t", "fuzz-closure", "-"],
    "url": ["|", "|1", "http://hl7.org/fhir/sid/icd-10-no|", "http://hl7.org/fhir/sid/icd-10-no|9999",
            "urn:oid:", "#contained", "ValueSet/x", "http://x/%00"],
    "system": ["|", ICD + "|2026|extra", "", "http://snomed.info/sct", "urn:iso:std:iso:3166", "urn:ietf:bcp:47"],
    "version": ["", "*", "2026.x", "latest", "%", "1.0.0-rc.1+build"],
    "code": ["", " ", "A00 ", "a00", "A00.0.0", "*", "%", "\u0000"],
    "property": ["*", "", "parent", "child", "designation", "definition", "x" * 500],
}
_CANONICALS = ["", "|", "|2026", ICD + "|", ICD + "|2026|x", ICD + "|*", FUZZ_CS, "*", "http://x|1|2", "%7C"]
for _name in ("system-version", "force-system-version", "check-system-version", "exclude-system", "useSupplement",
              "valueSetVersion", "conceptMapVersion", "targetsystem", "source", "target", "designation",
              "default-to-latest-version", "default-valueset-version", "thisUrl", "otherUrl", "target-version"):
    ODD_VALUES[_name] = _CANONICALS


def odd_known_value(req, rng):
    """A known parameter gets a value that is well-typed but odd for what it means."""
    names = [n for n in ODD_VALUES]
    ps = _params(req)
    if ps is not None:
        hits = [p for p in ps if isinstance(p, dict) and p.get("name") in names]
        p = rng.choice(hits) if hits else {"name": rng.choice(names)}
        if not hits:
            ps.append(p)
        for k in [k for k in p if k.startswith("value")]:
            del p[k]
        p[rng.choice(["valueString", "valueUri", "valueCode", "valueCanonical", "valueDateTime"])] = \
            rng.choice(ODD_VALUES[p["name"]])
        return f"odd-value:{p['name']}"
    if req.method == "GET":
        name = rng.choice(names)
        req.query.append((name, rng.choice(ODD_VALUES[name])))
        return f"odd-query-value:{name}"
    return None


def supplement(req, rng):
    """A supplement of a system that is not there, of itself, of the large ICD-10, or cycling."""
    ps = _params(req)
    if ps is None:
        return None
    target = rng.choice([ICD, FUZZ_CS, "http://example.org/fuzz/nothing", "http://example.org/fuzz/sup",
                         ICD + "|1999", "", None, "http://snomed.info/sct",
                         "http://snomed.info/sct|http://snomed.info/sct/51000202101/version/20250415"])
    sup = {"resourceType": "CodeSystem", "url": "http://example.org/fuzz/sup", "version": "1", "status": "active",
           "content": "supplement", "supplements": target, "concept": [
               {"code": rng.choice(["A00", "root", "nope", "", "75570004"]), "display": junk.text(rng)[:50],
                "designation": [{"language": rng.choice(["nb", "", "*", None]), "value": junk.text(rng)[:50]}],
                "property": [{"code": "colour", "valueString": "blue"}]}]}
    ps.append({"name": "tx-resource", "resource": sup})
    ps.append({"name": rng.choice(["useSupplement", "tx-resource"]), "valueCanonical": sup["url"]})
    return f"supplement:{target}"


_XML_DAMAGE = [
    lambda x: x[: len(x) // 2],                                                  # cut short
    lambda x: x.replace(' xmlns="http://hl7.org/fhir"', "", 1),                  # no FHIR namespace
    lambda x: x.replace("<parameter>", "<parameter><name value=\"dup\"/><name value=\"dup\"/>", 1),
    lambda x: x.replace("<parameter>", "<parameter><junk><deeper value=\"1\"/></junk>", 1),
    lambda x: x.replace("?>", '?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>', 1),
    lambda x: x.replace('value="', 'value="&#0;', 1),                            # a character XML cannot hold
    lambda x: x.replace("/>", ">text</x>", 1),                                   # mismatched
    lambda x: x.replace('value="true"', 'value="yes"', 1).replace('value="false"', 'value="no"', 1),
    lambda x: x.replace("<Parameters", '<Parameters xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                        'xsi:schemaLocation="http://hl7.org/fhir fhir.xsd"', 1),
]


def as_xml(req, rng):
    """The request's body sent as FHIR XML (written by Kodebro's own writer), damaged one way or not at all, with
    the answer asked in XML half the time: the reader and the XML answers under the same invariants."""
    from terminology.fhir_xml.write import to_xml
    if req.method == "GET" or not isinstance(req.body, dict) or not isinstance(req.body.get("resourceType"), str):
        return None
    xml = to_xml(req.body)
    kind = rng.randrange(len(_XML_DAMAGE) + 3)
    if kind < len(_XML_DAMAGE):
        xml = _XML_DAMAGE[kind](xml)
    req.body, req.content_type = xml, rng.choice(["application/fhir+xml", "application/xml", "text/xml"])
    if rng.random() < 0.5:
        req.headers["Accept"] = "application/fhir+xml"
    return f"xml:{kind}"


MUTATIONS = [drop_param, dup_param, swap_value_type, junk_value, odd_param, mutate_resource, mutate_resource,
             wrong_resource_type, deep_nesting, import_cycle, regex_filter, absurd_paging, bad_headers,
             truncate_body, reroute, batch_entries, batch_entries, odd_known_value, odd_known_value, supplement,
             fhir_cm, ecl, snomed_coding, conditional, search_param, deprecated_filter, bare_concept, reserved_url,
             delete_edition, as_xml, as_xml]


def mutate(seed: Req, rng: random.Random) -> tuple[Req, list[str]]:
    """A copy of `seed` with one to three mutations; every request is one seed + labels, never the seed alone."""
    req, labels = seed.clone(), []
    want = rng.choice([1, 1, 1, 2, 2, 3])
    for _ in range(20):
        if len(labels) >= want:
            break
        try:
            label = rng.choice(MUTATIONS)(req, rng)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError):
            # an earlier mutation left a shape this one does not expect (a parameter that is a list...):
            # deterministic all the same, so the seed still replays
            label = None
        if label:
            labels.append(label)
            if label.startswith(("deep-", "xml:")):
                break       # other mutations walk the body as JSON (deepcopy): nesting and XML go last
    return req, labels
