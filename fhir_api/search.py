"""FHIR R4 search on the terminology resources (R4 search.html and http.html#search).

`GET /{type}?…` and `POST /{type}/_search` (form body, plus any query string) give the same
searchset Bundle. The parameters are the R4 SearchParameters of CodeSystem, ValueSet, ConceptMap
and NamingSystem (the `conformance-*` ones they share and their own), with the modifiers of each
parameter type, OR by comma and AND by repetition, `_sort`, `_total`, `_count`/`_offset` paging,
`_summary` and `_elements`.

Parameters the server does not know, and modifiers it does not support, are ignored and reported
in an OperationOutcome entry (search.mode = outcome), as R4 asks of a lenient server; with
`Prefer: handling=strict` they are a 400. A value the server cannot read (a bad date, an unknown
prefix, `:missing=maybe`) is always a 400: ignoring it would answer a different question.

This module holds the request (Query: parsing, running, sorting) and the response (paging, the
Bundle, the Flask entry points). What each parameter reads is fhir_api.search_params, how values
are read fhir_api.search_values, how they match fhir_api.search_match.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode

from flask import request

from mappings.search_values import MAX_ALTERNATIVES, alternatives as _alternatives, canonical_reference
from terminology.errors import InvalidRequest, shortened
from terminology.identifiers import SNOMED, canonical, split_canonical
from terminology.store.base import ResourceHeader
from terminology.textsearch import fold
from terminology.validation import RESERVED_MAP_ID

from .params import query_pairs, whole_number
from .render import fhir_base, fhir_response
from .search_match import Test
from .resource_views import derived_headers, elements_arg, served_header, shape, stored_body, summary_arg
from .search_params import TABLES, Param, Row, canonical_or_as_is, map_parameters
from .search_values import parse_composite, parse_date, parse_of_type, parse_quantity, parse_token, unescape
from .store import get_catalog

# read as fhir_api.search.X by metadata.py and the tests, from before the split into search_*.py
from .search_match import _reference_match  # noqa: F401
from .search_params import definition_id, supported_parameters  # noqa: F401
from .search_values import _date_range_kept, _fold_kept  # noqa: F401

# result parameters (search.html#return) and the two every interaction takes
CONTROL = {"_count", "_offset", "_summary", "_elements", "_sort", "_total", "_format", "_pretty"}
MAX_COUNT = 1000
DEFAULT_COUNT = 50
# what one request may ask: each search test runs on every candidate resource, each sort key sorts them all
MAX_TESTS = 50
MAX_ALTERNATIVES_IN_ALL = 1000     # the alternatives of all the tests together
MAX_SORT_KEYS = 10
MAX_FORM_BYTES = 256 * 1024
MAX_REPORTED = 20           # ignored parameters named one by one in the outcome entry


class Query:
    """One search request, parsed: the tests (AND of ORs), the map query, the result parameters."""

    def __init__(self, rtype: str, pairs: list[tuple[str, str]], catalog, strict: bool):
        self.rtype, self.catalog, self.strict = rtype, catalog, strict
        self.table = TABLES[rtype]
        self.tests: list[Test] = []
        self.map_args: dict[str, list[str]] = {}
        self.control: dict[str, str] = {}
        self.used: list[tuple[str, str]] = []       # the pairs this search applied (the self link)
        self.ignored: list[str] = []
        self.unknown = 0                            # parameters ignored as unknown: the known ones are listed once
        for key, value in pairs:
            self._take(key, value)
            if len(self.tests) > MAX_TESTS:     # refused before the rest is parsed
                break
        n_tests = len(self.tests) + sum(len(v) for v in self.map_args.values())
        if n_tests > MAX_TESTS:
            raise InvalidRequest(f"this search has {n_tests} search tests; a search takes at most {MAX_TESTS} "
                                 "(each one runs on every candidate resource): split it")
        n_alts = sum(len(t.alts) for t in self.tests) + sum(v.count(",") + 1 for vs in self.map_args.values()
                                                           for v in vs)
        if n_alts > MAX_ALTERNATIVES_IN_ALL:
            raise InvalidRequest(f"this search has {n_alts} alternatives in all; a search takes at most "
                                 f"{MAX_ALTERNATIVES_IN_ALL} (each one is tried on every candidate resource)")
        self.used += [(k, v) for k, v in self.control.items() if k not in ("_format", "_pretty")]

    def _control(self, key: str, value: str) -> None:
        """A result parameter. Empty is absent, as for search parameters; repeated `_sort` (and `_elements`)
        values join as one list; any other repeated with a different value is refused, so the self link is
        always the search done."""
        if value == "" or key in ("_format", "_pretty"):
            if value != "":
                self.control.setdefault(key, value)
            return
        have = self.control.get(key)
        if have is None or have == value:
            self.control[key] = value
        elif key in ("_sort", "_elements"):
            self.control[key] = have + "," + value
        else:
            raise InvalidRequest(f"{key} is given twice ('{shortened(have)}' and '{shortened(value)}'); give it once",
                                 location=f"http.{key}")

    def _refuse(self, text: str) -> None:
        if self.strict:
            raise InvalidRequest(text + " (the request asked for 'Prefer: handling=strict'; without it the "
                                 "parameter would be ignored)", location="http." + text.split("'")[1])
        self.ignored.append(text)

    def known(self) -> str:
        return (", ".join(sorted(set(self.table) | set(map_parameters(self.rtype))))
                + " and the result parameters " + ", ".join(sorted(CONTROL)))

    def _take(self, key: str, value: str) -> None:
        if key in CONTROL:
            self._control(key, value)
            return
        name, _, modifier = key.partition(":")
        param = self.table.get(name)
        maps = map_parameters(self.rtype)
        if param is None and name not in maps:
            if self.strict:
                self._refuse(f"'{shortened(key)}' is not a search parameter of {self.rtype}; this server knows "
                             + self.known())
            self.unknown += 1
            self._refuse(f"'{shortened(key)}' is not a search parameter of {self.rtype}")
            return
        if param is None:   # inside a map: mappings.conceptmap_search, no modifiers
            if modifier:
                self._refuse(f"'{shortened(key)}': the modifier ':{shortened(modifier)}' is not supported on '{name}' "
                             "(the ConceptMap parameters that look inside a map take no modifiers)")
                return
            if value != "":
                self.map_args.setdefault(name, []).append(value)
                self.used.append((key, value))
            return
        allowed = param.modifiers()
        if modifier and modifier not in allowed:
            self._refuse(f"'{shortened(key)}': the modifier ':{shortened(modifier)}' is not supported on the "
                         f"{param.type} parameter '{name}'; supported: " + (", ".join(f":{m}" for m in sorted(allowed)) or "none"))
            return
        alts = self._parse(param, key, modifier, value) if value.strip() else []
        if not alts:        # an empty parameter asks nothing (search.html), nor do blank alternatives
            return
        self.tests.append(Test(param, modifier, alts))
        self.used.append((key, value))

    def _parse(self, param: Param, key: str, modifier: str, raw: str) -> list:
        if modifier == "missing":
            if raw not in ("true", "false"):
                raise InvalidRequest(f"'{key}' takes true or false, not '{raw}'", location=f"http.{key}")
            return [raw == "true"]
        alts = _alternatives(raw, key)
        if param.type == "date":
            return [parse_date(param.name, a) for a in alts]
        if param.type == "quantity":
            return [parse_quantity(param.name, a) for a in alts]
        if param.type == "composite":
            return [parse_composite(param.name, a) for a in alts]
        if modifier == "of-type":
            return [parse_of_type(key, a) for a in alts]
        if param.type == "token" and modifier != "text":
            toks = [parse_token(a) for a in alts]
            if param.name == "code":     # a code system's OID finds it like its url
                toks = list(dict.fromkeys((canonical_or_as_is(self.catalog, sys), code) for sys, code in toks))
            return toks
        if param.type == "reference":
            return [self._reference(unescape(a)) for a in alts]
        values = list(dict.fromkeys(unescape(a) for a in alts))
        if param.type == "string" and modifier != "exact" or modifier == "text":
            return list(dict.fromkeys(fold(v) for v in values))       # folded once here, not per resource
        if param.type == "uri" and not modifier and (
                (self.rtype, param.name) in (("CodeSystem", "url"), ("CodeSystem", "system"), ("ValueSet", "reference"))):
            # the OID form of a code system finds it like its canonical URL (with a `|version` too)
            values = list(dict.fromkeys(values + [canonical(canonical_or_as_is(self.catalog, u), ver)
                                                  for u, ver in map(split_canonical, values)]))
        elif self.rtype == "ConceptMap" and param.name == "url" and not modifier:
            # a SNOMED CT implicit map's `|version` may name its edition another way (by its module alone): read as
            # the edition its header holds, so the url test compares like any other
            values = list(dict.fromkeys(_implicit_canonical(self.catalog, v) for v in values))
        return values

    def _reference(self, value: str) -> tuple[str, str | None, bool]:
        """A reference value (CodeSystem `supplements`): `url|version`, or `CodeSystem/id` (also a bare id)."""
        return canonical_reference(self.catalog, value, "CodeSystem")

    # --- running ---------------------------------------------------------------------------------
    def candidates(self) -> list:
        by_url = next((t for t in self.tests if t.param.name == "url" and not t.modifier), None)
        if by_url is not None:
            # the common case: straight to the resources with that URL (every url test, this one
            # included, still runs on each candidate: AND by repetition, and `url|version` compares the version)
            urls = list(dict.fromkeys(split_canonical(a)[0] for a in by_url.alts))
            hs = [h for u in urls for h in self.catalog.headers_by_url(self.rtype, u)]
            hs += [h for h in derived_headers(self.catalog, self.rtype) if h.url in urls]
            hs += self._implicit_headers()
            return sorted({id(h): h for h in hs}.values(), key=lambda h: (h.pk is None, h.pk or 0))
        return self.catalog.headers(self.rtype) + derived_headers(self.catalog, self.rtype) + self._implicit_headers()

    def _plain(self, name: str) -> list:
        return [a for t in self.tests if t.param.name == name and not t.modifier for a in t.alts]

    def _implicit_headers(self) -> list[ResourceHeader]:
        """Headers of the SNOMED CT implicit ConceptMaps (?fhir_cm=) that a loaded edition holds and the search names
        as a read would: by url (`url|version`, or url and `version`: the edition's URI) or by the id a header has.
        A search naming neither does not list them. One header per map: urls naming the same map share it."""
        if self.rtype != "ConceptMap":
            return []
        from mappings.snomed_implicit_maps import conceptmap_by_id, implicit_conceptmap
        urls = self._plain("url")
        if urls:
            # a version test compares as written, so only an edition loaded as that version can pass it
            loaded = set(self.catalog.codesystem_versions(SNOMED))
            versions = [code for sys, code in self._plain("version") if sys is None and code in loaded]
            urls += [canonical(u, v) for u in urls if split_canonical(u)[1] is None for v in versions]
        found = [implicit_conceptmap(self.catalog, u) for u in dict.fromkeys(urls)]
        found += [conceptmap_by_id(self.catalog, code) for sys, code in dict.fromkeys(self._plain("_id"))
                  if sys is None and code.startswith(RESERVED_MAP_ID)]
        return [served_header(cm) for cm in {cm["id"]: cm for cm in found if cm is not None}.values()]

    def run(self) -> list[Row]:
        rows = [Row(h, self.catalog) for h in self.candidates()]
        ordered = [t for t in self.tests if t.param.header] + [t for t in self.tests if not t.param.header]
        for test in ordered:
            rows = [r for r in rows if test(self, r)]
        if self.map_args:
            from mappings.conceptmap_search import ConceptMapQuery
            query = ConceptMapQuery(self.catalog, self.map_args)
            if query:
                rows = [r for r in rows if r.body() and query.matches(r.body())]
        return self._sorted(rows)

    def _sorted(self, rows: list[Row]) -> list[Row]:
        raw = self.control.get("_sort")
        if not raw:
            return rows
        keys = []
        names = [x.strip() for x in raw.split(",")]
        if len(names) > MAX_SORT_KEYS:
            raise InvalidRequest(f"_sort has {len(names)} keys; a search sorts by at most {MAX_SORT_KEYS}",
                                 location="http._sort")
        for k in names:
            desc, name = k.startswith("-"), k[1:] if k.startswith("-") else k
            param = self.table.get(name)
            if param is None or param.sort is None:
                sortable = sorted(n for n, p in self.table.items() if p.sort is not None)
                raise InvalidRequest(f"_sort: '{shortened(name)}' is not a sort key of {self.rtype} here; use "
                                     + ", ".join(sortable) + " (each optionally with '-' for descending)",
                                     location="http._sort")
            keys.append((param, desc))
        for param, desc in reversed(keys):      # stable sorts, the last key first
            present, missing = [], []
            for r in rows:
                k = param.sort(r)
                if k is None:
                    missing.append(r)
                else:
                    present.append((k, r))
            present.sort(key=lambda kr: kr[0], reverse=desc)
            rows = [r for _k, r in present] + missing     # a resource without the value comes last either way
        return rows


# --- the request ---------------------------------------------------------------------------------

def _implicit_canonical(catalog, value: str) -> str:
    """`value` (a ConceptMap url search value) as the header of the SNOMED CT implicit map it names holds it:
    `url|<edition URI>` when its `|version` names a loaded edition; else as given."""
    if "|" not in value or not value.startswith(SNOMED):
        return value
    from mappings.snomed_implicit_maps import implicit_conceptmap
    cm = implicit_conceptmap(catalog, value)
    return canonical(cm["url"], cm["version"]) if cm is not None else value


def strict_handling() -> bool:
    """Whether the request says `Prefer: handling=strict` (search.html#errors)."""
    prefs = [p.strip().lower().replace(" ", "") for h in request.headers.getlist("Prefer")
             for p in re.split(r"[,;]", h)]
    return "handling=strict" in prefs


def _request_pairs() -> list[tuple[str, str]]:
    pairs = list(query_pairs())
    if request.method == "POST":
        # the declared length first: an oversized body is refused before it is read
        too_large = (request.content_length or 0) > MAX_FORM_BYTES
        data = b"" if too_large else request.get_data(cache=True)
        if too_large or len(data) > MAX_FORM_BYTES:
            raise InvalidRequest(f"the search form is over {MAX_FORM_BYTES // 1024} KB; a search takes at most "
                                 f"{MAX_TESTS} search tests of at most {MAX_ALTERNATIVES} alternatives each")
        ctype = (request.mimetype or "").lower()
        if data and ctype not in ("", "application/x-www-form-urlencoded"):
            from werkzeug.exceptions import UnsupportedMediaType
            raise UnsupportedMediaType(f"a search by POST sends its parameters as "
                                       f"application/x-www-form-urlencoded, not '{request.mimetype}'")
        try:   # a body without a content type is read as a form too: what curl -d sends
            pairs += parse_qsl(data.decode("utf-8"), keep_blank_values=True, max_num_fields=10_000)
        except (UnicodeDecodeError, ValueError) as e:
            raise InvalidRequest(f"the search form could not be read: {e}")
    return pairs


def _int(control: dict, name: str, default: int) -> int:
    raw = control.get(name)
    return default if raw is None else whole_number(raw, name, f"http.{name}")


def search_type(rtype: str):
    from .outcomes import issue, operation_outcome
    pairs = _request_pairs()
    catalog = get_catalog()
    query = Query(rtype, pairs, catalog, strict_handling())
    ctl = query.control
    summary = summary_arg(ctl.get("_summary"))
    elements = elements_arg(ctl.get("_elements"))
    total_mode = ctl.get("_total")
    if total_mode not in (None, "none", "estimate", "accurate"):
        raise InvalidRequest(f"_total must be none, estimate or accurate, not '{total_mode}'", location="http._total")
    count = min(_int(ctl, "_count", DEFAULT_COUNT), MAX_COUNT)
    offset = _int(ctl, "_offset", 0)
    rows = query.run()

    bundle = {"resourceType": "Bundle", "id": str(uuid.uuid4()),
              "meta": {"lastUpdated": datetime.now(timezone.utc).isoformat(timespec="seconds")},
              "type": "searchset"}
    if total_mode != "none" or summary == "count":
        bundle["total"] = len(rows)
    base = f"{fhir_base()}/{rtype}"
    # the links say the _count served, not the one asked (search.html#count: the self link holds what was used)
    plain = [(k, str(count) if k == "_count" else v) for k, v in query.used if k != "_offset"]

    def link(relation: str, at: int) -> dict:
        return {"relation": relation, "url": base + "?" + urlencode(plain + [("_offset", at)])}

    links = [link("self", offset)]
    entries = []
    if summary != "count" and count > 0:
        links.append(link("first", 0))
        if offset > 0:
            links.append(link("previous", max(0, offset - count)))
        if offset + count < len(rows):
            links.append(link("next", offset + count))
        links.append(link("last", ((len(rows) - 1) // count) * count if rows else 0))
        for r in rows[offset:offset + count]:
            if r.h.pk is not None and stored_body(catalog, r.h) is None:
                continue        # deleted by another request since this one's catalog was refreshed
            entries.append({"fullUrl": f"{base}/{r.h.id}", "resource": shape(catalog, r.h, summary, elements, True),
                            "search": {"mode": "match"}})
    if query.ignored:
        issues = [issue("warning", "not-supported", f"ignored: {text}") for text in query.ignored[:MAX_REPORTED]]
        if len(query.ignored) > MAX_REPORTED:
            issues.append(issue("warning", "not-supported",
                                f"… and {len(query.ignored) - MAX_REPORTED} more parameters ignored"))
        if query.unknown:
            issues.append(issue("information", "not-supported", f"the search parameters of {rtype} this server "
                                f"knows: {query.known()}"))
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": operation_outcome(issues),
                        "search": {"mode": "outcome"}})
    bundle["link"] = links
    if entries:
        bundle["entry"] = entries
    return fhir_response(bundle)


def search_get_refused(rtype: str):
    from .outcomes import issue, operation_outcome
    text = (f"{rtype}/_search takes POST with a form body (R4 http.html#search); to search with GET, put the "
            f"parameters on {rtype}?…")
    return fhir_response(operation_outcome([issue("error", "not-supported", text)]), 405, {"Allow": "POST"})
